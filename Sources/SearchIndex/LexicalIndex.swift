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
