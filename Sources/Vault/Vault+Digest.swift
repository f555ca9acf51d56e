import Foundation
import Embedder
import MarkdownCodec

extension Vault {
    /// Writes one file (a daily digest) and commits it under the vault lock.
    ///
    /// - Parameters:
    ///   - path: the file's path relative to the vault root, for example `alice/digests/2026/2026-11-22.md`.
    ///   - bytes: the new content.
    ///   - message: the commit message.
    /// - Returns: the commit id, or nil when the file already held these bytes.
    /// - Throws: `VaultError` when writing or committing fails; the file is then restored.
    @discardableResult
    public func writeAndCommit(_ path: String, bytes: [UInt8], message: String) throws(VaultError) -> String? {
        if let existing = try? Data(contentsOf: url(path)), Array(existing) == bytes { return nil }
        return try transaction(message) { changes in changes.write(path, bytes) }
    }
}

extension Vault {
    /// A user's memories whose entry passes `include`, in file order.
    ///
    /// Cheaper than `memories(user:filter:)` when few pass: every file is parsed, but only the
    /// entries that pass become `Memory` values.
    /// - Parameter include: called with each entry's heading date (nil when sealed), tier and
    ///   whether it has an unchecked task item.
    /// - Throws: `VaultError.badInput` for a file that is not valid UTF-8.
    /// - Complexity: O(n) in the user's entries.
    public func memories(
        user: String, where include: (_ date: EntryDate?, _ tier: Tier, _ hasOpenTask: Bool) -> Bool
    ) throws(VaultError) -> [Memory] {
        var result: [Memory] = []
        for located in try allLocated(user: user)
        where include(located.entry.date, located.tier, located.entry.tasks.contains { !$0.checked }) {
            result.append(try memory(located))
        }
        return result
    }
}

extension Vault {
    /// The search index's embeddings of the memories `ids`, by id, after bringing the index up to
    /// date (which embeds what changed). Ids without a vector (encrypted tiers, no id) are left out.
    /// - Throws: `VaultError` when the index cannot be read or written.
    /// - Complexity: O(k) lookups for k ids once the index is loaded.
    public func indexedEmbeddings(ids: [String], embedder: Embedder) throws(VaultError) -> [String: [Float]] {
        var update = VaultIndex.Update()
        let index = try refreshedIndex(embedder: embedder, full: false, update: &update)
        var result: [String: [Float]] = [:]
        for id in ids where !id.isEmpty {
            if let vector = index.vector(key: id) { result[id] = vector }
        }
        return result
    }
}
