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
}
