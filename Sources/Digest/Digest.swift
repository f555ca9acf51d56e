import Embedder
import Foundation
import MarkdownCodec
import Vault

/// Builds, writes and commits daily digests (docs/digest.md describes their sections).
///
/// The same vault, user and day always give the same bytes: everything is sorted with explicit
/// tie-breaks and no clock reaches the output.
public struct DigestBuilder {
    public let vault: Vault
    public let user: String
    /// Embeds texts for highlights and themes; nil falls back to word vectors (tf-idf).
    public let embedder: Embedder?
    /// How many highlights at most.
    public var highlightCount = 5
    /// How many of the day's memories get connections, and how many older memories each.
    public var connectionSources = 10
    public var connectionsPerMemory = 2
    /// Cosine above which two memories count as near-duplicates.
    public var duplicateThreshold: Float = 0.95
    /// Cosine at or above which a memory joins a theme.
    public var themeThreshold: Float = 0.5
    /// The same without a model, for tf-idf word vectors (sparser, so lower).
    public var wordThemeThreshold: Float = 0.2

    /// - Parameters:
    ///   - vault: the open vault.
    ///   - user: whose memories to digest.
    ///   - embedder: the local model, or nil to work without it.
    public init(vault: Vault, user: String, embedder: Embedder?) {
        self.vault = vault
        self.user = user
        self.embedder = embedder
    }

    /// The digest file of `day`, relative to the vault root: `<user>/digests/YYYY/YYYY-MM-DD.md`.
    public func path(for day: DigestDay) -> String {
        String(format: "%@/digests/%04d/%@.md", user, day.year, day.description)
    }

    /// The digest of `day` as Markdown, as `write` would put it in the file.
    ///
    /// - Parameters:
    ///   - explicit: whether the day was asked for by name; an empty day then gives a
    ///     short "nothing recorded" digest, otherwise nil.
    ///   - encryptedSection: `.encrypted` (the file's form) encrypts the section quoting unlocked
    ///     encrypted tiers; `.clear` shows it in plain text, for a terminal only.
    /// - Returns: the digest, or nil for an empty day that was not asked for.
    /// - Throws: `VaultError` when the vault cannot be read or searched, or the section cannot be encrypted.
    /// - Complexity: O(b) line scan of the user's tier files, parsing only entries of the day, of
    ///   this day in earlier years and with open tasks; O(d²) comparisons for d memories of the day;
    ///   one O(n) vector scan per connected memory.
    public func render(_ day: DigestDay, explicit: Bool, encryptedSection: EncryptedSection = .encrypted) throws(VaultError) -> String? {
        guard let page = try compose(day, explicit: explicit) else { return nil }
        return encryptedSection == .clear ? page.clearText : try page.text(encrypt: encrypt)
    }

    /// Encrypts the encrypted section's plaintext to the user's `tier`.
    private func encrypt(_ plaintext: String, _ tier: Tier) throws(VaultError) -> String {
        try vault.encrypt(plaintext, user: user, tier: tier)
    }

    /// How `render` shows the section quoting unlocked encrypted tiers.
    public enum EncryptedSection: Sendable {
        /// Encrypted to the highest tier it quotes, as in the file.
        case encrypted
        /// In plain text: only for a terminal whose user unlocked the tiers, never for a file.
        case clear
    }

    /// Renders `day` and commits it as `<user>/digests/YYYY/YYYY-MM-DD.md`.
    ///
    /// Age encryption is randomized, so a digest with an encrypted section cannot give the same
    /// bytes twice; instead, when the file already holds the same plain part and its encrypted
    /// block decrypts (with the tier's unlocked key) to the same plaintext, the file is left as it
    /// is and nothing is committed.
    /// - Returns: the path of the digest, or nil for an empty day that was not asked for.
    /// - Throws: `VaultError` when reading, encrypting, writing or committing fails.
    @discardableResult
    public func write(_ day: DigestDay, explicit: Bool) throws(VaultError) -> String? {
        guard let (path, bytes) = try prepare(day, explicit: explicit) else { return nil }
        if let bytes {
            try vault.writeAndCommit(path, bytes: bytes, message: "memvault: digest \(user) \(day)")
        }
        return path
    }

    /// The digest file of `day` and its new bytes (nil bytes: the file already says the same).
    private func prepare(_ day: DigestDay, explicit: Bool) throws(VaultError) -> (path: String, bytes: [UInt8]?)? {
        guard let page = try compose(day, explicit: explicit) else { return nil }
        let path = path(for: day)
        if page.encrypted != nil, let existing = vault.fileText(path),
            page.matches(existing, decrypt: { vault.decryptIfUnlocked($0, user: user, tier: $1) })
        {
            return (path, nil)
        }
        return (path, Array(try page.text(encrypt: encrypt).utf8))
    }

    /// The digest before encryption: the plain part and the plaintext of the encrypted section.
    func compose(_ day: DigestDay, explicit: Bool) throws(VaultError) -> DigestPage? {
        let timeZone = vault.config.timeZone
        let start = day.start(in: timeZone)
        let calendar = DigestDay.calendar(timeZone)
        // Only the day, this day in earlier years and older open tasks are ever shown. A heading
        // with an offset can land up to two days away from its written date.
        let needles = (-2...2).map { day.adding(days: $0) }.map { String(format: "-%02d-%02d", $0.month, $0.day) }
        let skip = Set(vault.config.digestSkipSections.map { $0.lowercased() })
        // The index (highlights, themes, connections) loads on a second thread while the files are read.
        let wantsIndex = embedder != nil || !skip.contains("connections")
        let (memories, index) = try Overlap.both({ () throws(VaultError) in
            try vault.digestMemories(user: user, dateNeedles: needles) { date, _, hasOpenTask in
                guard let local = DatedMemory.local(date, calendar: calendar)?.day else { return false }
                return local == day || (local.month == day.month && local.day == day.day && local.year < day.year)
                    || (hasOpenTask && local < day)
            }
        }, { () throws(VaultError) in
            wantsIndex ? try vault.digestIndex(user: user, embedder: embedder) : nil
        })
        let all = memories.map { DatedMemory($0, calendar: calendar) }
        let today = all.filter { $0.day == day }.sorted(by: DatedMemory.chronological)
        if today.isEmpty && !explicit { return nil }
        var page = DigestPage(plain: "# Digest \(day) · \(day.weekday)\n")
        guard !today.isEmpty else {
            page.plain += "\nNothing recorded on this day.\n"
            return page
        }
        let readable = today.filter(\.isQuotable)
        let older = all.filter { $0.isQuotable && ($0.day.map { $0 < day } ?? false) }
        var links = LinkMaker(vault: vault, digestPath: path(for: day))
        let vectors = self.vectors(readable, index: index)

        var sections: [(String, String, [String])] = []
        sections.append(("at-a-glance", "The day at a glance", glance(today)))
        let order = centralityOrder(readable, vectors)
        sections.append(("highlights", "Highlights", highlights(order, readable, vectors, &links)))
        sections.append(("themes", "Themes", themes(order, readable, vectors, &links)))
        sections.append(("open-tasks", "Open tasks", openTasks(readable, older, &links)))
        sections.append(("people-and-tags", "People and tags", peopleAndTags(readable)))
        if !skip.contains("connections"), let index, !readable.isEmpty {
            let sources = order.map { (readable[$0], vectors[$0]) }
            sections.append(("connections", "Connections", connections(sources, start: start, index: index, &links)))
        }
        sections.append(("on-this-day", "On this day", onThisDay(Self.earlierYears(all, day, \.isQuotable), &links)))
        for (name, title, lines) in sections where !lines.isEmpty && !skip.contains(name) {
            page.plain += "\n## \(title)\n\n" + lines.map { $0 + "\n" }.joined()
        }
        page.encrypted = encryptedPart(today, all, day, &links)
        return page
    }

    /// The days `--since-last` fills: from the day after the newest digest (or the first memory's
    /// day) up to the day before `now`'s, leaving out days without memories.
    /// - Throws: `VaultError` when the vault cannot be read.
    /// - Complexity: after a gap of up to 62 days, a line scan parsing only entries that can fall
    ///   in it; otherwise (no digest yet, or a longer gap) every file is parsed.
    public func missingDays(now: Date) throws(VaultError) -> [DigestDay] {
        let timeZone = vault.config.timeZone
        let today = DigestDay(containing: now, timeZone: timeZone)
        let calendar = DigestDay.calendar(timeZone)
        var days = Set<DigestDay>()
        let collect = { (date: EntryDate?, _: Tier, _: Bool) -> Bool in
            if let local = DatedMemory.local(date, calendar: calendar) { days.insert(local.day) }
            return false
        }
        let from = newestDigest().map { $0.next(in: timeZone) }
        if let from, from.adding(days: 62) >= today {
            var gap: [DigestDay] = []
            for offset in -2..<(Self.distance(from, today) + 2) { gap.append(from.adding(days: offset)) }
            _ = try vault.digestMemories(user: user, dateNeedles: gap.map { String(format: "-%02d-%02d", $0.month, $0.day) }, where: collect)
        } else {
            _ = try vault.memories(user: user, where: collect)
        }
        guard var day = from ?? days.min() else { return [] }
        var result: [DigestDay] = []
        while day < today {
            if days.contains(day) { result.append(day) }
            day = day.next(in: timeZone)
        }
        return result
    }

    /// Whole days from `a` to `b` (negative when `b` is earlier).
    static func distance(_ a: DigestDay, _ b: DigestDay) -> Int {
        let utc = TimeZone(identifier: "UTC")!
        return Int((b.start(in: utc).timeIntervalSince(a.start(in: utc)) / 86_400).rounded())
    }

    /// Writes a digest for every missing day (see `missingDays(now:)`) in one commit, all or none.
    /// - Returns: the paths written, oldest first.
    /// - Throws: `VaultError` from the first day that fails; nothing is written then.
    public func writeSinceLast(now: Date) throws(VaultError) -> [String] {
        var written: [String] = []
        var files: [(path: String, bytes: [UInt8])] = []
        let days = try missingDays(now: now)
        for day in days {
            guard let (path, bytes) = try prepare(day, explicit: false) else { continue }
            written.append(path)
            if let bytes { files.append((path, bytes)) }
        }
        if !files.isEmpty {
            let range = days.count == 1 ? "\(days[0])" : "\(days.first!) to \(days.last!)"
            try vault.writeAndCommit(files, message: "memvault: digests \(user) \(range)")
        }
        return written
    }

    /// The newest day with a digest file.
    func newestDigest() -> DigestDay? {
        let folder = vault.fileURL("\(user)/digests")
        let fm = FileManager.default
        var newest: DigestDay?
        for year in (try? fm.contentsOfDirectory(atPath: folder.path)) ?? [] {
            for name in (try? fm.contentsOfDirectory(atPath: folder.appendingPathComponent(year).path)) ?? []
            where name.hasSuffix(".md") {
                guard let day = try? DigestDay(parsing: String(name.dropLast(3))) else { continue }
                if newest.map({ $0 < day }) ?? true { newest = day }
            }
        }
        return newest
    }
}
