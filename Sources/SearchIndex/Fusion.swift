import Foundation

/// One memory a hybrid search may return, with what each half said about it.
public struct FusionCandidate: Sendable, Equatable {
    public var id: String
    /// BM25 score when the memory is in the lexical candidate list, else nil.
    public var lexical: Float?
    /// Cosine of the query with the memory's (best passage's) vector, nil without a vector.
    public var cosine: Float?
    /// How many distinct analyzed query terms the memory contains.
    public var matchedTerms: Int
    /// The memory's date, for ties (newer first).
    public var date: Date?

    public init(id: String, lexical: Float?, cosine: Float?, matchedTerms: Int = 0, date: Date? = nil) {
        self.id = id
        self.lexical = lexical
        self.cosine = cosine
        self.matchedTerms = matchedTerms
        self.date = date
    }
}

/// Hybrid ranking: a convex combination of the two halves' scores, each min-max normalised
/// over the candidate list, with the weight of the dense half chosen per query.
///
/// The weights live here and nowhere else. They were chosen on one half of the questions of
/// the evaluation sets and reported on the other (docs/search.md, `memvault-bench eval --tune`):
/// - normalisation: min-max of each half over the union of both candidate lists (a memory
///   missing from the lexical list scores 0 there; one without a vector 0 on the dense side);
/// - the dense weight is ``semanticWeight`` when the best lexical candidate matches every
///   analyzed query term, ``semanticWeightPartial`` when it matches only some (the lexical half
///   is then less sure), and 1 when nothing matches lexically;
/// - BM25 is scaled by the share of the query's terms a memory matches (``coverageExponent``).
public struct Fusion: Sendable, Equatable {
    /// Dense weight when the best lexical candidate matches all query terms.
    public var semanticWeight: Float
    /// Dense weight when the best lexical candidate matches only some query terms.
    public var semanticWeightPartial: Float
    /// Exponent of the matched share of query terms that scales the BM25 part (0: no scaling).
    public var coverageExponent: Float
    /// Whether BM25 is normalised min-max over the lexical candidates (else divided by the best).
    public var lexicalMinMax: Bool

    public init(semanticWeight: Float, semanticWeightPartial: Float, coverageExponent: Float, lexicalMinMax: Bool) {
        self.semanticWeight = semanticWeight
        self.semanticWeightPartial = semanticWeightPartial
        self.coverageExponent = coverageExponent
        self.lexicalMinMax = lexicalMinMax
    }

    /// The fusion every hybrid search uses (plain and encrypted tiers alike).
    public static let standard = Fusion(semanticWeight: 0.5, semanticWeightPartial: 0.6, coverageExponent: 1, lexicalMinMax: false)

    /// The dense weight for one query's candidates.
    public func denseWeight(_ candidates: [FusionCandidate], queryTerms: Int) -> Float {
        let bestLexical = candidates.filter { $0.lexical != nil }.max { ($0.lexical!, $1.id) < ($1.lexical!, $0.id) }
        guard let bestLexical else { return 1 }
        return bestLexical.matchedTerms >= queryTerms ? semanticWeight : semanticWeightPartial
    }

    /// The fused score of every candidate, best first; equal scores newest first, then by id.
    /// - Parameter queryTerms: the number of distinct analyzed terms of the query.
    /// - Complexity: O(n log n) for n candidates.
    public func rank(_ candidates: [FusionCandidate], queryTerms: Int, k: Int) -> [(id: String, score: Float)] {
        guard k > 0, !candidates.isEmpty else { return [] }
        let w = denseWeight(candidates, queryTerms: queryTerms)
        let lexical = candidates.compactMap(\.lexical)
        let cosines = candidates.compactMap(\.cosine)
        let (lexMin, lexMax) = (lexical.min() ?? 0, lexical.max() ?? 0)
        let (cosMin, cosMax) = (cosines.min() ?? 0, cosines.max() ?? 0)
        func normalised(_ x: Float?, _ lo: Float, _ hi: Float) -> Float {
            guard let x else { return 0 }
            return hi > lo ? (x - lo) / (hi - lo) : 1
        }
        var scored: [(id: String, score: Float, date: Date)] = []
        scored.reserveCapacity(candidates.count)
        for c in candidates {
            var lex = normalised(c.lexical, lexicalMinMax ? lexMin : 0, lexMax)
            if coverageExponent != 0, queryTerms > 0 {
                lex *= pow(Float(min(c.matchedTerms, queryTerms)) / Float(queryTerms), coverageExponent)
            }
            let dense = normalised(c.cosine, cosMin, cosMax)
            scored.append((c.id, w * dense + (1 - w) * lex, c.date ?? .distantPast))
        }
        scored.sort { a, b in
            if a.score != b.score { return a.score > b.score }
            if a.date != b.date { return a.date > b.date }
            return a.id < b.id
        }
        return scored.prefix(k).map { ($0.id, $0.score) }
    }
}

/// Dot products of embeddings.
public enum Vectors {
    /// The dot product of two vectors (the cosine when both have unit length), SIMD over whole
    /// blocks of 16 and scalar over the rest; vectors of different lengths use the shorter.
    public static func dot(_ a: [Float], _ b: [Float]) -> Float {
        let n = min(a.count, b.count)
        let whole = n / 16 * 16
        var sum: Float = 0
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                if whole > 0 { sum = VectorStore.dot(pa.baseAddress!, pb.baseAddress!, whole) }
                for i in whole..<n { sum += pa[i] * pb[i] }
            }
        }
        return sum
    }
}
