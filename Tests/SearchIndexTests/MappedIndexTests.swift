import Foundation
import Testing
@testable import SearchIndex

/// The vault index's mapped base files (entry table, postings) and its state file.
@Suite struct MappedIndexTests {
    static let fields: [(id: String, fields: LexicalFields)] = [
        ("allergy", LexicalFields(title: "Doctor", body: "The doctor said I am allergic to penicillin.", tags: ["health"])),
        ("coffee", LexicalFields(title: "Coffee with Maria", body: "We talked about her trip to the Alps.", tags: ["friends"], mentions: ["maria"])),
        ("alps", LexicalFields(title: "Hiking", body: "Hiking in the Alps, the Alps were beautiful, Alps Alps.", tags: ["travel"])),
        ("cafe", LexicalFields(title: "", body: "A café downtown serves good coffee and cake.")),
        ("run", LexicalFields(title: "Morning", body: "I was running along the lake before work.")),
    ]

    static func records() -> [EntryRecord] {
        fields.enumerated().map { i, item in
            EntryRecord(
                entry: IndexedEntry(
                    id: item.id, user: i == 4 ? "bob" : "alice", tier: i % 2 == 0 ? "general" : "chronological",
                    path: "alice/general/2026-0\(1 + i % 2).md", line: 1 + 10 * i,
                    date: i == 3 ? nil : Date(timeIntervalSince1970: 1_700_000_000 + Double(i) * 86_400), title: item.fields.title.isEmpty ? nil : item.fields.title,
                    contentHash: "hash\(i)", tags: item.fields.tags.map { $0.uppercased() }, mentions: item.fields.mentions,
                    src: i == 1 ? "chat:1" : nil),
                byteRange: (100 * i)..<(100 * i + 50), hasVector: i != 2)
        }
    }

    @Test("an entry table reads back every record, finds ids and files, and filters like SearchFilter")
    func entryTable() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let records = Self.records()
        try EntryTable.write(to: dir.file("t"), generation: 7, records: records)
        let table = try EntryTable(contentsOf: dir.file("t"))
        #expect(table.generation == 7)
        #expect(table.count == records.count)
        for (row, record) in records.enumerated() {
            #expect(table.record(at: row) == record)
            #expect(table.row(ofKey: record.entry.id) == row)
        }
        #expect(table.row(ofKey: "nothing") == nil)
        #expect(table.rows(inPath: "alice/general/2026-01.md") == [0, 2, 4])
        #expect(table.rows(inPath: "alice/general/2026-02.md") == [1, 3])
        #expect(table.rows(inPath: "other.md") == [])
        let filters = [
            SearchFilter(),
            SearchFilter(users: ["alice"]),
            SearchFilter(tiers: ["general"]),
            SearchFilter(since: Date(timeIntervalSince1970: 1_700_000_000 + 86_400), until: Date(timeIntervalSince1970: 1_700_000_000 + 3 * 86_400)),
            SearchFilter(tags: ["friends"]),
            SearchFilter(tags: ["friends", "travel"]),
            SearchFilter(mentions: ["@Maria"]),
        ]
        for filter in filters {
            for requireVector in [false, true] {
                let hidden = RowSet(words: [1 << 1])
                let mask = table.mask(filter, hidden: hidden, requireVector: requireVector)
                let rows = (0..<records.count).filter { mask.words[0] & (1 << UInt64($0)) != 0 }
                let expected = records.indices.filter {
                    $0 != 1 && filter.matches(records[$0].entry) && (!requireVector || records[$0].hasVector)
                }
                #expect(rows == expected)
            }
        }
    }

    @Test("BM25 over a postings file with hidden rows and changed documents scores like the same live documents held in memory")
    func postingsMatchDocumentsInMemory() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let documents = Self.fields.map { LexicalDocument(fields: $0.fields) }
        try PostingsFile.write(to: dir.file("p"), generation: 1, base: nil, keep: [], appended: documents)
        let base = try PostingsFile(contentsOf: dir.file("p"))
        #expect(base.documentCount == 5)
        // Hide "alps" (row 2) and add a changed version of it plus a new document.
        let changed = LexicalFields(title: "Hiking", body: "Hiking near the lake.", tags: ["travel"])
        let added = LexicalFields(title: "", body: "Coffee at the lake, then penicillin from the pharmacy.")
        var search = LexicalSearch(base: base, hidden: RowSet(words: [1 << 2]), delta: [LexicalDocument(fields: changed), LexicalDocument(fields: added)])
        // The reference: the live documents, all held in memory as extra documents of one search.
        var live: [(id: String, fields: LexicalFields)] = Self.fields.enumerated().filter { $0.offset != 2 }.map { ($0.element.id, $0.element.fields) }
        live += [("alps", changed), ("new", added)]
        func reference(_ query: String) -> [(id: String, score: Float, matchedTerms: [String])] {
            var memory = LexicalSearch(base: nil, hidden: nil, delta: [])
            return memory.search(query, k: 10, allowedBase: nil, allowedDelta: [], extra: live.map { LexicalDocument(fields: $0.fields) })
                .map { (live[$0.document].id, $0.score, $0.matchedTerms) }
        }
        let names = ["allergy", "coffee", "alps-old", "cafe", "run", "alps", "new"]
        for query in ["penicillin", "coffee lake", "alps", "hiking lake", "Maria", "zeppelin", "the"] {
            let hits = search.search(query, k: 10, allowedBase: nil, allowedDelta: [true, true])
            let expected = reference(query)
            #expect(hits.map { names[$0.document] } .sorted() == expected.map(\.id).sorted(), "\(query)")
            for hit in hits {
                let other = try #require(expected.first { $0.id == names[hit.document] })
                #expect(abs(other.score - hit.score) < 1e-5, "\(query)")
                #expect(Set(other.matchedTerms) == Set(hit.matchedTerms))
            }
        }
        // Filters: base rows by bitmask, changes by flag.
        let filtered = search.search("coffee lake", k: 10, allowedBase: RowSet(words: [1 << 3]), allowedDelta: [false, true])
        #expect(Set(filtered.map { names[$0.document] }) == ["cafe", "new"])

        // Merging into a new file: drop row 0, keep the rest, append the changes.
        try PostingsFile.write(to: dir.file("q"), generation: 2, base: base, keep: [-1, 0, 1, 2, 3], appended: search.delta)
        let merged = try PostingsFile(contentsOf: dir.file("q"))
        #expect(merged.documentCount == 6)
        var all = LexicalSearch(base: merged, hidden: RowSet(words: [1 << 1]), delta: [])
        live.removeAll { $0.id == "allergy" }
        let mergedNames = ["coffee", "alps-old", "cafe", "run", "alps", "new"]
        let hits = all.search("penicillin lake", k: 10, allowedBase: nil, allowedDelta: [])
        #expect(Set(hits.map { mergedNames[$0.document] }) == Set(reference("penicillin lake").map(\.id)))
    }

    @Test("the state file round-trips")
    func stateRoundTrip() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        var state = IndexState(modelID: "model")
        state.generation = 3
        state.deltaSequence = 9
        state.vectorsComplete = true
        state.files = ["a.md": .init(size: 10, modified: 1_700_000_000_123_456_789), "b.md": .init(size: 0, modified: -1)]
        state.hiddenRows = [1, 5]
        state.moves = [2: .init(line: 40, byteRange: 300..<420)]
        let records = Self.records()
        state.changes = [
            .init(record: records[0], vector: .delta(0), document: LexicalDocument(fields: Self.fields[0].fields)),
            .init(record: records[3], vector: .none, document: LexicalDocument(fields: Self.fields[3].fields)),
        ]
        state.changes[1].record.hasVector = false
        try state.write(to: dir.file("s"))
        #expect(try IndexState(contentsOf: dir.file("s")) == state)
    }

    static let damages: [(name: String, damage: @Sendable (inout [UInt8]) -> Void, kind: IndexError.Kind)] = [
        ("truncated", { $0.removeLast($0.count / 3) }, .corrupt),
        ("bit flip", { $0[$0.count / 2] ^= 0x08 }, .corrupt),
        ("wrong version", { $0[16] = 9 }, .versionMismatch),
        ("wrong magic", { $0[0] = UInt8(ascii: "X") }, .corrupt),
        ("empty", { $0 = [] }, .corrupt),
    ]

    @Test("a damaged table, postings or state file throws the right IndexError, never traps", arguments: damages.indices)
    func damaged(index: Int) throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try EntryTable.write(to: dir.file("t"), generation: 1, records: Self.records())
        try PostingsFile.write(to: dir.file("p"), generation: 1, base: nil, keep: [], appended: Self.fields.map { LexicalDocument(fields: $0.fields) })
        var state = IndexState(modelID: "model")
        state.changes = [.init(record: Self.records()[0], vector: .none, document: LexicalDocument(fields: Self.fields[0].fields))]
        try state.write(to: dir.file("s"))
        let damage = Self.damages[index]
        for name in ["t", "p", "s"] {
            var bytes = [UInt8](try Data(contentsOf: dir.file(name)))
            damage.damage(&bytes)
            try Data(bytes).write(to: dir.file(name))
        }
        #expect { try EntryTable(contentsOf: dir.file("t")) } throws: { ($0 as? IndexError)?.kind == damage.kind }
        #expect { try PostingsFile(contentsOf: dir.file("p")) } throws: { ($0 as? IndexError)?.kind == damage.kind }
        #expect { try IndexState(contentsOf: dir.file("s")) } throws: { ($0 as? IndexError)?.kind == damage.kind }
    }
}
