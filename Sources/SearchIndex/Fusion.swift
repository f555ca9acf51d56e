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
    /// The memories next to it in its file on the same day (a conversation's other turns), each
    /// with its distance in memories (negative: before it). Each should be a candidate too.
    public var neighbours: [FusionNeighbour]
    /// Whether neither half listed it: it is a candidate only as a neighbour of one that was.
    public var pulled: Bool
    /// Its weighted number of analyzed terms, as BM25 counts them (nil: unknown).
    public var length: Float?

    public init(
        id: String, lexical: Float?, cosine: Float?, matchedTerms: Int = 0, date: Date? = nil,
        neighbours: [FusionNeighbour] = [], pulled: Bool = false, length: Float? = nil
    ) {
        self.length = length
        self.id = id
        self.lexical = lexical
        self.cosine = cosine
        self.matchedTerms = matchedTerms
        self.date = date
        self.neighbours = neighbours
        self.pulled = pulled
    }
}

/// A memory next to a candidate in the same file and on the same day.
public struct FusionNeighbour: Sendable, Equatable {
    public var id: String
    /// Its place relative to the candidate, in memories of the file: -1 the one before, 1 the one after.
    public var distance: Int
    /// Seconds between the two memories' dates (nil when either has none).
    public var seconds: Double?

    public init(id: String, distance: Int, seconds: Double? = nil) {
        self.id = id
        self.distance = distance
        self.seconds = seconds
    }
}

/// Hybrid ranking: a convex combination of the two halves' scores, each min-max normalised
/// over the candidate list, with the weight of the dense half chosen per query, then raised by
/// the scores of each memory's neighbours in its conversation.
///
/// The weights live here and nowhere else. They were chosen on one half of the questions of
/// the evaluation sets and reported on the other (docs/index.md, "Fusion"; `memvault-bench eval --tune`):
/// - normalisation: min-max of each half over the union of both candidate lists (a memory
///   missing from the lexical list scores 0 there; one without a vector 0 on the dense side);
/// - the dense weight is ``semanticWeight`` when the best lexical candidate matches every
///   analyzed query term, ``semanticWeightPartial`` when it matches only some (the lexical half
///   is then less sure), and 1 when nothing matches lexically;
/// - BM25 is scaled by the share of the query's terms a memory matches (``coverageExponent``);
/// - ``context``: a memory gains a share of the best fused score among its neighbours (the
///   memories next to it in its file on the same day), so the reply next to the turn a question
///   matches ranks with it.
public struct Fusion: Sendable, Equatable {
    /// Dense weight when the best lexical candidate matches all query terms.
    public var semanticWeight: Float
    /// Dense weight when the best lexical candidate matches only some query terms.
    public var semanticWeightPartial: Float
    /// Exponent of the matched share of query terms that scales the BM25 part (0: no scaling).
    public var coverageExponent: Float
    /// Whether BM25 is normalised min-max over the lexical candidates (else divided by the best).
    public var lexicalMinMax: Bool
    /// How neighbours in a conversation lend each other their scores.
    public var context: Context

    /// Conversation context at ranking time: what a memory's neighbours add to its score, and
    /// what a short turn of a conversation loses.
    public struct Context: Sendable, Equatable {
        /// Share of the best neighbour's fused score added to a memory's own (0: none).
        public var weight: Float
        /// How far a neighbour may be, in memories before or after.
        public var reach: Int
        /// Neighbours further apart in time neither lend a score nor make a memory a turn of a
        /// conversation (nil: any time that day).
        public var maxSeconds: Double?
        /// Whether a neighbour that neither half listed may be returned (``FusionCandidate/pulled``).
        public var pull: Bool
        /// A turn (a memory with a neighbour right before or after it within ``maxSeconds``)
        /// shorter than this many weighted terms is discounted ...
        public var shortLength: Float
        /// ... by this much times the share of terms it lacks: (shortLength - length) / shortLength.
        public var shortPenalty: Float

        public init(weight: Float, reach: Int, maxSeconds: Double? = nil, pull: Bool, shortLength: Float = 0, shortPenalty: Float = 0) {
            self.weight = weight
            self.reach = reach
            self.maxSeconds = maxSeconds
            self.pull = pull
            self.shortLength = shortLength
            self.shortPenalty = shortPenalty
        }

        /// No context: each memory ranks by its own scores.
        public static let none = Context(weight: 0, reach: 0, pull: false)

        /// Whether this context looks at neighbours at all.
        public var isActive: Bool { reach > 0 && (weight > 0 || pull || (shortPenalty > 0 && shortLength > 0)) }

        /// Whether a neighbour is close enough in time.
        func isNear(_ neighbour: FusionNeighbour) -> Bool {
            guard let maxSeconds else { return true }
            guard let seconds = neighbour.seconds else { return false }
            return seconds <= maxSeconds
        }

        /// What a candidate's own score loses for being a short turn of a conversation.
        func discount(_ candidate: FusionCandidate) -> Float {
            guard shortPenalty > 0, let length = candidate.length, length < shortLength,
                  candidate.neighbours.contains(where: { abs($0.distance) == 1 && isNear($0) })
            else { return 0 }
            return shortPenalty * (shortLength - length) / shortLength
        }
    }

    public init(
        semanticWeight: Float, semanticWeightPartial: Float, coverageExponent: Float, lexicalMinMax: Bool,
        context: Context = .none
    ) {
        self.semanticWeight = semanticWeight
        self.semanticWeightPartial = semanticWeightPartial
        self.coverageExponent = coverageExponent
        self.lexicalMinMax = lexicalMinMax
        self.context = context
    }

    /// The fusion every hybrid search uses (plain and encrypted tiers alike), chosen by
    /// `memvault-bench eval --tune` on the even-numbered questions of both evaluation sets
    /// (docs/benchmarks.md, "Conversation context at ranking time").
    public static let standard = Fusion(
        semanticWeight: 0.55, semanticWeightPartial: 0.45, coverageExponent: 1, lexicalMinMax: false,
        context: Context(weight: 0.2, reach: 2, maxSeconds: 1800, pull: true, shortLength: 4, shortPenalty: 1))

    /// How far apart (in memories) the search must look for neighbours for this fusion.
    public var neighbourReach: Int { context.isActive ? context.reach : 0 }

    /// The dense weight for one query's candidates.
    public func denseWeight(_ candidates: [FusionCandidate], queryTerms: Int) -> Float {
        let bestLexical = candidates.filter { $0.lexical != nil }.max { ($0.lexical!, $1.id) < ($1.lexical!, $0.id) }
        guard let bestLexical else { return 1 }
        return bestLexical.matchedTerms >= queryTerms ? semanticWeight : semanticWeightPartial
    }

    /// The fused score of every candidate, best first; equal scores newest first, then by id.
    /// Normalisation and the dense weight use the listed candidates only (not the pulled ones).
    /// - Parameter queryTerms: the number of distinct analyzed terms of the query.
    /// - Complexity: O(n log n + e) for n candidates with e neighbours in all.
    public func rank(_ candidates: [FusionCandidate], queryTerms: Int, k: Int) -> [(id: String, score: Float)] {
        guard k > 0, !candidates.isEmpty else { return [] }
        let listed = candidates.filter { !$0.pulled }
        let w = denseWeight(listed, queryTerms: queryTerms)
        let lexical = listed.compactMap(\.lexical)
        let cosines = listed.compactMap(\.cosine)
        let (lexMin, lexMax) = (lexical.min() ?? 0, lexical.max() ?? 0)
        let (cosMin, cosMax) = (cosines.min() ?? 0, cosines.max() ?? 0)
        func normalised(_ x: Float?, _ lo: Float, _ hi: Float) -> Float {
            guard let x else { return 0 }
            return hi > lo ? max(0, (x - lo) / (hi - lo)) : 1
        }
        let usesContext = context.isActive
        var own: [String: Float] = [:]
        own.reserveCapacity(candidates.count)
        for c in candidates where !c.pulled || usesContext {
            var lex = normalised(c.lexical, lexicalMinMax ? lexMin : 0, lexMax)
            if coverageExponent != 0, queryTerms > 0 {
                lex *= pow(Float(min(c.matchedTerms, queryTerms)) / Float(queryTerms), coverageExponent)
            }
            let dense = normalised(c.cosine, cosMin, cosMax)
            own[c.id] = w * dense + (1 - w) * lex
        }
        var scored: [(id: String, score: Float, date: Date)] = []
        scored.reserveCapacity(candidates.count)
        for c in candidates where !c.pulled || (usesContext && context.pull) {
            var score = own[c.id]!
            if usesContext {
                score -= context.discount(c)
                var lent: Float = 0
                if context.weight > 0 {
                    for n in c.neighbours where abs(n.distance) <= context.reach && context.isNear(n) {
                        if let theirs = own[n.id] { lent = max(lent, theirs) }
                    }
                }
                score += context.weight * lent
            }
            scored.append((c.id, score, c.date ?? .distantPast))
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
