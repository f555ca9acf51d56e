import Foundation
import MarkdownCodec
import MemvaultSupport

/// Which memories `list` and `export` show.
public struct MemoryFilter: Sendable {
    public var tiers: Set<Tier>?
    /// Inclusive bounds on the memory's instant.
    public var since: Date?
    public var until: Date?
    public var tags: Set<String>?
    public var mentions: Set<String>?

    public init(tiers: Set<Tier>? = nil, since: Date? = nil, until: Date? = nil, tags: Set<String>? = nil, mentions: Set<String>? = nil) {
        self.tiers = tiers
        self.since = since
        self.until = until
        self.tags = tags
        self.mentions = mentions
    }
}

extension Vault {
    /// A located entry: the file it is in and its parsed form.
    struct Located {
        var user: String
        var tier: Tier
        var path: String
        var entry: Entry
    }

    /// Every entry of every user's tier files (or only `user`'s), in file order.
    /// - Parameter read: reads a tier file (`status` passes the files its check has read).
    /// - Throws: `VaultError.badInput` for a file that is not valid UTF-8.
    func allLocated(
        user: String? = nil, tiers: Set<Tier>? = nil, read: ((String) throws(VaultError) -> EntryFile)? = nil
    ) throws(VaultError) -> [Located] {
        var result: [Located] = []
        for name in user.map({ [$0] }) ?? config.users {
            for tier in Tier.allCases where tiers?.contains(tier) ?? true {
                for path in tierFiles(user: name, tier: tier) {
                    let file: EntryFile
                    if let read { file = try read(path) } else { file = try readEntryFile(path) }
                    for entry in file.entries {
                        result.append(Located(user: name, tier: tier, path: path, entry: entry))
                    }
                }
            }
        }
        return result
    }

    func allEntries() throws(VaultError) -> [Entry] {
        try allLocated().map(\.entry)
    }

    /// Finds the entry with `id` anywhere in the vault.
    ///
    /// Reads each tier file's raw bytes and parses only files that contain the id.
    /// - Throws: `VaultError.badInput` "no memory" when absent.
    func locate(id: String) throws(VaultError) -> Located {
        guard MemoryID.isValid(id) else {
            throw VaultError(.badInput, "'\(id.prefix(40))' is not a memory id", hint: "ids look like 01JD3K9X2F7Q8R3M; see memvault list")
        }
        let needle = Array(id.utf8)
        for name in config.users {
            for tier in Tier.allCases {
                for path in tierFiles(user: name, tier: tier) {
                    let bytes: [UInt8]
                    do {
                        bytes = try readVaultFile(path)
                    } catch where error.exitStatus == .integrity {
                        throw error  // a link or special file in the vault is named, never skipped silently
                    } catch {
                        continue
                    }
                    guard bytes.contains(needle) else { continue }
                    let file = try parseEntryFile(bytes, path: path)
                    if let entry = file.entry(id: id) {
                        return Located(user: name, tier: tier, path: path, entry: entry)
                    }
                }
            }
        }
        throw VaultError(.badInput, "no memory with id \(id)", hint: "see memvault list")
    }

    /// The memory of a located entry; an encrypted entry is decrypted when its tier is unlocked,
    /// else its text and title are absent.
    /// - Throws: `.integrity` for a tampered block, `.locked` for a block under another key.
    func memory(_ located: Located) throws(VaultError) -> Memory {
        let id = located.entry.id ?? ""
        if located.entry.isEncrypted {
            let opened: (text: String, entry: Entry)?
            do {
                opened = try decrypted(located)
            } catch where error.otherKey {
                // An older key's entry: shown locked and reported; the others go on.
                noteOtherKey(located)
                return lockedMemory(located)
            }
            if let (_, inner) = opened {
                var memory = Memory(entry: inner, id: id, user: located.user, tier: located.tier, path: located.path, config: config)
                memory.line = located.entry.line
                memory.tasks = []
                return memory
            }
            return lockedMemory(located)
        }
        return Memory(entry: located.entry, id: id, user: located.user, tier: located.tier, path: located.path, config: config)
    }

    /// What can be shown of an entry without decrypting it: no title, no text.
    func lockedMemory(_ located: Located) -> Memory {
        var memory = Memory(
            entry: located.entry, id: located.entry.id ?? "", user: located.user, tier: located.tier, path: located.path,
            config: config)
        if located.entry.isEncrypted {
            memory.text = nil
            memory.title = nil
        }
        return memory
    }

    /// `written`: the file as the change just committed it, which spares reading and parsing it
    /// again (a month of a large vault takes milliseconds).
    func memory(id: String, user: String, in path: String, written: EntryFile? = nil) throws(VaultError) -> Memory {
        let file: EntryFile
        if let written { file = written } else { file = try readEntryFile(path) }
        guard let entry = file.entry(id: id), let tier = tierOf(path: path)?.tier else {
            throw VaultError(.integrity, "memory \(id) missing after writing it", at: path)
        }
        return try memory(Located(user: user, tier: tier, path: path, entry: entry))
    }

    /// The memory with `id`.
    public func show(id: String) throws(VaultError) -> Memory {
        try memory(try locate(id: id))
    }

    /// A user's memories that pass `filter`, newest first. Entries without an id are included
    /// with an empty id (run `check --fix` to give them one).
    /// - Parameter limit: at most this many, the newest; only those are turned into memories (and
    ///   decrypted) when no tag or mention filter needs every memory's text.
    public func memories(user: String, filter: MemoryFilter = MemoryFilter(), limit: Int? = nil) throws(VaultError) -> [Memory] {
        let timeZone = config.timeZone
        var selected: [(Date, Memory)] = []
        var places = try allLocated(user: user, tiers: filter.tiers)
        if let limit, filter.tags == nil, filter.mentions == nil {
            places = Self.newest(places, limit: max(0, limit), filter: filter, timeZone: timeZone)
        }
        try prefetchFileKeys(places)
        for located in places {
            let memory = try memory(located)
            let instant = memory.entryDate.map { DateText.instant($0, timeZone: timeZone) }
            if let since = filter.since, (instant.map { $0 < since } ?? true) { continue }
            if let until = filter.until, (instant.map { $0 > until } ?? true) { continue }
            if let tags = filter.tags, !tags.isSubset(of: memory.tags) { continue }
            if let mentions = filter.mentions, !mentions.isSubset(of: memory.mentions) { continue }
            selected.append((instant ?? .distantPast, memory))
        }
        let newestFirst = selected.sorted { ($0.0, $0.1.id) > ($1.0, $1.1.id) }.map(\.1)
        return limit.map { Array(newestFirst.prefix(max(0, $0))) } ?? newestFirst
    }

    /// The entries among which the newest `limit` memories passing `filter`'s dates are: the
    /// newest `limit` plain ones that pass (a plain memory's date is its heading's), and every
    /// encrypted one (its date may be inside the ciphertext).
    /// - Complexity: O(n log n) for n entries, without building or decrypting a memory.
    static func newest(_ places: [Located], limit: Int, filter: MemoryFilter, timeZone: TimeZone) -> [Located] {
        var plain: [(instant: Date, id: String, index: Int)] = []
        var kept: [Int] = []
        for (i, located) in places.enumerated() {
            if located.entry.isEncrypted {
                kept.append(i)
                continue
            }
            let instant = located.entry.date.map { DateText.instant($0, timeZone: timeZone) }
            if let since = filter.since, (instant.map { $0 < since } ?? true) { continue }
            if let until = filter.until, (instant.map { $0 > until } ?? true) { continue }
            plain.append((instant ?? .distantPast, located.entry.id ?? "", i))
        }
        plain.sort { ($0.instant, $0.id) > ($1.instant, $1.id) }
        kept += plain.prefix(limit).map(\.index)
        return kept.sorted().map { places[$0] }
    }
}

extension Array where Element == UInt8 {
    /// Whether `needle` occurs in these bytes.
    func contains(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return needle.isEmpty }
        return withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { n in
                let first = n[0]
                var i = 0
                let last = hay.count - n.count
                while i <= last {
                    if hay[i] == first && memcmp(hay.baseAddress! + i, n.baseAddress!, n.count) == 0 { return true }
                    i += 1
                }
                return false
            }
        }
    }
}
