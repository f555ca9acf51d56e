import Foundation
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
        // A thread of its own rather than libdispatch's pool, whose first use in a process starts
        // two threads one after the other before the work begins (1.7 ms here, against 0.6).
        ThreadStart.elsewhere { _ = embedding.value }
    }

    /// Whether the vector is there (``vector()`` would not wait).
    var isReady: Bool { embedding.isMade }

    /// The vector, once it is there (made on this thread if the worker has not started yet).
    func vector() -> [Float] { embedding.value }
}

/// The model's load and one query's embedding, begun by a program before it opens the vault
/// (`memvault search`): on the other core, they take about as long as this thread's opening of the
/// vault and of its index, and the search then finds the query's vector made or nearly so.
public final class QueryPreparation: Sendable {
    /// The query as the search trims it.
    let query: String
    let model: ModelLoad
    let embedding: QueryEmbedding

    /// Starts loading the model with `loadModel` (nil when it is missing) and embedding `query`
    /// on another thread. Call ``finish()`` before the process exits, whether the search ran or not.
    public init(query: String, loadingModel loadModel: @escaping @Sendable () -> (any SentenceEmbedding)?) {
        self.query = query.trimmingCharacters(in: .whitespacesAndNewlines)
        model = ModelLoad(loadModel)
        embedding = QueryEmbedding(self.query, loading: model)
    }

    /// Waits for the embedding (made on this thread if the other has not begun it): exit's
    /// clean-up (OpenBLAS's destructor) must not run under a thread still inside a product.
    public func finish() { _ = embedding.vector() }
}
