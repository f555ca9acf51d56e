/// A memory longer than the embedder reads, as overlapping passages: each one fits the model's
/// window, so every part of the memory has a vector of its own (all mapped to the memory).
///
/// Passages are cut at word boundaries, preferably where a sentence starts, and overlap by about a
/// quarter of the window, so that a fact near a cut is whole in at least one passage. A text that
/// fits the window is one passage, itself (its vector is the one it always had).
public enum Passages {
    /// The window's share that the next passage starts after (the rest overlaps): 3/4.
    public static let strideShare = 0.75
    /// A next passage may start at a sentence up to this share of the window earlier than the
    /// stride would put it (so the overlap is between a quarter and a half of the window).
    public static let sentenceSlack = 0.25

    /// The passages of `text`, in order, as slices of it.
    ///
    /// - Parameters:
    ///   - window: the most tokens a passage may have (the model's window without its [CLS] and [SEP]).
    ///   - tokenCount: how many tokens the embedder reads a word as (at least 1 is assumed).
    /// - Returns: `[text[...]]` when the text fits; otherwise passages of at most `window` tokens
    ///   (a single word longer than the window is a passage of its own), the first starting at the
    ///   text's start, the last ending at its end, each overlapping the one before.
    /// - Complexity: O(words), one `tokenCount` call per word.
    public static func split(_ text: String, window: Int, tokenCount: (Substring) -> Int) -> [Substring] {
        split(text, limit: window, window: window, tokenCount: tokenCount)
    }

    /// The passage length for a model that reads `limit` tokens: at most ``preferredTokens``.
    public static func window(forLimit limit: Int) -> Int { min(limit, preferredTokens) }

    /// How long a passage of a long text is, in tokens, when the model reads more: all-MiniLM-L6-v2
    /// reads 256 tokens but was trained on texts of at most 128, and one fact among 250 tokens of
    /// other things moves a mean-pooled vector little (measured in docs/benchmarks.md).
    public static let preferredTokens = 128

    /// The passages of `text`: itself when it has at most `limit` tokens, otherwise passages of at
    /// most `window` tokens as ``split(_:window:tokenCount:)`` cuts them.
    public static func split(_ text: String, limit: Int, window: Int, tokenCount: (Substring) -> Int) -> [Substring] {
        let whole = text[...]
        guard window > 0, limit >= window else { return [whole] }
        // Words: runs of non-whitespace, with their token counts.
        var words: [Range<String.Index>] = []
        var tokens: [Int] = []
        var total = 0
        var i = text.startIndex
        while i < text.endIndex {
            while i < text.endIndex, text[i].isWhitespace { i = text.index(after: i) }
            guard i < text.endIndex else { break }
            let start = i
            while i < text.endIndex, !text[i].isWhitespace { i = text.index(after: i) }
            words.append(start..<i)
            let n = max(1, tokenCount(text[start..<i]))
            tokens.append(n)
            total += n
        }
        guard total > limit, words.count > 1 else { return [whole] }
        // prefix[j] = tokens of words 0..<j.
        var prefix = [0]
        prefix.reserveCapacity(words.count + 1)
        for n in tokens { prefix.append(prefix.last! + n) }
        func startsSentence(_ j: Int) -> Bool {
            guard j > 0, let last = text[words[j - 1]].last else { return true }
            return last == "." || last == "!" || last == "?" || last == "…"
        }
        let stride = max(1, Int(Double(window) * strideShare))
        let slack = Int(Double(window) * sentenceSlack)
        var passages: [Substring] = []
        var start = 0
        var previousStart = -1
        while true {
            // The longest run of whole words from `start` within the window (at least one word).
            var end = start + 1
            while end < words.count, prefix[end + 1] - prefix[start] <= window { end += 1 }
            if end == words.count {
                // The last passage: as long as the window allows, ending at the text's end.
                var first = start
                while first > previousStart + 1, prefix[words.count] - prefix[first - 1] <= window { first -= 1 }
                passages.append(text[words[first].lowerBound..<words[end - 1].upperBound])
                return passages
            }
            passages.append(text[words[start].lowerBound..<words[end - 1].upperBound])
            previousStart = start
            // The next passage starts `stride` tokens on, or at a sentence start up to `slack` earlier.
            var next = start + 1
            while next < end, prefix[next + 1] - prefix[start] <= stride { next += 1 }
            var sentence = next
            while sentence > start + 1, !startsSentence(sentence), prefix[next] - prefix[sentence - 1] <= slack { sentence -= 1 }
            if startsSentence(sentence) { next = sentence }
            start = max(start + 1, next)
        }
    }

    /// The best passage of each owner among `hits` (already sorted best first, ties by a stable
    /// order), at most `k` owners: the exact top-k of owners scored by their best passage.
    /// - Returns: owners best first, with their best passage's score and number.
    public static func bestPerOwner<Owner: Hashable>(
        _ hits: [(owner: Owner, passage: Int, score: Float)], k: Int
    ) -> [(owner: Owner, passage: Int, score: Float)] {
        var seen = Set<Owner>()
        var best: [(owner: Owner, passage: Int, score: Float)] = []
        for hit in hits where best.count < k && seen.insert(hit.owner).inserted { best.append(hit) }
        return best
    }
}
