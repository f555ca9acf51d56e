/// What the embedder sees of a memory, the same for the plain index and the encrypted tiers'
/// sealed indexes, so that their cosines compare.
public enum EmbeddingText {
    /// The title, then the body.
    public static func of(title: String?, body: String) -> String {
        if let title, !title.isEmpty { return title + ". " + body }
        return body
    }
}
