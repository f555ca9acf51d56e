import Embedder
import Foundation
import Synchronization

/// The vectors of the last few texts this process embedded to classify a memory, so that the
/// index refresh that later indexes the same memory takes the vector instead of running the
/// model a second time (classification then adds no embedding to a write and its indexing).
///
/// Keyed by the exact text the index embeds (``EmbeddingText``); a text seen once is served
/// once more at most as long as it is among the last ``capacity``. Memory only.
final class EmbeddingMemo: Sendable {
    /// How many vectors are kept (the oldest goes first).
    static let capacity = 32

    /// The vectors by text, and the texts oldest first.
    private let state = Mutex<(vectors: [String: [Float]], order: [String])>(([:], []))

    /// The vector of `text`: from the memo, or from `embedder` (and then remembered).
    func embed(_ text: String, with embedder: any SentenceEmbedding) -> [Float] {
        if let known = vector(text) { return known }
        let vector = embedder.embed([text])[0]
        remember(text, vector)
        return vector
    }

    func vector(_ text: String) -> [Float]? {
        state.withLock { $0.vectors[text] }
    }

    func remember(_ text: String, _ vector: [Float]) {
        state.withLock { state in
            if state.vectors.updateValue(vector, forKey: text) == nil { state.order.append(text) }
            while state.order.count > Self.capacity { state.vectors[state.order.removeFirst()] = nil }
        }
    }

    var isEmpty: Bool {
        state.withLock { $0.vectors.isEmpty }
    }

    /// `embedder` serving remembered texts from the memo (nil stays nil; an empty memo changes nothing).
    func serving(_ embedder: (any SentenceEmbedding)?) -> (any SentenceEmbedding)? {
        guard let embedder, !isEmpty else { return embedder }
        return MemoisedEmbedder(base: embedder, memo: self)
    }
}

/// An embedder that takes the vectors the memo holds and runs the model only for the rest.
struct MemoisedEmbedder: SentenceEmbedding {
    let base: any SentenceEmbedding
    let memo: EmbeddingMemo

    func embed(_ texts: [String]) -> [[Float]] {
        var result: [[Float]?] = texts.map { memo.vector($0) }
        let missing = result.indices.filter { result[$0] == nil }
        if !missing.isEmpty {
            for (i, vector) in zip(missing, base.embed(missing.map { texts[$0] })) { result[i] = vector }
        }
        return result.map { $0! }
    }

    var passageTokens: Int? { base.passageTokens }

    func tokenCount(_ text: Substring) -> Int { base.tokenCount(text) }

    func embedMatrix(_ texts: [String]) -> [Float] {
        if !texts.contains(where: { memo.vector($0) != nil }) { return base.embedMatrix(texts) }
        return embed(texts).flatMap { $0 }
    }
}
