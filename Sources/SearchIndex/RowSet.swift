/// A set of row numbers (rows of a table, documents of the postings, chunks of a file), one bit
/// each: bit `row & 63` of word `row >> 6`.
///
/// The words are public because the vector scan reads them 64 rows at a time (it skips a word
/// of zeros and takes four bits at once); everything else asks ``contains(_:)`` and
/// ``insert(_:)``. A row past the words is not in the set.
public struct RowSet: Sendable, Equatable {
    /// The bits, 64 rows a word, the lowest row in the lowest bit.
    public private(set) var words: [UInt64]

    /// The empty set with room for rows `0..<capacity`.
    public init(capacity: Int) {
        words = [UInt64](repeating: 0, count: (max(0, capacity) + 63) / 64)
    }

    /// The set of these rows, with room for `0..<capacity` (more if a row needs it).
    public init(_ rows: some Sequence<Int>, capacity: Int = 0) {
        self.init(capacity: capacity)
        for row in rows { insert(row) }
    }

    /// The rows of `0..<capacity` for which `predicate` holds.
    public init(capacity: Int, where predicate: (Int) throws -> Bool) rethrows {
        self.init(capacity: capacity)
        for row in 0..<capacity where try predicate(row) { insertWithinCapacity(row) }
    }

    /// The set whose bits are `words` (bit `row & 63` of word `row >> 6`).
    public init(words: [UInt64]) { self.words = words }

    /// How many rows the words have room for.
    public var capacity: Int { words.count * 64 }

    /// Whether no row is in the set.
    public var isEmpty: Bool { !words.contains { $0 != 0 } }

    /// Whether `row` is in the set.
    @inlinable
    public func contains(_ row: Int) -> Bool {
        let word = row >> 6
        return row >= 0 && word < words.count && words[word] & (1 << UInt64(row & 63)) != 0
    }

    /// Adds `row` (0 or more), growing the words if needed.
    public mutating func insert(_ row: Int) {
        precondition(row >= 0, "a row number is never negative")
        let word = row >> 6
        if word >= words.count { words.append(contentsOf: repeatElement(0, count: word - words.count + 1)) }
        words[word] |= 1 << UInt64(row & 63)
    }

    /// The words for rows `0..<capacity` exactly: cut, or padded with rows not in the set.
    public func words(forCapacity capacity: Int) -> [UInt64] {
        let count = (max(0, capacity) + 63) / 64
        return words.count >= count ? Array(words.prefix(count)) : words + repeatElement(0, count: count - words.count)
    }

    /// Keeps only the rows that are in `other` too.
    public mutating func formIntersection(_ other: RowSet) {
        for i in words.indices { words[i] &= i < other.words.count ? other.words[i] : 0 }
    }

    /// Adds `row`, which must be below ``capacity``.
    public mutating func insertWithinCapacity(_ row: Int) {
        words[row >> 6] |= 1 << UInt64(row & 63)
    }
}
