import Embedder
import Foundation
import MarkdownCodec
import Vault

/// Builds, writes and commits daily digests (DESIGN.md "Daily digest").
///
/// The same vault, user and day always give the same bytes: everything is sorted with explicit
/// tie-breaks and no clock reaches the output.
public struct DigestBuilder {
    /// The section names `memvault.toml`'s `[digest] skip_sections` may list.
    public static let sectionNames = [
        "at-a-glance", "highlights", "themes", "open-tasks", "people-and-tags", "connections", "on-this-day",
    ]

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

    /// The digest of `day` as Markdown.
    ///
    /// - Parameter explicit: whether the day was asked for by name; an empty day then gives a
    ///   short "nothing recorded" digest, otherwise nil.
    /// - Returns: the digest, or nil for an empty day that was not asked for.
    /// - Throws: `VaultError` when the vault cannot be read or searched.
    /// - Complexity: O(n) in the user's memories plus O(d²) embeddings comparisons for d memories of the day.
    public func render(_ day: DigestDay, explicit: Bool) throws(VaultError) -> String? {
        let timeZone = vault.config.timeZone
        let start = day.start(in: timeZone)
        let calendar = DigestDay.calendar(timeZone)
        // Only the day, this day in earlier years and older open tasks are ever shown.
        let all = try vault.memories(user: user) { date, _, hasOpenTask in
            guard let local = DatedMemory.local(date, calendar: calendar)?.day else { return false }
            return local == day || (local.month == day.month && local.day == day.day && local.year < day.year)
                || (hasOpenTask && local < day)
        }.map { DatedMemory($0, calendar: calendar) }
        let today = all.filter { $0.day == day }.sorted(by: DatedMemory.chronological)
        if today.isEmpty && !explicit { return nil }
        var out = "# Digest \(day) · \(day.weekday)\n"
        guard !today.isEmpty else {
            out += "\nNothing recorded on this day.\n"
            return out
        }
        let readable = today.filter(\.isQuotable)
        let older = all.filter { $0.isQuotable && ($0.day.map { $0 < day } ?? false) }
        var links = LinkMaker(vault: vault, digestPath: path(for: day))
        let skip = Set(vault.config.digestSkipSections.map { $0.lowercased() })
        let vectors = self.vectors(readable)

        var sections: [(String, String, [String])] = []
        sections.append(("at-a-glance", "The day at a glance", glance(today)))
        let order = centralityOrder(readable, vectors)
        sections.append(("highlights", "Highlights", highlights(order, readable, vectors, &links)))
        sections.append(("themes", "Themes", themes(order, readable, vectors, &links)))
        sections.append(("open-tasks", "Open tasks", openTasks(readable, older, &links)))
        sections.append(("people-and-tags", "People and tags", peopleAndTags(readable)))
        if !skip.contains("connections") {
            sections.append(("connections", "Connections", try connections(order.map { readable[$0] }, start: start, &links)))
        }
        sections.append(("on-this-day", "On this day", onThisDay(all, day, &links)))
        for (name, title, lines) in sections where !lines.isEmpty && !skip.contains(name) {
            out += "\n## \(title)\n\n" + lines.map { $0 + "\n" }.joined()
        }
        return out
    }

    /// Renders `day` and commits it as `<user>/digests/YYYY/YYYY-MM-DD.md`.
    /// - Returns: the path written, or nil for an empty day that was not asked for.
    /// - Throws: `VaultError` when reading, writing or committing fails.
    @discardableResult
    public func write(_ day: DigestDay, explicit: Bool) throws(VaultError) -> String? {
        guard let text = try render(day, explicit: explicit) else { return nil }
        let path = path(for: day)
        try vault.writeAndCommit(path, bytes: Array(text.utf8), message: "memvault: digest \(user) \(day)")
        return path
    }

    /// The days `--since-last` fills: from the day after the newest digest (or the first memory's
    /// day) up to the day before `now`'s, leaving out days without memories.
    /// - Throws: `VaultError` when the vault cannot be read.
    public func missingDays(now: Date) throws(VaultError) -> [DigestDay] {
        let timeZone = vault.config.timeZone
        let today = DigestDay(containing: now, timeZone: timeZone)
        let calendar = DigestDay.calendar(timeZone)
        var days = Set<DigestDay>()
        _ = try vault.memories(user: user) { date, _, _ in
            if let local = DatedMemory.local(date, calendar: calendar) { days.insert(local.day) }
            return false
        }
        guard var day = newestDigest().map({ $0.next(in: timeZone) }) ?? days.min() else { return [] }
        var result: [DigestDay] = []
        while day < today {
            if days.contains(day) { result.append(day) }
            day = day.next(in: timeZone)
        }
        return result
    }

    /// Writes a digest for every missing day (see `missingDays(now:)`), one commit each.
    /// - Returns: the paths written, oldest first.
    /// - Throws: `VaultError` from the first day that fails; earlier days stay committed.
    public func writeSinceLast(now: Date) throws(VaultError) -> [String] {
        var written: [String] = []
        for day in try missingDays(now: now) {
            if let path = try write(day, explicit: false) { written.append(path) }
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
