/// A memory longer than the embedder reads, as passages: each one fits the model's window, so
/// every part of the memory has a vector of its own (all mapped to the memory).
///
/// Passages follow the text's paragraphs (a blank line between them): each paragraph is a passage
/// of its own, a very short one (under ``shortParagraphTokens``) joined to the next, and a
/// paragraph longer than the window is cut at word boundaries, preferably where a sentence starts,
/// into windows that overlap by about a quarter, so that a fact near a cut is whole in at least one
/// of them. A text that fits the model's limit is one passage, itself (its vector is the one it
/// always had).
public enum Passages {
    /// The window's share that the next passage of a long paragraph starts after (the rest overlaps): 3/4.
    public static let strideShare = 0.75
    /// A next passage may start at a sentence up to this share of the window earlier than the
    /// stride would put it (so the overlap is between a quarter and a half of the window).
    public static let sentenceSlack = 0.25
    /// A paragraph of fewer tokens (a heading, "Thanks!") is joined to the paragraph after it
    /// (the last one to the one before), since alone its vector would say little.
    public static let shortParagraphTokens = 16

    /// The passage length for a model that reads `limit` tokens: at most ``preferredTokens``.
    public static func window(forLimit limit: Int) -> Int { min(limit, preferredTokens) }

    /// How long a passage of a long text is at most, in tokens, when the model reads more:
    /// all-MiniLM-L6-v2 reads 256 tokens but was trained on texts of at most 128, and one fact
    /// among 250 tokens of other things moves a mean-pooled vector little.
    public static let preferredTokens = 128

    /// The passages of `text` when the model reads `window` tokens (see the type's description).
    public static func split(_ text: String, window: Int, tokenCount: (Substring) -> Int) -> [Substring] {
        split(text, limit: window, window: window, tokenCount: tokenCount)
    }

    /// The passages of `text`, in order, as slices of it.
    ///
    /// - Parameters:
    ///   - limit: a text of at most this many tokens is one passage, itself.
    ///   - window: the most tokens a passage of a longer text may have (a single word longer than
    ///     the window is a passage of its own).
    ///   - tokenCount: how many tokens the embedder reads a word as (at least 1 is assumed).
    /// - Returns: `[text[...]]` when the text fits `limit`; otherwise its paragraphs (short ones
    ///   joined to a neighbour), each cut into overlapping windows when longer than `window`.
    /// - Complexity: O(words), one `tokenCount` call per word.
    public static func split(_ text: String, limit: Int, window: Int, tokenCount: (Substring) -> Int) -> [Substring] {
        let whole = text[...]
        guard window > 0, limit >= window else { return [whole] }
        // Words (runs of non-whitespace) with their token counts, and where paragraphs start.
        var words: [Range<String.Index>] = []
        var tokens: [Int] = []
        var paragraphStarts: [Int] = [0]
        var total = 0
        var i = text.startIndex
        while i < text.endIndex {
            var newlines = 0
            while i < text.endIndex, text[i].isWhitespace {
                if text[i].isNewline { newlines += 1 }
                i = text.index(after: i)
            }
            guard i < text.endIndex else { break }
            if newlines >= 2, !words.isEmpty { paragraphStarts.append(words.count) }
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
        // Paragraphs as word ranges; a short one joins the next (the last one the one before).
        var units: [Range<Int>] = []
        var pending: Int?
        for (p, start) in paragraphStarts.enumerated() {
            let end = p + 1 < paragraphStarts.count ? paragraphStarts[p + 1] : words.count
            let from = pending ?? start
            if prefix[end] - prefix[from] < shortParagraphTokens, end < words.count {
                pending = from
                continue
            }
            pending = nil
            if prefix[end] - prefix[from] < shortParagraphTokens, let last = units.last {
                units[units.count - 1] = last.lowerBound..<end
            } else {
                units.append(from..<end)
            }
        }
        func startsSentence(_ j: Int) -> Bool {
            guard j > 0, let last = text[words[j - 1]].last else { return true }
            return last == "." || last == "!" || last == "?" || last == "…"
        }
        let stride = max(1, Int(Double(window) * strideShare))
        let slack = Int(Double(window) * sentenceSlack)
        var passages: [Substring] = []
        for unit in units {
            var start = unit.lowerBound
            var previousStart = unit.lowerBound - 1
            while true {
                // The longest run of whole words from `start` within the window (at least one word).
                var end = start + 1
                while end < unit.upperBound, prefix[end + 1] - prefix[start] <= window { end += 1 }
                if end == unit.upperBound {
                    // The unit's last passage: as long as the window allows, ending at the unit's end.
                    var first = start
                    while first > previousStart + 1, prefix[end] - prefix[first - 1] <= window { first -= 1 }
                    passages.append(text[words[first].lowerBound..<words[end - 1].upperBound])
                    break
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
        return passages
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
