import Embedder
import SearchIndex

extension SentenceEmbedding {
    /// The passages `text` is embedded as (``Passages``): itself when it fits the model's window,
    /// otherwise passages of at most ``Passages/preferredTokens`` tokens.
    func passages(_ text: String) -> [String] {
        guard let limit = passageTokens else { return [text] }
        return Passages.split(text, limit: limit, window: Passages.window(forLimit: limit), tokenCount: tokenCount).map(String.init)
    }

    /// The vectors of every passage of each text, in one batch, row-major: the passages of the
    /// first text, then those of the second, ...; `counts[i]` is how many text i has (at least 1).
    func passageMatrix(_ texts: [String]) -> (vectors: [Float], counts: [Int]) {
        let split = texts.map(passages)
        return (embedMatrix(split.flatMap { $0 }), split.map(\.count))
    }

    /// Per text, its passages' vectors in order.
    func passageVectors(_ texts: [String]) -> [[[Float]]] {
        let (vectors, counts) = passageMatrix(texts)
        let d = vectors.count / max(1, counts.reduce(0, +))
        var result: [[[Float]]] = []
        result.reserveCapacity(texts.count)
        var row = 0
        for n in counts {
            result.append((row..<row + n).map { Array(vectors[$0 * d..<($0 + 1) * d]) })
            row += n
        }
        return result
    }
}
