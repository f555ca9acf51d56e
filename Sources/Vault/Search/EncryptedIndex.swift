import AgeCrypto
import Crypto
import Embedder
import Foundation
import MarkdownCodec
import MemvaultSupport
import SearchIndex

/// What search needs of one user's encrypted tier, kept on disk only encrypted with a key derived
/// from that tier's identity: `.memvault/cache/sealed/<user>.<tier>.sealed` (mode 0600).
///
/// The file (little-endian):
///
/// | bytes | field |
/// | --- | --- |
/// | 8 | magic `MVSEALED` |
/// | 4 | format version (2) |
/// | 4 | vector dimension |
/// | 4 + n | model id, length-prefixed UTF-8 |
/// | 12 | ChaCha20-Poly1305 nonce, fresh random per write |
/// | rest | ciphertext of the payload, then the 16-byte Poly1305 tag |
///
/// Everything before the ciphertext is the AEAD's associated data, so a changed header fails
/// authentication like a changed payload. The key is HKDF-SHA-256 over the tier identity with the
/// info `memvault-sealed-index/v1/user=<user>/tier=<tier>`: another identity (after
/// `memvault rotate`), user or tier gives another key, and the file then fails to open.
///
/// The payload holds, per tier file, its size and mtime and, per entry, what ranking and results
/// need (id, line, digest of the stored text, content hash, date, title, tags, mentions, src, body,
/// vector, and the vectors of a long entry's further passages, version 2). It exists only in memory.
struct EncryptedIndex {
    /// Size and modification time of a tier file when it was read, to notice changes.
    typealias FileState = IndexState.FileState

    /// One entry of a tier file, decrypted.
    struct Record {
        var id: String
        /// 1-based line of the entry's heading in its file.
        var line: Int
        /// SHA-256 of the entry as stored (heading and armored block): an unchanged block is not
        /// decrypted again. A cryptographic digest, because a file-writer choosing a collision
        /// would otherwise make search show an old text.
        var storedDigest: [UInt8]
        /// The decrypted entry's content hash, to reuse a vector for the same text.
        var contentHash: String
        var date: EntryDate?
        var title: String?
        var tags: [String]
        var mentions: [String]
        var src: String?
        var body: String
        /// The embedding of the entry's text (with the entries before it when it is short,
        /// ``EmbeddingText/of(_:context:)``); nil until the model has been available.
        var vector: [Float]?
        /// The vectors of a long entry's passages after the first (``Passages``): `vector` is the
        /// first passage's. Empty for an entry that fits the model's window.
        var passages: [[Float]] = []

        /// Every passage's vector, first passage first (empty without a vector).
        var allVectors: [[Float]] { vector.map { [$0] + passages } ?? [] }
    }

    struct File {
        var state: FileState
        var records: [Record]
    }

    /// Why an encrypted file could not be used; none of them carries any of its content.
    enum Failure: Error {
        case damaged, oldFormat, otherModel, notAuthentic

        /// For the one-line notice of a rebuild.
        var reason: String {
            switch self {
            case .damaged: "a damaged file"
            case .oldFormat: "an old format"
            case .otherModel: "another model"
            case .notAuthentic: "encrypted with another key, or tampered with"
            }
        }
    }

    static let magic = Array("MVSEALED".utf8)
    /// 2: each entry also holds its extra passages' vectors.
    static let formatVersion: UInt32 = 2

    /// Tier file (vault-relative path) → its state and entries.
    var files: [String: File] = [:]

    /// The encryption key of one user's tier: derived from the tier's identity for this purpose
    /// alone (`KeyAgent.derive(from:for:)`), here or by the key agent, which never hands out the identity.
    static func key(identity: X25519Identity, user: String, tier: Tier) -> SymmetricKey {
        KeyAgent.derive(from: identity, for: .sealedIndex(user: user, tier: tier))
    }

    static func header(modelID: String, dimension: Int, nonce: [UInt8]) -> [UInt8] {
        var writer = PayloadWriter()
        writer.bytes = magic
        writer.u32(formatVersion)
        writer.u32(UInt32(dimension))
        writer.string(modelID)
        writer.bytes += nonce
        return writer.bytes
    }

    /// The whole encrypted file: header, ciphertext, tag.
    func encrypted(with key: SymmetricKey, modelID: String, dimension: Int) throws(VaultError) -> [UInt8] {
        let nonce = ChaChaPoly.Nonce()
        var header = Self.header(modelID: modelID, dimension: dimension, nonce: Array(nonce))
        var payload = encodedPayload()
        defer { KeyAgent.wipe(&payload) }
        do {
            let box = try ChaChaPoly.seal(payload, using: key, nonce: nonce, authenticating: header)
            header += box.ciphertext
            header += box.tag
            return header
        } catch {
            throw VaultError(.integrity, "cannot encrypt the search index of an encrypted tier")
        }
    }

    /// Opens an encrypted file.
    /// - Throws: `Failure`: `.damaged` for a short or malformed file, `.oldFormat`, `.otherModel`,
    ///   `.notAuthentic` when the key is not the one it was encrypted with or any byte changed.
    static func open(_ bytes: [UInt8], with key: SymmetricKey, modelID: String, dimension: Int) throws(Failure) -> EncryptedIndex {
        var reader = PayloadReader(bytes)
        guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else { throw .damaged }
        reader.offset = magic.count
        guard let version = reader.u32() else { throw .damaged }
        guard version == formatVersion else { throw .oldFormat }
        guard let storedDimension = reader.u32(), let storedModel = reader.string() else { throw .damaged }
        guard storedModel == modelID, Int(storedDimension) == dimension else { throw .otherModel }
        let nonceStart = reader.offset
        guard bytes.count - nonceStart >= 12 + 16, let nonce = try? ChaChaPoly.Nonce(data: bytes[nonceStart..<nonceStart + 12]) else {
            throw .damaged
        }
        let bodyStart = nonceStart + 12
        let tagStart = bytes.count - 16
        var payload: [UInt8]
        do {
            let box = try ChaChaPoly.SealedBox(nonce: nonce, ciphertext: bytes[bodyStart..<tagStart], tag: bytes[tagStart...])
            payload = Array(try ChaChaPoly.open(box, using: key, authenticating: bytes[0..<bodyStart]))
        } catch {
            throw .notAuthentic
        }
        defer { KeyAgent.wipe(&payload) }
        guard let index = decodePayload(payload) else { throw .damaged }
        return index
    }

    // MARK: Payload

    fileprivate func encodedPayload() -> [UInt8] {
        var writer = PayloadWriter()
        writer.u32(UInt32(files.count))
        for (path, file) in files.sorted(by: { $0.key < $1.key }) {
            writer.string(path)
            writer.u64(UInt64(file.state.size))
            writer.u64(UInt64(bitPattern: file.state.modified))
            writer.u32(UInt32(file.records.count))
            for record in file.records {
                writer.string(record.id)
                writer.u32(UInt32(record.line))
                writer.u32(UInt32(record.storedDigest.count))
                writer.bytes += record.storedDigest
                writer.string(record.contentHash)
                writer.optional(record.date) { w, date in
                    for field in [date.year, date.month, date.day, date.hour, date.minute] { w.u64(UInt64(bitPattern: Int64(field))) }
                    w.optional(date.utcOffsetMinutes) { $0.u64(UInt64(bitPattern: Int64($1))) }
                }
                writer.optional(record.title) { $0.string($1) }
                writer.strings(record.tags)
                writer.strings(record.mentions)
                writer.optional(record.src) { $0.string($1) }
                writer.string(record.body)
                writer.floats(record.vector ?? [])
                writer.u32(UInt32(record.passages.count))
                for passage in record.passages { writer.floats(passage) }
            }
        }
        return writer.bytes
    }

    fileprivate static func decodePayload(_ bytes: [UInt8]) -> EncryptedIndex? {
        var reader = PayloadReader(bytes)
        var index = EncryptedIndex()
        guard let fileCount = reader.u32() else { return nil }
        for _ in 0..<fileCount {
            guard let path = reader.string(), let size = reader.u64(), let modified = reader.u64(),
                let recordCount = reader.count(minBytesEach: 39)
            else { return nil }
            var records: [Record] = []
            records.reserveCapacity(recordCount)
            for _ in 0..<recordCount {
                guard let id = reader.string(), let line = reader.u32(), let digestCount = reader.count(minBytesEach: 1),
                    let digest = reader.bytes(digestCount), let contentHash = reader.string(),
                    let date = reader.optional({ r -> EntryDate? in
                        guard let fields = r.ints(5), let offset = r.optional({ $0.int() }) else { return nil }
                        return EntryDate(year: fields[0], month: fields[1], day: fields[2], hour: fields[3], minute: fields[4], utcOffsetMinutes: offset)
                    }),
                    let title = reader.optional({ $0.string() }), let tags = reader.strings(), let mentions = reader.strings(),
                    let src = reader.optional({ $0.string() }), let body = reader.string(),
                    let vector = reader.floats(), let passageCount = reader.count(minBytesEach: 4),
                    !(vector.isEmpty && passageCount > 0)
                else { return nil }
                var passages: [[Float]] = []
                for _ in 0..<passageCount {
                    guard let passage = reader.floats(), passage.count == vector.count else { return nil }
                    passages.append(passage)
                }
                records.append(Record(
                    id: id, line: Int(line), storedDigest: digest, contentHash: contentHash, date: date, title: title,
                    tags: tags, mentions: mentions, src: src, body: body,
                    vector: vector.isEmpty ? nil : vector, passages: passages))
            }
            // A size beyond Int.max is damage, not a file (Int(size) would stop the process).
            guard let fileSize = Int(exactly: size) else { return nil }
            index.files[path] = File(state: FileState(size: fileSize, modified: Int64(bitPattern: modified)), records: records)
        }
        return reader.offset == bytes.count ? index : nil
    }
}

/// The encrypted index's readers, for the fuzz targets: the payload (what is inside the encryption, the
/// part that a damaged or hostile file could make us parse only with the key) and the file.
package enum EncryptedIndexCodec {
    /// Decodes a payload and encodes the result again; nil when the payload does not decode.
    package static func reencodedPayload(_ payload: [UInt8]) -> [UInt8]? {
        EncryptedIndex.decodePayload(payload).map { $0.encodedPayload() }
    }

    /// Opens a whole encrypted file with a key of 32 bytes; false when it cannot be used.
    package static func opens(_ file: [UInt8], key: [UInt8], modelID: String, dimension: Int) -> Bool {
        (try? EncryptedIndex.open(file, with: SymmetricKey(data: key), modelID: modelID, dimension: dimension)) != nil
    }

    /// The payload of an encrypted index of one file with `records` entries (the fuzz targets' seeds).
    package static func samplePayload(records: Int, dimension: Int) -> [UInt8] {
        var index = EncryptedIndex()
        index.files["fuzz/secret/2026-12.md"] = EncryptedIndex.File(
            state: EncryptedIndex.FileState(size: 1234, modified: 1_764_000_000),
            records: (0..<records).map { i in
                EncryptedIndex.Record(
                    id: "01KB\(i)", line: 1 + 8 * i, storedDigest: [UInt8](repeating: UInt8(i), count: 32), contentHash: "h\(i)",
                    date: i % 2 == 0 ? EntryDate(year: 2026, month: 12, day: 1 + i, hour: 9, minute: 30, utcOffsetMinutes: 60) : nil,
                    title: i % 3 == 0 ? nil : "title \(i)", tags: ["t\(i)"], mentions: i % 2 == 0 ? [] : ["bob"], src: i % 2 == 0 ? "cli" : nil,
                    body: "body of #t\(i) with @bob", vector: i % 2 == 0 ? [Float](repeating: 0.5, count: dimension) : nil,
                    passages: i == 2 ? [[Float](repeating: -0.25, count: dimension)] : [])
            })
        return index.encodedPayload()
    }

    /// A whole encrypted index file of `payload`, encrypted with `key`.
    package static func encryptedFile(payload: [UInt8], key: [UInt8], modelID: String, dimension: Int) -> [UInt8]? {
        guard let index = EncryptedIndex.decodePayload(payload) else { return nil }
        return try? index.encrypted(with: SymmetricKey(data: key), modelID: modelID, dimension: dimension)
    }
}

/// Little-endian writer of the encrypted payload.
private struct PayloadWriter {
    var bytes: [UInt8] = []

    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func string(_ s: String) {
        u32(UInt32(s.utf8.count))
        bytes += s.utf8
    }
    mutating func strings(_ list: [String]) {
        u32(UInt32(list.count))
        for s in list { string(s) }
    }
    /// A count, then the IEEE 754 bit patterns.
    mutating func floats(_ values: [Float]) {
        u32(UInt32(values.count))
        #if _endian(little)
        values.withUnsafeBytes { bytes += $0 }
        #else
        for value in values { u32(value.bitPattern) }
        #endif
    }
    /// A presence byte, then the value.
    mutating func optional<T>(_ value: T?, _ write: (inout PayloadWriter, T) -> Void) {
        bytes.append(value == nil ? 0 : 1)
        if let value { write(&self, value) }
    }
}

/// Bounds-checked reader of the encrypted payload: nil, never a trap, on anything short or malformed.
private struct PayloadReader {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func bytes(_ n: Int) -> [UInt8]? {
        guard n >= 0, bytes.count - offset >= n else { return nil }
        defer { offset += n }
        return Array(bytes[offset..<offset + n])
    }
    mutating func u32() -> UInt32? {
        guard bytes.count - offset >= 4 else { return nil }
        defer { offset += 4 }
        return bytes.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
    }
    mutating func u64() -> UInt64? {
        guard let low = u32(), let high = u32() else { return nil }
        return UInt64(high) << 32 | UInt64(low)
    }
    mutating func int() -> Int? { u64().map { Int(Int64(bitPattern: $0)) } }
    mutating func ints(_ n: Int) -> [Int]? {
        var values: [Int] = []
        for _ in 0..<n {
            guard let value = int() else { return nil }
            values.append(value)
        }
        return values
    }
    /// A count that fits in what is left at `minBytesEach` bytes per item.
    mutating func count(minBytesEach: Int) -> Int? {
        guard let n = u32(), Int(n) <= (bytes.count - offset) / minBytesEach else { return nil }
        return Int(n)
    }
    mutating func floats() -> [Float]? {
        guard let n = count(minBytesEach: 4) else { return nil }
        defer { offset += 4 * n }
        return bytes.withUnsafeBytes { raw in
            (0..<n).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 4 * $0, as: UInt32.self))) }
        }
    }
    mutating func string() -> String? {
        guard let n = count(minBytesEach: 1), let utf8 = bytes(n) else { return nil }
        return String(validating: utf8, as: UTF8.self)
    }
    mutating func strings() -> [String]? {
        guard let n = count(minBytesEach: 4) else { return nil }
        var list: [String] = []
        for _ in 0..<n {
            guard let s = string() else { return nil }
            list.append(s)
        }
        return list
    }
    /// A presence byte, then the value: `.some(nil)` for absent, nil when malformed.
    mutating func optional<T>(_ read: (inout PayloadReader) -> T?) -> T?? {
        guard offset < bytes.count else { return nil }
        let present = bytes[offset]
        offset += 1
        switch present {
        case 0: return .some(nil)
        case 1: return read(&self).map { .some($0) }
        default: return nil
        }
    }
}

/// What bringing the encrypted indexes up to date did, for tests and notices.
struct EncryptedIndexUpdate {
    var filesRead = 0
    var decrypted = 0
    var embedded = 0
    /// Vectors computed for those entries: one per passage (more than one for a long entry).
    var passagesEmbedded = 0
    var removed = 0
    /// One line each, never with any plaintext.
    var notices: [String] = []
}

extension Vault {
    var encryptedIndexDirectory: URL { cacheDirectory.appendingPathComponent("sealed", isDirectory: true) }

    /// `.memvault/cache/sealed/alice.secret.sealed`: the vault layout shows users and tiers anyway.
    func encryptedIndexURL(user: String, tier: Tier) -> URL {
        root.appendingPathComponent(encryptedIndexPath(user: user, tier: tier))
    }

    /// `encryptedIndexURL` relative to the vault, for the confined file operations.
    func encryptedIndexPath(user: String, tier: Tier) -> String {
        ".memvault/cache/sealed/\(user).\(tier.rawValue).sealed"
    }

    /// Opens an unlocked tier's encrypted index, brings it up to date with the tier's files and
    /// saves it (encrypted) when anything changed.
    ///
    /// Only files whose size or mtime changed are read; of those, only entries whose stored text
    /// changed are decrypted, and only entries whose decrypted text changed are embedded. A file
    /// that cannot be opened (another key, tampered, truncated, old format, other model) is
    /// rebuilt from the tier files with one notice.
    ///
    /// - Parameters:
    ///   - paths: the tier's files, vault-relative.
    ///   - key: the tier's key (the sealing key is derived from it, entries opened with it).
    ///   - embedder: nil when the model is missing; vectors then wait for a later search.
    /// - Throws: `.locked` or `.integrity` for an entry that does not decrypt, naming its file
    ///   and line (as reading it would); nothing is saved then.
    /// - Complexity: O(files) stats when nothing changed; decrypts and embeds only what changed.
    func refreshedEncryptedIndex(
        user: String, tier: Tier, paths: [String], key tierKey: TierKey, embedder: (any SentenceEmbedding)?,
        update: inout EncryptedIndexUpdate
    ) throws(VaultError) -> EncryptedIndex {
        let filePath = encryptedIndexPath(user: user, tier: tier)
        let key = try tierKey.derivedKey(for: .sealedIndex(user: user, tier: tier))
        var index = EncryptedIndex()
        var dirty = false
        let stored: [UInt8]?
        do {
            stored = try AtomicFile.read(filePath, in: root)
        } catch {
            stored = nil
            update.notices.append("encrypted search index of \(user)/\(tier.rawValue) rebuilt (an unreadable file)")
            dirty = true
        }
        if let stored {
            do {
                index = try EncryptedIndex.open(stored, with: key, modelID: Embedder.modelID, dimension: Embedder.dimension)
            } catch {
                update.notices.append("encrypted search index of \(user)/\(tier.rawValue) rebuilt (\(error.reason))")
                dirty = true
            }
        }

        var stale: [String: EncryptedIndex.FileState] = [:]
        for path in paths {
            if let state = VaultIndex.stat(url(path)), index.files[path]?.state != state { stale[path] = state }
        }
        let current = Set(paths)
        let gone = index.files.keys.filter { !current.contains($0) }
        if !stale.isEmpty || !gone.isEmpty {
            dirty = true
            // Entries may move between files (a rename, a date change): reuse by stored text.
            var reusable: [[UInt8]: EncryptedIndex.Record] = [:]
            var vectors: [String: (first: [Float], passages: [[Float]])] = [:]
            for file in index.files.values {
                for record in file.records {
                    reusable[record.storedDigest] = record
                    if let vector = record.vector { vectors[record.contentHash] = (vector, record.passages) }
                }
            }
            for path in gone {
                update.removed += index.files[path]?.records.count ?? 0
                index.files[path] = nil
            }
            // Every entry to decrypt, in one request to the agent (when it holds the key).
            var staleFiles: [String: EntryFile] = [:]
            var toOpen: [String] = []
            for path in stale.keys.sorted() {
                let file = try readEntryFile(path)
                staleFiles[path] = file
                for outer in file.entries where outer.isEncrypted && outer.id != nil {
                    if reusable[Array(SHA256.hash(data: Array(outer.rawText.utf8)))] == nil, let block = outer.armoredBlock {
                        toOpen.append(block)
                    }
                }
            }
            try tierKey.prefetch(toOpen)
            for path in stale.keys.sorted() {
                var records: [EncryptedIndex.Record] = []
                for outer in staleFiles[path]!.entries {
                    guard let id = outer.id else { continue }
                    let digest = Array(SHA256.hash(data: Array(outer.rawText.utf8)))
                    if var old = reusable[digest] {
                        old.id = id
                        old.line = outer.line
                        records.append(old)
                        continue
                    }
                    let inner: Entry
                    if outer.isEncrypted {
                        let place = Located(user: user, tier: tier, path: path, entry: outer)
                        let decryptedEntry: Entry?
                        do {
                            decryptedEntry = try decrypted(place)?.entry
                        } catch where error.otherKey {
                            noteOtherKey(place)  // an older key's entry: left out of search, reported
                            continue
                        }
                        guard let opened = decryptedEntry else { continue }
                        inner = opened
                        update.decrypted += 1
                    } else {
                        inner = outer
                    }
                    records.append(EncryptedIndex.Record(
                        id: id, line: outer.line, storedDigest: digest, contentHash: inner.contentHash, date: inner.date,
                        title: inner.title, tags: inner.tags, mentions: inner.mentions, src: inner.src, body: inner.body,
                        vector: vectors[inner.contentHash]?.first, passages: vectors[inner.contentHash]?.passages ?? []))
                }
                let before = index.files[path]?.records.count ?? 0
                update.removed += max(0, before - records.count)
                update.filesRead += 1
                index.files[path] = EncryptedIndex.File(state: stale[path]!, records: records)
            }
        }

        if let embedder = embeddingMemo.serving(embedder) {
            var missing: [(path: String, row: Int)] = []
            for (path, file) in index.files {
                for (row, record) in file.records.enumerated() where record.vector == nil { missing.append((path, row)) }
            }
            if !missing.isEmpty {
                var texts: [String: [String]] = [:]
                for path in Set(missing.map(\.path)) {
                    texts[path] = EmbeddingText.of(
                        index.files[path]!.records.map { (title: $0.title, body: $0.body, day: $0.date.map(VaultIndex.day)) }, context: embeddingContext)
                }
                // A long entry is embedded as passages (Passages), all of them its vectors.
                let vectors = embedder.passageVectors(missing.map { texts[$0.path]![$0.row] })
                for (slot, passages) in zip(missing, vectors) {
                    index.files[slot.path]!.records[slot.row].vector = passages.first
                    index.files[slot.path]!.records[slot.row].passages = Array(passages.dropFirst())
                }
                update.passagesEmbedded += vectors.reduce(0) { $0 + $1.count }
                update.embedded += missing.count
                dirty = true
            }
        }

        if dirty {
            do {
                let bytes = try index.encrypted(with: key, modelID: Embedder.modelID, dimension: Embedder.dimension)
                try AtomicFile.write(bytes, to: filePath, in: root, permissions: 0o600)
            } catch {
                // Search stays correct without the file; the next one tries again.
                update.notices.append("encrypted search index of \(user)/\(tier.rawValue) not saved: \(error)")
            }
        }
        return index
    }
}

extension Vault {
    /// Brings the encrypted index of every unlocked encrypted tier of `users` up to date, for
    /// `reindex` (so the next search starts warm); locked tiers are skipped and named. Never asks
    /// for a passphrase.
    ///
    /// - Parameter full: discard the encrypted files first and rebuild them from the tier files.
    /// - Throws: `.locked` or `.integrity` for an entry that does not decrypt, naming its file and line.
    func reindexEncrypted(users: [String], embedder: (any SentenceEmbedding)?, full: Bool) throws(VaultError) -> (update: EncryptedIndexUpdate, locked: [Tier]) {
        var update = EncryptedIndexUpdate()
        var locked: [Tier] = []
        for tier in Tier.allCases where tier.isEncrypted {
            for user in users.sorted() {
                let paths = tierFiles(user: user, tier: tier)
                if paths.isEmpty { continue }
                guard let key = try tierKey(user: user, tier: tier, ask: false) else {
                    if !locked.contains(tier) { locked.append(tier) }
                    continue
                }
                if full {
                    do {
                        try AtomicFile.remove(encryptedIndexPath(user: user, tier: tier), in: root)
                    } catch {
                        throw VaultError.wrap(error)
                    }
                }
                _ = try refreshedEncryptedIndex(user: user, tier: tier, paths: paths, key: key, embedder: embedder, update: &update)
            }
        }
        return (update, locked)
    }
}
