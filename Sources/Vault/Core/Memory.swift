import Foundation
import MarkdownCodec

/// One memory as the command line and JSON show it (the `memory` shape of docs/cli.md).
public struct Memory: Sendable, Equatable {
    public struct Task: Sendable, Equatable, Codable {
        public var text: String
        public var checked: Bool
        public var line: Int
    }

    public var id: String
    public var user: String
    public var tier: Tier
    /// ISO 8601 with offset, `2026-11-22T14:03:00+01:00`; nil when the date is encrypted (ultrasecret, locked).
    public var date: String?
    public var path: String
    public var line: Int
    public var title: String?
    /// The body; nil for a locked tier.
    public var text: String?
    public var tags: [String]
    public var mentions: [String]
    public var tasks: [Task]
    public var src: String?
    public var meta: [String: String]
    /// The heading's wall-clock date, for sorting and filters.
    public var entryDate: EntryDate?
    /// Why the memory went to its tier, when a write classified it (`add --tier auto`); else nil.
    public var classification: TierClassification? = nil
}

extension Memory: Codable {
    private enum Keys: String, CodingKey {
        case id, user, tier, date, path, line, title, text, tags, mentions, tasks, src, meta, classification
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(id, forKey: .id)
        try c.encode(user, forKey: .user)
        try c.encode(tier, forKey: .tier)
        try c.encode(date, forKey: .date)
        try c.encode(path, forKey: .path)
        try c.encode(line, forKey: .line)
        try c.encode(title, forKey: .title)
        try c.encodeIfPresent(text, forKey: .text)
        try c.encode(tags, forKey: .tags)
        try c.encode(mentions, forKey: .mentions)
        try c.encode(tasks, forKey: .tasks)
        try c.encode(src, forKey: .src)
        try c.encode(meta, forKey: .meta)
        try c.encodeIfPresent(classification, forKey: .classification)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        id = try c.decode(String.self, forKey: .id)
        user = try c.decode(String.self, forKey: .user)
        tier = try c.decode(Tier.self, forKey: .tier)
        date = try c.decodeIfPresent(String.self, forKey: .date)
        path = try c.decode(String.self, forKey: .path)
        line = try c.decode(Int.self, forKey: .line)
        title = try c.decodeIfPresent(String.self, forKey: .title)
        text = try c.decodeIfPresent(String.self, forKey: .text)
        tags = try c.decodeIfPresent([String].self, forKey: .tags) ?? []
        mentions = try c.decodeIfPresent([String].self, forKey: .mentions) ?? []
        tasks = try c.decodeIfPresent([Task].self, forKey: .tasks) ?? []
        src = try c.decodeIfPresent(String.self, forKey: .src)
        meta = try c.decodeIfPresent([String: String].self, forKey: .meta) ?? [:]
        entryDate = nil
        classification = try c.decodeIfPresent(TierClassification.self, forKey: .classification)
    }
}

extension Memory {
    /// Builds the memory of a parsed entry.
    init(entry: Entry, id: String, user: String, tier: Tier, path: String, config: VaultConfig) {
        self.id = id
        self.user = user
        self.tier = tier
        self.date = entry.date.map(config.iso8601)
        self.path = path
        self.line = entry.line
        self.title = entry.title
        self.text = entry.body
        self.tags = entry.tags
        self.mentions = entry.mentions
        self.tasks = entry.tasks.map { Task(text: $0.text, checked: $0.checked, line: $0.line) }
        self.src = entry.src
        var meta: [String: String] = [:]
        for field in entry.meta where field.key != "src" && field.key != "id" && field.key != Vault.bindingKey {
            meta[field.key] = field.value
        }
        self.meta = meta
        self.entryDate = entry.date
    }
}
