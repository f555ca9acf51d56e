import Dispatch
import Embedder
import MemvaultSupport
import Synchronization

/// The embedding model of one search: given loaded, or loaded once by whichever thread asks first
/// (the others wait for that load).
final class ModelLoad: Sendable {
    private let loaded: OnceValue<(any SentenceEmbedding)?>
    /// Whether the load has been started (or the model was given).
    private let started: Atomic<Bool>

    /// `load` runs at most once, when the model is first asked for; it returns nil when the model is missing.
    init(_ load: @escaping @Sendable () -> (any SentenceEmbedding)?) {
        loaded = OnceValue(load)
        started = Atomic(false)
    }

    /// A model loaded already (nil: missing).
    init(loaded model: (any SentenceEmbedding)?) {
        loaded = OnceValue(made: model)
        started = Atomic(true)
    }

    /// Starts loading the model on another core (if nobody has yet), for whoever asks next.
    func preload() {
        guard !started.exchange(true, ordering: .relaxed) else { return }
        DispatchQueue.global(qos: .userInitiated).async { _ = self.model() }
    }

    /// The model, nil when it is missing; waits while another thread loads it.
    func model() -> (any SentenceEmbedding)? {
        started.store(true, ordering: .relaxed)
        return loaded.value
    }
}

/// One query's embedding, computed on a thread of its own from the moment it is made.
final class QueryEmbedding: Sendable {
    private let embedding: OnceValue<[Float]>

    init(_ query: String, embedder: any SentenceEmbedding) {
        let embedding = OnceValue { embedder.embed([query])[0] }
        self.embedding = embedding
        DispatchQueue.global(qos: .userInitiated).async { _ = embedding.value }
    }

    /// The vector, once it is there (made on this thread if the worker has not started yet).
    func vector() -> [Float] { embedding.value }
}
