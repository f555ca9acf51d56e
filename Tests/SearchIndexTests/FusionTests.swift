import Foundation
import Testing
@testable import SearchIndex

@Suite("Hybrid fusion")
struct FusionTests {
    /// A tiny fixed set: the query "dentist appointment moved" (3 terms). The lexical half puts
    /// an unrelated note sharing the words first; the dense half puts a near-paraphrase about
    /// another appointment first; the answer is second in both.
    static let candidates = [
        FusionCandidate(id: "words", lexical: 9.0, cosine: 0.20, matchedTerms: 3),
        FusionCandidate(id: "answer", lexical: 7.5, cosine: 0.61, matchedTerms: 3),
        FusionCandidate(id: "meaning", lexical: nil, cosine: 0.64),
        FusionCandidate(id: "noise", lexical: 2.0, cosine: 0.30, matchedTerms: 1),
        FusionCandidate(id: "far", lexical: nil, cosine: 0.25),
    ]

    @Test("each half alone misses the answer at rank 1; the standard fusion finds it")
    func fusionBeatsEachHalf() {
        let fusion = Fusion.standard
        // The weights are a mix, not one half.
        #expect(fusion.semanticWeight > 0 && fusion.semanticWeight < 1)
        let byLexical = Self.candidates.filter { $0.lexical != nil }.sorted { $0.lexical! > $1.lexical! }.map(\.id)
        let byCosine = Self.candidates.sorted { $0.cosine! > $1.cosine! }.map(\.id)
        #expect(byLexical.first == "words")
        #expect(byCosine.first == "meaning")
        let fused = fusion.rank(Self.candidates, queryTerms: 3, k: 3)
        #expect(fused.first?.id == "answer")
        #expect(fused.count == 3)
    }

    @Test("nothing lexical: the dense order; equal scores go newest first, then by id")
    func denseOnlyAndTies() {
        let old = Date(timeIntervalSince1970: 0), new = Date(timeIntervalSince1970: 1000)
        let dense = [
            FusionCandidate(id: "b", lexical: nil, cosine: 0.5, date: old),
            FusionCandidate(id: "a", lexical: nil, cosine: 0.9, date: old),
            FusionCandidate(id: "c", lexical: nil, cosine: 0.5, date: new),
            FusionCandidate(id: "d", lexical: nil, cosine: 0.5, date: old),
        ]
        #expect(Fusion.standard.denseWeight(dense, queryTerms: 2) == 1)
        #expect(Fusion.standard.rank(dense, queryTerms: 2, k: 10).map(\.id) == ["a", "c", "b", "d"])
        #expect(Fusion.standard.rank(dense, queryTerms: 2, k: 0).isEmpty)
        #expect(Fusion.standard.rank([], queryTerms: 2, k: 5).isEmpty)
    }

    @Test("the dense weight depends on whether the best lexical candidate matches every query term")
    func queryDependentWeight() {
        let fusion = Fusion(semanticWeight: 0.3, semanticWeightPartial: 0.8, coverageExponent: 1, lexicalMinMax: false)
        let all = [FusionCandidate(id: "x", lexical: 3, cosine: 0.1, matchedTerms: 2)]
        let some = [FusionCandidate(id: "x", lexical: 3, cosine: 0.1, matchedTerms: 1)]
        #expect(fusion.denseWeight(all, queryTerms: 2) == 0.3)
        #expect(fusion.denseWeight(some, queryTerms: 2) == 0.8)
    }

    @Test("the SIMD dot product equals the scalar one, tails included")
    func dotProduct() {
        for n in [0, 1, 15, 16, 17, 384, 390] {
            let a = (0..<n).map { Float($0 % 7) - 3 }, b = (0..<n).map { Float($0 % 5) * 0.5 }
            let scalar = zip(a, b).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            #expect(abs(Vectors.dot(a, b) - scalar) < 1e-3, "n = \(n)")
        }
        #expect(Vectors.dot([1, 2, 3], [1, 1]) == 3)
    }
}
