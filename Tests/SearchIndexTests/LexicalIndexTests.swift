import Foundation
import Testing
@testable import SearchIndex

/// BM25 over documents held in memory (the encrypted tiers' entries join a search this way).
@Suite struct LexicalIndexTests {
    static let corpus: [(id: String, fields: LexicalFields)] = [
        ("allergy", LexicalFields(title: "Doctor", body: "The doctor said I am allergic to penicillin.", tags: ["health"])),
        ("coffee", LexicalFields(title: "Coffee with Maria", body: "We talked about her trip to the Alps.", tags: ["friends"], mentions: ["maria"])),
        ("alps", LexicalFields(title: "Hiking", body: "Hiking in the Alps, the Alps were beautiful, Alps Alps.", tags: ["travel"])),
        ("cafe", LexicalFields(title: "", body: "A café downtown serves good coffee and cake.")),
        ("run", LexicalFields(title: "Morning", body: "I was running along the lake before work.")),
    ]

    /// Searches the corpus held as extra documents of one search.
    static func search(_ query: String, k: Int = 10, corpus: [(id: String, fields: LexicalFields)] = corpus) -> [(id: String, score: Float, matched: [String])] {
        var search = LexicalSearch(base: nil, hidden: nil, delta: [])
        return search.search(query, k: k, allowedBase: nil, allowedDelta: [], extra: corpus.map { LexicalDocument(fields: $0.fields) })
            .map { (corpus[$0.document].id, $0.score, $0.matchedTerms) }
    }

    @Test func findsTheOnlyDocumentWithARareWord() {
        let hits = Self.search("penicillin")
        #expect(hits.map(\.id) == ["allergy"])
        #expect(hits[0].matched == ["penicillin"])
    }

    @Test func termFrequencyAndTitlesRank() {
        #expect(Self.search("alps").map(\.id) == ["alps", "coffee"])
        // "coffee" in the title (boosted) beats "coffee" once in a body of similar length.
        #expect(Self.search("coffee").map(\.id) == ["coffee", "cafe"])
        // Stemming and accent folding meet: "runs" finds "running", "cafe" finds "café".
        #expect(Self.search("runs").map(\.id) == ["run"])
        #expect(Self.search("CAFE").map(\.id) == ["cafe"])
        // A document matching two query words beats documents matching one.
        #expect(Self.search("Maria Alps").first?.id == "coffee")
        #expect(Self.search("Maria Alps").first?.matched == ["maria", "alp"])
    }

    @Test func stopWordsAndUnknownWordsMatchNothing() {
        #expect(Self.search("the and of").isEmpty)
        #expect(Self.search("zeppelin").isEmpty)
        #expect(Self.search("alps", k: 0).isEmpty)
        #expect(Self.search("alps", corpus: []).isEmpty)
        #expect(Self.search("alps", k: 1).map(\.id) == ["alps"])
    }

    @Test("a document's frequency of a term, by binary search over its sorted terms")
    func frequencyLookup() {
        let document = LexicalDocument(fields: LexicalFields(title: "Alps", body: "alps hiking lake"))
        #expect(document.frequency(of: "alp") == 3)
        #expect(document.frequency(of: "lake") == 1)
        #expect(document.frequency(of: "zeppelin") == nil)
        #expect(document.frequency(of: "") == nil)
    }
}
