import Foundation

/// The text of one entry, by field, for the lexical index.
public struct LexicalFields: Sendable {
    public var title: String
    public var body: String
    public var tags: [String]
    public var mentions: [String]

    public init(title: String = "", body: String, tags: [String] = [], mentions: [String] = []) {
        self.title = title
        self.body = body
        self.tags = tags
        self.mentions = mentions
    }
}

/// Lexical index: BM25 over title, body, tags and mentions.
///
/// Fields are merged BM25F-style: a term's frequency in a document is the weighted
/// sum of its frequencies in the fields (title, tags and mentions count twice,
/// the body once), and so is the document length. Scores use k1 = 1.2, b = 0.75
/// and idf = ln(1 + (N − df + 0.5) / (df + 0.5)).
public struct LexicalIndex: Sendable {
    static let k1: Float = 1.2
    static let b: Float = 0.75
    static let titleWeight: Float = 2
    static let tagWeight: Float = 2
    static let mentionWeight: Float = 2

    struct Posting: Sendable {
        var doc: UInt32
        var tf: Float
    }

    private var termIDs: [String: UInt32] = [:]
    private var terms: [String] = []
    /// Per term, sorted by document number (documents are only ever appended).
    private var postings: [[Posting]] = []
    /// Per document number; "" for a removed document.
    private var docIDs: [String] = []
    private var docNumbers: [String: UInt32] = [:]
    private var docLengths: [Float] = []
    /// The distinct terms of each document, to remove it again.
    private var docTerms: [[UInt32]] = []
    private var totalLength: Double = 0

    /// An empty index.
    public init() {}

    /// Number of documents.
    public var count: Int { docNumbers.count }

    /// Whether a document with this id is indexed.
    public func contains(id: String) -> Bool { docNumbers[id] != nil }

    /// Indexes one document, replacing any earlier one with the same id.
    /// - Complexity: O(t) for t terms, plus the removal of an earlier version.
    public mutating func add(id: String, fields: LexicalFields) {
        remove(id: id)
        let document = LexicalDocument(fields: fields)
        let length = document.length

        let doc = UInt32(docIDs.count)
        docIDs.append(id)
        docNumbers[id] = doc
        docLengths.append(length)
        totalLength += Double(length)
        var distinct: [UInt32] = []
        distinct.reserveCapacity(document.terms.count)
        for (term, frequency) in zip(document.terms, document.frequencies) {
            let t: UInt32
            if let existing = termIDs[term] {
                t = existing
            } else {
                t = UInt32(terms.count)
                termIDs[term] = t
                terms.append(term)
                postings.append([])
            }
            postings[Int(t)].append(Posting(doc: doc, tf: frequency))
            distinct.append(t)
        }
        docTerms.append(distinct)
    }

    /// Removes the document with this id, if any.
    /// - Complexity: O(t·p) for its t terms with postings lists of length p.
    public mutating func remove(id: String) {
        guard let doc = docNumbers.removeValue(forKey: id) else { return }
        for t in docTerms[Int(doc)] {
            let list = postings[Int(t)]
            var lo = 0, hi = list.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if list[mid].doc < doc { lo = mid + 1 } else { hi = mid }
            }
            if lo < list.count && list[lo].doc == doc { postings[Int(t)].remove(at: lo) }
        }
        totalLength -= Double(docLengths[Int(doc)])
        docIDs[Int(doc)] = ""
        docLengths[Int(doc)] = 0
        docTerms[Int(doc)] = []
    }

    /// The best documents for `query` by BM25.
    ///
    /// - Parameters:
    ///   - query: free text, analyzed like the documents.
    ///   - k: how many results at most.
    ///   - allowed: the filter (nil: all documents), called once per matching document.
    /// - Returns: best first (equal scores in indexing order), each with the analyzed
    ///   query terms it contains.
    /// - Complexity: O(Σ postings of the query terms + m log k) for m matching documents.
    public func search(_ query: String, k: Int, allowed: ((String) -> Bool)?) -> [(id: String, score: Float, matchedTerms: [String])] {
        guard k > 0, count > 0 else { return [] }
        var queryTerms: [String] = []
        for term in Analyzer.terms(query) where !queryTerms.contains(term) && termIDs[term] != nil {
            queryTerms.append(term)
        }
        guard !queryTerms.isEmpty else { return [] }
        let n = Float(count)
        let averageLength = Float(totalLength / Double(count))
        var scores = [Float](repeating: 0, count: docIDs.count)
        var matched = [UInt64](repeating: 0, count: docIDs.count)
        var touched: [UInt32] = []
        for (qi, term) in queryTerms.enumerated() {
            let list = postings[Int(termIDs[term]!)]
            guard !list.isEmpty else { continue }
            let df = Float(list.count)
            let idf = Float(log(Double(1 + (n - df + 0.5) / (df + 0.5))))
            let bit: UInt64 = qi < 64 ? 1 << UInt64(qi) : 0
            scores.withUnsafeMutableBufferPointer { scores in
                matched.withUnsafeMutableBufferPointer { matched in
                    docLengths.withUnsafeBufferPointer { lengths in
                        for p in list {
                            let d = Int(p.doc)
                            let norm = Self.k1 * (1 - Self.b + Self.b * lengths[d] / averageLength)
                            if matched[d] == 0 && scores[d] == 0 { touched.append(p.doc) }
                            scores[d] += idf * p.tf * (Self.k1 + 1) / (p.tf + norm)
                            matched[d] |= bit
                        }
                    }
                }
            }
        }
        var best = TopK(capacity: k)
        for d in touched {
            if let allowed, !allowed(docIDs[Int(d)]) { continue }
            best.offer(score: scores[Int(d)], index: Int(d))
        }
        return best.sorted().map { hit in
            let bits = matched[hit.index]
            let words = queryTerms.enumerated().filter { $0.offset < 64 && bits & (1 << UInt64($0.offset)) != 0 }.map(\.element)
            return (docIDs[hit.index], hit.score, words)
        }
    }
}

/// The k best (score, index) pairs; equal scores prefer the smaller index.
struct TopK {
    private var heap: [(score: Float, index: Int)] = []
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// Whether a is worse than b.
    @inline(__always)
    private static func worse(_ a: (score: Float, index: Int), _ b: (score: Float, index: Int)) -> Bool {
        a.score != b.score ? a.score < b.score : a.index > b.index
    }

    mutating func offer(score: Float, index: Int) {
        let item = (score: score, index: index)
        if heap.count < capacity {
            heap.append(item)
            var i = heap.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                if !Self.worse(heap[i], heap[parent]) { break }
                heap.swapAt(parent, i)
                i = parent
            }
        } else if let root = heap.first, Self.worse(root, item) {
            heap[0] = item
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count && Self.worse(heap[l], heap[m]) { m = l }
                if r < heap.count && Self.worse(heap[r], heap[m]) { m = r }
                if m == i { break }
                heap.swapAt(i, m)
                i = m
            }
        }
    }

    /// Best first.
    func sorted() -> [(score: Float, index: Int)] { heap.sorted { Self.worse($1, $0) } }
}
