import Embedder
import Foundation
import MarkdownCodec
import Vault

/// What to build a context block for.
public struct ContextRequest: Sendable {
    /// The prompt or topic the memories should serve.
    public var query: String
    /// The hard limit, in tokens (see `TokenBudget`).
    public var budget: Int
    /// Tiers to draw from; nil means every tier the vault may read.
    public var tiers: Set<Tier>?

    public init(query: String, budget: Int = 1500, tiers: Set<Tier>? = nil) {
        self.query = query
        self.budget = budget
        self.tiers = tiers
    }

    /// The smallest budget accepted: room for the header and one short memory.
    public static let minimumBudget = 64
}

/// The best memories for a prompt, ready to paste, within a token budget.
public struct ContextBlock: Sendable, Codable {
    public struct Item: Sendable, Codable {
        public var id: String
        public var tier: Tier
        /// ISO 8601 with offset, as in `show --json`; nil when encrypted.
        public var date: String?
        public var title: String?
        public var path: String
        public var line: Int
        /// The search score that chose it.
        public var score: Float
        /// The text as it appears in the block (one line; shortened when `truncated`).
        public var text: String
        public var truncated: Bool
        /// Ids of near-duplicates folded into this one (older copies of the same text).
        public var folded: [String]
    }

    public var query: String
    public var budget: Int
    /// The block's conservative token count (never below o200k_base's or cl100k_base's).
    public var tokens: Int
    /// The block: a one-line header, then one line per memory.
    public var text: String
    public var memories: [Item]
    /// Relevant memories found before folding and the budget.
    public var considered: Int
    /// Memories left out because the budget was spent.
    public var leftOut: Int
    /// Near-duplicates folded into another memory.
    public var folded: Int
    /// Tiers that hold memories but stayed locked, so were not searched.
    public var locked: [String]
    /// One-line notices for stderr (index rebuilt, model missing); not part of the JSON.
    public var notices: [String] = []

    enum CodingKeys: String, CodingKey {
        case query, budget, tokens, text, memories, considered, leftOut = "left_out", folded, locked
    }
}

/// Builds context blocks: hybrid search, near-duplicates folded, memories on one topic newest
/// first, each cited with its date and id, cut to a hard token budget. The same vault and query
/// always give the same block.
public struct ContextBuilder {
    public let vault: Vault
    public let user: String
    /// The model (see `Vault.search(_:user:loadingModel:)`).
    private let loadModel: @Sendable () -> (any SentenceEmbedding)?
    /// Word-set similarity (Jaccard) at or above which two memories are near-duplicates.
    public var duplicateThreshold = 0.8
    /// Similarity at or above which two memories are about the same thing, so the newer one
    /// comes first (where they disagree, the newer is the fact in force).
    public var topicThreshold = 0.35
    /// A memory that does not fit whole is shortened when at least this many tokens are left.
    public var shortestExcerpt = 24

    /// A builder with the model loaded already (nil: missing).
    public init(vault: Vault, user: String, embedder: (any SentenceEmbedding)?) {
        self.init(vault: vault, user: user, loadingModel: { embedder })
    }

    /// A builder for a process that has not loaded the model: `loadModel` runs on another core
    /// while the search brings the index up to date; it returns nil when the model is missing.
    public init(vault: Vault, user: String, loadingModel loadModel: @escaping @Sendable () -> (any SentenceEmbedding)?) {
        self.vault = vault
        self.user = user
        self.loadModel = loadModel
    }

    /// The block for `request`.
    /// - Throws: `VaultError.badInput` for an empty query or a budget below
    ///   `ContextRequest.minimumBudget`; errors of the search.
    /// - Complexity: one hybrid search, reading the entries found, O(c²) comparisons for c candidates.
    public func build(_ request: ContextRequest) throws(VaultError) -> ContextBlock {
        guard request.budget >= ContextRequest.minimumBudget else {
            throw VaultError(.badInput, "a budget of \(request.budget) tokens is too small (at least \(ContextRequest.minimumBudget))")
        }
        var search = SearchRequest(query: request.query, k: min(100, max(20, request.budget / 40)), mode: .hybrid)
        search.tiers = request.tiers
        // The whole texts come with the results, read in the same pass as the snippets.
        search.includeMemories = true
        let response = try vault.search(search, user: user, loadingModel: loadModel)
        let hits = response.results.filter { !$0.id.isEmpty }
        var memories = response.memories
        let missing = hits.filter { memories[$0.id] == nil }
        if !missing.isEmpty {
            memories.merge(try vault.memories(of: missing.map { (id: $0.id, path: $0.path) })) { found, _ in found }
        }
        var candidates: [Candidate] = []
        var vocabulary = WordNumbers()
        for hit in hits {
            guard let memory = memories[hit.id], let text = memory.text else { continue }
            let flat = Self.oneLine(text)
            if flat.isEmpty && memory.title == nil { continue }
            let words = vocabulary.numbers(of: Self.words((memory.title ?? "") + " " + flat))
            candidates.append(Candidate(memory: memory, score: hit.score, text: flat, words: words))
        }
        let groups = group(candidates)
        var block = assemble(groups, request: request, considered: candidates.count, locked: response.locked)
        block.notices = response.notices
        return block
    }

    struct Candidate {
        var memory: Memory
        var score: Float
        var text: String
        /// The distinct words of its title and text, as ascending numbers (`WordNumbers`).
        var words: [Int32]
        var folded: [String] = []

        var sortKey: (EntryDate, String) {
            (memory.entryDate ?? EntryDate(year: 1, month: 1, day: 1), memory.id)
        }
    }

    /// Folds near-duplicates (keeping the newest copy) and gathers memories on one topic, in
    /// the order of each group's best hit; inside a group the newest comes first.
    func group(_ candidates: [Candidate]) -> [[Candidate]] {
        var groups: [[Candidate]] = []
        for var candidate in candidates {
            var placed = false
            for g in groups.indices {
                if let d = groups[g].firstIndex(where: { Self.similarity($0.words, candidate.words) >= duplicateThreshold }) {
                    // The newer copy stays; the older is folded into it.
                    if candidate.sortKey > groups[g][d].sortKey {
                        candidate.folded = groups[g][d].folded + [groups[g][d].memory.id]
                        groups[g][d] = candidate
                    } else {
                        groups[g][d].folded.append(candidate.memory.id)
                    }
                    placed = true
                    break
                }
                if groups[g].contains(where: { sameTopic($0, candidate) }) {
                    groups[g].append(candidate)
                    placed = true
                    break
                }
            }
            if !placed { groups.append([candidate]) }
        }
        return groups.map { $0.sorted { $0.sortKey > $1.sortKey } }
    }

    private func sameTopic(_ a: Candidate, _ b: Candidate) -> Bool {
        if let x = a.memory.title?.lowercased(), let y = b.memory.title?.lowercased(), !x.isEmpty, x == y { return true }
        return Self.similarity(a.words, b.words) >= topicThreshold
    }

    /// Lines within the budget, then the header that says what was left out.
    func assemble(_ groups: [[Candidate]], request: ContextRequest, considered: Int, locked: [String]) -> ContextBlock {
        let ordered = groups.flatMap { $0 }
        let folded = ordered.reduce(0) { $0 + $1.folded.count }
        // The header's largest form, so that the lines chosen leave room for it.
        var compact = false
        var reserve = TokenBudget.count(header(shown: considered, of: considered, leftOut: considered, shortened: considered,
                                               folded: folded, budget: request.budget, locked: locked, compact: false)) + 1
        if reserve > request.budget / 3 {
            // A small budget: the short header, so that memories still fit.
            compact = true
            reserve = TokenBudget.count(header(shown: considered, of: considered, leftOut: considered, shortened: considered,
                                               folded: folded, budget: request.budget, locked: locked, compact: true)) + 1
        }
        var items: [ContextBlock.Item] = []
        var lines: [String] = []
        var used = reserve
        var leftOut = 0
        var shortened = 0
        for candidate in ordered {
            let whole = line(candidate, text: candidate.text)
            let cost = TokenBudget.count(whole) + 1
            if used + cost <= request.budget {
                lines.append(whole)
                items.append(item(candidate, text: candidate.text, truncated: false))
                used += cost
                continue
            }
            let room = request.budget - used - 1
            if room >= shortestExcerpt, let short = shorten(candidate, toFit: room) {
                lines.append(line(candidate, text: short))
                items.append(item(candidate, text: short, truncated: true))
                used += TokenBudget.count(lines.last!) + 1
                shortened += 1
                continue
            }
            leftOut += 1
        }
        let head = header(shown: items.count, of: considered, leftOut: leftOut, shortened: shortened, folded: folded,
                          budget: request.budget, locked: locked, compact: compact)
        let text = ([head] + lines).joined(separator: "\n") + "\n"
        return ContextBlock(
            query: request.query, budget: request.budget, tokens: TokenBudget.count(text), text: text, memories: items,
            considered: considered, leftOut: leftOut, folded: folded, locked: locked)
    }

    func header(shown: Int, of considered: Int, leftOut: Int, shortened: Int, folded: Int, budget: Int, locked: [String], compact: Bool) -> String {
        if compact { return "# Memories: \(shown) of \(considered); left out: \(leftOut + folded)" }
        var parts = ["# Memories: \(shown) of \(considered) relevant"]
        var out: [String] = []
        if leftOut > 0 { out.append("\(leftOut) over the \(budget)-token budget") }
        if shortened > 0 { out.append("\(shortened) shortened") }
        if folded > 0 { out.append("\(folded) near-duplicates folded") }
        if !locked.isEmpty { out.append("locked tiers not searched: \(locked.joined(separator: ", "))") }
        parts.append(out.isEmpty ? "nothing left out" : "left out: " + out.joined(separator: "; "))
        if considered > 1 { parts.append("newest first within a topic") }
        return parts.joined(separator: "; ")
    }

    /// `- [2026-11-22 · 01JD3K9X2F7Q8R] Coffee with Maria: Had coffee with Maria; ...`
    func line(_ candidate: Candidate, text: String) -> String {
        let memory = candidate.memory
        let date = memory.date.map { String($0.prefix(10)) } ?? "undated"
        var line = "- [\(date) · \(memory.id)]"
        if let title = memory.title, !title.isEmpty { line += " " + title + (text.isEmpty ? "" : ":") }
        if !text.isEmpty { line += " " + text }
        return line
    }

    func item(_ candidate: Candidate, text: String, truncated: Bool) -> ContextBlock.Item {
        let memory = candidate.memory
        return ContextBlock.Item(
            id: memory.id, tier: memory.tier, date: memory.date, title: memory.title, path: memory.path, line: memory.line,
            score: candidate.score, text: text, truncated: truncated, folded: candidate.folded)
    }

    /// The longest prefix of the text, cut at a word and ended with "…", whose line fits in `room` tokens.
    func shorten(_ candidate: Candidate, toFit room: Int) -> String? {
        let words = candidate.text.split(separator: " ", omittingEmptySubsequences: true)
        var low = 0
        var high = words.count - 1
        var best: String?
        while low <= high {
            let middle = (low + high) / 2
            let text = words[0...middle].joined(separator: " ") + " …"
            if TokenBudget.count(line(candidate, text: text)) <= room {
                best = text
                low = middle + 1
            } else {
                high = middle - 1
            }
        }
        return best
    }

    /// The text on one line: whitespace runs become one space.
    public static func oneLine(_ text: String) -> String {
        Vault.oneLine(text)
    }

    /// Lower-cased words of two letters or more; CJK text (no spaces) by single characters.
    static func words(_ text: String) -> Set<String> {
        if let ascii = asciiWords(text) { return ascii }
        var result = Set<String>()
        for word in text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }) {
            if word.unicodeScalars.contains(where: { $0.properties.isIdeographic }) {
                for character in word { result.insert(String(character)) }
            } else if word.count >= 2 {
                result.insert(String(word))
            }
        }
        return result
    }

    /// `words` of an ASCII text, byte by byte (nil for any other text).
    private static func asciiWords(_ text: String) -> Set<String>? {
        var text = text
        return text.withUTF8 { bytes -> Set<String>? in
            var result = Set<String>()
            var word: [UInt8] = []
            for byte in bytes {
                guard byte < 0x80 else { return nil }
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    word.append(byte)
                case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                    word.append(byte + 32)
                default:
                    if word.count >= 2 { result.insert(String(decoding: word, as: UTF8.self)) }
                    word.removeAll(keepingCapacity: true)
                }
            }
            if word.count >= 2 { result.insert(String(decoding: word, as: UTF8.self)) }
            return result
        }
    }

    /// Jaccard similarity of two ascending word-number lists.
    static func similarity(_ a: [Int32], _ b: [Int32]) -> Double {
        if a.isEmpty || b.isEmpty { return 0 }
        var shared = 0
        var i = 0
        var j = 0
        while i < a.count && j < b.count {
            if a[i] == b[j] {
                shared += 1
                i += 1
                j += 1
            } else if a[i] < b[j] {
                i += 1
            } else {
                j += 1
            }
        }
        return Double(shared) / Double(a.count + b.count - shared)
    }
}

/// Numbers for the words of one block's candidates, so that the O(c²) comparisons of
/// `ContextBuilder.group` merge two sorted lists of integers instead of hashing strings.
struct WordNumbers {
    private var numbers: [String: Int32] = [:]

    /// The distinct words as ascending numbers; the same word gets the same number every time.
    mutating func numbers(of words: Set<String>) -> [Int32] {
        var result: [Int32] = []
        result.reserveCapacity(words.count)
        for word in words {
            if let number = numbers[word] {
                result.append(number)
            } else {
                let number = Int32(numbers.count)
                numbers[word] = number
                result.append(number)
            }
        }
        return result.sorted()
    }
}
