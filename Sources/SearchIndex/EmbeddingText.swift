/// What the embedder sees of a memory, the same for the plain index and the encrypted tiers'
/// encrypted indexes, so that their cosines compare.
public enum EmbeddingText {
    /// The title, then the body.
    public static func of(title: String?, body: String) -> String {
        if let title, !title.isEmpty { return title + ". " + body }
        return body
    }

    /// How much of a conversation a short memory is embedded with.
    public struct Context: Sendable, Equatable {
        /// How many earlier memories of the same file and day precede a short memory's text.
        public var previous: Int
        /// A memory of fewer words than this is short.
        public var shortWords: Int

        public init(previous: Int, shortWords: Int) {
            self.previous = previous
            self.shortWords = shortWords
        }

        /// No context: every memory alone.
        public static let none = Context(previous: 0, shortWords: 0)
        /// What the index uses: no context. Embedding a short memory after the one before it
        /// lowered semantic recall@10 on both evaluation sets (docs/benchmarks.md, "Retrieval
        /// quality"), so it stays off; the setting is kept for measuring others.
        public static let standard = Context.none
    }

    /// The texts of a file's memories, in file order: a short memory (a chat turn such as "Yes! It
    /// was amazing.") is embedded after up to `context.previous` earlier memories of the same
    /// day, so that its vector carries what it answers. Only earlier memories count, so that
    /// adding a memory never changes the vectors of those before it. The stored text is unchanged.
    /// - Parameter entries: title, body and day (nil: undated) of each memory, in file order.
    public static func of(_ entries: [(title: String?, body: String, day: Int?)], context: Context) -> [String] {
        var texts: [String] = []
        texts.reserveCapacity(entries.count)
        for (i, entry) in entries.enumerated() {
            let own = of(title: entry.title, body: entry.body)
            guard context.previous > 0, let day = entry.day,
                  entry.body.split(whereSeparator: \.isWhitespace).count < context.shortWords
            else {
                texts.append(own)
                continue
            }
            var before: [String] = []
            var j = i - 1
            while j >= 0, before.count < context.previous, entries[j].day == day {
                before.insert(of(title: entries[j].title, body: entries[j].body), at: 0)
                j -= 1
            }
            texts.append((before + [own]).joined(separator: "\n"))
        }
        return texts
    }
}
