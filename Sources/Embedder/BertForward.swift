import Foundation

/// Working memory for forward passes on one thread: grown on demand, then reused
/// across layers, batches and calls.
final class Scratch {
    private(set) var rowCapacity = 0
    private(set) var sequenceCapacity = 0
    private(set) var hidden = UnsafeMutablePointer<Float>.allocate(capacity: 0)
    private(set) var projectionWidth = 0
    /// Each row: the token's query, key and value (`BertWeights.Projections`).
    private(set) var projections = UnsafeMutablePointer<Float>.allocate(capacity: 0)
    private(set) var context = UnsafeMutablePointer<Float>.allocate(capacity: 0)
    private(set) var projected = UnsafeMutablePointer<Float>.allocate(capacity: 0)
    private(set) var intermediate = UnsafeMutablePointer<Float>.allocate(capacity: 0)
    private(set) var keys = UnsafeMutablePointer<Float>.allocate(capacity: 0)
    private(set) var scores = UnsafeMutablePointer<Float>.allocate(capacity: 0)

    /// Makes room for `rows` tokens in all, sequences of up to `longest` tokens and
    /// query-key-value rows of `projectionWidth` floats.
    func reserve(rows: Int, longest: Int, projectionWidth width: Int) {
        if rows > rowCapacity || width > projectionWidth {
            let capacity = max(rows, rowCapacity * 3 / 2)
            for buffer in [hidden, projections, context, projected, intermediate] { buffer.deallocate() }
            hidden = .allocate(capacity: capacity * BertShape.hidden)
            projections = .allocate(capacity: capacity * width)
            projectionWidth = width
            context = .allocate(capacity: capacity * BertShape.hidden)
            projected = .allocate(capacity: capacity * BertShape.hidden)
            intermediate = .allocate(capacity: capacity * BertShape.intermediate)
            rowCapacity = capacity
        }
        if longest > sequenceCapacity {
            keys.deallocate()
            scores.deallocate()
            let floats = Attention.scratchFloats(tokens: longest)
            keys = .allocate(capacity: floats.keys)
            scores = .allocate(capacity: floats.scores)
            sequenceCapacity = longest
        }
    }

    deinit {
        for buffer in [hidden, projections, context, projected, intermediate, keys, scores] {
            buffer.deallocate()
        }
    }
}

extension BertWeights {
    /// Runs the encoder on `sequences` and writes each one's mean-pooled,
    /// L2-normalized embedding to `output(index)`.
    ///
    /// The sequences are packed back to back with no padding: every step but
    /// attention treats tokens independently, and attention runs per sequence on
    /// its own tokens, which is exactly what a padding mask computes.
    ///
    /// - Complexity: O(t·(d² + d·i) + Σ n²·d) for t tokens in all, sequences of n.
    func encode(
        _ sequences: [[Int32]], scratch: Scratch, output: (Int) -> UnsafeMutablePointer<Float>
    ) {
        typealias S = BertShape
        let rows = sequences.reduce(0) { $0 + $1.count }
        let longest = sequences.map(\.count).max() ?? 0
        guard rows > 0 else { return }
        scratch.reserve(rows: rows, longest: longest, projectionWidth: projectionWidth)
        let hidden = scratch.hidden

        // Embeddings: word + position + token type 0, then LayerNorm.
        var row = 0
        for sequence in sequences {
            for (position, token) in sequence.enumerated() {
                let target = scratch.projected + row * S.hidden
                let word = wordEmbeddings + Int(token) * S.hidden
                let place = positionEmbeddings + position * S.hidden
                for index in 0..<S.hidden {
                    target[index] = word[index] + place[index] + tokenTypeEmbeddings[index]
                }
                row += 1
            }
        }
        embeddingNorm.apply(scratch.projected, residual: nil, rows: rows, into: hidden)

        for layer in layers {
            layer.projections.linear.apply(hidden, rows: rows, into: scratch.projections)
            attention(sequences, projections: layer.projections, scratch: scratch)
            layer.attentionOutput.apply(scratch.context, rows: rows, into: scratch.projected)
            layer.attentionNorm.apply(scratch.projected, residual: hidden, rows: rows, into: hidden)
            layer.intermediate.apply(hidden, rows: rows, into: scratch.intermediate)
            Kernels.gelu(scratch.intermediate, count: rows * S.intermediate)
            layer.output.apply(scratch.intermediate, rows: rows, into: scratch.projected)
            layer.outputNorm.apply(scratch.projected, residual: hidden, rows: rows, into: hidden)
        }

        // Mean pooling over each sequence's tokens, then L2 normalization.
        row = 0
        for (index, sequence) in sequences.enumerated() {
            let target = output(index)
            target.initialize(repeating: 0, count: S.hidden)
            for token in 0..<sequence.count {
                let source = hidden + (row + token) * S.hidden
                for lane in 0..<S.hidden { target[lane] += source[lane] }
            }
            row += sequence.count
            var squares: Float = 0
            for lane in 0..<S.hidden { squares += target[lane] * target[lane] }
            // The mean's 1/n cancels in the normalization; F.normalize's eps 1e-12 applies to the mean.
            let norm = squares.squareRoot() / Float(max(sequence.count, 1))
            let scale = 1 / (max(norm, 1e-12) * Float(max(sequence.count, 1)))
            for lane in 0..<S.hidden { target[lane] *= scale }
        }
    }

    /// Multi-head self-attention of every sequence over its own tokens: reads
    /// `projections` (laid out as `layout` says), writes `context`.
    private func attention(_ sequences: [[Int32]], projections layout: Projections, scratch: Scratch) {
        typealias S = BertShape
        let width = layout.linear.outputSize
        var start = 0
        for sequence in sequences {
            let row = scratch.projections + start * width
            for head in 0..<S.heads {
                let column = head * S.headSize
                Attention.head(
                    tokens: sequence.count, query: row + layout.query + column, key: row + layout.key + column,
                    value: row + layout.value + column, stride: width, keys: scratch.keys, scores: scratch.scores,
                    into: scratch.context + start * S.hidden + column, contextStride: S.hidden)
            }
            start += sequence.count
        }
    }
}
