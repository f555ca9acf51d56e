import Foundation

/// The map from entry id to where the entry lives and what filters need.
///
/// Stored as a sidecar file (magic `MVENTMAP`, version 1, checksum), compactly:
/// a table of the distinct strings, then one fixed-shape row per entry that refers
/// to the table, so repeated users, tiers, paths and tags cost four bytes each and
/// a 100k-row map loads in milliseconds.
public struct EntryMap: Sendable {
    static let magic = Array("MVENTMAP".utf8)
    static let version: UInt32 = 1
    private static let none = UInt32.max

    /// All rows, in insertion order.
    public private(set) var entries: [IndexedEntry]
    private var rowByID: [String: Int]

    /// A map of these rows; a later row replaces an earlier one with the same id.
    public init(entries: [IndexedEntry] = []) {
        self.entries = []
        self.rowByID = [:]
        self.entries.reserveCapacity(entries.count)
        self.rowByID.reserveCapacity(entries.count)
        for e in entries { upsert(e) }
    }

    /// Number of rows.
    public var count: Int { entries.count }

    /// The row with this id.
    public subscript(id: String) -> IndexedEntry? {
        rowByID[id].map { entries[$0] }
    }

    /// Adds a row or replaces the row with the same id.
    /// - Complexity: O(1) amortized.
    public mutating func upsert(_ entry: IndexedEntry) {
        if let row = rowByID[entry.id] {
            entries[row] = entry
        } else {
            rowByID[entry.id] = entries.count
            entries.append(entry)
        }
    }

    /// Removes the row with this id, if any.
    /// - Complexity: O(1): the last row takes its place.
    public mutating func remove(id: String) {
        guard let row = rowByID.removeValue(forKey: id) else { return }
        let last = entries.removeLast()
        if row < entries.count {
            entries[row] = last
            rowByID[last.id] = row
        }
    }

    /// The map as a sidecar file.
    /// - Complexity: O(n).
    public func serialized() -> [UInt8] {
        var table: [String: UInt32] = [:]
        var strings: [String] = []
        func ref(_ s: String) -> UInt32 {
            if let i = table[s] { return i }
            let i = UInt32(strings.count)
            table[s] = i
            strings.append(s)
            return i
        }
        var rows = BinaryWriter(capacity: entries.count * 48)
        rows.u32(UInt32(entries.count))
        for e in entries {
            rows.u32(ref(e.id))
            rows.u32(ref(e.user))
            rows.u32(ref(e.tier))
            rows.u32(ref(e.path))
            rows.u32(UInt32(clamping: e.line))
            rows.f64(e.date?.timeIntervalSince1970 ?? .nan)
            rows.u32(e.title.map(ref) ?? Self.none)
            rows.u32(ref(e.contentHash))
            rows.u32(e.src.map(ref) ?? Self.none)
            rows.u32(UInt32(e.tags.count))
            for t in e.tags { rows.u32(ref(t)) }
            rows.u32(UInt32(e.mentions.count))
            for m in e.mentions { rows.u32(ref(m)) }
        }
        var w = BinaryWriter(capacity: SidecarHeader.size + rows.bytes.count + strings.count * 24)
        w.bytes = [UInt8](repeating: 0, count: SidecarHeader.size)
        w.u32(UInt32(strings.count))
        for s in strings { w.string(s) }
        w.bytes.append(contentsOf: rows.bytes)
        var bytes = w.bytes
        SidecarHeader.seal(&bytes, magic: Self.magic, version: Self.version)
        return bytes
    }

    /// Reads a map written by ``serialized()``.
    /// - Throws: `IndexError` of kind `.corrupt` or `.versionMismatch`, never traps.
    /// - Complexity: O(n).
    public init(serialized bytes: [UInt8], path: String = "entry map") throws(IndexError) {
        let result: Result<EntryMap, IndexError> = bytes.withUnsafeBytes { raw in
            Result { () throws(IndexError) in try EntryMap(raw, path: path) }
        }
        self = try result.get()
    }

    /// Reads the map file at `url`.
    /// - Throws: `IndexError`: `.io`, `.corrupt` or `.versionMismatch`.
    public init(contentsOf url: URL) throws(IndexError) {
        let file = try MappedFile(url)
        self = try EntryMap(file.bytes, path: file.path)
    }

    /// Writes the map to `url` crash-safely.
    /// - Throws: `IndexError` of kind `.io`.
    public func write(to url: URL) throws(IndexError) {
        try SidecarFile.write(serialized(), to: url)
    }

    private init(_ raw: UnsafeRawBufferPointer, path: String) throws(IndexError) {
        try SidecarHeader.verify(raw, magic: Self.magic, version: Self.version, path: path)
        var r = BinaryReader(raw, offset: SidecarHeader.size, path: path)
        let stringCount = try r.count(minBytesEach: 4)
        var strings: [String] = []
        strings.reserveCapacity(stringCount)
        for _ in 0..<stringCount { strings.append(try r.string()) }
        func string(_ reader: inout BinaryReader) throws(IndexError) -> String {
            let i = try reader.u32()
            guard Int(i) < strings.count else { throw reader.fail("string number \(i) out of range") }
            return strings[Int(i)]
        }
        func optional(_ reader: inout BinaryReader) throws(IndexError) -> String? {
            let i = try reader.u32()
            if i == Self.none { return nil }
            guard Int(i) < strings.count else { throw reader.fail("string number \(i) out of range") }
            return strings[Int(i)]
        }
        // One-element tag and mention lists repeat ("friends", "maria"): share one array each.
        var singletons = [[String]?](repeating: nil, count: strings.count)
        func list(_ reader: inout BinaryReader) throws(IndexError) -> [String] {
            let n = try reader.count(minBytesEach: 4)
            if n == 0 { return [] }
            if n == 1 {
                let i = try reader.u32()
                guard Int(i) < strings.count else { throw reader.fail("string number \(i) out of range") }
                if let shared = singletons[Int(i)] { return shared }
                let made = [strings[Int(i)]]
                singletons[Int(i)] = made
                return made
            }
            var out: [String] = []
            out.reserveCapacity(n)
            for _ in 0..<n { out.append(try string(&reader)) }
            return out
        }
        let rowCount = try r.count(minBytesEach: 44)
        entries = []
        rowByID = [:]
        entries.reserveCapacity(rowCount)
        rowByID.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            let id = try string(&r)
            let user = try string(&r)
            let tier = try string(&r)
            let filePath = try string(&r)
            let line = Int(try r.u32())
            let seconds = try r.f64()
            let title = try optional(&r)
            let hash = try string(&r)
            let src = try optional(&r)
            let tags = try list(&r)
            let mentions = try list(&r)
            guard rowByID.updateValue(row, forKey: id) == nil else { throw r.fail("repeated id \(id)") }
            entries.append(IndexedEntry(
                id: id, user: user, tier: tier, path: filePath, line: line,
                date: seconds.isNaN ? nil : Date(timeIntervalSince1970: seconds), title: title,
                contentHash: hash, tags: tags, mentions: mentions, src: src))
        }
        guard r.offset == raw.count else { throw r.fail("trailing bytes") }
    }
}
