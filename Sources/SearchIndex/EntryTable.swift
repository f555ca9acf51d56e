import Foundation

/// One row to write into an ``EntryTable``.
public struct EntryRecord: Sendable, Equatable {
    public var entry: IndexedEntry
    /// The bytes of the entry in its file, to read its text back without parsing the file.
    public var byteRange: Range<Int>
    /// Whether the vector file written with the table holds this entry's vector in the same row.
    public var hasVector: Bool
    /// How many passages of a long entry follow its first one (``Passages``): their vectors are
    /// rows of the vector file after the table's rows, in row order (0 for an entry that fits the
    /// model's window).
    public var extraPassages: Int

    public init(entry: IndexedEntry, byteRange: Range<Int>, hasVector: Bool, extraPassages: Int = 0) {
        self.entry = entry
        self.byteRange = byteRange
        self.hasVector = hasVector
        self.extraPassages = extraPassages
    }
}

/// The base entry table of a vault, memory-mapped and read in place: fixed-size records,
/// a string pool, the rows sorted by id (binary search) and by file.
///
/// Opening it costs a checksum and a decode of the few distinct users, tiers, paths, tags
/// and mentions (the symbols); no row is deserialized. Filters run over the records.
///
/// File layout (little-endian; see docs/index.md):
///
/// | offset | size | field |
/// | --- | --- | --- |
/// | 0 | 32 | ``SidecarHeader``, magic `MVENTTAB`, version 2 |
/// | 32 | 8 | generation |
/// | 40 | 4 | row count n |
/// | 44 | 4 | symbol count s |
/// | 48 | 6×8 | offsets of the symbols, path ranges, records, id order, path order, pool |
/// | symbols | | s length-prefixed UTF-8 strings |
/// | path ranges | s·8 | per symbol: first index into the path order, count (0 unless a path) |
/// | records | n·64 | see below |
/// | id order | n·4 | rows sorted by id bytes |
/// | path order | n·4 | rows sorted by path symbol, then line |
/// | pool | | length-prefixed strings and symbol lists the records point to |
///
/// A record: id (pool), user, tier, path (symbols), line, flags (1: has a vector, 2: dated),
/// date (Double seconds since 1970), title, content hash, src (pool, or 0xFFFFFFFF),
/// tags, mentions (pool offsets of a count and that many symbols, or 0xFFFFFFFF),
/// byte offset and byte length in the file, the number of extra passages (vectors after the
/// table's rows in the vector file, version 2; reserved in version 1).
///
/// `@unchecked Sendable`: immutable after init over a read-only mapping.
public final class EntryTable: @unchecked Sendable {
    static let magic = Array("MVENTTAB".utf8)
    static let version: UInt32 = 2
    static let recordSize = 64
    static let none = UInt32.max

    /// The generation the table was written for.
    public let generation: UInt64
    /// Number of rows.
    public let count: Int
    /// The distinct users, tiers, paths, tags and mentions.
    let symbols: [String]
    private let symbolNumbers: [String: UInt32]

    private let file: MappedFile
    private let records: UnsafeRawPointer
    private let idOrder: UnsafeRawPointer
    private let pathOrder: UnsafeRawPointer
    private let pathRanges: UnsafeRawPointer
    private let pool: UnsafeRawBufferPointer

    /// Maps and validates a table.
    /// - Throws: `IndexError`: `.io`, `.corrupt` or `.versionMismatch`.
    /// - Complexity: O(file size) for the checksum, O(s) for the symbols.
    public convenience init(contentsOf url: URL) throws(IndexError) {
        try self.init(file: MappedFile(url))
    }

    /// Reads a table from bytes in memory (the fuzz targets), like ``init(contentsOf:)``.
    package convenience init(bytes: [UInt8]) throws(IndexError) {
        try self.init(file: MappedFile(copying: bytes, path: "<entry table bytes>"))
    }

    init(file: MappedFile) throws(IndexError) {
        var r = try MappedFile.verifiedSidecar(file, magic: Self.magic, version: Self.version)
        let bytes = file.bytes
        let path = file.path
        generation = try r.u64()
        let n = Int(try r.u32())
        let s = Int(try r.u32())
        let offsets = try r.sectionOffsets(6)
        guard offsets[1] + s * 8 <= offsets[2], offsets[2] + n * Self.recordSize <= offsets[3],
              offsets[3] + n * 4 <= offsets[4], offsets[4] + n * 4 <= offsets[5]
        else { throw IndexError(.corrupt, path: path, "section table does not match \(n) rows") }
        var sr = BinaryReader(UnsafeRawBufferPointer(rebasing: bytes[..<offsets[1]]), offset: offsets[0], path: path)
        var symbols: [String] = []
        var numbers: [String: UInt32] = [:]
        symbols.reserveCapacity(s)
        for i in 0..<s {
            let symbol = try sr.string()
            symbols.append(symbol)
            numbers[symbol] = UInt32(i)
        }
        let base = bytes.baseAddress!
        self.file = file
        count = n
        self.symbols = symbols
        symbolNumbers = numbers
        pathRanges = base + offsets[1]
        records = base + offsets[2]
        idOrder = base + offsets[3]
        pathOrder = base + offsets[4]
        pool = UnsafeRawBufferPointer(rebasing: bytes[offsets[5]...])
    }

    // MARK: Reading records

    @inline(__always)
    private func field(_ row: Int, _ offset: Int) -> UInt32 {
        UInt32(littleEndian: records.loadUnaligned(fromByteOffset: row * Self.recordSize + offset, as: UInt32.self))
    }

    @inline(__always)
    private func u32(_ p: UnsafeRawPointer, _ i: Int) -> Int {
        Int(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
    }

    /// The bytes of the pool string at `offset` (empty when out of range: the checksum makes
    /// that impossible for a file we wrote, and a damaged one must not trap).
    private func poolBytes(_ offset: UInt32) -> UnsafeRawBufferPointer {
        let o = Int(offset)
        guard o <= pool.count - 4 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        let n = Int(UInt32(littleEndian: pool.loadUnaligned(fromByteOffset: o, as: UInt32.self)))
        guard n <= pool.count - o - 4 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(rebasing: pool[o + 4..<o + 4 + n])
    }

    private func poolString(_ offset: UInt32) -> String? {
        offset == Self.none ? nil : String(decoding: poolBytes(offset), as: UTF8.self)
    }

    private func symbol(_ number: UInt32) -> String {
        Int(number) < symbols.count ? symbols[Int(number)] : ""
    }

    private func symbolList(_ offset: UInt32) -> [UInt32] {
        let o = Int(offset)
        guard offset != Self.none, o <= pool.count - 4 else { return [] }
        let n = Int(UInt32(littleEndian: pool.loadUnaligned(fromByteOffset: o, as: UInt32.self)))
        guard n <= (pool.count - o - 4) / 4 else { return [] }
        return (0..<n).map { UInt32(littleEndian: pool.loadUnaligned(fromByteOffset: o + 4 + 4 * $0, as: UInt32.self)) }
    }

    /// The id of `row`.
    public func key(at row: Int) -> String { String(decoding: poolBytes(field(row, 0)), as: UTF8.self) }
    /// The content hash of `row`.
    public func contentHash(at row: Int) -> String { poolString(field(row, 36)) ?? "" }
    /// Whether the vector file of this generation holds the vector of `row`.
    public func hasVector(at row: Int) -> Bool { field(row, 20) & 1 != 0 }
    /// How many passages of `row`'s entry follow its first (``EntryRecord/extraPassages``).
    public func extraPassages(at row: Int) -> Int { Int(field(row, 60)) }
    /// The 1-based line of `row`'s heading.
    public func line(at row: Int) -> Int { Int(field(row, 16)) }
    /// The bytes of `row`'s entry in its file.
    public func byteRange(at row: Int) -> Range<Int> {
        let start = Int(field(row, 52))
        return start..<start + Int(field(row, 56))
    }
    /// The date of `row`, if dated.
    public func date(at row: Int) -> Date? {
        guard field(row, 20) & 2 != 0 else { return nil }
        let bits = UInt64(littleEndian: records.loadUnaligned(fromByteOffset: row * Self.recordSize + 24, as: UInt64.self))
        return Date(timeIntervalSince1970: Double(bitPattern: bits))
    }
    /// The path of `row`.
    public func path(at row: Int) -> String { symbol(field(row, 12)) }

    /// The whole record of `row`.
    /// - Complexity: O(size of its strings).
    public func record(at row: Int) -> EntryRecord {
        let entry = IndexedEntry(
            id: key(at: row), user: symbol(field(row, 4)), tier: symbol(field(row, 8)), path: path(at: row),
            line: line(at: row), date: date(at: row), title: poolString(field(row, 32)), contentHash: contentHash(at: row),
            tags: symbolList(field(row, 44)).map(symbol), mentions: symbolList(field(row, 48)).map(symbol),
            src: poolString(field(row, 40)))
        return EntryRecord(entry: entry, byteRange: byteRange(at: row), hasVector: hasVector(at: row), extraPassages: extraPassages(at: row))
    }

    /// The row with id `key`.
    /// - Complexity: O(log n) byte comparisons.
    public func row(ofKey key: String) -> Int? {
        var key = key
        return key.withUTF8 { wanted -> Int? in
            var lo = 0, hi = count
            while lo < hi {
                let mid = (lo + hi) / 2
                let row = u32(idOrder, mid)
                guard row < count else { return nil }
                let order = PostingsFile.compare(poolBytes(field(row, 0)), UnsafeRawBufferPointer(wanted))
                if order == 0 { return row }
                if order < 0 { lo = mid + 1 } else { hi = mid }
            }
            return nil
        }
    }

    /// The ids that start with `prefix`, in id order, at most `limit` of them (for shell completion).
    /// - Complexity: O(log n + limit) byte comparisons.
    /// - Parameter isHidden: rows to leave out (entries removed since the table was written).
    public func keys(withPrefix prefix: String, limit: Int, isHidden: (Int) -> Bool = { _ in false }) -> [String] {
        let wanted = Array(prefix.utf8)
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            let row = u32(idOrder, mid)
            guard row < count else { return [] }
            if poolBytes(field(row, 0)).lexicographicallyPrecedes(wanted) { lo = mid + 1 } else { hi = mid }
        }
        var keys: [String] = []
        var position = lo
        while position < count, keys.count < limit {
            let row = u32(idOrder, position)
            guard row < count else { break }
            let bytes = poolBytes(field(row, 0))
            guard bytes.starts(with: wanted) else { break }
            if !isHidden(row) { keys.append(String(decoding: bytes, as: UTF8.self)) }
            position += 1
        }
        return keys
    }

    /// The rows of the file `path`, by line.
    /// - Complexity: O(1) plus the rows.
    public func rows(inPath path: String) -> [Int] {
        guard let number = symbolNumbers[path] else { return [] }
        let first = u32(pathRanges, 2 * Int(number)), n = u32(pathRanges, 2 * Int(number) + 1)
        guard first <= count, n <= count - first else { return [] }
        return (first..<first + n).map { u32(pathOrder, $0) }.filter { $0 < count }
    }

    /// The rows of `row`'s file next to it by line: up to `reach` before and after it, nearest
    /// first on each side, with their distance in rows of the file (negative: before), leaving out
    /// the rows `skip` says (they are not counted either).
    /// - Complexity: O(log m) for the m rows of the file, plus the rows stepped over.
    public func rows(around row: Int, reach: Int, skip: (Int) -> Bool = { _ in false }) -> [(row: Int, distance: Int)] {
        guard row >= 0, row < count, reach > 0 else { return [] }
        let number = Int(field(row, 12))
        guard number < symbols.count else { return [] }
        let first = u32(pathRanges, 2 * number), n = u32(pathRanges, 2 * number + 1)
        guard first <= count, n <= count - first else { return [] }
        // The row's own place in the path order: binary search by line.
        let own = line(at: row)
        var lo = first, hi = first + n
        while lo < hi {
            let mid = (lo + hi) / 2
            let r = u32(pathOrder, mid)
            if r < count && line(at: r) < own { lo = mid + 1 } else { hi = mid }
        }
        guard lo < first + n, u32(pathOrder, lo) == row else { return [] }
        var result: [(row: Int, distance: Int)] = []
        for step in [-1, 1] {
            var i = lo + step, d = 0
            while i >= first && i < first + n && d < reach {
                let r = u32(pathOrder, i)
                i += step
                if r >= count || skip(r) { continue }
                d += 1
                result.append((r, d * step))
            }
        }
        return result
    }

    // MARK: Filters

    /// The rows that pass `filter`, one bit each, leaving out `hidden` rows and (with
    /// `requireVector`) rows without a vector.
    /// - Complexity: O(n) over the records; strings are compared once per distinct symbol.
    public func mask(_ filter: SearchFilter, hidden: RowSet?, requireVector: Bool) -> RowSet {
        var rows = RowSet(capacity: count)
        let users = filter.users.map { allowed in symbols.map { allowed.contains($0) } }
        let tiers = filter.tiers.map { allowed in symbols.map { allowed.contains($0) } }
        func bits(_ wanted: Set<String>?, fold: (String) -> String) -> (mask: [UInt64], all: UInt64)? {
            guard let wanted, !wanted.isEmpty else { return nil }
            let folded = Array(Set(wanted.map(fold))).prefix(64)
            let bySymbol = symbols.map { symbol -> UInt64 in
                let f = fold(symbol)
                return folded.firstIndex(of: f).map { 1 << UInt64($0) } ?? 0
            }
            return (bySymbol, folded.count == 64 ? .max : (1 << UInt64(folded.count)) - 1)
        }
        let tags = bits(filter.tags) { $0.lowercased() }
        let mentions = bits(filter.mentions) { ($0.hasPrefix("@") ? String($0.dropFirst()) : $0).lowercased() }
        let since = filter.since?.timeIntervalSince1970, until = filter.until?.timeIntervalSince1970
        let symbolCount = symbols.count
        for row in 0..<count {
            if let hidden, hidden.contains(row) { continue }
            let flags = field(row, 20)
            if requireVector && flags & 1 == 0 { continue }
            if let users {
                let u = Int(field(row, 4))
                guard u < symbolCount, users[u] else { continue }
            }
            if let tiers {
                let t = Int(field(row, 8))
                guard t < symbolCount, tiers[t] else { continue }
            }
            if since != nil || until != nil {
                guard flags & 2 != 0 else { continue }
                let seconds = Double(bitPattern: UInt64(littleEndian: records.loadUnaligned(fromByteOffset: row * Self.recordSize + 24, as: UInt64.self)))
                if let since, seconds < since { continue }
                if let until, seconds > until { continue }
            }
            if let tags {
                var have: UInt64 = 0
                for s in symbolList(field(row, 44)) where Int(s) < symbolCount { have |= tags.mask[Int(s)] }
                guard have == tags.all else { continue }
            }
            if let mentions {
                var have: UInt64 = 0
                for s in symbolList(field(row, 48)) where Int(s) < symbolCount { have |= mentions.mask[Int(s)] }
                guard have == mentions.all else { continue }
            }
            rows.insertWithinCapacity(row)
        }
        return rows
    }

    // MARK: Writing

    /// Writes a table of `records` in this row order, crash-safely.
    /// - Parameters:
    ///   - url: where the file goes.
    ///   - generation: recorded in the file, to match the postings and vectors written with it.
    ///   - records: the rows.
    /// - Throws: `IndexError` of kind `.io`.
    /// - Complexity: O(n log n).
    public static func write(to url: URL, generation: UInt64, records: [EntryRecord]) throws(IndexError) {
        var symbolNumbers: [String: UInt32] = [:]
        var symbols: [String] = []
        func symbol(_ s: String) -> UInt32 {
            if let n = symbolNumbers[s] { return n }
            let n = UInt32(symbols.count)
            symbolNumbers[s] = n
            symbols.append(s)
            return n
        }
        var pool = BinaryWriter(capacity: records.count * 64)
        func string(_ s: String) -> UInt32 {
            let offset = UInt32(pool.bytes.count)
            pool.string(s)
            return offset
        }
        func list(_ items: [String]) -> UInt32 {
            if items.isEmpty { return none }
            let numbers = items.map(symbol)
            let offset = UInt32(pool.bytes.count)
            pool.u32(UInt32(numbers.count))
            for n in numbers { pool.u32(n) }
            return offset
        }
        var rows = BinaryWriter(capacity: records.count * recordSize)
        var pathOf: [UInt32] = []
        pathOf.reserveCapacity(records.count)
        for record in records {
            let e = record.entry
            let path = symbol(e.path)
            pathOf.append(path)
            rows.u32(string(e.id))
            rows.u32(symbol(e.user))
            rows.u32(symbol(e.tier))
            rows.u32(path)
            rows.u32(UInt32(clamping: e.line))
            rows.u32((record.hasVector ? 1 : 0) | (e.date != nil ? 2 : 0))
            rows.f64(e.date?.timeIntervalSince1970 ?? 0)
            rows.u32(e.title.map(string) ?? none)
            rows.u32(string(e.contentHash))
            rows.u32(e.src.map(string) ?? none)
            rows.u32(list(e.tags))
            rows.u32(list(e.mentions))
            rows.u32(UInt32(clamping: record.byteRange.lowerBound))
            rows.u32(UInt32(clamping: record.byteRange.count))
            rows.u32(UInt32(clamping: record.extraPassages))
        }
        let byID = records.indices.sorted { records[$0].entry.id.utf8.lexicographicallyPrecedes(records[$1].entry.id.utf8) }
        let byPath = records.indices.sorted {
            pathOf[$0] != pathOf[$1] ? pathOf[$0] < pathOf[$1] : records[$0].entry.line < records[$1].entry.line
        }
        var ranges = [(first: UInt32, count: UInt32)](repeating: (0, 0), count: symbols.count)
        for (i, row) in byPath.enumerated() {
            let p = Int(pathOf[row])
            if ranges[p].count == 0 { ranges[p].first = UInt32(i) }
            ranges[p].count += 1
        }
        var symbolBytes = BinaryWriter()
        for s in symbols { symbolBytes.string(s) }
        var w = BinaryWriter(capacity: SidecarHeader.size + 80 + rows.bytes.count + pool.bytes.count + records.count * 8)
        w.bytes = [UInt8](repeating: 0, count: SidecarHeader.size)
        w.u64(generation)
        w.u32(UInt32(records.count))
        w.u32(UInt32(symbols.count))
        let symbolsOffset = SidecarHeader.size + 16 + 48
        let rangesOffset = (symbolsOffset + symbolBytes.bytes.count + 7) / 8 * 8
        let recordsOffset = rangesOffset + symbols.count * 8
        let idOffset = recordsOffset + rows.bytes.count
        let pathOffset = idOffset + records.count * 4
        let poolOffset = pathOffset + records.count * 4
        for o in [symbolsOffset, rangesOffset, recordsOffset, idOffset, pathOffset, poolOffset] { w.u64(UInt64(o)) }
        w.bytes += symbolBytes.bytes
        w.pad(to: 8)
        for range in ranges {
            w.u32(range.first)
            w.u32(range.count)
        }
        w.bytes += rows.bytes
        for row in byID { w.u32(UInt32(row)) }
        for row in byPath { w.u32(UInt32(row)) }
        w.bytes += pool.bytes
        var bytes = w.bytes
        SidecarHeader.fillHeader(&bytes, magic: magic, version: version)
        try SidecarFile.write(bytes, to: url)
    }
}

extension MappedFile {
    /// Maps a sidecar file, verifies its header (magic, version, length, checksum) and
    /// returns a reader positioned after the header.
    /// - Throws: `IndexError`: `.io`, `.corrupt` or `.versionMismatch`.
    /// Checks the sidecar header of `file`; returns a reader placed after it.
    static func verifiedSidecar(_ file: MappedFile, magic: [UInt8], version: UInt32) throws(IndexError) -> BinaryReader {
        try SidecarHeader.verify(file.bytes, magic: magic, version: version, path: file.path)
        return BinaryReader(file.bytes, offset: SidecarHeader.size, path: file.path)
    }
}

extension BinaryReader {
    /// `count` u64 section offsets, each within the file.
    mutating func sectionOffsets(_ count: Int) throws(IndexError) -> [Int] {
        var offsets: [Int] = []
        for _ in 0..<count {
            let o = try u64()
            guard o <= UInt64(base.count) else { throw fail("section offset \(o) beyond the end") }
            offsets.append(Int(o))
        }
        return offsets
    }
}
