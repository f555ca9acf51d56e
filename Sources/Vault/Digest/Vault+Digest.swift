import AgeCrypto
import Embedder
import Foundation
import MarkdownCodec
import MemvaultSupport
import SearchIndex

// `package` access: the API of this file serves the Digest library only, not the Vault library's users.
extension Vault {
    /// Writes one file (a daily digest) and commits it under the vault lock.
    ///
    /// - Parameters:
    ///   - path: the file's path relative to the vault root, for example `alice/digests/2026/2026-11-22.md`.
    ///   - bytes: the new content.
    ///   - message: the commit message.
    /// - Returns: the commit id, or nil when the file already held these bytes.
    /// - Throws: `VaultError` when writing or committing fails; the file is then restored.
    @discardableResult
    package func writeAndCommit(_ path: String, bytes: [UInt8], message: String) throws(VaultError) -> String? {
        if let existing = try? AtomicFile.read(path, in: root), existing == bytes { return nil }
        return try transaction(message) { changes in changes.write(path, bytes) }
    }

    /// Writes several files (digests of several days) and commits them as one change, all or none.
    @discardableResult
    package func writeAndCommit(_ files: [(path: String, bytes: [UInt8])], message: String) throws(VaultError) -> String? {
        try transaction(message) { changes in
            for (path, bytes) in files { changes.write(path, bytes) }
        }
    }
}

extension Vault {
    /// A user's memories whose entry passes `include`, in file order.
    ///
    /// Every file is parsed, but only the entries that pass become `Memory` values.
    /// - Parameter include: called with each entry's heading date (nil when encrypted), tier and
    ///   whether it has an unchecked task item.
    /// - Throws: `VaultError.badInput` for a file that is not valid UTF-8.
    /// - Complexity: O(n) in the user's entries.
    public func memories(
        user: String, where include: (_ date: EntryDate?, _ tier: Tier, _ hasOpenTask: Bool) -> Bool
    ) throws(VaultError) -> [Memory] {
        var result: [Memory] = []
        let places = try allLocated(user: user).filter { include($0.entry.date, $0.tier, $0.entry.tasks.contains { !$0.checked }) }
        try prefetchFileKeys(places)
        for located in places {
            result.append(try memory(located))
        }
        return result
    }

    /// The memories a digest may show: entries with one of `dateNeedles` in their text (their
    /// heading dates) or an unchecked task item, that pass `include`, in tier and file order.
    ///
    /// Files are not parsed whole: a line scan (`DigestScan`) finds the entries that can match
    /// and only those are parsed. Entries of unlocked encrypted tiers come decrypted (title, text,
    /// tags, mentions and tasks; task lines are the entry's heading line); locked ones come
    /// without title or text. Ultrasecret headings carry no date, so that tier is read (and
    /// every entry decrypted) only when it is already unlocked; nobody is ever asked for a
    /// passphrase, so a cron run never blocks.
    ///
    /// - Parameters:
    ///   - dateNeedles: strings such as `-11-22`; an entry is parsed when one occurs in it.
    ///   - include: called with each parsed entry's date (decrypted for unlocked tiers), tier
    ///     and whether it has an unchecked task item.
    /// - Throws: `VaultError.badInput` for a file that is not valid UTF-8; `.integrity` for a
    ///   tampered encrypted entry of an unlocked tier.
    /// - Complexity: O(b) in the bytes of the user's tier files, plus parsing the entries found.
    package func digestMemories(
        user: String, dateNeedles: [String], where include: (_ date: EntryDate?, _ tier: Tier, _ hasOpenTask: Bool) -> Bool
    ) throws(VaultError) -> [Memory] {
        let needles = dateNeedles.map { Array($0.utf8) }
        var result: [Memory] = []
        for tier in Tier.allCases {
            var unlocked = true
            if tier.isEncrypted { unlocked = try tierKey(user: user, tier: tier, ask: false) != nil }
            if tier == .ultrasecret && !unlocked { continue }
            for path in tierFiles(user: user, tier: tier) {
                let bytes = try readVaultFile(path)
                let runs = tier == .ultrasecret ? [DigestScan.Run(bytes: 0..<bytes.count, firstLine: 1)]
                    : DigestScan.runs(bytes, needles: needles)
                for run in runs {
                    let file = try parseEntryFile(Array(bytes[run.bytes]), path: path)
                    for var entry in file.entries {
                        let offset = run.firstLine - 1
                        entry.line += offset
                        entry.endLine += offset
                        entry.tasks = entry.tasks.map { TaskItem(text: $0.text, checked: $0.checked, line: $0.line + offset) }
                        let located = Located(user: user, tier: tier, path: path, entry: entry)
                        if !entry.isEncrypted || !unlocked, !include(entry.date, tier, entry.tasks.contains { !$0.checked }) {
                            continue  // decided on the entry as written, before building anything
                        }
                        let memory = try digestMemory(located, unlocked: unlocked)
                        if !entry.isEncrypted || !unlocked || include(memory.entryDate, tier, memory.tasks.contains { !$0.checked }) {
                            result.append(memory)
                        }
                    }
                }
            }
        }
        return result
    }

    /// The memory of an entry for a digest: decrypted with its tasks when the tier is unlocked;
    /// with nothing but its date, tier and place when the tier is locked (even for an entry a
    /// person wrote there in plain text and that is not encrypted yet).
    private func digestMemory(_ located: Located, unlocked: Bool) throws(VaultError) -> Memory {
        var memory = Memory(entry: located.entry, id: located.entry.id ?? "", user: located.user, tier: located.tier,
                            path: located.path, config: config)
        guard located.tier.isEncrypted else { return memory }
        var opened: (text: String, entry: Entry)?
        var otherKey = false
        if unlocked {
            do {
                opened = try decrypted(located)
            } catch where error.otherKey {
                noteOtherKey(located)  // an older key's entry: counted, not quoted
                otherKey = true
            }
        }
        if let (_, inner) = opened {
            memory = Memory(entry: inner, id: memory.id, user: located.user, tier: located.tier, path: located.path, config: config)
            memory.line = located.entry.line
            memory.tasks = inner.tasks.map { Memory.Task(text: $0.text, checked: $0.checked, line: located.entry.line) }
        } else if !unlocked || otherKey {
            (memory.title, memory.text, memory.tags, memory.mentions, memory.tasks, memory.src, memory.meta) = (nil, nil, [], [], [], nil, [:])
        }
        return memory
    }
}

/// A line scan of a tier file for the entries a digest can need, without parsing Markdown.
///
/// A file is cut at its level-2 ATX headings in column 0 outside fenced code: each cut starts a
/// top-level heading, so parsing a run of whole segments gives the same entries as parsing the
/// file. A segment is kept when one of its lines holds a needle or `[ ]` (a possible open task);
/// false positives cost only a parse, since callers filter the parsed entries. Adjacent kept
/// segments form one run, parsed once.
enum DigestScan {
    struct Run: Equatable {
        var bytes: Range<Int>
        /// The 1-based file line of the run's first byte.
        var firstLine: Int
    }

    /// - Complexity: O(b) in the file's bytes.
    static func runs(_ bytes: [UInt8], needles: [[UInt8]]) -> [Run] {
        var runs: [Run] = []
        var segment = (start: 0, line: 1, kept: false)
        var fence: (byte: UInt8, count: Int)?
        var lineStart = 0, lineNumber = 1
        var firstBytes = [Bool](repeating: false, count: 256)
        firstBytes[91] = true  // "[ ]"
        for needle in needles where !needle.isEmpty { firstBytes[Int(needle[0])] = true }
        func close(at end: Int) {
            guard segment.kept, end > segment.start else { return }
            if let last = runs.last, last.bytes.upperBound == segment.start {
                runs[runs.count - 1].bytes = last.bytes.lowerBound..<end
            } else {
                runs.append(Run(bytes: segment.start..<end, firstLine: segment.line))
            }
        }
        bytes.withUnsafeBufferPointer { buffer in
            let n = buffer.count
            while lineStart < n {
                var lineEnd = lineStart
                while lineEnd < n && buffer[lineEnd] != 10 { lineEnd += 1 }
                let line = UnsafeBufferPointer(rebasing: buffer[lineStart..<lineEnd])
                if let open = fence {
                    if closesFence(line, open) { fence = nil }
                } else if let opened = opensFence(line) {
                    fence = opened
                } else if isLevel2Heading(line) {
                    close(at: lineStart)
                    segment = (lineStart, lineNumber, false)
                }
                if !segment.kept && holdsMarker(line, needles: needles, firstBytes: firstBytes) { segment.kept = true }
                lineStart = lineEnd + 1
                lineNumber += 1
            }
        }
        close(at: bytes.count)
        return runs
    }

    static func isLevel2Heading(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        line.count >= 2 && line[0] == 35 && line[1] == 35 && (line.count == 2 || line[2] == 32 || line[2] == 9 || line[2] == 13)
    }

    /// A fence opening: up to 3 spaces, then 3 or more backticks or tildes.
    static func opensFence(_ line: UnsafeBufferPointer<UInt8>) -> (byte: UInt8, count: Int)? {
        var i = 0
        while i < min(line.count, 3) && line[i] == 32 { i += 1 }
        guard i < line.count, line[i] == 96 || line[i] == 126 else { return nil }
        let byte = line[i]
        var count = 0
        while i < line.count && line[i] == byte { i += 1; count += 1 }
        return count >= 3 ? (byte, count) : nil
    }

    /// A fence closing: the opening's character at least as many times, then only whitespace.
    static func closesFence(_ line: UnsafeBufferPointer<UInt8>, _ open: (byte: UInt8, count: Int)) -> Bool {
        guard let candidate = opensFence(line), candidate.byte == open.byte, candidate.count >= open.count else { return false }
        var i = 0
        while i < line.count && (line[i] == 32 || line[i] == open.byte) { i += 1 }
        while i < line.count && (line[i] == 32 || line[i] == 9 || line[i] == 13) { i += 1 }
        return i == line.count
    }

    /// Whether `line` holds `[ ]` or one of `needles`: one pass, comparing only where a byte
    /// can start one of them (`firstBytes`).
    static func holdsMarker(_ line: UnsafeBufferPointer<UInt8>, needles: [[UInt8]], firstBytes: [Bool]) -> Bool {
        var i = 0
        while i < line.count {
            let byte = line[i]
            if firstBytes[Int(byte)] {
                if byte == 91 && i + 2 < line.count && line[i + 1] == 32 && line[i + 2] == 93 { return true }
                for needle in needles where needle[0] == byte && i + needle.count <= line.count {
                    var j = 1
                    while j < needle.count && line[i + j] == needle[j] { j += 1 }
                    if j == needle.count { return true }
                }
            }
            i += 1
        }
        return false
    }
}

extension Vault {
    /// Encrypts `plaintext` to the recipient of `user`'s `tier` as one armored age block.
    /// - Throws: `.badInput` when the tier has no key.
    package func encrypt(_ plaintext: String, user: String, tier: Tier) throws(VaultError) -> String {
        try encrypt(plaintext, to: try recipient(user: user, tier: tier))
    }

    /// Decrypts an armored age block with `user`'s `tier` identity, if that tier is unlocked
    /// (without asking anyone).
    /// - Returns: the plaintext, or nil when the tier is locked or the block is not to its key,
    ///   damaged, or not UTF-8.
    package func decryptIfUnlocked(_ armored: String, user: String, tier: Tier) -> String? {
        guard let key = try? tierKey(user: user, tier: tier, ask: false),
            let plaintext = try? key.open(armored)
        else { return nil }
        return String(validating: plaintext, as: UTF8.self)
    }
}

/// The search index as a digest uses it: the stored vectors of memories, and their nearest
/// older neighbours. Every use of the index by the digest is in this type.
package struct DigestIndex {
    /// An older memory related to one of the day's.
    package struct Neighbour: Sendable, Equatable {
        /// The vault-relative file and the 1-based line of the entry's heading.
        package var path: String
        package var line: Int
        package var title: String?
        /// The heading's instant.
        package var date: Date?
    }

    let index: VaultIndex
    let user: String
    /// The vault's `tierScope` when made: neighbours come only from these tiers.
    var tiers: Set<Tier>? = nil

    /// The stored (unit-length) vector of the memory `id`, when the index has one for its current text.
    package func vector(id: String) -> [Float]? {
        // Every chunk of the vector files was checked when this index was made (`digestIndex`), so no read fails.
        id.isEmpty ? nil : (try? index.vector(key: id)) ?? nil
    }

    /// The `k` memories of the user dated before `before` most related to one memory: by cosine
    /// to `vector` when given (exact, over the stored vectors), else by BM25 on `text`.
    /// The index breaks ties in a fixed order, so the result is deterministic.
    /// - Complexity: O(n) in the indexed memories per call.
    package func related(vector: [Float]?, text: String, before: Date, k: Int) -> [Neighbour] {
        // Entry dates are whole minutes, so "at or before the instant just before `before`" is "before".
        let filter = SearchFilter(users: [user], tiers: tiers.map { Set($0.map(\.rawValue)) }, until: Date(timeIntervalSinceReferenceDate: before.timeIntervalSinceReferenceDate.nextDown))
        let allowed = index.allowed(filter)
        let keys: [String]
        if let vector {
            keys = ((try? index.semanticSearch(vector, k: k, allowed: allowed)) ?? []).map(\.id)
        } else {
            keys = index.lexicalSearch(text, k: k, allowed: allowed).map(\.id)
        }
        return keys.compactMap { key in
            index.lookup(key).map { index.entry($0) }.map { Neighbour(path: $0.path, line: $0.line, title: $0.title, date: $0.date) }
        }
    }
}

extension Vault {
    /// The search index brought up to date (embedding what changed when `embedder` is given), for a digest.
    /// - Throws: `VaultError` when the index cannot be read or written.
    package func digestIndex(user: String, embedder: (any SentenceEmbedding)?) throws(VaultError) -> DigestIndex {
        var update = VaultIndex.Update()
        var timer = PhaseTimer()
        // Checked whole now (a damaged file means a rebuild here), so DigestIndex's reads cannot fail later.
        let index = try refreshedIndex(embedder: embedder, full: false, update: &update, timer: &timer, verifyVectors: true)
        return DigestIndex(index: index, user: user, tiers: tierScope)
    }
}
