import Foundation

/// The base lexical index of a vault, memory-mapped and read in place: a query touches
/// only the dictionary entries and postings of its own terms.
///
/// Documents are numbered like the rows of the ``EntryTable`` written with it. Changes
/// since the file was written live in ``IndexState`` (hidden rows and new documents);
/// ``LexicalSearch`` scores both together.
///
/// File layout (little-endian; see docs/index.md):
///
/// | offset | size | field |
/// | --- | --- | --- |
/// | 0 | 32 | ``SidecarHeader``, magic `MVPOSTNG`, version 1 |
/// | 32 | 8 | generation |
/// | 40 | 4 | document count n |
/// | 44 | 4 | term count t |
/// | 48 | 8 | total weighted length of all documents (Double) |
/// | 56 | 4×8 | offsets of the lengths, terms, term text and postings sections |
/// | lengths | n·4 | weighted length of each document (Float) |
/// | terms | t·16 | per term, sorted by UTF-8 bytes: text offset, text length, first posting, posting count |
/// | term text | | the terms' UTF-8 bytes |
/// | postings | p·8 | per posting: document (UInt32), weighted frequency (Float), by term, then document |
///
/// `@unchecked Sendable`: immutable after init over a read-only mapping.
public final class PostingsFile: @unchecked Sendable {
    static let magic = Array("MVPOSTNG".utf8)
    static let version: UInt32 = 1

    /// The generation the file was written for (matches its ``EntryTable``).
    public let generation: UInt64
    /// Number of documents.
    public let documentCount: Int
    /// Sum of all documents' weighted lengths.
    public let totalLength: Double

    private let file: MappedFile
    private let termCount: Int
    private let lengths: UnsafeRawPointer
    private let terms: UnsafeRawPointer
    private let text: UnsafeRawBufferPointer
    private let postings: UnsafeRawPointer
    private let postingCount: Int

    /// Maps and validates a postings file.
    /// - Throws: `IndexError`: `.io`, `.corrupt` (bad magic, length, checksum or section
    ///   table) or `.versionMismatch`.
    /// - Complexity: O(file size) for the checksum; nothing is deserialized.
    public convenience init(contentsOf url: URL) throws(IndexError) {
        try self.init(file: MappedFile(url))
    }

    /// Reads a postings file from bytes in memory (the fuzz targets), like ``init(contentsOf:)``.
    package convenience init(bytes: [UInt8]) throws(IndexError) {
        try self.init(file: MappedFile(copying: bytes, path: "<postings bytes>"))
    }

    init(file: MappedFile) throws(IndexError) {
        var r = try MappedFile.verifiedSidecar(file, magic: Self.magic, version: Self.version)
        let bytes = file.bytes
        let path = file.path
        generation = try r.u64()
        let n = Int(try r.u32())
        let t = Int(try r.u32())
        totalLength = try r.f64()
        let offsets = try r.sectionOffsets(4)
        let postingBytes = bytes.count - offsets[3]
        guard offsets[0] + n * 4 <= offsets[1], offsets[1] + t * 16 <= offsets[2], offsets[2] <= offsets[3],
              postingBytes % 8 == 0
        else { throw IndexError(.corrupt, path: path, "section table does not match \(n) documents and \(t) terms") }
        let base = bytes.baseAddress!
        self.file = file
        documentCount = n
        termCount = t
        lengths = base + offsets[0]
        terms = base + offsets[1]
        text = UnsafeRawBufferPointer(rebasing: bytes[offsets[2]..<offsets[3]])
        postings = base + offsets[3]
        postingCount = postingBytes / 8
        // Every term's postings must lie inside the file and name real documents; checked
        // lazily per term in ``postings(of:)``, so opening stays O(1) beyond the checksum.
    }

    /// The weighted length of document `doc`, or nil past the last document.
    public func weightedLength(_ doc: Int) -> Float? {
        doc >= 0 && doc < documentCount ? length(doc) : nil
    }

    /// The weighted length of document `doc`.
    @inline(__always)
    func length(_ doc: Int) -> Float {
        Float(bitPattern: UInt32(littleEndian: lengths.loadUnaligned(fromByteOffset: doc * 4, as: UInt32.self)))
    }

    private func termField(_ i: Int, _ field: Int) -> Int {
        Int(UInt32(littleEndian: terms.loadUnaligned(fromByteOffset: i * 16 + field * 4, as: UInt32.self)))
    }

    private func termText(_ i: Int) -> UnsafeRawBufferPointer? {
        let start = termField(i, 0), count = termField(i, 1)
        guard start <= text.count, count <= text.count - start else { return nil }
        return UnsafeRawBufferPointer(rebasing: text[start..<start + count])
    }

    /// The postings of `term` as (first posting, count), or nil if the term is absent.
    /// - Complexity: O(log t) byte comparisons.
    func postings(of term: String) -> Range<Int>? {
        var term = term
        return term.withUTF8 { key -> Range<Int>? in
            var lo = 0, hi = termCount
            while lo < hi {
                let mid = (lo + hi) / 2
                guard let stored = termText(mid) else { return nil }
                let order = Self.compare(stored, UnsafeRawBufferPointer(key))
                if order == 0 {
                    let first = termField(mid, 2), count = termField(mid, 3)
                    guard first <= postingCount, count <= postingCount - first else { return nil }
                    return first..<first + count
                }
                if order < 0 { lo = mid + 1 } else { hi = mid }
            }
            return nil
        }
    }

    /// Posting `i`: its document (range-checked against the document count) and weighted frequency.
    @inline(__always)
    func posting(_ i: Int) -> (doc: Int, tf: Float) {
        let doc = Int(UInt32(littleEndian: postings.loadUnaligned(fromByteOffset: i * 8, as: UInt32.self)))
        let tf = Float(bitPattern: UInt32(littleEndian: postings.loadUnaligned(fromByteOffset: i * 8 + 4, as: UInt32.self)))
        return (doc < documentCount ? doc : -1, tf)
    }

    static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let n = min(a.count, b.count)
        if n > 0 {
            let c = memcmp(a.baseAddress!, b.baseAddress!, n)
            if c != 0 { return Int(c) }
        }
        return a.count - b.count
    }

    /// Calls `body` with every term and its postings, for merging into a new file.
    func forEachTerm(_ body: (String, Range<Int>) -> Void) {
        for i in 0..<termCount {
            guard let bytes = termText(i) else { continue }
            let first = termField(i, 2), count = termField(i, 3)
            guard first <= postingCount, count <= postingCount - first else { continue }
            body(String(decoding: bytes, as: UTF8.self), first..<first + count)
        }
    }

    /// Writes a new postings file: the documents of `base` that `keep` maps to a new number
    /// (in increasing order), then `appended`, numbered after them.
    ///
    /// - Parameters:
    ///   - url: where the file goes, written crash-safely.
    ///   - generation: recorded in the file, to match its entry table.
    ///   - base: the current file, or nil.
    ///   - keep: for each document of `base`, its new number, or -1 to drop it; kept
    ///     documents must keep their relative order.
    ///   - appended: new documents, numbered from the count of kept ones.
    /// - Throws: `IndexError` of kind `.io`.
    /// - Complexity: O(p log t) for p postings and t terms.
    public static func write(
        to url: URL, generation: UInt64, base: PostingsFile?, keep: [Int32], appended: [LexicalDocument]
    ) throws(IndexError) {
        var lists: [String: [(UInt32, Float)]] = [:]
        var lengths: [Float] = []
        if let base {
            for doc in 0..<base.documentCount where keep[doc] >= 0 { lengths.append(base.length(doc)) }
            lists.reserveCapacity(base.termCount)
            base.forEachTerm { term, range in
                var list: [(UInt32, Float)] = []
                for i in range {
                    let p = base.posting(i)
                    if p.doc >= 0, keep[p.doc] >= 0 { list.append((UInt32(keep[p.doc]), p.tf)) }
                }
                if !list.isEmpty { lists[term] = list }
            }
        }
        for document in appended {
            let doc = UInt32(lengths.count)
            lengths.append(document.length)
            for (term, tf) in zip(document.terms, document.frequencies) { lists[term, default: []].append((doc, tf)) }
        }
        let sortedTerms = lists.keys.sorted(by: LexicalDocument.precedes)
        var head = BinaryWriter(capacity: 96)
        head.bytes = [UInt8](repeating: 0, count: SidecarHeader.size)
        head.u64(generation)
        head.u32(UInt32(lengths.count))
        head.u32(UInt32(sortedTerms.count))
        head.f64(lengths.reduce(0.0) { $0 + Double($1) })
        var body = BinaryWriter(capacity: lengths.count * 4 + sortedTerms.count * 16)
        var termTable = BinaryWriter(capacity: sortedTerms.count * 16)
        var text = BinaryWriter(capacity: sortedTerms.count * 8)
        var postings = BinaryWriter(capacity: lists.values.reduce(0) { $0 + $1.count } * 8)
        for length in lengths { body.f32(length) }
        for term in sortedTerms {
            let list = lists[term]!
            termTable.u32(UInt32(text.bytes.count))
            termTable.u32(UInt32(term.utf8.count))
            termTable.u32(UInt32(postings.bytes.count / 8))
            termTable.u32(UInt32(list.count))
            text.bytes.append(contentsOf: term.utf8)
            for (doc, tf) in list {
                postings.u32(doc)
                postings.f32(tf)
            }
        }
        let lengthsOffset = SidecarHeader.size + 56
        let termsOffset = lengthsOffset + body.bytes.count
        let textOffset = termsOffset + termTable.bytes.count
        var postingsOffset = textOffset + text.bytes.count
        postingsOffset = (postingsOffset + 7) / 8 * 8
        for offset in [lengthsOffset, termsOffset, textOffset, postingsOffset] { head.u64(UInt64(offset)) }
        precondition(head.bytes.count == lengthsOffset)
        var bytes = head.bytes
        bytes.reserveCapacity(postingsOffset + postings.bytes.count)
        bytes += body.bytes
        bytes += termTable.bytes
        bytes += text.bytes
        bytes += [UInt8](repeating: 0, count: postingsOffset - bytes.count)
        bytes += postings.bytes
        SidecarHeader.fillHeader(&bytes, magic: magic, version: version)
        try SidecarFile.write(bytes, to: url)
    }
}

/// BM25 over a mapped base (``PostingsFile``) with some of its documents hidden, plus
/// documents added since (in memory), scored as one collection.
///
/// N and the average length count live documents only, and a term's document frequency
/// counts its live postings, so the scores do not depend on how the live documents are split
/// between the base and the delta. Documents that live elsewhere (the decrypted entries of
/// encrypted tiers) join a single search as `extra` documents and are scored in the same
/// collection, so their scores compare with the others'.
public struct LexicalSearch {
    /// The base, or nil.
    public var base: PostingsFile?
    /// Base documents that are no longer live (changed or deleted), one bit each; nil: none.
    public var hidden: RowSet?
    /// Documents added since the base was written.
    public var delta: [LexicalDocument]
    /// Per term, the delta documents containing it with their frequency; built on first use.
    private var deltaPostings: [String: [(doc: Int, tf: Float)]]?

    public init(base: PostingsFile?, hidden: RowSet?, delta: [LexicalDocument]) {
        self.base = base
        self.hidden = hidden
        self.delta = delta
    }

    /// One result: a document (base number, or base count + delta index) and its score.
    public struct Hit: Sendable {
        public var document: Int
        public var score: Float
        /// Analyzed query terms the document contains.
        public var matchedTerms: [String]
    }

    /// The best documents for `query`.
    ///
    /// - Parameters:
    ///   - query: free text, analyzed like the documents.
    ///   - k: how many results at most.
    ///   - allowedBase: base documents that may be returned, one bit each (nil: all live ones).
    ///   - allowedDelta: whether each delta document may be returned.
    ///   - extra: more documents for this search only, numbered after the delta, all allowed.
    /// - Returns: best first; equal scores by document number.
    /// - Complexity: O(Σ postings of the query's terms + m log k) for m matching documents;
    ///   only the query's dictionary entries and postings are read; O(e log t) for e extra
    ///   documents of t terms.
    public mutating func search(_ query: String, k: Int, allowedBase: RowSet?, allowedDelta: [Bool], extra: [LexicalDocument] = []) -> [Hit] {
        guard k > 0 else { return [] }
        if deltaPostings == nil {
            var lists: [String: [(doc: Int, tf: Float)]] = [:]
            for (d, document) in delta.enumerated() {
                for (term, tf) in zip(document.terms, document.frequencies) { lists[term, default: []].append((d, tf)) }
            }
            deltaPostings = lists
        }
        let baseCount = base?.documentCount ?? 0
        var liveBase = baseCount
        var total = base?.totalLength ?? 0
        if let hidden, let base {
            for doc in 0..<baseCount where hidden.contains(doc) {
                liveBase -= 1
                total -= Double(base.length(doc))
            }
        }
        for document in delta { total += Double(document.length) }
        for document in extra { total += Double(document.length) }
        let n = liveBase + delta.count + extra.count
        guard n > 0 else { return [] }
        var queryTerms: [(term: String, base: Range<Int>?, delta: [(doc: Int, tf: Float)])] = []
        for term in Analyzer.terms(query) where !queryTerms.contains(where: { $0.term == term }) {
            let range = base?.postings(of: term)
            var inDelta = deltaPostings![term] ?? []
            for (e, document) in extra.enumerated() {
                if let tf = document.frequency(of: term) { inDelta.append((delta.count + e, tf)) }
            }
            if (range?.isEmpty ?? true) && inDelta.isEmpty { continue }
            queryTerms.append((term, range, inDelta))
        }
        guard !queryTerms.isEmpty else { return [] }
        let averageLength = Float(total / Double(n))
        let k1 = BM25.k1, b = BM25.b
        let size = baseCount + delta.count + extra.count
        var scores = [Float](repeating: 0, count: size)
        var matched = [UInt64](repeating: 0, count: size)
        var touched: [Int] = []
        for (qi, query) in queryTerms.enumerated() {
            var df = query.delta.count
            if let range = query.base, let base {
                if let hidden {
                    for i in range {
                        let doc = base.posting(i).doc
                        if doc >= 0 && !hidden.contains(doc) { df += 1 }
                    }
                } else {
                    df += range.count
                }
            }
            guard df > 0 else { continue }
            let idf = Float(log(Double(1 + (Float(n) - Float(df) + 0.5) / (Float(df) + 0.5))))
            let bit: UInt64 = qi < 64 ? 1 << UInt64(qi) : 0
            scores.withUnsafeMutableBufferPointer { scores in
                matched.withUnsafeMutableBufferPointer { matched in
                    func add(_ d: Int, _ tf: Float, _ length: Float) {
                        let norm = k1 * (1 - b + b * length / averageLength)
                        if matched[d] == 0 && scores[d] == 0 { touched.append(d) }
                        scores[d] += idf * tf * (k1 + 1) / (tf + norm)
                        matched[d] |= bit
                    }
                    if let range = query.base, let base {
                        for i in range {
                            let p = base.posting(i)
                            guard p.doc >= 0 else { continue }
                            if let hidden, hidden.contains(p.doc) { continue }
                            add(p.doc, p.tf, base.length(p.doc))
                        }
                    }
                    for p in query.delta {
                        let length = p.doc < delta.count ? delta[p.doc].length : extra[p.doc - delta.count].length
                        add(baseCount + p.doc, p.tf, length)
                    }
                }
            }
        }
        var best = LargestElements<ScoredIndex>(capacity: k)
        for d in touched {
            if d < baseCount {
                if let allowedBase, !allowedBase.contains(d) { continue }
            } else if d - baseCount < delta.count && !allowedDelta[d - baseCount] {
                continue
            }
            best.offer(ScoredIndex(score: scores[d], index: d))
        }
        return best.sortedLargestFirst().map { hit in
            let bits = matched[hit.index]
            let words = queryTerms.enumerated().filter { $0.offset < 64 && bits & (1 << UInt64($0.offset)) != 0 }.map(\.element.term)
            return Hit(document: hit.index, score: hit.score, matchedTerms: words)
        }
    }
}
