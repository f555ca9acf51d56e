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

    /// A conversation: the query "band live show Ines" (4 terms) matches the turn `lead` in every
    /// term; the reply after it ("Robin: Caribou never disappoint") shares no word with the query,
    /// so neither half listed it: it is a pulled neighbour with a low cosine. Five distractors
    /// match one term each.
    static func conversation(replySeconds: Double = 120) -> [FusionCandidate] {
        var candidates = [
            FusionCandidate(
                id: "lead", lexical: 8, cosine: 0.70, matchedTerms: 4,
                neighbours: [FusionNeighbour(id: "reply", distance: 1, seconds: replySeconds)], length: 6),
            FusionCandidate(
                id: "reply", lexical: nil, cosine: 0.20,
                neighbours: [FusionNeighbour(id: "lead", distance: -1, seconds: replySeconds)], pulled: true, length: 5),
        ]
        for i in 0..<5 {
            candidates.append(FusionCandidate(id: "other\(i)", lexical: 4, cosine: 0.5 + Float(i) * 0.01, matchedTerms: 1, length: 8))
        }
        return candidates
    }

    @Test("neighbour context: a reply with no query word ranks in the top 3 because the turn before it matches; without context, or further apart in time, it does not")
    func neighbourLendsScore() {
        let candidates = Self.conversation()
        let fusion = Fusion.standard
        #expect(fusion.context.weight > 0 && fusion.context.pull && fusion.neighbourReach >= 1)
        // Neither half lists the reply at all.
        #expect(!candidates.filter { !$0.pulled }.map(\.id).contains("reply"))
        let ranked = fusion.rank(candidates, queryTerms: 4, k: 3).map(\.id)
        #expect(ranked.first == "lead")
        #expect(ranked.contains("reply"))
        var without = fusion
        without.context = .none
        #expect(!without.rank(candidates, queryTerms: 4, k: 3).map(\.id).contains("reply"))
        #expect(!without.rank(candidates, queryTerms: 4, k: 10).map(\.id).contains("reply"), "a pulled candidate is never returned without context")
        // Two hours apart: not the same conversation.
        let apart = fusion.rank(Self.conversation(replySeconds: 7200), queryTerms: 4, k: 3).map(\.id)
        #expect(!apart.contains("reply"))
    }

    @Test("pulled neighbours do not move the normalisation of the listed candidates")
    func pulledOutsideNormalisation() {
        var fusion = Fusion.standard
        fusion.context = Fusion.Context(weight: 0, reach: 1, pull: true)
        let listed = Self.candidates
        let far = FusionCandidate(id: "pulled", lexical: nil, cosine: -0.5, pulled: true)
        let before = Dictionary(uniqueKeysWithValues: fusion.rank(listed, queryTerms: 3, k: 10).map { ($0.id, $0.score) })
        let after = fusion.rank(listed + [far], queryTerms: 3, k: 10)
        for (id, score) in after where id != "pulled" { #expect(score == before[id]) }
        // Its cosine is below every listed one: it scores 0 on the dense side, last.
        #expect(after.last?.id == "pulled" && after.last?.score == 0)
    }

    @Test("a short turn of a conversation is discounted by the share of terms it lacks; the same short memory standing alone is not")
    func shortTurnDiscount() {
        let fusion = Fusion.standard
        let context = fusion.context
        #expect(context.shortPenalty > 0 && context.shortLength > 1)
        let turn = FusionCandidate(
            id: "turn", lexical: 5, cosine: 0.6, matchedTerms: 2,
            neighbours: [FusionNeighbour(id: "elsewhere", distance: 1, seconds: 60)], length: 1)
        let alone = FusionCandidate(id: "alone", lexical: 5, cosine: 0.6, matchedTerms: 2, length: 1)
        // A day's other entry hours away does not make a memory a turn.
        let later = FusionCandidate(
            id: "later", lexical: 5, cosine: 0.6, matchedTerms: 2,
            neighbours: [FusionNeighbour(id: "elsewhere2", distance: 1, seconds: 5 * 3600)], length: 1)
        let long = FusionCandidate(
            id: "long", lexical: 5, cosine: 0.6, matchedTerms: 2,
            neighbours: [FusionNeighbour(id: "elsewhere3", distance: -1, seconds: 60)], length: context.shortLength)
        let scores = Dictionary(uniqueKeysWithValues: fusion.rank([turn, alone, later, long], queryTerms: 2, k: 10).map { ($0.id, $0.score) })
        let expected = context.shortPenalty * (context.shortLength - 1) / context.shortLength
        #expect(abs(scores["alone"]! - scores["turn"]! - expected) < 1e-5)
        #expect(scores["later"] == scores["alone"])
        #expect(scores["long"] == scores["alone"])
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
