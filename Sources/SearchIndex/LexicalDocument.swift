/// One document as BM25 sees it: its distinct analyzed terms with their field-weighted
/// frequencies, and its weighted length (see ``BM25`` for the weights).
public struct LexicalDocument: Sendable, Equatable {
    /// Distinct terms, sorted by their UTF-8 bytes.
    public private(set) var terms: [String]
    /// The weighted frequency of each term, parallel to ``terms``.
    public private(set) var frequencies: [Float]
    /// The weighted number of terms.
    public private(set) var length: Float

    /// Analyzes the fields of one entry.
    /// - Complexity: O(t log t) for t terms.
    public init(fields: LexicalFields) {
        var tf: [String: Float] = [:]
        var length: Float = 0
        func count(_ text: String, _ weight: Float) {
            Analyzer.forEachTerm(text) { term in
                tf[term, default: 0] += weight
                length += weight
            }
        }
        count(fields.title, BM25.titleWeight)
        count(fields.body, 1)
        for tag in fields.tags { count(tag, BM25.tagWeight) }
        for mention in fields.mentions { count(mention, BM25.mentionWeight) }
        let sorted = tf.sorted { Self.precedes($0.key, $1.key) }
        self.init(terms: sorted.map(\.key), frequencies: sorted.map(\.value), length: length)
    }

    /// A document from stored parts (``IndexState`` reads them back).
    init(terms: [String], frequencies: [Float], length: Float) {
        self.terms = terms
        self.frequencies = frequencies
        self.length = length
    }

    /// The weighted frequency of `term`, or nil when the document does not contain it.
    /// - Complexity: O(log t).
    public func frequency(of term: String) -> Float? {
        var lo = 0, hi = terms.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if Self.precedes(terms[mid], term) { lo = mid + 1 } else { hi = mid }
        }
        return lo < terms.count && terms[lo] == term ? frequencies[lo] : nil
    }

    /// Whether `a` sorts before `b` by UTF-8 bytes, the order of the postings file's dictionary.
    static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
