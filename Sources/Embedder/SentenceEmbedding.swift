/// What the index and search need from an embedding model: texts in, L2-normalized vectors out.
///
/// `Embedder` is the real one; benchmarks substitute a cheap stand-in to build large indexes quickly.
public protocol SentenceEmbedding: Sendable {
    /// One L2-normalized vector per text.
    func embed(_ texts: [String]) -> [[Float]]
    /// The same vectors, row-major in one array.
    func embedMatrix(_ texts: [String]) -> [Float]
    /// The most tokens of a text the model reads (without its own marks, such as [CLS] and
    /// [SEP]); nil when it reads any length. A longer text is embedded as passages that fit.
    var passageTokens: Int? { get }
    /// How many tokens the model reads `text` as (without its own marks).
    func tokenCount(_ text: Substring) -> Int
}

extension SentenceEmbedding {
    /// Reads any length: no passages.
    public var passageTokens: Int? { nil }
    /// One token per word.
    public func tokenCount(_ text: Substring) -> Int { text.split(whereSeparator: \.isWhitespace).count }
}

extension Embedder: SentenceEmbedding {
    /// The window of 256 tokens less [CLS] and [SEP].
    public var passageTokens: Int? { Self.maxTokens - 2 }

    /// The WordPiece tokens of `text`, as the model reads them.
    public func tokenCount(_ text: Substring) -> Int {
        tokenizer.encode(String(text), maxLength: Int(Int32.max)).count - 2
    }
}
