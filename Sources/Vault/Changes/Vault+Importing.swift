import Crypto
import Foundation
import MarkdownCodec
import MemvaultSupport

/// One memory read from another service's export (ChatGPT, Claude, Day One, jrnl, a Markdown
/// folder), as an importer hands it to `Vault.importItems`.
public struct ImportItem: Sendable {
    /// The memory; `src` (`chatgpt:<conversation id>`) is its identity across re-imports and is required.
    public var memory: NewMemory
    /// The source's name (`chatgpt`), for the summary.
    public var source: String
    /// Where in the input it came from (`conversations.json, conversation 12`), for errors.
    public var location: String

    public init(memory: NewMemory, source: String, location: String) {
        self.memory = memory
        self.source = source
        self.location = location
    }
}

/// What an importer reports to `Vault.importItems`: a memory, or a record of the export that
/// does not become one (and why).
public enum ImportEvent: Sendable {
    case item(ImportItem)
    case skipped(source: String, reason: String)
}

/// What an import added, updated and skipped, per tier and source.
public struct ImportSummary: Sendable, Codable, Equatable {
    public struct Row: Sendable, Codable, Equatable {
        /// Nil for records skipped before a tier was chosen (empty conversations, say).
        public var tier: Tier?
        public var source: String
        public var added = 0
        public var updated = 0
        public var skipped = 0
        /// Why records were skipped, with counts (`unchanged since the last import`: 12).
        public var reasons: [String: Int] = [:]
    }

    public var dryRun: Bool
    public var rows: [Row]
    /// Ids of the memories added or updated (every part of a split one).
    public var ids: [String]

    public var added: Int { rows.reduce(0) { $0 + $1.added } }
    public var updated: Int { rows.reduce(0) { $0 + $1.updated } }
    public var skipped: Int { rows.reduce(0) { $0 + $1.skipped } }

    private enum CodingKeys: String, CodingKey { case dryRun = "dry_run", rows, ids, added, updated, skipped }

    public init(dryRun: Bool, rows: [Row], ids: [String]) {
        self.dryRun = dryRun
        self.rows = rows
        self.ids = ids
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        dryRun = try c.decode(Bool.self, forKey: .dryRun)
        rows = try c.decode([Row].self, forKey: .rows)
        ids = try c.decode([String].self, forKey: .ids)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(dryRun, forKey: .dryRun)
        try c.encode(rows, forKey: .rows)
        try c.encode(ids, forKey: .ids)
        try c.encode(added, forKey: .added)
        try c.encode(updated, forKey: .updated)
        try c.encode(skipped, forKey: .skipped)
    }
}

extension Vault {
    /// The reason given for a record whose memory is already in the vault, unchanged.
    public static let unchangedReason = "unchanged since the last import"

    /// Imports the memories an importer produces, in one commit.
    ///
    /// A memory's identity is its `src`: a record already imported (found by the id derived from
    /// its user and `src`, or for plain tiers by its `src`) is skipped when its source content is
    /// unchanged (the `import-hash` meta field), else updated in place (the old text stays in git
    /// history). A record larger than `maximumMemorySize` becomes parts that name each other
    /// (`part`, `prev`, `next` meta fields and a line in the text).
    ///
    /// Memory stays bounded whatever the export's size: rendered (for encrypted tiers: encrypted)
    /// entries are spooled to a file under the cache, and each vault file is built and written
    /// one at a time when the change is applied.
    ///
    /// - Parameters:
    ///   - dryRun: decide and count only; nothing is written.
    ///   - produce: reads the export, calling `emit` for each record; any error it throws aborts
    ///     the import with nothing written.
    /// - Throws: the producer's error, or `VaultError.badInput` naming the record that cannot be
    ///   written (an encrypted tier without a key, a credential in a plain tier...).
    public func importItems(
        user: String, dryRun: Bool = false, allowSecrets: Bool = false, now: Date = Date(),
        produce: (_ emit: (ImportEvent) throws(VaultError) -> Void) throws(VaultError) -> Void
    ) throws(VaultError) -> ImportSummary {
        var session: ImportSession?
        defer { session?.close() }
        try transaction(session?.commitMessage ?? "memvault: import") { (changes) throws(VaultError) in
            let current = try ImportSession(vault: self, user: user, dryRun: dryRun, allowSecrets: allowSecrets, now: now)
            session = current
            try produce { (event) throws(VaultError) in try current.handle(event) }
            try current.resolveDeferred()
            if !dryRun { try current.schedule(into: &changes) }
        }
        return session!.summary
    }

    /// The id an imported record's part gets: the record's time in the first ten characters (ids
    /// stay time-sortable), then 30 bits of a hash of user, `src` and part number, so that the
    /// same record imported again finds its memory without reading any encrypted text.
    static func importID(user: String, src: String, part: Int, date: EntryDate, timeZone: TimeZone) -> String {
        let ms = UInt64(max(0, DateText.instant(date, timeZone: timeZone).timeIntervalSince1970 * 1000))
        let digest = Array(SHA256.hash(data: Array("memvault-import\n\(user)\n\(src)\n\(part)".utf8)))
        var random: UInt32 = 0
        for byte in digest.prefix(4) { random = random << 8 | UInt32(byte) }
        random >>= 2
        return MemoryID.encode(milliseconds: ms, random: random)
    }

    /// A short fingerprint of everything a record says, to tell a changed record from an unchanged one.
    static func importHash(_ memory: NewMemory) -> String {
        var hasher = SHA256()
        func add(_ text: String?) {
            hasher.update(data: Array((text ?? "\u{1}").utf8))
            hasher.update(data: [0])
        }
        add(memory.date?.headingText)
        add(memory.title)
        add(memory.text)
        add(memory.tags.joined(separator: " "))
        add(memory.src)
        for (key, value) in memory.meta {
            add(key)
            add(value)
        }
        // Written with "0x" in front: sixteen bare hex digits that start with two letters and
        // two digits read to the plain-text secret scanner as an IBAN about once in 1,700
        // records, which refused whole imports into plain tiers.
        return "0x" + Array(hasher.finalize()).prefix(8).hexString
    }

    /// Whether an `import-hash` read from the vault is `hash`; imports before the "0x" prefix
    /// wrote the bare digits, and those records still count as unchanged.
    static func sameImportHash(_ stored: String?, _ hash: String) -> Bool {
        guard let stored else { return false }
        return stored == hash || "0x" + stored == hash
    }

    /// Splits a text larger than `limit` bytes of UTF-8 into parts of at most `limit` bytes, at
    /// blank lines where it can, else at line ends, else between characters. Nothing is dropped:
    /// the parts joined with blank lines hold every non-blank line of the text.
    static func splitForImport(_ text: String, limit: Int) -> [String] {
        guard text.utf8.count > limit else { return [text] }
        var parts: [String] = []
        var current = ""
        var currentSize = 0
        func flush() {
            let trimmed = current.trimmingWhitespaceAndNewlines()
            if !trimmed.isEmpty { parts.append(trimmed) }
            current = ""
            currentSize = 0
        }
        func append(_ piece: String, separator: String) {
            let size = piece.utf8.count
            if currentSize > 0, currentSize + separator.utf8.count + size > limit { flush() }
            if size > limit {
                // One piece alone is too large: cut it at lines, then at characters.
                if piece.contains("\n") {
                    for line in piece.split(separator: "\n", omittingEmptySubsequences: false) { append(String(line), separator: "\n") }
                } else {
                    var chunk = ""
                    var chunkSize = 0
                    for character in piece {
                        let n = character.utf8.count
                        if chunkSize + n > limit {
                            append(chunk, separator: "")
                            flush()
                            chunk = ""
                            chunkSize = 0
                        }
                        chunk.append(character)
                        chunkSize += n
                    }
                    if !chunk.isEmpty { append(chunk, separator: "") }
                }
                return
            }
            if currentSize > 0 {
                current += separator
                currentSize += separator.utf8.count
            }
            current += piece
            currentSize += size
        }
        for paragraph in text.components(separatedBy: "\n\n") { append(paragraph, separator: "\n\n") }
        flush()
        return parts
    }
}

/// The state of one `importItems` run: what the vault holds already, the decisions so far, and
/// the spool of rendered entries waiting to be written.
final class ImportSession {
    /// An entry already in the vault that an import may match.
    struct Existing {
        var path: String
        var tier: Tier
        var encrypted: Bool
        /// For plain entries: the `import-hash` meta field, when present.
        var importHash: String?
        var src: String?
        var part: Int
    }

    /// A record whose existing memory is encrypted: decided after the stream, once its files are read.
    struct Deferred {
        var item: ImportItem
        var tier: Tier
        var hash: String
        var parts: [Prepared]
        var existingIDs: [String]
    }

    /// A rendered part, spooled (or, in a dry run, only counted).
    struct Prepared {
        var id: String
        var date: EntryDate
        var spool: Range<UInt64>
        /// The file of its date's month; `schedule` picks the month's part (MonthFiles.swift).
        var monthPath: String
    }

    let vault: Vault
    let user: String
    let dryRun: Bool
    let allowSecrets: Bool
    let now: Date
    private var existing: [String: Existing] = [:]
    private var idBySrc: [String: String] = [:]
    private var seenSources = Set<String>()
    private var deferred: [Deferred] = []
    private var rows: [String: ImportSummary.Row] = [:]
    private var rowOrder: [String] = []
    private var ids: [String] = []
    /// New entries by the file of their month (not yet by part).
    private var adds: [String: [(date: EntryDate, id: String, spool: Range<UInt64>)]] = [:]
    private var replaces: [String: [String: Range<UInt64>]] = [:]
    private var removes: [String: Set<String>] = [:]
    private var sources = Set<String>()
    private var spool: Spool?
    /// Room left under the size limit for the part line and the tags line an entry may get.
    static let partLimit = Vault.maximumMemorySize - 4096

    init(vault: Vault, user: String, dryRun: Bool, allowSecrets: Bool, now: Date) throws(VaultError) {
        self.vault = vault
        self.user = user
        self.dryRun = dryRun
        self.allowSecrets = allowSecrets
        self.now = now
        // Under the vault lock no other import runs: a spool file left here is from a killed one.
        let cache = vault.cacheDirectory
        for name in (try? FileManager.default.contentsOfDirectory(atPath: cache.path)) ?? [] where name.hasPrefix("import-") && name.hasSuffix(".spool") {
            try? FileManager.default.removeItem(at: cache.appendingPathComponent(name))
        }
        for tier in Tier.allCases {
            for path in vault.tierFiles(user: user, tier: tier) {
                let file = try vault.readEntryFile(path)
                for entry in file.entries {
                    guard let id = entry.id else { continue }
                    var found = Existing(path: path, tier: tier, encrypted: entry.isEncrypted, importHash: nil, src: nil, part: 1)
                    if !entry.isEncrypted, let src = entry.src {
                        found.src = src
                        found.importHash = entry.meta.first(where: { $0.key == "import-hash" })?.value
                        found.part = Self.partNumber(entry.meta.first(where: { $0.key == "part" })?.value)
                        if found.importHash != nil { idBySrc[Self.key(src: src, part: found.part)] = id }
                    }
                    existing[id] = found
                }
            }
        }
    }

    var summary: ImportSummary {
        ImportSummary(dryRun: dryRun, rows: rowOrder.map { rows[$0]! }, ids: ids)
    }

    var commitMessage: String {
        let s = summary
        return "memvault: import from \(sources.sorted().joined(separator: ", ")): \(s.added) added, \(s.updated) updated"
    }

    func close() {
        spool?.remove()
        spool = nil
    }

    private static func key(src: String, part: Int) -> String { part == 1 ? src : "\(src)#\(part)" }

    private static func partNumber(_ text: String?) -> Int {
        guard let text, let slash = text.firstIndex(of: "/"), let n = Int(text[..<slash]), n >= 1 else { return 1 }
        return n
    }

    private func count(tier: Tier?, source: String, _ change: (inout ImportSummary.Row) -> Void) {
        let key = "\(tier?.rawValue ?? "-")\u{0}\(source)"
        if rows[key] == nil {
            rows[key] = ImportSummary.Row(tier: tier, source: source)
            rowOrder.append(key)
        }
        change(&rows[key]!)
    }

    private func skip(tier: Tier?, source: String, reason: String) {
        count(tier: tier, source: source) {
            $0.skipped += 1
            $0.reasons[reason, default: 0] += 1
        }
    }

    func handle(_ event: ImportEvent) throws(VaultError) {
        switch event {
        case .skipped(let source, let reason):
            sources.insert(source)
            skip(tier: nil, source: source, reason: reason)
        case .item(let item):
            sources.insert(item.source)
            try handle(item)
        }
    }

    private func handle(_ item: ImportItem) throws(VaultError) {
        guard let src = item.memory.src, !src.isEmpty else {
            throw VaultError(.badInput, "an imported record has no source id", at: item.location)
        }
        guard seenSources.insert(src).inserted else {
            throw VaultError(.badInput, "the export holds \(src) twice", at: item.location)
        }
        let date = item.memory.date ?? vault.config.entryDate(now)
        var memory = item.memory
        memory.date = date
        let hash = Vault.importHash(memory)
        let texts = Vault.splitForImport(memory.text.trimmingWhitespaceAndNewlines(), limit: Self.partLimit)

        // Which memories of this record are in the vault already, by derived id or (plain tiers) by src.
        var found: [String] = []
        var part = 1
        while true {
            let derived = Vault.importID(user: user, src: src, part: part, date: date, timeZone: vault.config.timeZone)
            if let hit = existing[derived], hit.encrypted || hit.src == src {
                found.append(derived)
            } else if let id = idBySrc[Self.key(src: src, part: part)] {
                found.append(id)
            } else if part > texts.count {
                break
            } else {
                found.append("")
            }
            part += 1
        }
        while found.last == "" { found.removeLast() }
        let present = found.filter { !$0.isEmpty }
        if present.isEmpty {
            let tier = memory.tier ?? vault.config.defaultTier
            let parts = try prepare(memory, texts: texts, hash: hash, tier: tier, ids: [], location: item.location)
            for part in parts {
                adds[part.monthPath, default: []].append((part.date, part.id, part.spool))
                ids.append(part.id)
            }
            count(tier: tier, source: item.source) { $0.added += 1 }
            return
        }
        let first = existing[present[0]]!
        // The record stays in the tier its memory is in now (a person may have moved it).
        let tier = first.tier
        if present.allSatisfy({ !existing[$0]!.encrypted }) {
            if found.count == texts.count, present.count == texts.count, present.allSatisfy({ Vault.sameImportHash(existing[$0]!.importHash, hash) }) {
                skip(tier: tier, source: item.source, reason: Vault.unchangedReason)
                return
            }
            try update(item, memory: memory, texts: texts, hash: hash, tier: tier, found: found)
            return
        }
        let unlocked = ((try? vault.tierKey(user: user, tier: tier, ask: false)) ?? nil) != nil
        guard unlocked else {
            skip(tier: tier, source: item.source, reason: "already imported; the \(tier.rawValue) tier is locked, so changes were not compared (unlock it to update)")
            return
        }
        var ids = found
        for index in ids.indices where ids[index].isEmpty {
            ids[index] = Vault.importID(user: user, src: src, part: index + 1, date: date, timeZone: vault.config.timeZone)
        }
        let parts = try prepare(memory, texts: texts, hash: hash, tier: tier, ids: ids, location: item.location)
        deferred.append(Deferred(item: item, tier: tier, hash: hash, parts: parts, existingIDs: present))
    }

    /// Records the writes that update a record in place: its parts replace the memories found,
    /// extra parts are added, memories of parts that no longer exist are removed.
    private func update(_ item: ImportItem, memory: NewMemory, texts: [String], hash: String, tier: Tier, found: [String]) throws(VaultError) {
        var partIDs = found
        let src = memory.src!
        for index in 0..<texts.count where index >= partIDs.count || partIDs[index].isEmpty {
            let id = Vault.importID(user: user, src: src, part: index + 1, date: memory.date!, timeZone: vault.config.timeZone)
            if index < partIDs.count { partIDs[index] = id } else { partIDs.append(id) }
        }
        let parts = try prepare(memory, texts: texts, hash: hash, tier: tier, ids: Array(partIDs.prefix(texts.count)), location: item.location)
        recordWrites(parts: parts, existingIDs: found.filter { !$0.isEmpty })
        count(tier: tier, source: item.source) { $0.updated += 1 }
    }

    private func recordWrites(parts: [Prepared], existingIDs: [String]) {
        let kept = Set(parts.map(\.id))
        for part in parts {
            if let old = existing[part.id] {
                replaces[old.path, default: [:]][part.id] = part.spool
            } else {
                adds[part.monthPath, default: []].append((part.date, part.id, part.spool))
            }
            ids.append(part.id)
        }
        for id in existingIDs where !kept.contains(id) {
            removes[existing[id]!.path, default: []].insert(id)
        }
    }

    /// Decides the records whose memories are encrypted: reads each of their files once and
    /// compares the `import-hash` inside the decrypted entries.
    func resolveDeferred() throws(VaultError) {
        guard !deferred.isEmpty else { return }
        var byPath: [String: [String]] = [:]
        for record in deferred {
            for id in record.existingIDs { byPath[existing[id]!.path, default: []].append(id) }
        }
        var hashes: [String: (hash: String?, part: Int)] = [:]
        for path in byPath.keys.sorted() {
            let file = try vault.readEntryFile(path)
            let tier = existing[byPath[path]![0]]!.tier
            for id in byPath[path]! {
                guard let entry = file.entry(id: id) else { continue }
                let located = Vault.Located(user: user, tier: tier, path: path, entry: entry)
                guard let (_, inner) = try vault.decrypted(located) else { continue }
                hashes[id] = (inner.meta.first(where: { $0.key == "import-hash" })?.value, Self.partNumber(inner.meta.first(where: { $0.key == "part" })?.value))
            }
        }
        for record in deferred {
            let unchanged = record.existingIDs.count == record.parts.count
                && record.existingIDs.allSatisfy { Vault.sameImportHash(hashes[$0]?.hash, record.hash) }
            if unchanged {
                skip(tier: record.tier, source: record.item.source, reason: Vault.unchangedReason)
            } else {
                recordWrites(parts: record.parts, existingIDs: record.existingIDs)
                count(tier: record.tier, source: record.item.source) { $0.updated += 1 }
            }
        }
        deferred = []
    }

    /// Renders (and for encrypted tiers encrypts) every part of a record and spools it.
    /// - Parameter ids: the parts' ids when the record is in the vault already; else derived.
    private func prepare(_ memory: NewMemory, texts: [String], hash: String, tier: Tier, ids given: [String], location: String) throws(VaultError) -> [Prepared] {
        let src = memory.src!
        let date = memory.date!
        let ids = texts.indices.map { index in
            index < given.count && !given[index].isEmpty
                ? given[index] : Vault.importID(user: user, src: src, part: index + 1, date: date, timeZone: vault.config.timeZone)
        }
        var result: [Prepared] = []
        for (index, text) in texts.enumerated() {
            var part = memory
            part.tier = tier
            part.id = ids[index]
            part.meta.append(("import-hash", hash))
            if texts.count > 1 {
                let number = index + 1
                part.meta.append(("part", "\(number)/\(texts.count)"))
                var links: [String] = []
                if index > 0 {
                    part.meta.append(("prev", ids[index - 1]))
                    links.append("previous part: `\(ids[index - 1])`")
                }
                if index + 1 < texts.count {
                    part.meta.append(("next", ids[index + 1]))
                    links.append("next part: `\(ids[index + 1])`")
                }
                part.title = "\(memory.title ?? "Imported") (part \(number) of \(texts.count))"
                part.text = "*Part \(number) of \(texts.count); \(links.joined(separator: ", ")).*\n\n" + text
            } else {
                part.text = text
            }
            let prepared = try vault.prepare(part, user: user, now: now, location: location, allowSecrets: allowSecrets)
            var range: Range<UInt64> = 0..<0
            if !dryRun {
                if spool == nil { spool = try Spool(directory: vault.cacheDirectory) }
                range = try spool!.append(prepared.rendered)
            }
            result.append(Prepared(id: prepared.id, date: prepared.date, spool: range,
                monthPath: vault.monthFilePath(user: user, tier: prepared.tier, date: prepared.date)))
        }
        return result
    }

    /// Hands each changed file to the transaction, built from the spool only when it is written.
    /// New entries of a month fill its last part in date order, then new parts, so that no file
    /// passes `MonthFiles.partThreshold` by what is added; updates stay in their files.
    func schedule(into changes: inout Vault.Changeset) throws(VaultError) {
        var placed: [String: [(date: EntryDate, id: String, spool: Range<UInt64>)]] = [:]
        var placer = MonthFiles.Placer(root: vault.root)
        for month in adds.keys.sorted() {
            for item in adds[month]!.sorted(by: { ($0.date, $0.id) < ($1.date, $1.id) }) {
                let bytes = Int(item.spool.upperBound - item.spool.lowerBound)
                placed[placer.place(month, bytes: bytes), default: []].append(item)
            }
        }
        let paths = Set(placed.keys).union(replaces.keys).union(removes.keys).sorted()
        guard let spool, !paths.isEmpty else { return }
        let vault = self.vault
        let now = self.now
        for path in paths {
            let adding = placed[path] ?? []
            let replacing = replaces[path] ?? [:]
            let removing = removes[path] ?? []
            changes.write(path) {
                var file = try vault.readEntryFile(path)
                _ = file.assignMissingIDs(using: { MemoryID.generate(now: now) })
                let before = file.entries.count
                for (id, range) in replacing.sorted(by: { $0.key < $1.key }) {
                    guard file.replace(id: id, with: try spool.read(range)) else {
                        throw VaultError(.badInput, "cannot update memory \(id) in this file; nothing imported", at: path)
                    }
                }
                for id in removing.sorted() where !replacing.keys.contains(id) {
                    guard file.remove(id: id) else { throw VaultError(.badInput, "cannot remove memory \(id) from this file; nothing imported", at: path) }
                }
                let afterChanges = file.entries.count
                guard afterChanges == before - removing.subtracting(replacing.keys).count else {
                    throw VaultError(.badInput, "the updated memories would not read back; nothing imported", at: path)
                }
                if !adding.isEmpty {
                    let lastDate = file.entries.compactMap(\.date).max()
                    if file.lineEnding == "\n", lastDate.map({ $0 <= adding[0].date }) ?? true {
                        // The common case (new months, or entries newer than the file's last): the
                        // rendered entries are appended as bytes straight from the spool, and the
                        // result is parsed once to check that exactly they were added.
                        var bytes = file.bytes
                        file = EntryFile.parse("")
                        if !bytes.isEmpty {
                            if bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
                            if !bytes.suffix(2).elementsEqual([UInt8(ascii: "\n"), UInt8(ascii: "\n")]) { bytes.append(UInt8(ascii: "\n")) }
                        }
                        for (index, item) in adding.enumerated() {
                            if index > 0 { bytes.append(UInt8(ascii: "\n")) }
                            bytes += try spool.readBytes(item.spool)
                        }
                        try vault.checkWritableSize(bytes, path: path)
                        let result = try vault.parseEntryFile(bytes, path: path)
                        guard result.entries.count == afterChanges + adding.count else {
                            throw VaultError(.badInput, "the new memories would not read back as \(adding.count) entries (an unclosed code fence?); nothing imported", at: path,
                                hint: "run memvault check and fix the file by hand")
                        }
                        return result.bytes
                    }
                    for item in adding where !file.insert(try spool.read(item.spool)) {
                        throw VaultError(.badInput, "cannot place memory \(item.id) in this file (an unclosed code fence?); nothing imported", at: path,
                            hint: "run memvault check and fix the file by hand")
                    }
                    guard file.entries.count == afterChanges + adding.count else {
                        throw VaultError(.badInput, "the new memories would not read back as \(adding.count) entries; nothing imported", at: path)
                    }
                }
                try vault.checkWritableSize(file.bytes, path: path)
                return file.bytes
            }
        }
    }
}

/// An append-only file of rendered entries under the vault's cache, removed when the import ends.
/// It holds only what is written to the vault anyway: plain-text entries of plain tiers and
/// encrypted entries of encrypted ones, never the plaintext of an encrypted tier.
final class Spool {
    let url: URL
    private let handle: FileHandle
    private var size: UInt64 = 0

    init(directory: URL) throws(VaultError) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw VaultError(.badInput, "cannot create the cache folder", at: directory.path)
        }
        url = directory.appendingPathComponent("import-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).spool")
        guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]),
            let handle = try? FileHandle(forUpdating: url)
        else {
            throw VaultError(.badInput, "cannot create a spool file for the import", at: url.path)
        }
        self.handle = handle
    }

    func append(_ text: String) throws(VaultError) -> Range<UInt64> {
        let data = Data(text.utf8)
        do {
            try handle.seekToEnd()
            try handle.write(contentsOf: data)
        } catch {
            throw VaultError(.badInput, "cannot write the import's spool file: \(error.localizedDescription)", at: url.path)
        }
        let start = size
        size += UInt64(data.count)
        return start..<size
    }

    func read(_ range: Range<UInt64>) throws(VaultError) -> String {
        String(decoding: try readBytes(range), as: UTF8.self)
    }

    func readBytes(_ range: Range<UInt64>) throws(VaultError) -> [UInt8] {
        do {
            try handle.seek(toOffset: range.lowerBound)
            let data = try handle.read(upToCount: Int(range.upperBound - range.lowerBound)) ?? Data()
            guard data.count == Int(range.upperBound - range.lowerBound) else {
                throw VaultError(.badInput, "the import's spool file is shorter than written", at: url.path)
            }
            return Array(data)
        } catch let error as VaultError {
            throw error
        } catch {
            throw VaultError(.badInput, "cannot read the import's spool file: \(error.localizedDescription)", at: url.path)
        }
    }

    func remove() {
        try? handle.close()
        try? FileManager.default.removeItem(at: url)
    }
}
