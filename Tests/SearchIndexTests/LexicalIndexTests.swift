import Foundation
import Testing
@testable import SearchIndex

@Suite struct LexicalIndexTests {
    static func corpus() -> LexicalIndex {
        var index = LexicalIndex()
        index.add(id: "allergy", fields: LexicalFields(title: "Doctor", body: "The doctor said I am allergic to penicillin.", tags: ["health"]))
        index.add(id: "coffee", fields: LexicalFields(title: "Coffee with Maria", body: "We talked about her trip to the Alps.", tags: ["friends"], mentions: ["maria"]))
        index.add(id: "alps", fields: LexicalFields(title: "Hiking", body: "Hiking in the Alps, the Alps were beautiful, Alps Alps.", tags: ["travel"]))
        index.add(id: "cafe", fields: LexicalFields(title: "", body: "A café downtown serves good coffee and cake."))
        index.add(id: "run", fields: LexicalFields(title: "Morning", body: "I was running along the lake before work."))
        return index
    }

    @Test func findsTheOnlyDocumentWithARareWord() {
        let hits = Self.corpus().search("penicillin", k: 10, allowed: nil)
        #expect(hits.map(\.id) == ["allergy"])
        #expect(hits[0].matchedTerms == ["penicillin"])
    }

    @Test func termFrequencyAndTitlesRank() {
        let index = Self.corpus()
        #expect(index.search("alps", k: 10, allowed: nil).map(\.id) == ["alps", "coffee"])
        // "coffee" in the title (boosted) beats "coffee" once in a body of similar length.
        #expect(index.search("coffee", k: 10, allowed: nil).map(\.id) == ["coffee", "cafe"])
        // Stemming and accent folding meet: "runs" finds "running", "cafe" finds "café".
        #expect(index.search("runs", k: 10, allowed: nil).map(\.id) == ["run"])
        #expect(index.search("CAFE", k: 10, allowed: nil).map(\.id) == ["cafe"])
        // A document matching two query words beats documents matching one.
        #expect(index.search("Maria Alps", k: 10, allowed: nil).first?.id == "coffee")
        #expect(index.search("Maria Alps", k: 10, allowed: nil).first?.matchedTerms == ["maria", "alp"])
    }

    @Test func stopWordsAndUnknownWordsMatchNothing() {
        let index = Self.corpus()
        #expect(index.search("the and of", k: 10, allowed: nil).isEmpty)
        #expect(index.search("zeppelin", k: 10, allowed: nil).isEmpty)
        #expect(index.search("alps", k: 0, allowed: nil).isEmpty)
        #expect(LexicalIndex().search("alps", k: 10, allowed: nil).isEmpty)
    }

    @Test func filterAndLimit() {
        let index = Self.corpus()
        #expect(index.search("alps", k: 10, allowed: { $0 != "alps" }).map(\.id) == ["coffee"])
        #expect(index.search("alps", k: 1, allowed: nil).map(\.id) == ["alps"])
    }

    @Test func removeAndReplace() {
        var index = Self.corpus()
        index.remove(id: "alps")
        #expect(index.search("alps", k: 10, allowed: nil).map(\.id) == ["coffee"])
        #expect(!index.contains(id: "alps") && index.count == 4)
        index.add(id: "coffee", fields: LexicalFields(body: "Tea instead."))
        #expect(index.search("alps", k: 10, allowed: nil).isEmpty)
        #expect(index.search("tea", k: 10, allowed: nil).map(\.id) == ["coffee"])
        index.remove(id: "nonexistent")
        #expect(index.count == 4)
    }

    @Test func serializationRoundTripsAfterRemovals() throws {
        var index = Self.corpus()
        index.remove(id: "cafe")
        let loaded = try LexicalIndex(serialized: index.serialized())
        #expect(loaded.count == index.count)
        for query in ["alps", "coffee", "penicillin", "maria trip", "running lake", "cake"] {
            let a = index.search(query, k: 10, allowed: nil), b = loaded.search(query, k: 10, allowed: nil)
            #expect(a.map(\.id) == b.map(\.id))
            #expect(a.map(\.score) == b.map(\.score))
        }
        // The loaded index stays editable.
        var edited = loaded
        edited.remove(id: "alps")
        edited.add(id: "new", fields: LexicalFields(body: "alps again"))
        #expect(edited.search("alps", k: 10, allowed: nil).map(\.id).sorted() == ["coffee", "new"])
    }

    @Test func damagedBytesAreRejected() throws {
        let bytes = Self.corpus().serialized()
        for offset in Swift.stride(from: 0, to: bytes.count, by: 3) {
            var damaged = bytes
            damaged[offset] ^= 0x10
            #expect(throws: IndexError.self) { try LexicalIndex(serialized: damaged) }
        }
        for length in [0, 10, 32, bytes.count - 1] {
            #expect(throws: IndexError.self) { try LexicalIndex(serialized: Array(bytes.prefix(length))) }
        }
        var version = bytes
        version[16] = 7
        #expect { try LexicalIndex(serialized: version) } throws: { ($0 as? IndexError)?.kind == .versionMismatch }
    }
}

@Suite struct EntryMapTests {
    static let rows = [
        IndexedEntry(id: "01A", user: "alice", tier: "general", path: "alice/general/2026-11.md", line: 12,
                     date: Date(timeIntervalSince1970: 1_795_000_000), title: "Coffee with Maria", contentHash: "abc",
                     tags: ["friends"], mentions: ["maria"], src: "cli"),
        IndexedEntry(id: "01B", user: "alice", tier: "chronological", path: "alice/chronological/2026-11.md", line: 3,
                     date: nil, title: nil, contentHash: "def"),
    ]

    @Test func roundTripsEveryField() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let url = dir.file("entries.bin")
        try EntryMap(entries: Self.rows).write(to: url)
        let loaded = try EntryMap(contentsOf: url)
        #expect(loaded.entries == Self.rows)
        #expect(loaded["01B"] == Self.rows[1])
        #expect(loaded["zzz"] == nil)
    }

    @Test func upsertAndRemove() {
        var map = EntryMap(entries: Self.rows)
        var changed = Self.rows[0]
        changed.line = 40
        map.upsert(changed)
        #expect(map.count == 2 && map["01A"]?.line == 40)
        map.remove(id: "01A")
        #expect(map.count == 1 && map["01A"] == nil && map["01B"] != nil)
        map.remove(id: "01A")
        #expect(map.count == 1)
    }

    @Test func damagedBytesAreRejected() {
        let bytes = EntryMap(entries: Self.rows).serialized()
        for offset in 0..<bytes.count {
            var damaged = bytes
            damaged[offset] ^= 0x01
            #expect(throws: IndexError.self) { try EntryMap(serialized: damaged) }
        }
        #expect(throws: IndexError.self) { try EntryMap(serialized: Array(bytes.dropLast())) }
    }
}
