import Embedder
import Foundation
import MarkdownCodec
import MemvaultSupport
import SearchIndex

/// A memory to be written by `add` or `import`.
public struct NewMemory: Sendable {
    public var text: String
    public var tier: Tier?
    /// Wall-clock date of the heading; nil means now.
    public var date: EntryDate?
    public var title: String?
    public var tags: [String]
    public var src: String?
    /// Extra metadata, in order.
    public var meta: [(key: String, value: String)]
    /// An id to keep (from an export); nil means a new one.
    public var id: String?
    /// Let the classifier choose the tier (`--tier auto`, `"tier": "auto"`); `tier` is ignored then.
    /// A memory with neither `tier` nor this uses the vault's default, which may be `auto` too.
    public var autoTier: Bool

    public init(
        text: String, tier: Tier? = nil, date: EntryDate? = nil, title: String? = nil, tags: [String] = [],
        src: String? = nil, meta: [(key: String, value: String)] = [], id: String? = nil, autoTier: Bool = false
    ) {
        self.autoTier = autoTier
        self.text = text
        self.tier = tier
        self.date = date
        self.title = title
        self.tags = tags
        self.src = src
        self.meta = meta
        self.id = id
    }
}

extension Vault {
    /// The largest memory accepted, in bytes of UTF-8.
    public static let maximumMemorySize = 1 << 20

    /// Adds one memory and commits it (`memvault: add general 01JD3K9X2F7Q8R`).
    /// - Returns: the memory as written, with its id, path and line.
    /// - Throws: `VaultError.badInput` for empty or oversized text, bad tags or a text that would
    ///   break the entry format; nothing is written then.
    /// - Parameter embedder: the model, for the classifier's neighbour signal when the tier is
    ///   automatic; nil skips that signal. Evaluated only when that signal is needed (see
    ///   ``classify(text:user:embedder:excluding:)``), so `Embedder(...)` here loads the model only then.
    @discardableResult
    public func add(
        _ new: NewMemory, user: String, now: Date = Date(), allowSecrets: Bool = false,
        embedder: @autoclosure () -> (any SentenceEmbedding)? = nil
    ) throws(VaultError) -> Memory {
        let prepared = try prepare(new, user: user, now: now, location: nil, allowSecrets: allowSecrets, embedder: embedder)
        var path = ""
        var written: EntryFile?
        try transaction("memvault: add \(prepared.tier.rawValue) \(prepared.id)") { (changes) throws(VaultError) in
            // Chosen under the lock: the month's file, or its last part while that has room.
            path = newEntryPath(user: user, tier: prepared.tier, date: prepared.date, bytes: prepared.rendered.utf8.count)
            var file = try readEntryFile(path)
            if file.entry(id: prepared.id) != nil {
                throw VaultError(.badInput, "a memory with id \(prepared.id) exists already", at: path)
            }
            _ = file.assignMissingIDs(using: { MemoryID.generate(now: now) })
            guard file.insert(prepared.rendered) else {
                throw VaultError(.badInput, "cannot place the new memory in this file (an unclosed code fence?); nothing written", at: path,
                    hint: "run memvault check and fix the file by hand")
            }
            try checkWritableSize(file.bytes, path: path)
            changes.write(path, file.bytes)
            written = file
        }
        var added = try memory(id: prepared.id, user: user, in: path, written: written)
        added.classification = prepared.classification
        return added
    }

    /// Adds many memories in one commit, validating every record before writing anything.
    ///
    /// - Parameters:
    ///   - records: JSON Lines, one object a line with `text` required and `id`, `tier`, `date`,
    ///     `title`, `tags`, `src`, `meta` optional (docs/cli.md, `import`); blank lines are skipped.
    ///   - progress: called with (done, total) while writing.
    ///   - allowSecrets: write records that look like credentials to plain-text tiers anyway.
    /// - Returns: the new ids, in input order.
    /// - Throws: `VaultError.badInput` naming the first bad line; nothing is imported then.
    public func importRecords(
        _ records: [UInt8], user: String, now: Date = Date(), allowSecrets: Bool = false,
        progress: ((Int, Int) -> Void)? = nil
    ) throws(VaultError) -> [String] {
        let prepared = try preparedImportRecords(records, user: user, now: now, allowSecrets: allowSecrets)
        guard !prepared.isEmpty else { throw VaultError(.badInput, "no records to import") }
        if prepared.contains(where: { $0.keptID }) {
            let existing = Set(try allEntries().compactMap(\.id))
            if let clash = prepared.first(where: { existing.contains($0.id) }) {
                throw VaultError(.badInput, "a memory with id \(clash.id) exists already", at: clash.location)
            }
        }
        let total = prepared.count
        try transaction("memvault: import \(total) \(total == 1 ? "memory" : "memories")") { (changes) throws(VaultError) in
            // Each month's memories, in date order, fill its last part, then new parts (MonthFiles.swift).
            var byFile: [String: [PreparedMemory]] = [:]
            var placer = MonthFiles.Placer(root: root)
            for item in prepared.sorted(by: { ($0.date, $0.id) < ($1.date, $1.id) }) {
                let month = monthFilePath(user: user, tier: item.tier, date: item.date)
                byFile[placer.place(month, bytes: item.rendered.utf8.count), default: []].append(item)
            }
            var done = 0
            for path in byFile.keys.sorted() {
                var file = try readEntryFile(path)
                _ = file.assignMissingIDs(using: { MemoryID.generate(now: now) })
                let items = byFile[path]!.sorted { ($0.date, $0.id) < ($1.date, $1.id) }
                let lastDate = file.entries.compactMap(\.date).max()
                let before = file.entries.count
                if lastDate.map({ $0 <= items[0].date }) ?? true {
                    file = try Self.appending(items.map(\.rendered), to: file, path: path)
                } else {
                    for item in items where !file.insert(item.rendered) {
                        throw VaultError(.badInput, "cannot place memory \(item.id) in this file (an unclosed code fence?); nothing imported", at: path,
                            hint: "run memvault check and fix the file by hand")
                    }
                }
                guard file.entries.count == before + items.count else {
                    throw VaultError(.badInput, "the new memories would not read back as \(items.count) entries; nothing imported", at: path)
                }
                try checkWritableSize(file.bytes, path: path)
                changes.write(path, file.bytes)
                done += items.count
                progress?(done, total)
            }
        }
        return prepared.map(\.id)
    }

    /// Checks import records as ``importRecords(_:user:now:allowSecrets:progress:)`` does and
    /// renders their entries, writing nothing (the fuzz target of the import format).
    /// - Returns: per record, its id and its rendered entry, in input order.
    package func checkedImportRecords(_ records: [UInt8], user: String, now: Date) throws(VaultError) -> [(id: String, rendered: String)] {
        try preparedImportRecords(records, user: user, now: now, allowSecrets: false).map { ($0.id, $0.rendered) }
    }

    /// Every record of the JSON Lines validated and rendered, or the error of the first bad line.
    private func preparedImportRecords(_ records: [UInt8], user: String, now: Date, allowSecrets: Bool) throws(VaultError) -> [PreparedMemory] {
        var prepared: [PreparedMemory] = []
        var lineNumber = 0
        var seen = Set<String>()
        for rawLine in records.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.last == UInt8(ascii: "\r") ? rawLine.dropLast() : rawLine[...]
            if line.allSatisfy({ $0 == 32 || $0 == 9 }) { continue }
            let location = "line \(lineNumber)"
            guard String(validating: line, as: UTF8.self) != nil else {
                throw VaultError(.badInput, "invalid UTF-8", at: location)
            }
            let record: ImportRecord
            do {
                record = try JSONDecoder().decode(ImportRecord.self, from: Data(line))
            } catch let DecodingError.keyNotFound(key, _) {
                throw VaultError(.badInput, "missing \"\(key.stringValue)\"", at: location,
                    hint: key.stringValue == "text" ? "an export of a locked encrypted tier has no text: unlock the tier (memvault unlock TIER) and export again" : nil)
            } catch let DecodingError.typeMismatch(_, context) {
                throw VaultError(.badInput, "wrong type for \"\(context.codingPath.map(\.stringValue).joined(separator: "."))\"", at: location,
                    hint: "text, tier, date, title, src and meta values are strings; tags is a list of strings")
            } catch {
                throw VaultError(.badInput, "not a JSON object", at: location)
            }
            var memory = NewMemory(
                text: record.text, tier: nil, date: nil, title: record.title, tags: record.tags ?? [],
                src: record.src, meta: (record.meta ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                id: record.id)
            if let tier = record.tier, tier.lowercased() == "auto" {
                memory.autoTier = true
            } else if let tier = record.tier {
                do { memory.tier = try Tier(parsing: tier) } catch { throw VaultError(error.exitStatus, error.message, at: location, hint: error.hint) }
            }
            if let date = record.date {
                do { memory.date = try DateText.parseUserDate(date, timeZone: config.timeZone) } catch {
                    throw VaultError(error.exitStatus, error.message, at: location, hint: error.hint)
                }
            }
            let item = try prepare(memory, user: user, now: now, location: location, allowSecrets: allowSecrets)
            guard seen.insert(item.id).inserted else {
                throw VaultError(.badInput, "id \(item.id) appears twice", at: location)
            }
            prepared.append(item)
        }
        return prepared
    }

    /// Appends many rendered entries at the end of a file in one step (import's common case),
    /// separated by blank lines, in the file's line ending; checks that exactly they were added.
    static func appending(_ rendered: [String], to file: EntryFile, path: String) throws(VaultError) -> EntryFile {
        var bytes = file.bytes
        let newline = Array(file.lineEnding.utf8)
        if !bytes.isEmpty {
            if bytes.last != UInt8(ascii: "\n") { bytes += newline }
            if !(bytes.count >= 2 * newline.count && bytes.suffix(2 * newline.count).elementsEqual(newline + newline)) { bytes += newline }
        }
        var text = rendered.joined(separator: "\n")
        if file.lineEnding != "\n" { text = text.replacingOccurrences(of: "\n", with: file.lineEnding) }
        bytes += Array(text.utf8)
        let result = EntryFile.parse(String(decoding: bytes, as: UTF8.self))
        guard result.entries.count == file.entries.count + rendered.count, result.bytes == bytes else {
            throw VaultError(.badInput, "cannot append the new memories to this file (an unclosed code fence?); nothing imported", at: path,
                hint: "run memvault check and fix the file by hand")
        }
        return result
    }

    /// The text without leading blank lines or trailing whitespace; the first line keeps its
    /// indentation, which is Markdown (a tab or four spaces make a code block), so that an
    /// exported body imports back as it was.
    static func trimmedBody(_ text: String) -> String {
        // Only the blank ends are walked (a reversed copy of the whole text cost more than the
        // rest of an import of long texts together).
        guard let lastVisible = text.lastIndex(where: { !$0.isWhitespace && !$0.isNewline }) else { return "" }
        let firstVisible = text.firstIndex(where: { !$0.isWhitespace && !$0.isNewline })!
        let lineStart = text[..<firstVisible].lastIndex(where: \.isNewline).map { text.index(after: $0) } ?? text.startIndex
        return String(text[lineStart...lastVisible])
    }

    struct PreparedMemory {
        var id: String
        var keptID: Bool
        var tier: Tier
        var date: EntryDate
        var rendered: String
        var location: String?
        var classification: TierClassification?
    }

    private struct ImportRecord: Decodable {
        var text: String
        var tier: String?
        var date: String?
        var title: String?
        var tags: [String]?
        var src: String?
        var meta: [String: String]?
        var id: String?
    }

    /// Validates a new memory and renders its entry: encrypted to the tier's recipient for an
    /// encrypted tier (no passphrase needed), scanned for credentials for a plain-text tier.
    /// - Throws: `.badInput` for a plain-text tier when the text looks like a credential (unless
    ///   `allowSecrets`), or for an encrypted tier without a key.
    func prepare(
        _ memory: NewMemory, user: String, now: Date, location: String?, allowSecrets: Bool,
        embedder: () -> (any SentenceEmbedding)? = { nil }
    ) throws(VaultError) -> PreparedMemory {
        let body = Self.trimmedBody(memory.text)
        // A title alone is a whole memory (an entry with a heading and no body), as export writes it.
        guard !body.isEmpty || !(memory.title ?? "").trimmingCharacters(in: .whitespaces).isEmpty else {
            throw VaultError(.badInput, "empty memory", at: location)
        }
        let size = body.utf8.count
        guard size <= Self.maximumMemorySize else {
            throw VaultError(.badInput, "memory too large (\(size) bytes; the limit is \(Self.maximumMemorySize))", at: location,
                hint: "split it, or keep the document as a file and link to it")
        }
        guard !body.unicodeScalars.contains(where: { $0.value == 0 }) else {
            throw VaultError(.badInput, "memory contains a NUL character", at: location)
        }
        let title = memory.title?.trimmingCharacters(in: .whitespaces)
        if let title, title.contains(where: \.isNewline) {
            throw VaultError(.badInput, "a title is one line", at: location)
        }
        var tags: [String] = []
        for tag in memory.tags {
            let name = tag.hasPrefix("#") ? String(tag.dropFirst()) : tag
            guard let first = name.unicodeScalars.first, CharacterSet.letters.contains(first),
                name.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || "_-/".unicodeScalars.contains($0) })
            else {
                throw VaultError(.badInput, "invalid tag '\(tag.prefix(60))'", at: location,
                    hint: "a tag starts with a letter and holds letters, digits, '_', '-' and '/'")
            }
            tags.append(name)
        }
        let id: String
        if let given = memory.id {
            guard MemoryID.isValid(given) else { throw VaultError(.badInput, "invalid id '\(given.prefix(40))'", at: location) }
            id = given
        } else {
            id = MemoryID.generate(now: now)
        }
        var meta: [MetaField] = []
        if let src = memory.src { meta.append(MetaField(key: "src", value: src)) }
        for (key, value) in memory.meta {
            guard !key.isEmpty, key != "id", key != "src", key != Self.bindingKey else {
                throw VaultError(.badInput, "metadata key '\(key)' is reserved or empty", at: location)
            }
            meta.append(MetaField(key: key, value: value))
        }
        let date = memory.date ?? config.entryDate(now)
        try checkLimits(Array(body.utf8), at: location)
        var text = body
        if !tags.isEmpty {
            let present = Set(EntryFile.parse("## 2000-01-01 00:00\n\n" + body).entries.first?.tags ?? [])
            let missing = tags.filter { !present.contains($0) }
            if !missing.isEmpty {
                text += "\n\n" + missing.map { "#" + $0 }.joined(separator: " ")
            }
        }
        let rendered = EntryRenderer.render(date: date, title: title?.isEmpty == true ? nil : title, id: id, meta: meta, body: text)
        // The text must stay one entry: a "## " line or a setext heading inside it would start another.
        let check = EntryFile.parse(rendered)
        guard check.entries.count == 1, check.entries[0].id == id, check.problems.allSatisfy({ !$0.isError }) else {
            throw VaultError(.badInput, "the text would not stay one memory (it holds a level-2 heading or breaks the entry format)",
                at: location, hint: "use ### for headings inside a memory")
        }
        var tier = memory.tier ?? config.defaultTier
        var classification: TierClassification?
        if memory.autoTier || (memory.tier == nil && config.classifiesByDefault) {
            let text = [memory.title, body].compactMap { $0 }.joined(separator: "\n")
            // The neighbour signal embeds what the index will embed for this entry, so that the
            // index refresh after the write takes that vector instead of running the model again.
            let written = check.entries[0]
            let result = try classify(
                text: text, user: user, embedder: embedder, excluding: nil,
                embeddingText: EmbeddingText.of(title: written.title, body: written.body))
            tier = result.tier
            classification = result
            // The classifier's tier is never traded for a plain one: no key means no write.
            if tier.isEncrypted && !hasKey(user: user, tier: tier) {
                throw VaultError(.badInput, "the memory was \(result.summary), and that tier of \(user) has no key; nothing was written",
                    at: location, hint: "create one with: memvault passwd \(tier.rawValue) (or choose the tier yourself with --tier)")
            }
        }
        if tier.isEncrypted {
            let encrypted = try encryptedEntry(rendered, tier: tier, user: user, date: date, id: id)
            return PreparedMemory(
                id: id, keptID: memory.id != nil, tier: tier, date: date, rendered: encrypted, location: location,
                classification: classification)
        }
        if !allowSecrets, let hit = Self.credentialHits(inEntry: rendered).first {
            throw VaultError(.badInput, "the memory looks like it holds a credential (\(hit.kind.label), line \(hit.line) of the entry); nothing was written",
                at: location, hint: "store it encrypted with --tier secret, or pass --allow-secret if it is not a secret")
        }
        return PreparedMemory(
            id: id, keptID: memory.id != nil, tier: tier, date: date, rendered: rendered, location: location,
            classification: classification)
    }
}
