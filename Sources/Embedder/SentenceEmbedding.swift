/// What the index and search need from an embedding model: texts in, L2-normalized vectors out.
///
/// `Embedder` is the real one; benchmarks substitute a cheap stand-in to build large indexes quickly.
public protocol SentenceEmbedding: Sendable {
    /// One L2-normalized vector per text.
    func embed(_ texts: [String]) -> [[Float]]
    /// The same vectors, row-major in one array.
    func embedMatrix(_ texts: [String]) -> [Float]
}

extension Embedder: SentenceEmbedding {}
