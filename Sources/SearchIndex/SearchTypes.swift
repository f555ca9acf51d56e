import Foundation

/// One row of the entry map: where an indexed entry lives and what filters need.
public struct IndexedEntry: Sendable, Codable, Hashable {
    public var id: String
    public var user: String
    public var tier: String
    /// Vault-relative path of the Markdown file.
    public var path: String
    /// 1-based line of the entry's heading in that file.
    public var line: Int
    public var date: Date?
    public var title: String?
    /// Hash of the entry's text, to notice edits.
    public var contentHash: String
    public var tags: [String]
    public var mentions: [String]
    public var src: String?

    public init(
        id: String, user: String, tier: String, path: String, line: Int, date: Date?, title: String?,
        contentHash: String, tags: [String] = [], mentions: [String] = [], src: String? = nil
    ) {
        self.id = id
        self.user = user
        self.tier = tier
        self.path = path
        self.line = line
        self.date = date
        self.title = title
        self.contentHash = contentHash
        self.tags = tags
        self.mentions = mentions
        self.src = src
    }
}

/// Which entries a search may return. Every non-nil condition must hold.
public struct SearchFilter: Sendable {
    /// The entry's user is one of these.
    public var users: Set<String>?
    /// The entry's tier is one of these.
    public var tiers: Set<String>?
    /// The entry is dated at or after this instant (undated entries are excluded).
    public var since: Date?
    /// The entry is dated at or before this instant (undated entries are excluded).
    public var until: Date?
    /// The entry carries every one of these tags (case-insensitive).
    public var tags: Set<String>? { didSet { foldedTags = tags.map { Set($0.map { $0.lowercased() }) } } }
    /// The entry mentions every one of these people (case-insensitive, without `@`).
    public var mentions: Set<String>? { didSet { foldedMentions = mentions.map { Set($0.map(Self.foldMention)) } } }

    private var foldedTags: Set<String>?
    private var foldedMentions: Set<String>?

    public init(
        users: Set<String>? = nil, tiers: Set<String>? = nil, since: Date? = nil, until: Date? = nil,
        tags: Set<String>? = nil, mentions: Set<String>? = nil
    ) {
        self.users = users
        self.tiers = tiers
        self.since = since
        self.until = until
        self.tags = tags
        self.mentions = mentions
        foldedTags = tags.map { Set($0.map { $0.lowercased() }) }
        foldedMentions = mentions.map { Set($0.map(Self.foldMention)) }
    }

    /// True when no condition is set.
    public var isEmpty: Bool {
        users == nil && tiers == nil && since == nil && until == nil && tags == nil && mentions == nil
    }

    private static func foldMention(_ s: String) -> String {
        (s.hasPrefix("@") ? String(s.dropFirst()) : s).lowercased()
    }

    /// Whether `e` passes every condition.
    public func matches(_ e: IndexedEntry) -> Bool {
        if let users, !users.contains(e.user) { return false }
        if let tiers, !tiers.contains(e.tier) { return false }
        if since != nil || until != nil {
            guard let date = e.date else { return false }
            if let since, date < since { return false }
            if let until, date > until { return false }
        }
        if let foldedTags, !foldedTags.isEmpty {
            let have = Set(e.tags.map { $0.lowercased() })
            if !foldedTags.isSubset(of: have) { return false }
        }
        if let foldedMentions, !foldedMentions.isEmpty {
            let have = Set(e.mentions.map(Self.foldMention))
            if !foldedMentions.isSubset(of: have) { return false }
        }
        return true
    }
}

/// How a query is answered.
public enum SearchMode: String, Sendable, CaseIterable {
    /// Dense cosine similarity of embeddings.
    case semantic
    /// BM25 over words.
    case lexical
    /// Both, fused by ``Fusion``.
    case hybrid
}
