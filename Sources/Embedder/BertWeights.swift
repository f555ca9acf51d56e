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
    struct Layer {
        let query, queryBias, key, keyBias, value, valueBias: UnsafePointer<Float>
        let attentionOutput, attentionOutputBias, attentionNormScale, attentionNormBias: UnsafePointer<Float>
        let intermediate, intermediateBias, output, outputBias, outputNormScale, outputNormBias: UnsafePointer<Float>
    }

    let file: SafeTensorsFile
    let wordEmbeddings, positionEmbeddings, tokenTypeEmbeddings: UnsafePointer<Float>
    let embeddingNormScale, embeddingNormBias: UnsafePointer<Float>
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
        wordEmbeddings = try tensor("embeddings.word_embeddings.weight", S.vocabulary, S.hidden)
        positionEmbeddings = try tensor("embeddings.position_embeddings.weight", S.positions, S.hidden)
        tokenTypeEmbeddings = try tensor("embeddings.token_type_embeddings.weight", S.tokenTypes, S.hidden)
        embeddingNormScale = try tensor("embeddings.LayerNorm.weight", S.hidden)
        embeddingNormBias = try tensor("embeddings.LayerNorm.bias", S.hidden)
        var layers: [Layer] = []
        for index in 0..<S.layers {
            let p = "encoder.layer.\(index)."
            layers.append(
                Layer(
                    query: try tensor(p + "attention.self.query.weight", S.hidden, S.hidden),
                    queryBias: try tensor(p + "attention.self.query.bias", S.hidden),
                    key: try tensor(p + "attention.self.key.weight", S.hidden, S.hidden),
                    keyBias: try tensor(p + "attention.self.key.bias", S.hidden),
                    value: try tensor(p + "attention.self.value.weight", S.hidden, S.hidden),
                    valueBias: try tensor(p + "attention.self.value.bias", S.hidden),
                    attentionOutput: try tensor(p + "attention.output.dense.weight", S.hidden, S.hidden),
                    attentionOutputBias: try tensor(p + "attention.output.dense.bias", S.hidden),
                    attentionNormScale: try tensor(p + "attention.output.LayerNorm.weight", S.hidden),
                    attentionNormBias: try tensor(p + "attention.output.LayerNorm.bias", S.hidden),
                    intermediate: try tensor(p + "intermediate.dense.weight", S.intermediate, S.hidden),
                    intermediateBias: try tensor(p + "intermediate.dense.bias", S.intermediate),
                    output: try tensor(p + "output.dense.weight", S.hidden, S.intermediate),
                    outputBias: try tensor(p + "output.dense.bias", S.hidden),
                    outputNormScale: try tensor(p + "output.LayerNorm.weight", S.hidden),
                    outputNormBias: try tensor(p + "output.LayerNorm.bias", S.hidden)))
        }
        self.layers = layers
    }
}
