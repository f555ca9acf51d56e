import Foundation

internal import CKernels

/// Scaled dot-product attention of one head over one sequence, in registers.
///
/// A head multiplies n×32 by 32×n and n×n by n×32: for the 20-60 tokens of a
/// typical text, sgemm's per-call packing and edge handling cost several times the
/// arithmetic, so these small products are hand-blocked C loops (`mv_attention_head`)
/// whose accumulators stay in the 16 AVX registers.
enum Attention {
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
        precondition(BertShape.headSize == 32, "mv_attention_head computes heads of 32 lanes")
        mv_attention_head(n, query, key, value, stride, keys, scores, context, contextStride)
    }
}
