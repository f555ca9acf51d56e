import Foundation

/// The shape of all-MiniLM-L6-v2 (its `config.json`).
enum BertShape {
    static let hidden = 384
    static let heads = 12
    static let headSize = 32
    static let intermediate = 1536
    static let layers = 6
    static let vocabulary = 30522
    static let positions = 512
    static let tokenTypes = 2
    static let layerNormEpsilon: Float = 1e-12
}

/// Pointers to every weight, straight into the memory-mapped safetensors file.
///
/// `@unchecked Sendable`: the pointers address a read-only mapping that `file` keeps
/// alive for as long as this value exists.
struct BertWeights: @unchecked Sendable {
    /// A dense layer: `output = input · weightᵀ + bias`, `weight` being `outputSize × inputSize`.
    struct Linear {
        let weight, bias: UnsafePointer<Float>
        let inputSize, outputSize: Int

        func apply(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>) {
            Kernels.linear(
                input, rows: rows, inputSize: inputSize, weight: weight, bias: bias, outputSize: outputSize,
                into: output)
        }
    }

    /// A LayerNorm over `BertShape.hidden` features.
    struct Norm {
        let scale, bias: UnsafePointer<Float>

        /// `output = LayerNorm(values + residual)`, row by row.
        func apply(
            _ values: UnsafePointer<Float>, residual: UnsafePointer<Float>?, rows: Int,
            into output: UnsafeMutablePointer<Float>
        ) {
            Kernels.addAndNormalize(
                values, residual: residual, rows: rows, width: BertShape.hidden, scale: scale, bias: bias,
                epsilon: BertShape.layerNormEpsilon, into: output)
        }
    }

    /// The query, key and value projections as one linear layer (one sgemm, whose
    /// input is packed once): output columns `query`, `key` and `value` onwards
    /// hold each projection's 384 features; any other column is unused.
    struct Projections {
        let linear: Linear
        let query, key, value: Int

        /// One layer over `query`, `key` and `value` (each `hidden × hidden`).
        ///
        /// When the three weight matrices lie in the mapped file at whole-row
        /// distances from one another with few rows between them, as in
        /// sentence-transformers' files (key, query bias, query, value bias, value),
        /// the span from the first to the last is used in place as one matrix,
        /// and the rows between them give unused columns. Otherwise the weights
        /// are copied into one matrix.
        init(query: Linear, key: Linear, value: Linear, owned: inout [OwnedFloats]) {
            let hidden = BertShape.hidden
            let parts = [query, key, value]
            let first = parts.map(\.weight).min()!
            let distances = parts.map { first.distance(to: $0.weight) }
            let spanRows = (distances.max()! / hidden) + hidden
            let weight: UnsafePointer<Float>
            let columns: [Int]
            if distances.allSatisfy({ $0 % hidden == 0 }), spanRows <= 3 * hidden + 16 {
                weight = first
                columns = distances.map { $0 / hidden }
            } else {
                let copy = OwnedFloats(count: 3 * hidden * hidden)
                for (index, part) in parts.enumerated() {
                    (copy.base + index * hidden * hidden).update(from: part.weight, count: hidden * hidden)
                }
                owned.append(copy)
                weight = UnsafePointer(copy.base)
                columns = [0, hidden, 2 * hidden]
            }
            let width = columns.max()! + hidden
            let bias = OwnedFloats(count: width)
            bias.base.initialize(repeating: 0, count: width)
            for (part, column) in zip(parts, columns) { (bias.base + column).update(from: part.bias, count: hidden) }
            owned.append(bias)
            linear = Linear(weight: weight, bias: UnsafePointer(bias.base), inputSize: hidden, outputSize: width)
            (self.query, self.key, self.value) = (columns[0], columns[1], columns[2])
        }
    }

    struct Layer {
        let projections: Projections
        let attentionOutput, intermediate, output: Linear
        let attentionNorm, outputNorm: Norm
    }

    let file: SafeTensorsFile
    /// Memory this value allocated (projection biases, copied weights), freed with it.
    let owned: [OwnedFloats]
    let wordEmbeddings, positionEmbeddings, tokenTypeEmbeddings: UnsafePointer<Float>
    let embeddingNorm: Norm
    let layers: [Layer]

    init(file: SafeTensorsFile) throws(EmbedderError) {
        self.file = file
        // Checkpoints exported from BertModel have no prefix; some carry "bert.".
        let prefix = file.tensors["bert.embeddings.word_embeddings.weight"] != nil ? "bert." : ""
        func tensor(_ name: String, _ shape: Int...) throws(EmbedderError) -> UnsafePointer<Float> {
            let buffer = try file.floats(prefix + name, shape: shape)
            return buffer.baseAddress!
        }
        typealias S = BertShape
        func linear(_ name: String, _ outputSize: Int, _ inputSize: Int) throws(EmbedderError) -> Linear {
            Linear(
                weight: try tensor(name + ".weight", outputSize, inputSize), bias: try tensor(name + ".bias", outputSize),
                inputSize: inputSize, outputSize: outputSize)
        }
        func norm(_ name: String) throws(EmbedderError) -> Norm {
            Norm(scale: try tensor(name + ".weight", S.hidden), bias: try tensor(name + ".bias", S.hidden))
        }
        wordEmbeddings = try tensor("embeddings.word_embeddings.weight", S.vocabulary, S.hidden)
        positionEmbeddings = try tensor("embeddings.position_embeddings.weight", S.positions, S.hidden)
        tokenTypeEmbeddings = try tensor("embeddings.token_type_embeddings.weight", S.tokenTypes, S.hidden)
        embeddingNorm = try norm("embeddings.LayerNorm")
        var owned: [OwnedFloats] = []
        layers = try (0..<S.layers).map { (index) throws(EmbedderError) -> Layer in
            let p = "encoder.layer.\(index)."
            return Layer(
                projections: Projections(
                    query: try linear(p + "attention.self.query", S.hidden, S.hidden),
                    key: try linear(p + "attention.self.key", S.hidden, S.hidden),
                    value: try linear(p + "attention.self.value", S.hidden, S.hidden), owned: &owned),
                attentionOutput: try linear(p + "attention.output.dense", S.hidden, S.hidden),
                intermediate: try linear(p + "intermediate.dense", S.intermediate, S.hidden),
                output: try linear(p + "output.dense", S.hidden, S.intermediate),
                attentionNorm: try norm(p + "attention.output.LayerNorm"),
                outputNorm: try norm(p + "output.LayerNorm"))
        }
        self.owned = owned
    }

    /// The widest `Projections` output: three times 384 plus the rows between.
    var projectionWidth: Int { layers.map(\.projections.linear.outputSize).max() ?? 0 }
}

/// Floats allocated for the lifetime of a `BertWeights`, never written after it is made.
///
/// `@unchecked Sendable`: filled once by the initializer, then only read.
final class OwnedFloats: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>

    init(count: Int) { base = .allocate(capacity: count) }

    deinit { base.deallocate() }
}
