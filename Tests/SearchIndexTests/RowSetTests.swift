import Testing
@testable import SearchIndex

@Suite struct RowSetTests {
    @Test("a row is in the set after insert, at bit row & 63 of word row >> 6, and no other row is")
    func insertAndContains() {
        var rows = RowSet(capacity: 130)
        #expect(rows.words.count == 3)
        #expect(rows.isEmpty)
        for row in [0, 63, 64, 129] { rows.insert(row) }
        #expect(rows.words == [1 | 1 << 63, 1, 1 << 1])
        #expect((0..<200).filter(rows.contains) == [0, 63, 64, 129])
        #expect(!rows.contains(-1))
        #expect(!rows.isEmpty)
    }

    @Test("insert past the capacity grows the words; words(forCapacity:) cuts or pads to exactly the rows asked for")
    func growAndResize() {
        var rows = RowSet([3], capacity: 10)
        rows.insert(200)
        #expect(rows.capacity == 256)
        #expect(rows.contains(200) && rows.contains(3))
        #expect(rows.words(forCapacity: 64) == [1 << 3])
        #expect(rows.words(forCapacity: 320).count == 5)
        #expect(RowSet(capacity: 0).words(forCapacity: 65) == [0, 0])
    }

    @Test("the predicate initialiser and intersection keep exactly the rows in both")
    func predicateAndIntersection() {
        var even = RowSet(capacity: 100) { $0 % 2 == 0 }
        let threes = RowSet(stride(from: 0, to: 100, by: 3), capacity: 100)
        even.formIntersection(threes)
        #expect((0..<100).filter(even.contains) == Array(stride(from: 0, to: 100, by: 6)))
        even.formIntersection(RowSet(words: [1]))
        #expect((0..<100).filter(even.contains) == [0])
    }
}
