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

/// The BM25 parameters of the lexical search (``LexicalSearch``, ``LexicalDocument``).
///
/// Fields are merged BM25F-style: a term's frequency in a document is the weighted
/// sum of its frequencies in the fields (title, tags and mentions count twice,
/// the body once), and so is the document length. Scores use k1 = 1.2, b = 0.75
/// and idf = ln(1 + (N − df + 0.5) / (df + 0.5)).
public enum BM25 {
    static let k1: Float = 1.2
    static let b: Float = 0.75
    static let titleWeight: Float = 2
    static let tagWeight: Float = 2
    static let mentionWeight: Float = 2
}

/// A scored document for ``LargestElements``: higher scores are larger; equal scores prefer the
/// smaller index (it is the larger element).
struct ScoredIndex: Comparable {
    var score: Float
    var index: Int

    static func < (a: ScoredIndex, b: ScoredIndex) -> Bool {
        a.score != b.score ? a.score < b.score : a.index > b.index
    }
}
