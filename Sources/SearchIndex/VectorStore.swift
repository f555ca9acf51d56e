import Foundation

/// Dense vectors: a binary sidecar file, memory-mapped, searched exactly.
///
/// The file holds every vector twice: in full precision (fp32) and as an int8 copy
/// with a per-vector scale and error terms. A query scans the int8 copy on both
/// cores, bounds every row's exact score from below and above, and rescores in fp32
/// only the rows whose upper bound reaches the k-th best lower bound. The answer is
/// the same as a full fp32 scan; see ``search(_:k:allowed:)`` for the proof.
///
/// File layout (little-endian; sections 64-byte aligned; see docs/index.md):
///
/// | offset | size | field |
/// | --- | --- | --- |
/// | 0 | 32 | ``SidecarHeader``, magic `MVVECTOR`, version 1 |
/// | 32 | 4 | dimension d |
/// | 36 | 4 | row stride s (d rounded up to 16; padding is zero) |
/// | 40 | 8 | count n |
/// | 48 | 8×4 | offsets of the ids, fp32, int8 and bounds sections |
/// | 80 | 4 + m | model id, length-prefixed UTF-8 |
/// | ids | | n length-prefixed UTF-8 ids, then u32 r and r removed ids (see ``VectorIndex``) |
/// | fp32 | n·s·4 | vectors, row-major |
/// | int8 | n·s | codes, row-major |
/// | bounds | n·16 | per row: scale, residual bound, code norm bound, slack norm (4 × Float) |
///
/// `@unchecked Sendable`: every stored property is immutable after init and the
/// mapping is read-only, so any number of threads may search at once.
public final class VectorStore: @unchecked Sendable {
    static let magic = Array("MVVECTOR".utf8)
    static let version: UInt32 = 1

    /// Number of vectors.
    public let count: Int
    /// The id of each row, in row order.
    public let ids: [String]
    /// Ids this file removes from the base file under it (only in a ``VectorIndex`` delta).
    public let removedIDs: [String]
    /// The embedding model the vectors came from.
    public let modelID: String
    /// Components per vector.
    public let dimension: Int

    let stride: Int
    private let file: MappedFile?
    private let fp32: UnsafePointer<Float>?
    private let int8: UnsafePointer<Int8>?
    /// Per row: scale, residual bound, code norm bound, slack norm.
    private let bounds: UnsafePointer<SIMD4<Float>>?

    /// Relative rounding slack of one fp32 dot product of length d (and of the
    /// approximate score), 2·(d + 4)·2⁻²⁴: the standard γ_d bound with margin.
    static func roundingSlack(dimension: Int) -> Float { Float(2 * (dimension + 4)) * 0x1p-24 }

    /// Writes a vector file, crash-safely (temporary file, fsync, rename).
    ///
    /// - Parameters:
    ///   - url: where the file goes; its directory must exist.
    ///   - modelID: the embedding model, checked again at load.
    ///   - dimension: components per vector.
    ///   - ids: one id per vector.
    ///   - vectors: `ids.count × dimension` floats, row-major. Non-finite components are stored as 0.
    ///   - removedIDs: for a ``VectorIndex`` delta, the base rows it deletes.
    /// - Throws: `IndexError` of kind `.io`.
    /// - Complexity: O(n·d); holds one file-sized buffer while writing.
    public static func create(
        at url: URL, modelID: String, dimension: Int, ids: [String], vectors: [Float], removedIDs: [String] = []
    ) throws(IndexError) {
        precondition(dimension > 0 && vectors.count == ids.count * dimension, "vectors must hold ids.count × dimension floats")
        let n = ids.count
        let stride = (dimension + 15) / 16 * 16
        var head = BinaryWriter(capacity: 128 + n * 32)
        head.bytes = [UInt8](repeating: 0, count: 80)
        head.string(modelID)
        head.pad(to: 64)
        let idsOffset = head.bytes.count
        for id in ids { head.string(id) }
        head.u32(UInt32(removedIDs.count))
        for id in removedIDs { head.string(id) }
        head.pad(to: 64)
        let fp32Offset = head.bytes.count
        let int8Offset = fp32Offset + n * stride * 4
        let boundsOffset = (int8Offset + n * stride + 63) / 64 * 64
        let length = boundsOffset + n * 16

        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: length, alignment: 64)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        head.bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
        buffer.storeBytes(of: UInt32(dimension).littleEndian, toByteOffset: 32, as: UInt32.self)
        buffer.storeBytes(of: UInt32(stride).littleEndian, toByteOffset: 36, as: UInt32.self)
        buffer.storeBytes(of: UInt64(n).littleEndian, toByteOffset: 40, as: UInt64.self)
        for (i, offset) in [idsOffset, fp32Offset, int8Offset, boundsOffset].enumerated() {
            buffer.storeBytes(of: UInt64(offset).littleEndian, toByteOffset: 48 + 8 * i, as: UInt64.self)
        }

        let gamma = Double(roundingSlack(dimension: dimension))
        let fp32 = (buffer.baseAddress! + fp32Offset).assumingMemoryBound(to: Float.self)
        let int8 = (buffer.baseAddress! + int8Offset).assumingMemoryBound(to: Int8.self)
        let bounds = (buffer.baseAddress! + boundsOffset).assumingMemoryBound(to: Float.self)
        vectors.withUnsafeBufferPointer { src in
            for row in 0..<n {
                let x = fp32 + row * stride
                for j in 0..<dimension {
                    let v = src[row * dimension + j]
                    x[j] = v.isFinite ? v : 0
                }
                let q = Quantized(x, dimension: dimension, codes: int8 + row * stride)
                let b = bounds + row * 4
                b[0] = q.scale
                b[1] = inflate(q.residualNorm, gamma)
                b[2] = inflate(q.codeNorm, gamma)
                b[3] = inflate(q.norm + q.codeNorm, gamma)
            }
        }
        SidecarHeader.seal(buffer, magic: magic, version: version)
        try SidecarFile.write(UnsafeRawBufferPointer(buffer), to: url)
    }

    /// Rounds `x·(1 + γ)` up to a Float, so stored bounds never understate.
    static func inflate(_ x: Double, _ gamma: Double) -> Float { Float(x * (1 + gamma)).nextUp }

    /// Maps and validates a vector file.
    ///
    /// - Parameters:
    ///   - url: the file.
    ///   - expectedModelID: the model the caller embeds queries with.
    ///   - expectedDimension: the caller's vector length.
    /// - Throws: `IndexError`: `.io` if unreadable; `.corrupt` for a wrong magic, length,
    ///   checksum or section table; `.versionMismatch`; `.modelMismatch` for another
    ///   model id or dimension.
    /// - Complexity: O(file size): the checksum reads every byte (on both cores).
    public init(contentsOf url: URL, expectedModelID: String, expectedDimension: Int) throws(IndexError) {
        let file = try MappedFile(url)
        let bytes = file.bytes
        let path = file.path
        try SidecarHeader.verify(bytes, magic: Self.magic, version: Self.version, path: path)
        var r = BinaryReader(bytes, offset: 32, path: path)
        let dimension = Int(try r.u32())
        let stride = Int(try r.u32())
        let n64 = try r.u64()
        var offsets: [Int] = []
        for _ in 0..<4 {
            let o = try r.u64()
            guard o <= UInt64(bytes.count), o % 64 == 0 else { throw r.fail("bad section offset \(o)") }
            offsets.append(Int(o))
        }
        let modelID = try r.string()
        guard modelID == expectedModelID, dimension == expectedDimension else {
            throw IndexError(.modelMismatch, path: path, "vectors of \(modelID) (\(dimension)-d), expected \(expectedModelID) (\(expectedDimension)-d)")
        }
        guard dimension > 0, stride == (dimension + 15) / 16 * 16, n64 <= UInt64(bytes.count / 16) else {
            throw IndexError(.corrupt, path: path, "impossible dimension \(dimension), stride \(stride) or count \(n64)")
        }
        let n = Int(n64)
        let (idsOffset, fp32Offset, int8Offset, boundsOffset) = (offsets[0], offsets[1], offsets[2], offsets[3])
        guard fp32Offset >= idsOffset, int8Offset == fp32Offset + n * stride * 4,
              boundsOffset == (int8Offset + n * stride + 63) / 64 * 64, boundsOffset + n * 16 == bytes.count
        else { throw IndexError(.corrupt, path: path, "section table does not match \(n) rows of \(dimension)") }
        var ir = BinaryReader(UnsafeRawBufferPointer(rebasing: bytes[..<fp32Offset]), offset: idsOffset, path: path)
        var ids: [String] = []
        ids.reserveCapacity(n)
        for _ in 0..<n { ids.append(try ir.string()) }
        let removedCount = try ir.count(minBytesEach: 4)
        var removedIDs: [String] = []
        for _ in 0..<removedCount { removedIDs.append(try ir.string()) }

        self.file = file
        self.count = n
        self.ids = ids
        self.removedIDs = removedIDs
        self.modelID = modelID
        self.dimension = dimension
        self.stride = stride
        let base = bytes.baseAddress
        fp32 = base.map { UnsafePointer(($0 + fp32Offset).assumingMemoryBound(to: Float.self)) }
        int8 = base.map { UnsafePointer(($0 + int8Offset).assumingMemoryBound(to: Int8.self)) }
        bounds = base.map { UnsafePointer(($0 + boundsOffset).assumingMemoryBound(to: SIMD4<Float>.self)) }
    }

    /// The stored full-precision vector of `row`.
    public func vector(at row: Int) -> [Float] {
        precondition(row >= 0 && row < count)
        return Array(UnsafeBufferPointer(start: fp32! + row * stride, count: dimension))
    }

    /// Exact top-k by cosine (the vectors are L2-normalized, so by dot product),
    /// restricted to the rows where `allowed(row)` is true (nil: all rows).
    ///
    /// Why the answer is exact. For a row x with int8 codes c and scale s, the
    /// approximation x̂ = s·c leaves a residual e = x − x̂ whose norm r was stored
    /// (rounded up) at creation; the query q is quantized the same way into q̂ with
    /// residual e_q. Then q·x − q̂·x̂ = q·e + e_q·x̂, so by Cauchy–Schwarz
    /// |q·x − q̂·x̂| ≤ ‖q‖·r + ‖e_q‖·‖x̂‖. q̂·x̂ is computed as s_q·s·(integer dot),
    /// the integer dot being exact; the float rounding of that product and of the
    /// fp32 dot that defines the "exact" score are each within γ·(‖q‖+‖q̂‖)·(‖x‖+‖x̂‖),
    /// γ = ``roundingSlack(dimension:)``, which is added too. So every row's fp32
    /// score lies in [lb, ub] = approx ∓ err. Let T be the k-th largest lb over the
    /// allowed rows: k rows score at least T. A row with ub < T scores strictly below
    /// all of those k rows, so it is in no top-k, whatever the tie-break. Rescoring in
    /// fp32 every row with ub ≥ T and taking the k best (ties by row) therefore
    /// returns exactly what a full fp32 scan returns.
    ///
    /// - Parameters:
    ///   - query: `dimension` floats.
    ///   - k: how many results at most.
    ///   - allowed: the filter, called once per row before the scan (nil: all rows).
    /// - Returns: up to k rows, best first; equal scores by ascending row.
    /// - Complexity: O(n·d) over the int8 copy on two threads, then O(c·d) in fp32 for
    ///   the c candidates the bounds cannot exclude (tens of rows on real data).
    public func search(_ query: [Float], k: Int, allowed: ((Int) -> Bool)?) -> [(row: Int, score: Float)] {
        precondition(query.count == dimension, "query must have \(dimension) components")
        guard k > 0, count > 0 else { return [] }
        var mask: [UInt64]? = nil
        if let allowed {
            var words = [UInt64](repeating: 0, count: (count + 63) / 64)
            var any = false
            for row in 0..<count where allowed(row) {
                words[row >> 6] |= 1 << UInt64(row & 63)
                any = true
            }
            if !any { return [] }
            mask = words
        }
        return search(query: query, k: k, mask: mask)
    }

    private func search(query: [Float], k: Int, mask: [UInt64]?) -> [(row: Int, score: Float)] {
        // The query, padded to the stride, in fp32 and as widened int8 codes.
        var qf = [Float](repeating: 0, count: stride)
        for j in 0..<dimension { qf[j] = query[j].isFinite ? query[j] : 0 }
        var codes = [Int8](repeating: 0, count: stride)
        let q = qf.withUnsafeMutableBufferPointer { p in
            codes.withUnsafeMutableBufferPointer { Quantized(p.baseAddress!, dimension: dimension, codes: $0.baseAddress!) }
        }
        // Even and odd bytes of each 16-byte chunk of the query codes, widened to Int16,
        // matching how ScanKernel splits the rows' codes.
        var qEven = [SIMD8<Int16>](repeating: .zero, count: stride / 16), qOdd = qEven
        for c in 0..<stride / 16 {
            for lane in 0..<8 {
                qEven[c][lane] = Int16(codes[c * 16 + 2 * lane])
                qOdd[c][lane] = Int16(codes[c * 16 + 2 * lane + 1])
            }
        }
        let gamma = Double(Self.roundingSlack(dimension: dimension))
        let qNorm = Self.inflate(q.norm, gamma)
        let qResidual = Self.inflate(q.residualNorm, gamma)
        let qSlack = Float(gamma) * Self.inflate(q.norm + q.codeNorm, gamma)
        let kk = min(k, count)

        var upper = [Float](repeating: -.infinity, count: count)
        var thresholds = [[Float]](repeating: [], count: 2)
        upper.withUnsafeMutableBufferPointer { ub in
            qEven.withUnsafeBufferPointer { qEven in qOdd.withUnsafeBufferPointer { qOdd in
                thresholds.withUnsafeMutableBufferPointer { thresholds in
                    let th = thresholds.baseAddress!
                    let scan = ScanKernel(
                        int8: int8!, bounds: bounds!, stride: stride, qEven: qEven.baseAddress!, qOdd: qOdd.baseAddress!, qScale: q.scale,
                        qNorm: qNorm, qResidual: qResidual, qSlack: qSlack, upper: ub.baseAddress!)
                    let run = { (range: Range<Int>) in
                        let half = range.lowerBound == 0 ? 0 : 1
                        th[half] = mask.map { m in m.withUnsafeBufferPointer { scan.run(range, k: kk, mask: $0.baseAddress) } }
                            ?? scan.run(range, k: kk, mask: nil)
                    }
                    if count >= 4096 { Parallel.forEachHalf(count: count, run) } else { run(0..<count) }
                }
            } }
        }
        // T: the k-th largest lower bound among allowed rows (−∞ if fewer than k).
        var lows = thresholds[0] + thresholds[1]
        lows.sort(by: >)
        // Rows outside the filter keep an upper bound of −∞ and never pass; allowed
        // rows have finite bounds.
        let threshold = lows.count >= kk ? lows[kk - 1] : -.greatestFiniteMagnitude

        var candidates: [(row: Int, score: Float)] = []
        qf.withUnsafeBufferPointer { qp in
            upper.withUnsafeBufferPointer { ub in
                for row in 0..<count where ub[row] >= threshold {
                    candidates.append((row, Self.dot(qp.baseAddress!, fp32! + row * stride, stride)))
                }
            }
        }
        candidates.sort { $0.score != $1.score ? $0.score > $1.score : $0.row < $1.row }
        return Array(candidates.prefix(kk))
    }

    /// The reference: every allowed row scored in fp32 with the same dot product.
    /// - Complexity: O(n·d). For tests and benchmarks.
    public func bruteForceSearch(_ query: [Float], k: Int, allowed: ((Int) -> Bool)?) -> [(row: Int, score: Float)] {
        guard k > 0, count > 0 else { return [] }
        var qf = [Float](repeating: 0, count: stride)
        for j in 0..<dimension { qf[j] = query[j].isFinite ? query[j] : 0 }
        var all: [(row: Int, score: Float)] = []
        qf.withUnsafeBufferPointer { qp in
            for row in 0..<count where allowed?(row) ?? true {
                all.append((row, Self.dot(qp.baseAddress!, fp32! + row * stride, stride)))
            }
        }
        all.sort { $0.score != $1.score ? $0.score > $1.score : $0.row < $1.row }
        return Array(all.prefix(k))
    }

    /// fp32 dot product of two stride-length rows (stride a multiple of 16).
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ stride: Int) -> Float {
        var acc = SIMD16<Float>(repeating: 0)
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        var j = 0
        while j < stride {
            acc += ra.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
                * rb.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
            j += 16
        }
        return acc.sum()
    }
}

/// A vector quantized to int8 with one scale (max |x| / 127), and the norms the
/// error bounds need, computed in Double.
struct Quantized {
    var scale: Float
    var norm: Double
    var codeNorm: Double
    var residualNorm: Double

    init(_ x: UnsafeMutablePointer<Float>, dimension: Int, codes: UnsafeMutablePointer<Int8>) {
        var maxAbs: Float = 0
        for j in 0..<dimension { maxAbs = max(maxAbs, abs(x[j])) }
        scale = maxAbs / 127
        var n2 = 0.0, c2 = 0.0, r2 = 0.0
        for j in 0..<dimension {
            let code: Float = scale > 0 ? min(127, max(-127, (x[j] / scale).rounded())) : 0
            codes[j] = Int8(code)
            let approx = Double(scale) * Double(code)
            n2 += Double(x[j]) * Double(x[j])
            c2 += approx * approx
            r2 += (Double(x[j]) - approx) * (Double(x[j]) - approx)
        }
        norm = n2.squareRoot()
        codeNorm = c2.squareRoot()
        residualNorm = r2.squareRoot()
    }
}

/// The int8 scan over a range of rows: approximate scores, upper bounds into
/// `upper`, and the k largest lower bounds. Plain pointers only: no classes,
/// closures or existentials in the loop.
struct ScanKernel {
    let int8: UnsafePointer<Int8>
    let bounds: UnsafePointer<SIMD4<Float>>
    let stride: Int
    let qEven: UnsafePointer<SIMD8<Int16>>
    let qOdd: UnsafePointer<SIMD8<Int16>>
    let qScale: Float
    let qNorm: Float
    let qResidual: Float
    let qSlack: Float
    let upper: UnsafeMutablePointer<Float>

    /// Returns the up-to-k largest lower bounds of the allowed rows in `range`.
    func run(_ range: Range<Int>, k: Int, mask: UnsafePointer<UInt64>?) -> [Float] {
        var heap = MinHeap(capacity: k)
        for row in range {
            if let mask, mask[row >> 6] & (1 << UInt64(row & 63)) == 0 { continue }
            let x = UnsafeRawPointer(int8 + row &* stride)
            let chunks = stride &>> 4
            let dot = chunks <= Self.maxFastChunks ? Self.dot(x, qEven, qOdd, chunks) : Self.dotWide(x, qEven, qOdd, chunks)
            let b = bounds[row]
            let approx = qScale * b[0] * Float(dot)
            let err = qNorm * b[1] + qResidual * b[2] + qSlack * b[3]
            upper[row] = approx + err
            heap.offer(approx - err)
        }
        return heap.values
    }

    /// Longest row (in 16-byte chunks) for which ``dot(_:_:_:_:)`` cannot overflow.
    static let maxFastChunks = 256

    /// Integer dot product of a row's int8 codes with the query's; exact for up to
    /// ``maxFastChunks`` chunks (d ≤ 4096).
    ///
    /// Written for plain SSE2 (the default x86-64 target): each 16-byte chunk is
    /// loaded as eight Int16 words. `w >> 8` is the odd code sign-extended; `w << 8`
    /// is 256 × the even code. Each goes through one widening multiply-add (pmaddwd)
    /// with the query's odd or even codes; the even sum is 256 times too large and is
    /// divided back exactly at the end. A lane of that accumulator gains at most
    /// 256 · 2 · 127² = 8,258,048 per chunk, so 256 chunks stay below 2³¹.
    @inline(__always)
    static func dot(
        _ x: UnsafeRawPointer, _ qEven: UnsafePointer<SIMD8<Int16>>, _ qOdd: UnsafePointer<SIMD8<Int16>>, _ chunks: Int
    ) -> Int32 {
        var odd = SIMD4<Int32>(repeating: 0), even256 = SIMD4<Int32>(repeating: 0)
        for c in 0..<chunks {
            let w = x.loadUnaligned(fromByteOffset: c &* 16, as: SIMD8<Int16>.self)
            odd &+= multiplyAddPairs(w &>> 8, qOdd[c])
            even256 &+= multiplyAddPairs(w &<< 8, qEven[c])
        }
        return (odd &+ (even256 &>> 8)).wrappedSum()
    }

    /// a₀b₀ + a₁b₁, a₂b₂ + a₃b₃, … in Int32: LLVM lowers this to one pmaddwd.
    @inline(__always)
    static func multiplyAddPairs(_ a: SIMD8<Int16>, _ b: SIMD8<Int16>) -> SIMD4<Int32> {
        let products = SIMD8<Int32>(truncatingIfNeeded: a) &* SIMD8<Int32>(truncatingIfNeeded: b)
        return products.evenHalf &+ products.oddHalf
    }

    /// The same dot product for rows of any length, with narrower partial sums.
    ///
    /// Written for plain SSE2 (the default x86-64 target): each 16-byte chunk is
    /// loaded as eight Int16 words whose high and low bytes are the odd and even
    /// codes, sign-extended with two shifts. Two products of codes within ±127 sum
    /// to at most 32258, so `odd·qOdd + even·qEven` cannot overflow Int16; its two
    /// halves are then widened into Int32 accumulators (at most 2³¹/32258 chunks).
    @inline(__always)
    static func dotWide(
        _ x: UnsafeRawPointer, _ qEven: UnsafePointer<SIMD8<Int16>>, _ qOdd: UnsafePointer<SIMD8<Int16>>, _ chunks: Int
    ) -> Int32 {
        var a0 = SIMD4<Int32>(repeating: 0), a1 = SIMD4<Int32>(repeating: 0)
        for c in 0..<chunks {
            let w = x.loadUnaligned(fromByteOffset: c &* 16, as: SIMD8<Int16>.self)
            let odd = w &>> 8
            let even = (w &<< 8) &>> 8
            let p = odd &* qOdd[c] &+ even &* qEven[c]
            let s = unsafeBitCast(p, to: SIMD4<Int32>.self)
            a0 &+= (s &<< 16) &>> 16
            a1 &+= s &>> 16
        }
        return (a0 &+ a1).wrappedSum()
    }
}

/// The k largest values seen so far, as a binary min-heap.
struct MinHeap {
    private(set) var values: [Float] = []
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        values.reserveCapacity(capacity)
    }

    @inline(__always)
    mutating func offer(_ v: Float) {
        if values.count < capacity {
            values.append(v)
            var i = values.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                if values[parent] <= values[i] { break }
                values.swapAt(parent, i)
                i = parent
            }
        } else if v > values[0] {
            values[0] = v
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < values.count && values[l] < values[m] { m = l }
                if r < values.count && values[r] < values[m] { m = r }
                if m == i { break }
                values.swapAt(i, m)
                i = m
            }
        }
    }
}
