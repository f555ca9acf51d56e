import Dispatch
import Embedder
import MemvaultSupport

/// The embedding model of one search: given loaded, or loaded once by whichever thread asks first
/// (the others wait for that load).
final class ModelLoad: Sendable {
    private let loaded: OnceValue<(any SentenceEmbedding)?>

    /// `load` runs at most once, when the model is first asked for; it returns nil when the model is missing.
    init(_ load: @escaping @Sendable () -> (any SentenceEmbedding)?) {
        loaded = OnceValue(load)
    }

    /// A model loaded already (nil: missing).
    init(loaded model: (any SentenceEmbedding)?) {
        loaded = OnceValue(made: model)
    }

    /// The model, nil when it is missing; waits while another thread loads it.
    func model() -> (any SentenceEmbedding)? {
        loaded.value
    }
}

/// One query's embedding, computed on a thread of its own from the moment it is made.
final class QueryEmbedding: Sendable {
    private let embedding: OnceValue<[Float]>

    /// Loads the model (or waits for its load) and embeds the query, on another core from now:
    /// the query is known before the index is opened, so the embedding need not wait until the
    /// search gets to it. Ask for ``vector()`` only once `model.model()` has given a model; the
    /// vector is empty when the model is missing.
    init(_ query: String, loading model: ModelLoad) {
        let embedding = OnceValue { model.model().map { $0.embed([query])[0] } ?? [] }
        self.embedding = embedding
        DispatchQueue.global(qos: .userInitiated).async { _ = embedding.value }
    }

    /// Whether the vector is there (``vector()`` would not wait).
    var isReady: Bool { embedding.isMade }

    /// The vector, once it is there (made on this thread if the worker has not started yet).
    func vector() -> [Float] { embedding.value }
}
