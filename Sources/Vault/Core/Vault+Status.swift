import Foundation
import GitStore
import MarkdownCodec
import MemvaultSupport

/// The vault summary `status` prints.
public struct VaultStatus: Sendable, Codable {
    public struct Git: Sendable, Codable {
        public var branch: String?
        public var head: String?
        public var uncommitted: [String]
    }

    public struct Index: Sendable, Codable {
        public var indexed: Int
        public var total: Int
        public var staleFiles: [String]
        enum CodingKeys: String, CodingKey { case indexed, total, staleFiles = "stale_files" }
    }

    public var vault: String
    public var user: String
    /// Memories per user and tier.
    public var users: [String: [String: Int]]
    /// Tiers that have a key but are locked (their text cannot be read now).
    public var locked: [String]
    /// Encrypted tiers that have no key yet.
    public var noKey: [String]
    public var index: Index?
    public var git: Git
    public var problems: Int
    /// Unresolved sync conflict copies: `COPY (conflict copy of ORIGINAL)`.
    public var conflicts: [String]
    /// Keys and settings that differ from what this device trusts; see `memvault trust`.
    public var untrusted: [String] = []
    /// A change a killed process had left unfinished, which this command rolled back or finished.
    public var recovered: RecoveryReport?
    /// A merge stock git left half done (finish it with `memvault resolve`).
    public var merge: MergeState?

    enum CodingKeys: String, CodingKey {
        case vault, user, users, locked, noKey = "no_key", index, git, problems, conflicts, untrusted, recovered, merge
    }
}

extension Vault {
    /// Counts per user and tier, locked tiers, git state and format problems.
    public func status(user: String) throws(VaultError) -> VaultStatus {
        var users: [String: [String: Int]] = [:]
        var conflicts: [String] = []
        // Each tier file is read and parsed once, for the check, the counts and the index coverage;
        // the check reads first, after it has recovered any unfinished change, so all three see
        // the files as they stay.
        var parsed: [String: Result<EntryFile, VaultError>] = [:]
        func read(_ path: String) throws(VaultError) -> EntryFile {
            if let known = parsed[path] { return try known.get() }
            let result = Result { () throws(VaultError) in try readEntryFile(path) }
            parsed[path] = result
            return try result.get()
        }
        // Credentials in plain tiers are warnings there, and status counts errors.
        let report = try check(fix: false, secretsAreErrors: false, credentials: .none, read: read)
        let located = try allLocated(read: read)
        parsed = [:]
        for located in located {
            users[located.user, default: [:]][located.tier.rawValue, default: 0] += 1
            if let original = located.entry.meta.first(where: { $0.key == EntryMerge.conflictKey })?.value {
                conflicts.append("\(located.entry.id ?? "?") (conflict copy of \(original))")
            }
        }
        for name in config.users where users[name] == nil { users[name] = [:] }
        var git = VaultStatus.Git(branch: nil, head: nil, uncommitted: [])
        do {
            git.branch = try repository.currentBranch()
            git.head = try repository.head()
            git.uncommitted = try repository.changedPaths().map { change in
                switch change {
                case .added(let p), .modified(let p), .deleted(let p): p
                case .renamed(_, let to): to
                }
            }.filter { !Self.isPrivateFile($0) }.sorted()
        } catch {
            throw VaultError(.badInput, "cannot read git state: \(error.message)")
        }
        return VaultStatus(
            vault: root.path, user: user, users: users,
            locked: lockedTiers(user: user).map(\.rawValue), noKey: tiersWithoutKey(user: user).map(\.rawValue),
            index: try indexCoverage(located: located), git: git, problems: report.problems.filter { $0.severity == "error" }.count,
            conflicts: conflicts, untrusted: try untrustedChanges().map(\.description), recovered: lastRecovery,
            merge: try mergeState())
    }

    /// Every memory of `user` (or every user), oldest first, for `export`.
    public func exportMemories(user: String?) throws(VaultError) -> [Memory] {
        let places = try allLocated(user: user)
        try prefetchFileKeys(places)
        return try places.map { (located) throws(VaultError) in try memory(located) }.sorted { ($0.date ?? "", $0.id) < ($1.date ?? "", $1.id) }
    }
}
