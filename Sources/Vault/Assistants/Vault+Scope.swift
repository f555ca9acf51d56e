import Foundation
import MarkdownCodec
import MemvaultSupport

/// What a long-lived process (the MCP server) needs to stay correct while people, the command
/// line and `sync` change the vault under it: a settings reload, forgetting cached keys, and
/// reading a few memories by where the index last saw them.
extension Vault {
    /// Reads `memvault.toml` again and takes its settings when they changed.
    /// - Returns: whether the settings changed.
    /// - Throws: `VaultError.badInput` naming the file and line when it no longer parses; the
    ///   settings from before stay in force then.
    @discardableResult
    public func reloadConfig() throws(VaultError) -> Bool {
        let fresh = try VaultConfig(parsing: try Self.configText(root: root), path: Self.configFileName)
        guard fresh != config else { return false }
        config = fresh
        return true
    }

    /// Forgets the tier identities and "locked" answers cached in this process, so the next
    /// read asks the key agent again: a tier unlocked or locked meanwhile is seen as it is now.
    public func forgetCachedKeys() {
        unlockedKeys.removeAll()
    }

    /// Whether `user`'s `tier` can be read now without asking anyone: a plain tier, or an
    /// encrypted one already unlocked (in this process or the key agent), inside `tierScope`.
    public func isReadableNow(user: String, tier: Tier) -> Bool {
        guard tierScope?.contains(tier) ?? true else { return false }
        return !tier.isEncrypted || ((try? tierKey(user: user, tier: tier, ask: false)) ?? nil) != nil
    }

    /// The memories of search results, read from the files the results name: only the entries
    /// holding each id are parsed (a line scan finds them), not whole files. A memory that moved
    /// since is looked up in the whole vault; one that is gone is left out. Tiers outside
    /// `tierScope` are never read.
    ///
    /// - Returns: the memories found, by id (encrypted ones decrypted when their tier is unlocked).
    /// - Throws: `.integrity` for a tampered encrypted entry; `.badInput` for a file that is not UTF-8.
    /// - Complexity: O(b) line scan of each named file, plus parsing the entries found.
    public func memories(of references: [(id: String, path: String)]) throws(VaultError) -> [String: Memory] {
        var byPath: [String: [String]] = [:]
        for reference in references where MemoryID.isValid(reference.id) {
            byPath[reference.path, default: []].append(reference.id)
        }
        // Located first, then decrypted: the encrypted ones' file keys come from the agent in one request.
        var places: [(id: String, located: Located)] = []
        var placed: Set<String> = []
        for path in byPath.keys.sorted() {
            let ids = byPath[path]!
            guard let place = tierOf(path: path), tierScope?.contains(place.tier) ?? true else { continue }
            let bytes: [UInt8]
            do {
                bytes = try AtomicFile.read(url(path)) ?? []
            } catch {
                throw VaultError(.badInput, error.message, at: path)
            }
            let wanted = Set(ids)
            for run in DigestScan.runs(bytes, needles: ids.map { Array($0.utf8) }) {
                let file = try parseEntryFile(Array(bytes[run.bytes]), path: path)
                for var entry in file.entries {
                    guard let id = entry.id, wanted.contains(id), !placed.contains(id) else { continue }
                    entry.line += run.firstLine - 1
                    entry.endLine += run.firstLine - 1
                    placed.insert(id)
                    places.append((id, Located(user: place.user, tier: place.tier, path: path, entry: entry)))
                }
            }
            for id in ids where !placed.contains(id) {
                if let located = try? locate(id: id) {
                    placed.insert(id)
                    places.append((id, located))
                }
            }
        }
        try prefetchFileKeys(places.map(\.located))
        var found: [String: Memory] = [:]
        for (id, located) in places { found[id] = try memory(located) }
        return found
    }
}
