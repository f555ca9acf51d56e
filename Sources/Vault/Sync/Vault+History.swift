import Foundation
import GitStore
import MarkdownCodec
import MemvaultSupport

/// One commit as `log` shows it.
public struct LogEntry: Sendable, Codable {
    public var commit: String
    public var shortCommit: String
    /// ISO 8601 with offset, in the vault's time zone.
    public var date: String
    public var author: String
    public var email: String
    public var summary: String
    public var parents: [String]

    enum CodingKeys: String, CodingKey {
        case commit, date, author, email, summary, parents
        case shortCommit = "short_commit"
    }
}

/// Every version of one memory (`history ID --json`).
public struct MemoryHistory: Sendable, Codable {
    public struct Version: Sendable, Codable {
        public var commit: String
        /// The commit date, ISO 8601 with offset.
        public var date: String
        public var author: String
        public var memory: Memory
    }

    public var id: String
    /// Oldest first.
    public var versions: [Version]
}

extension Vault {
    /// The vault's commits, newest first, following first parents.
    ///
    /// - Parameters:
    ///   - tier: only commits that changed this tier's files (of any user).
    ///   - limit: at most this many.
    public func log(tier: Tier? = nil, limit: Int? = nil) throws(VaultError) -> [LogEntry] {
        let paths = tier.map { tier in config.users.map { "\($0)/\(tier.rawValue)" } }
        let commits = try gitStep("read the log") { () throws(GitError) in try repository.log(limit: limit, paths: paths) }
        return commits.map(logEntry)
    }

    private func logEntry(_ commit: CommitInfo) -> LogEntry {
        LogEntry(
            commit: commit.id, shortCommit: commit.shortID,
            date: commitDateText(commit.date),
            author: commit.author.name, email: commit.author.email, summary: commit.summary, parents: commit.parents)
    }

    /// Splits `ID@REV` into its parts; REV defaults to nil (the working files).
    public static func splitRevision(_ text: String) -> (id: String, revision: String?) {
        guard let at = text.firstIndex(of: "@") else { return (text, nil) }
        let revision = String(text[text.index(after: at)...])
        return (String(text[..<at]), revision.isEmpty ? nil : revision)
    }

    /// The memory with `id` as it was committed in `revision` (`HEAD~3`, a commit id, a branch).
    /// - Throws: `VaultError.badInput` for an unknown revision or when the memory is not in it.
    public func show(id: String, at revision: String) throws(VaultError) -> Memory {
        let commit = try resolveRevision(revision)
        guard let found = try locate(id: id, inCommit: commit) else {
            throw VaultError(.badInput, "no memory with id \(id) in \(revision) (\(commit.prefix(7)))",
                hint: "see its versions with: memvault history \(id)")
        }
        return try memory(found)
    }

    /// Puts back the text a memory had in `revision`, as one new commit
    /// (`memvault: restore general 01JD... from a1b2c3d`); the current text stays in history.
    ///
    /// A memory deleted since is written back into the file it was in then.
    /// - Returns: the restored memory and the commit (nil when the text was already that).
    public func restore(id: String, from revision: String) throws(VaultError) -> (memory: Memory, commit: String?) {
        let commit = try resolveRevision(revision)
        guard let old = try locate(id: id, inCommit: commit) else {
            throw VaultError(.badInput, "no memory with id \(id) in \(revision) (\(commit.prefix(7)))",
                hint: "see its versions with: memvault history \(id)")
        }
        let short = String(commit.prefix(7))
        var path = old.path
        let restored = try transaction("memvault: restore \(old.tier.rawValue) \(id) from \(short)") { (changes) throws(VaultError) in
            let current: Located?
            do {
                current = try locate(id: id)
            } catch {
                current = nil
            }
            let text = try restorableText(old, to: current ?? old)
            if let current {
                path = current.path
                guard current.entry.rawText.trimmedTrailingWhitespace() != text.trimmedTrailingWhitespace() else { return }
                var file = try readEntryFile(current.path)
                guard file.replace(id: id, with: text) else {
                    throw VaultError(.badInput, "the text from \(short) would not read back as one memory here; nothing written", at: current.path)
                }
                changes.write(current.path, file.bytes)
            } else {
                var file = try readEntryFile(old.path)
                guard file.insert(text) else {
                    throw VaultError(.badInput, "the text from \(short) would not read back as one memory here; nothing written", at: old.path)
                }
                changes.write(old.path, file.bytes)
            }
        }
        return (try memory(id: id, user: tierOf(path: path)?.user ?? old.user, in: path), restored)
    }

    /// The text `restore` writes for the old version `old` of a memory into the place of `target`:
    /// an encrypted tier never gets plain text (a version from before the memory moved there is
    /// encrypted to the tier's current key, without unlocking), and a version encrypted for another
    /// tier is re-encrypted for this one when that tier is unlocked.
    private func restorableText(_ old: Located, to target: Located) throws(VaultError) -> String {
        guard target.tier.isEncrypted, let id = old.entry.id else { return old.entry.rawText }
        if !old.entry.isEncrypted {
            return try encryptedEntry(old.entry.rawText.trimmedTrailingWhitespace() + "\n", tier: target.tier, user: target.user,
                date: old.entry.date, id: id)
        }
        if old.tier != target.tier || old.user != target.user,
            let opened = try? decrypted(old)
        {
            return try encryptedEntry(opened.text, tier: target.tier, user: target.user, date: opened.entry.date, id: id)
        }
        return old.entry.rawText
    }

    /// Every version of the memory with `id`, oldest first: one per commit that changed its text,
    /// followed by id across edits and moves between files.
    ///
    /// - Complexity: one tree diff per commit on HEAD's first-parent line, plus reading the
    ///   changed memory files that contain the id.
    public func history(id: String) throws(VaultError) -> MemoryHistory {
        guard MemoryID.isValid(id) else {
            throw VaultError(.badInput, "'\(id.prefix(40))' is not a memory id", hint: "ids look like 01JD3K9X2F7Q8R3M; see memvault list")
        }
        let needle = Array(id.utf8)
        var versions: [MemoryHistory.Version] = []
        var lastText: String?
        let commits = try gitStep("read the log") { () throws(GitError) in try repository.log() }
        for commit in commits.reversed() {
            let changed = try gitStep("read a commit") { () throws(GitError) in try repository.filesChanged(in: commit.id) }
            var found: Located?
            for path in changed.map(\.path) where Self.isEntryFilePath(path) {
                guard let bytes = try? repository.fileContents(path: path, at: commit.id), bytes.contains(needle),
                    let file = try? EntryFile.parse(bytes), let entry = file.entry(id: id),
                    let place = placeOf(path: path)
                else { continue }
                found = Located(user: place.user, tier: place.tier, path: path, entry: entry)
                break
            }
            guard let found else { continue }
            let text = found.entry.rawText.trimmedTrailingWhitespace()
            if text == lastText { continue }
            lastText = text
            versions.append(MemoryHistory.Version(
                commit: commit.id, date: commitDateText(commit.date),
                author: commit.author.name, memory: try memory(found)))
        }
        guard !versions.isEmpty else {
            throw VaultError(.badInput, "no memory with id \(id) in the history", hint: "see memvault list")
        }
        return MemoryHistory(id: id, versions: versions)
    }

    // MARK: Helpers

    /// A commit time as ISO 8601 with the vault time zone's offset: `2026-11-22T14:03:07+01:00`.
    private func commitDateText(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = config.timeZone
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    private func resolveRevision(_ revision: String) throws(VaultError) -> String {
        do {
            return try repository.resolve(revision + "^{commit}")
        } catch {
            throw VaultError(.badInput, "unknown revision '\(revision)'", hint: "use a commit id, HEAD~N or a branch; see memvault log")
        }
    }

    /// The user and tier of a memory file path, for any user (also ones removed since).
    private func placeOf(path: String) -> (user: String, tier: Tier)? {
        guard Self.isEntryFilePath(path) else { return nil }
        let parts = path.split(separator: "/")
        return (String(parts[0]), Tier(rawValue: String(parts[1]))!)
    }

    /// Finds the entry with `id` in a commit's memory files.
    func locate(id: String, inCommit commit: String) throws(VaultError) -> Located? {
        guard MemoryID.isValid(id) else {
            throw VaultError(.badInput, "'\(id.prefix(40))' is not a memory id", hint: "ids look like 01JD3K9X2F7Q8R3M; see memvault list")
        }
        let needle = Array(id.utf8)
        let files = try gitStep("read a commit") { () throws(GitError) in try repository.treeFiles(at: commit) }
        for (path, blob) in files.sorted(by: { $0.key < $1.key }) {
            guard let place = placeOf(path: path),
                let bytes = try? repository.blob(blob), bytes.contains(needle),
                let file = try? EntryFile.parse(bytes), let entry = file.entry(id: id)
            else { continue }
            return Located(user: place.user, tier: place.tier, path: path, entry: entry)
        }
        return nil
    }
}
