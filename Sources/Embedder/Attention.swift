import Foundation

/// Scaled dot-product attention of one head over one sequence, in registers.
///
/// A head multiplies n×32 by 32×n and n×n by n×32: for the 20-60 tokens of a
/// typical text, sgemm's per-call packing and edge handling cost several times the
/// arithmetic, so these small products are hand-blocked loops over `SIMD8<Float>`
/// whose accumulators stay in the 16 AVX registers.
enum Attention {
    typealias Vector = Kernels.Vector

    /// The floats one head's working memory needs for sequences of up to `tokens`:
    /// the keys transposed, and the scores followed by one softmax scale per row.
    static func scratchFloats(tokens: Int) -> (keys: Int, scores: Int) {
        let padded = paddedLength(tokens)
        return (BertShape.headSize * padded, tokens * padded + tokens)
    }

    /// `count` rounded up to a multiple of 8: the width of a row of scores.
    @inline(__always)
    static func paddedLength(_ count: Int) -> Int { (count + 7) & ~7 }

    /// `context[i] = Σⱼ softmax(query[i]·key[j] / √32)ⱼ · value[j]` for the `tokens`
    /// rows of one head (32 floats each; input rows `stride` floats apart, output
    /// rows `contextStride`).
    ///
    /// - Parameters:
    ///   - keys: Room for `scratchFloats(tokens:).keys` floats (the keys transposed).
    ///   - scores: Room for `scratchFloats(tokens:).scores` floats.
    /// - Complexity: O(tokens² × 32).
    static func head(
        tokens n: Int, query: UnsafePointer<Float>, key: UnsafePointer<Float>, value: UnsafePointer<Float>,
        stride: Int, keys: UnsafeMutablePointer<Float>, scores: UnsafeMutablePointer<Float>,
        into context: UnsafeMutablePointer<Float>, contextStride: Int
    ) {
        let width = paddedLength(n)
        transposeKeys(tokens: n, key: key, stride: stride, width: width, into: keys)
        computeScores(tokens: n, query: query, stride: stride, keys: keys, width: width, into: scores)
        let scales = scores + n * width
        for row in 0..<n { scales[row] = Kernels.exponentiate(scores + row * width, count: n, padded: width) }
        weightValues(
            tokens: n, scores: scores, width: width, scales: scales, value: value, stride: stride, into: context,
            contextStride: contextStride)
    }

    /// `keys[c × width + j] = key[j × stride + c]`, zero for j from `tokens` to `width`.
    ///
    /// Eight tokens at a time, each lane gathered into one vector and stored
    /// whole: scalar stores `width` floats apart cost several times as much.
    private static func transposeKeys(
        tokens n: Int, key: UnsafePointer<Float>, stride: Int, width: Int, into keys: UnsafeMutablePointer<Float>
    ) {
        var token = 0
        while token + 8 <= n {
            let k = key + token * stride
            for lane in 0..<BertShape.headSize {
                let gathered = Vector(
                    k[lane], k[stride + lane], k[2 * stride + lane], k[3 * stride + lane], k[4 * stride + lane],
                    k[5 * stride + lane], k[6 * stride + lane], k[7 * stride + lane])
                Kernels.store(gathered, to: keys + lane * width + token)
            }
            token += 8
        }
        guard token < width else { return }
        for lane in 0..<BertShape.headSize {
            let target = keys + lane * width
            for tail in token..<n { target[tail] = key[tail * stride + lane] }
            (target + n).initialize(repeating: 0, count: width - n)
        }
    }

    /// `scores[i × width + j] = query[i]·key[j] / √32` for every row i and every j
    /// below `width`, eight rows by eight columns at a time.
    private static func computeScores(
        tokens n: Int, query: UnsafePointer<Float>, stride: Int, keys: UnsafePointer<Float>, width: Int,
        into scores: UnsafeMutablePointer<Float>
    ) {
        let scale = 1 / Float(BertShape.headSize).squareRoot()
        var row = 0
        while row + 8 <= n {
            let q = query + row * stride
            var column = 0
            while column < width {
                var a0 = Vector(), a1 = Vector(), a2 = Vector(), a3 = Vector()
                var a4 = Vector(), a5 = Vector(), a6 = Vector(), a7 = Vector()
                for lane in 0..<BertShape.headSize {
                    let k = Kernels.load(keys + lane * width + column)
                    a0 = a0.addingProduct(Vector(repeating: q[lane]), k)
                    a1 = a1.addingProduct(Vector(repeating: q[stride + lane]), k)
                    a2 = a2.addingProduct(Vector(repeating: q[2 * stride + lane]), k)
                    a3 = a3.addingProduct(Vector(repeating: q[3 * stride + lane]), k)
                    a4 = a4.addingProduct(Vector(repeating: q[4 * stride + lane]), k)
                    a5 = a5.addingProduct(Vector(repeating: q[5 * stride + lane]), k)
                    a6 = a6.addingProduct(Vector(repeating: q[6 * stride + lane]), k)
                    a7 = a7.addingProduct(Vector(repeating: q[7 * stride + lane]), k)
                }
                let target = scores + row * width + column
                Kernels.store(a0 * scale, to: target)
                Kernels.store(a1 * scale, to: target + width)
                Kernels.store(a2 * scale, to: target + 2 * width)
                Kernels.store(a3 * scale, to: target + 3 * width)
                Kernels.store(a4 * scale, to: target + 4 * width)
                Kernels.store(a5 * scale, to: target + 5 * width)
                Kernels.store(a6 * scale, to: target + 6 * width)
                Kernels.store(a7 * scale, to: target + 7 * width)
                column += 8
            }
            row += 8
        }
        while row < n {
            let q = query + row * stride
            var column = 0
            while column < width {
                var a0 = Vector(), a1 = Vector()
                var lane = 0
                while lane < BertShape.headSize {
                    a0 = a0.addingProduct(Vector(repeating: q[lane]), Kernels.load(keys + lane * width + column))
                    a1 = a1.addingProduct(
                        Vector(repeating: q[lane + 1]), Kernels.load(keys + (lane + 1) * width + column))
                    lane += 2
                }
                Kernels.store((a0 + a1) * scale, to: scores + row * width + column)
                column += 8
            }
            row += 1
        }
    }

    /// `context[i] = scales[i] · Σⱼ scores[i × width + j] · value[j]` over the `tokens`
    /// values, two rows by the head's 32 lanes at a time.
    private static func weightValues(
        tokens n: Int, scores: UnsafePointer<Float>, width: Int, scales: UnsafePointer<Float>,
        value: UnsafePointer<Float>, stride: Int,
        into context: UnsafeMutablePointer<Float>, contextStride: Int
    ) {
        var row = 0
        while row < n {
            let pair = row + 1 < n
            let first = scores + row * width
            let second = pair ? first + width : first
            var a0 = Vector(), a1 = Vector(), a2 = Vector(), a3 = Vector()
            var b0 = Vector(), b1 = Vector(), b2 = Vector(), b3 = Vector()
            for token in 0..<n {
                let v = value + token * stride
                let v0 = Kernels.load(v), v1 = Kernels.load(v + 8), v2 = Kernels.load(v + 16), v3 = Kernels.load(v + 24)
                let p = Vector(repeating: first[token]), q = Vector(repeating: second[token])
                a0 = a0.addingProduct(p, v0)
                a1 = a1.addingProduct(p, v1)
                a2 = a2.addingProduct(p, v2)
                a3 = a3.addingProduct(p, v3)
                b0 = b0.addingProduct(q, v0)
                b1 = b1.addingProduct(q, v1)
                b2 = b2.addingProduct(q, v2)
                b3 = b3.addingProduct(q, v3)
            }
            let target = context + row * contextStride
            let scale = scales[row]
            Kernels.store(a0 * scale, to: target)
            Kernels.store(a1 * scale, to: target + 8)
            Kernels.store(a2 * scale, to: target + 16)
            Kernels.store(a3 * scale, to: target + 24)
            if pair {
                let scale = scales[row + 1]
                Kernels.store(b0 * scale, to: target + contextStride)
                Kernels.store(b1 * scale, to: target + contextStride + 8)
                Kernels.store(b2 * scale, to: target + contextStride + 16)
                Kernels.store(b3 * scale, to: target + contextStride + 24)
            }
            row += 2
        }
    }
}
