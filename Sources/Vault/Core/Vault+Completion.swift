import Foundation
import MemvaultSupport
import SearchIndex

extension Vault {
    /// What a shell completes from the vault.
    public enum CompletionKind: String, Sendable, CaseIterable {
        case id, tier, user
    }

    /// Completions that need no vault.
    public enum Completions {
        public static func tiers(prefix: String) -> [String] {
            Tier.allCases.map(\.rawValue).filter { $0.hasPrefix(prefix.lowercased()) }
        }
    }

    /// Candidates for shell completion, answered without parsing the vault: ids come from the
    /// search index's entry table (memory-mapped, a binary search by prefix) plus the index's
    /// recent changes, and the ids of encrypted tiers from their files' plain id lines; users
    /// from memvault.toml. Never unlocks, never writes, never throws: a vault without an index
    /// simply completes fewer ids.
    /// - Parameter limit: at most this many ids (a shell shows no more usefully).
    /// - Complexity: O(log n + limit) for the plain tiers, plus reading the encrypted tiers' files.
    public func completions(_ kind: CompletionKind, prefix: String, limit: Int = 200) -> [String] {
        switch kind {
        case .tier:
            return Completions.tiers(prefix: prefix)
        case .user:
            return config.users.filter { $0.hasPrefix(prefix) }
        case .id:
            var ids = Set(indexedIDs(prefix: prefix.uppercased(), limit: limit))
            for user in config.users {
                for tier in Tier.allCases where tier.isEncrypted {
                    for path in tierFiles(user: user, tier: tier) {
                        ids.formUnion(Self.idLines(in: url(path), prefix: prefix.uppercased()))
                    }
                }
            }
            return Array(ids).sorted().prefix(limit).map { $0 }
        }
    }

    /// Ids of the plain tiers from the index files (a damaged or missing index gives none).
    private func indexedIDs(prefix: String, limit: Int) -> [String] {
        guard let state = try? IndexState(contentsOf: indexDirectory.appendingPathComponent(VaultIndex.stateName)) else {
            return []
        }
        var ids: [String] = []
        if state.generation > 0,
            let table = try? EntryTable(contentsOf: indexDirectory.appendingPathComponent("entries-\(state.generation).tab"))
        {
            let hidden = Set(state.hiddenRows)
            ids = table.keys(withPrefix: prefix, limit: limit) { hidden.contains($0) }
        }
        for change in state.changes where change.record.entry.id.hasPrefix(prefix) {
            ids.append(change.record.entry.id)
        }
        return ids.filter(MemoryID.isValid)
    }

    /// The ids in `<!-- id: ... -->` lines of one file, by a byte scan (no Markdown parsing).
    static func idLines(in url: URL, prefix: String) -> [String] {
        guard let data = try? Data(contentsOf: url, options: .alwaysMapped) else { return [] }
        let marker = Array("<!-- id: ".utf8)
        var ids: [String] = []
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var index = 0
            let count = bytes.count
            while index + marker.count < count {
                // Only at the start of a line.
                if (index == 0 || bytes[index - 1] == 10) && bytes[index] == 60 {
                    var matches = true
                    for (offset, byte) in marker.enumerated() where bytes[index + offset] != byte {
                        matches = false
                        break
                    }
                    if matches {
                        var end = index + marker.count
                        while end < count, bytes[end] != 32, bytes[end] != 10, bytes[end] != 45 { end += 1 }
                        let id = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(index + marker.count)..<end]), as: UTF8.self)
                        if id.hasPrefix(prefix), MemoryID.isValid(id) { ids.append(id) }
                        index = end
                        continue
                    }
                }
                // Next line.
                while index < count, bytes[index] != 10 { index += 1 }
                index += 1
            }
        }
        return ids
    }
}
