internal import CKernels

/// The int8 first pass of ``VectorStore`` search over a range of rows: every row's
/// score bounded from below and above, the k largest lower bounds kept, and the rows
/// whose upper bound reaches the running k-th lower bound collected as candidates.
///
/// Plain pointers only: no classes, closures or existentials in the loop.
struct ScanKernel {
    /// Row codes, `stride` bytes per row, rows padded to a multiple of 4 with zeros.
    let int8: UnsafePointer<Int8>
    /// Per row (structure of arrays): scale, residual bound, code norm bound, slack norm.
    let scales: UnsafePointer<Float>
    let residuals: UnsafePointer<Float>
    let codeNorms: UnsafePointer<Float>
    let slacks: UnsafePointer<Float>
    let stride: Int
    /// Rows that exist; rows from here to the padded end are skipped.
    let count: Int
    /// The query's Int16 codes, `stride` of them.
    let query: UnsafePointer<Int16>
    let qScale: Float
    let qNorm: Float
    let qResidual: Float
    let qSlack: Float

    /// What one range yields.
    struct Partial {
        /// The up-to-k largest lower bounds of the allowed rows.
        var lows: [Float]
        /// Allowed rows whose upper bound reached the k-th lower bound seen so far,
        /// with that upper bound (a superset of the final candidates).
        var candidates: [(row: Int32, upper: Float)]
    }

    /// Scans `range`, whose bounds are multiples of 4 (the upper one may pass `count`).
    /// - Parameter mask: bit r set = row r allowed; nil = every row.
    func run(_ range: Range<Int>, k: Int, mask: UnsafePointer<UInt64>?) -> Partial {
        var heap = LargestElements<Float>(capacity: k)
        var candidates: [(row: Int32, upper: Float)] = []
        candidates.reserveCapacity(4 * k + 64)
        var threshold = -Float.infinity
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: 64) { buffer in
            let dots = buffer.baseAddress!
            var start = range.lowerBound
            while start < range.upperBound {
                // The rows of one mask word (fewer at the ends of the range); bit i = row start + i.
                let end = min(range.upperBound, (start | 63) &+ 1)
                let word = mask.map { $0[start &>> 6] &>> UInt64(start & 63) } ?? ~0
                if word == 0 {
                    start = end
                    continue
                }
                let groups = (end &- start) &>> 2
                self.dots(start, groups: groups, allowed: word, into: dots)
                for group in 0..<groups {
                    let allowed = (word &>> UInt64(4 &* group)) & 0xF
                    if allowed == 0 { continue }
                    let row = start &+ 4 &* group
                    let dot = UnsafeRawPointer(dots + 4 &* group).loadUnaligned(as: SIMD4<Int32>.self)
                    let approx = qScale * SIMD4<Float>(loading: scales + row) * Self.float(dot)
                    let err = qNorm * SIMD4<Float>(loading: residuals + row) + qResidual * SIMD4<Float>(loading: codeNorms + row)
                        + qSlack * SIMD4<Float>(loading: slacks + row)
                    let upper = approx + err
                    if any(upper .>= threshold) {
                        let lower = approx - err
                        for i in 0..<4 where allowed & (1 << UInt64(i)) != 0 && row &+ i < count {
                            if upper[i] >= threshold { candidates.append((Int32(truncatingIfNeeded: row &+ i), upper[i])) }
                            heap.offer(lower[i])
                            if heap.isFull, let kth = heap.minimum { threshold = kth }
                        }
                    }
                }
                start = end
            }
        }
        return Partial(lows: heap.unordered, candidates: candidates)
    }

    /// The exact integer dot products of rows `start..<start + 4 × groups` (at most 64) with
    /// the query, into `out[row − start]`, for the groups of four rows with a bit set in
    /// `allowed` (bit i = row start + i).
    ///
    /// `mv_int8_dot_rows` sign-extends each 16-code chunk to Int16 (vpmovsxbw), multiplies
    /// it with the query's Int16 codes and adds in pairs into Int32 (vpmaddwd), on AVX2
    /// one 256-bit instruction each. Four rows share every query load. Wrapping adds are
    /// exact because the query's code range is chosen so that no dot product leaves
    /// Int32 (see ``queryLevels(stride:)``).
    @inline(__always)
    func dots(_ start: Int, groups: Int, allowed: UInt64, into out: UnsafeMutablePointer<Int32>) {
        mv_int8_dot_rows(int8 + start &* stride, stride, groups, query, allowed, out)
    }

    /// The largest query code magnitude for rows of `stride` codes within ±127 such
    /// that |dot| ≤ stride · 127 · levels stays within Int32 (32767 for d ≤ 528).
    static func queryLevels(stride: Int) -> Float {
        Float(max(1, min(32767, Int(Int32.max) / (127 * max(1, stride)))))
    }

    @inline(__always)
    static func float(_ v: SIMD4<Int32>) -> SIMD4<Float> {
        SIMD4(Float(v[0]), Float(v[1]), Float(v[2]), Float(v[3]))
    }
}

extension SIMD4 where Scalar == Float {
    @inline(__always)
    init(loading p: UnsafePointer<Float>) {
        self = UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self)
    }
}

