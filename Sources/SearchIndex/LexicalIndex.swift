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
    static let magic = Array("MVLEXIDX".utf8)
    static let version: UInt32 = 1
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

    // MARK: Serialization

    /// The index as a sidecar file: header (magic `MVLEXIDX`, version, checksum), then
    /// the live documents (id, length, term numbers) and the terms with their postings.
    /// Removed documents are compacted away.
    /// - Complexity: O(size of the index).
    public func serialized() -> [UInt8] {
        var renumber = [UInt32](repeating: .max, count: docIDs.count)
        var live: UInt32 = 0
        for (d, id) in docIDs.enumerated() where !id.isEmpty {
            renumber[d] = live
            live += 1
        }
        var w = BinaryWriter(capacity: 64 + docIDs.count * 48 + postings.reduce(0) { $0 + $1.count } * 8)
        w.bytes = [UInt8](repeating: 0, count: SidecarHeader.size)
        w.u32(live)
        for (d, id) in docIDs.enumerated() where !id.isEmpty {
            w.string(id)
            w.f32(docLengths[d])
            w.u32(UInt32(docTerms[d].count))
            for t in docTerms[d] { w.u32(t) }
        }
        w.u32(UInt32(terms.count))
        for (t, term) in terms.enumerated() {
            w.string(term)
            w.u32(UInt32(postings[t].count))
            for p in postings[t] {
                w.u32(renumber[Int(p.doc)])
                w.f32(p.tf)
            }
        }
        var bytes = w.bytes
        SidecarHeader.seal(&bytes, magic: Self.magic, version: Self.version)
        return bytes
    }

    /// Writes the index to `url` crash-safely.
    /// - Throws: `IndexError` of kind `.io`.
    public func write(to url: URL) throws(IndexError) {
        try SidecarFile.write(serialized(), to: url)
    }

    /// Reads the index file at `url`.
    /// - Throws: `IndexError`: `.io`, `.corrupt` or `.versionMismatch`.
    public init(contentsOf url: URL) throws(IndexError) {
        let file = try MappedFile(url)
        self = try LexicalIndex(file.bytes, path: file.path)
    }

    /// Reads an index written by ``serialized()``.
    /// - Throws: `IndexError` of kind `.corrupt` or `.versionMismatch`, never traps.
    /// - Complexity: O(size of the index).
    public init(serialized bytes: [UInt8], path: String = "lexical index") throws(IndexError) {
        let result: Result<LexicalIndex, IndexError> = bytes.withUnsafeBytes { raw in
            Result { () throws(IndexError) in try LexicalIndex(raw, path: path) }
        }
        self = try result.get()
    }

    private init(_ raw: UnsafeRawBufferPointer, path: String) throws(IndexError) {
        try SidecarHeader.verify(raw, magic: Self.magic, version: Self.version, path: path)
        var r = BinaryReader(raw, offset: SidecarHeader.size, path: path)
        let docCount = try r.count(minBytesEach: 12)
        docIDs.reserveCapacity(docCount)
        docLengths.reserveCapacity(docCount)
        docTerms.reserveCapacity(docCount)
        docNumbers.reserveCapacity(docCount)
        for d in 0..<docCount {
            let id = try r.string()
            guard !id.isEmpty, docNumbers.updateValue(UInt32(d), forKey: id) == nil else { throw r.fail("empty or repeated id") }
            docIDs.append(id)
            let length = try r.f32()
            docLengths.append(length)
            totalLength += Double(length)
            let n = try r.count(minBytesEach: 4)
            docTerms.append(try r.u32Array(n))
        }
        let termCount = try r.count(minBytesEach: 8)
        terms.reserveCapacity(termCount)
        postings.reserveCapacity(termCount)
        termIDs.reserveCapacity(termCount)
        for t in 0..<termCount {
            let term = try r.string()
            guard termIDs.updateValue(UInt32(t), forKey: term) == nil else { throw r.fail("repeated term") }
            terms.append(term)
            let n = try r.count(minBytesEach: 8)
            // Pairs of (document, weighted tf) words, read in bulk and then checked.
            let words = try r.u32Array(2 * n)
            var list = [Posting]()
            list.reserveCapacity(n)
            var previous: Int64 = -1
            for i in 0..<n {
                let doc = words[2 * i]
                guard Int(doc) < docCount, Int64(doc) > previous else { throw r.fail("posting out of order") }
                previous = Int64(doc)
                list.append(Posting(doc: doc, tf: Float(bitPattern: words[2 * i + 1])))
            }
            postings.append(list)
        }
        for list in docTerms {
            for t in list where Int(t) >= termCount { throw r.fail("term number \(t) out of range") }
        }
        guard r.offset == raw.count else { throw r.fail("trailing bytes") }
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
