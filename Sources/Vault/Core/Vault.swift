import AgeCrypto
import Crypto
import Foundation
import GitStore
import MarkdownCodec
import MemvaultSupport
import SearchIndex

/// An open vault: its folder, settings and git repository.
///
/// Every change goes through `transaction(_:_:)`, which holds the vault lock, writes files
/// atomically, makes exactly one commit, and puts every file back if any step fails.
public final class Vault {
    public let root: URL
    public internal(set) var config: VaultConfig
    /// The git repository, opened on first use: commands that only read files (search, list,
    /// show) never start libgit2, whose start-up reads the system's certificate bundle.
    var repository: GitRepository {
        get throws(GitError) {
            if let openedRepository { return openedRepository }
            let repository = try GitRepository(at: root)
            openedRepository = repository
            return repository
        }
    }
    private var openedRepository: GitRepository?
    let environment: [String: String]
    /// The search index once loaded; later searches in this process only check freshness.
    var loadedIndex: VaultIndex?
    /// Vectors of texts embedded to classify new memories, reused when the index embeds them (EmbeddingMemo.swift).
    let embeddingMemo = EmbeddingMemo()
    /// How short memories are embedded with the ones before them (the evaluation compares settings).
    package var embeddingContext = EmbeddingText.Context.standard
    /// Tier keys obtained in this process (an identity opened with a passphrase, or the key agent
    /// that holds one), by "user/tier"; `.some(nil)` records a tier found locked, so it is not
    /// asked again. Memory only; see Vault+Keys.swift and TierKey.swift.
    var unlockedKeys: [String: TierKey?] = [:]
    /// Encrypted entries met in this process that the tier's current key does not open (an older
    /// key): shown locked, never blocking the rest; commands report them. See Vault+Binding.swift.
    public internal(set) var otherKeyEntries: [OtherKeyEntry] = []
    /// Asks a person for a tier's passphrase (the command line sets it on a terminal); used for
    /// ultrasecret, which the agent never caches. Nil or a nil answer: the tier stays locked.
    public var askPassphrase: ((Tier) -> String?)?
    /// The ultrasecret second factor: an age identity file (`--key-file`, else
    /// `$MEMVAULT_KEY_FILE_ULTRASECRET`). See Vault+Keys.swift.
    public var keyFile: String?
    /// Fault injection for tests (crash points); nil in normal use. See FaultInjection.swift.
    public var faults: (any FaultInjection)?
    /// Told when this process recovers a change a killed process left unfinished (the command
    /// line prints its one-line summary on stderr).
    public var recoveryHandler: ((RecoveryReport) -> Void)?
    /// The last recovery this process made, for `status` and `check` to report.
    public internal(set) var lastRecovery: RecoveryReport?
    /// An upper bound on the scrypt work factor (log2 N) of new key files; nil keeps each tier's
    /// default. Tests lower it to stay fast; the release command line never sets it.
    public var scryptWorkFactorLimit: Int?
    /// Folds the search index's delta into a new base once it holds more than this many changes;
    /// nil uses the built-in rule. Tests set 0 to exercise compaction.
    public var indexCompactionLimit: Int?
    /// Set by `clone` when the remote was empty and a new vault was started instead.
    public internal(set) var startedFromEmptyRemote = false
    /// The tiers this object may read, find and decrypt; nil means every tier. An assistant's
    /// session (`memvault mcp`) sets it to the tiers its policy grants: files of other tiers
    /// are then never listed, located, decrypted or counted. The search index still covers
    /// every plain tier, so it stays shared with the command line. See Vault+Scope.swift.
    public var tierScope: Set<Tier>?
    /// Never asks for or uses a tier key: every encrypted tier reads as locked. The warm search
    /// server of `watch` (WarmSearch.swift) sets it; it answers only searches that could read
    /// no encrypted tier in the asking process either.
    public var keysDisabled = false
    /// The SHA-256 (hex) of the `memvault.toml` text this object was opened with; hashed when
    /// first asked for (a warm search's request), not by every command that opens the vault.
    public var configDigest: String { configDigestOnce.value }
    private let configDigestOnce: OnceValue<String>
    /// That text, and the settings as it parsed (`config` may have changed since, in memory).
    let configTextAtOpen: String
    let configAtOpen: VaultConfig

    static let configFileName = "memvault.toml"
    static let dataDirectoryName = ".memvault"

    /// The text of the vault's `memvault.toml`, read without following links.
    /// - Throws: `VaultError.badInput` when it is missing (with `missingHint`) or not UTF-8.
    static func configText(root: URL, missingHint: String? = nil) throws(VaultError) -> String {
        let bytes: [UInt8]
        do {
            guard let read = try AtomicFile.read(configFileName, in: root) else {
                throw VaultError(.badInput, "not a memvault vault: no \(configFileName)", at: root.path, hint: missingHint)
            }
            bytes = read
        } catch let error as VaultError {
            throw error
        } catch {
            throw VaultError.wrap(error)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw VaultError(.badInput, "settings are not valid UTF-8", at: root.appendingPathComponent(configFileName).path)
        }
        return text
    }

    /// The SHA-256 (hex) of a settings text, to tell whether two processes read the same one.
    static func digest(of text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).hexString
    }

    /// Opens the vault at `root`.
    /// - Throws: `VaultError.badInput` when it is not a vault or its settings do not parse.
    public init(at root: URL, environment: [String: String] = ProcessInfo.processInfo.environment) throws(VaultError) {
        let root = root.standardizedFileURL
        let configURL = root.appendingPathComponent(Self.configFileName)
        let text = try Self.configText(root: root, missingHint: "create one with: memvault init \(root.path)")
        self.config = try VaultConfig(parsing: text, path: configURL.path)
        configAtOpen = config
        configTextAtOpen = text
        configDigestOnce = OnceValue { Self.digest(of: text) }
        // The repository itself opens on first use; a vault without one is refused now.
        guard FileManager.default.fileExists(atPath: root.appendingPathComponent(".git").path) else {
            throw VaultError(.badInput, "not a git repository: no .git", at: root.path)
        }
        self.root = root
        self.environment = environment
    }

    /// Starts setting up libgit2 on another thread, for a command that will commit (see
    /// `GitRepository.prepareInBackground()`); commands that only read never load it.
    public static func prepareGitInBackground() {
        GitRepository.prepareInBackground()
    }

    /// Waits for the set-up `prepareGitInBackground()` started; a command calls it before the
    /// process exits, however it ends (see `GitRepository.finishPreparation()`).
    public static func finishGitPreparation() {
        GitRepository.finishPreparation()
    }

    /// Finds the vault: `explicit` (--vault), else `$MEMVAULT_DIR`, else the nearest folder
    /// upward from `currentDirectory` holding `memvault.toml`.
    /// - Throws: `VaultError.badInput` when none is found.
    public static func locate(
        explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    ) throws(VaultError) -> URL {
        if let path = explicit ?? environment["MEMVAULT_DIR"], !path.isEmpty {
            let url = URL(fileURLWithPath: path, relativeTo: currentDirectory).standardizedFileURL
            guard FileManager.default.fileExists(atPath: url.appendingPathComponent(configFileName).path) else {
                throw VaultError(.badInput, "not a memvault vault: no \(configFileName)", at: url.path,
                    hint: "create one with: memvault init \(url.path)")
            }
            return url
        }
        var directory = currentDirectory.standardizedFileURL
        while true {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent(configFileName).path) {
                return directory
            }
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { break }
            directory = parent
        }
        throw VaultError(.badInput, "no vault here or above", at: currentDirectory.path,
            hint: "pass --vault PATH, set MEMVAULT_DIR, or create one with: memvault init PATH")
    }

    /// The user to work as: `explicit` (--user), else `$MEMVAULT_USER`, else the default user.
    /// - Throws: `VaultError.badInput` for an invalid or unknown name.
    public func resolveUser(_ explicit: String?) throws(VaultError) -> String {
        let requested = explicit ?? environment["MEMVAULT_USER"].flatMap { $0.isEmpty ? nil : $0 }
            ?? config.defaultUser ?? config.users.first
        guard let requested else {
            throw VaultError(.badInput, "no user given and the vault has no default user",
                at: Self.configFileName, hint: "pass --user NAME")
        }
        // A name typed in another Unicode normal form (NFD) finds the same user.
        let name = config.users.first { UserName.normalized($0) == UserName.normalized(requested) } ?? requested
        try UserName.validate(name)
        guard config.users.contains(name) else {
            throw VaultError(.badInput, "unknown user '\(name)'", at: Self.configFileName,
                hint: "users of this vault: \(config.users.joined(separator: ", ")); add one with: memvault init --user \(name)")
        }
        return name
    }

    // MARK: Paths

    var cacheDirectory: URL { root.appendingPathComponent(".memvault/cache", isDirectory: true) }
    var lockURL: URL { cacheDirectory.appendingPathComponent("lock") }
    /// The vault lock file, relative to the vault (opened without following links; see `lockVault()`).
    static let lockPath = ".memvault/cache/lock"

    /// `alice/general/2026-11.md`, relative to the vault.
    func monthFilePath(user: String, tier: Tier, date: EntryDate) -> String {
        "\(user)/\(tier.rawValue)/\(date.monthKey).md"
    }

    func url(_ relativePath: String) -> URL {
        root.appendingPathComponent(relativePath)
    }

    /// Every Markdown file of a user's tier, relative to the vault, sorted.
    func tierFiles(user: String, tier: Tier) -> [String] {
        guard tierScope?.contains(tier) ?? true else { return [] }
        return tierFilesIgnoringScope(user: user, tier: tier)
    }

    /// `tierFiles(user:tier:)` whatever the scope: for the shared search index only.
    func tierFilesIgnoringScope(user: String, tier: Tier) -> [String] {
        let prefix = "\(user)/\(tier.rawValue)"
        do {
            // Links are never descended; a link with a `.md` name is listed so that reading it reports it.
            return try AtomicFile.listFiles(under: prefix, in: root, suffix: ".md")
        } catch {
            // A link (or file) in place of the tier folder: listed as the one path, so that reading it
            // reports it by name instead of the tier silently looking empty.
            return [prefix]
        }
    }

    /// The tiers a user has files in, and the tier of a vault-relative path, if it is a tier file.
    func tierOf(path: String) -> (user: String, tier: Tier)? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 3, path.hasSuffix(".md"), config.users.contains(String(parts[0])),
            let tier = Tier(rawValue: String(parts[1]))
        else { return nil }
        return (String(parts[0]), tier)
    }

    // MARK: Reading files

    /// Reads and parses a vault file; an absent file is empty.
    /// - Throws: `VaultError.badInput` for invalid UTF-8, naming the file and line.
    func readEntryFile(_ relativePath: String) throws(VaultError) -> EntryFile {
        try parseEntryFile(try readVaultFile(relativePath), path: relativePath)
    }

    /// The bytes of a vault file (empty when absent), refused before reading when it is larger
    /// than `ParseLimits.standard.maximumFileSize`.
    func readVaultFile(_ relativePath: String) throws(VaultError) -> [UInt8] {
        var info = stat()
        if stat(url(relativePath).path, &info) == 0, Int(info.st_size) > ParseLimits.standard.maximumFileSize {
            throw VaultError(.badInput,
                "file too large (\(info.st_size) bytes; the limit is \(ParseLimits.standard.maximumFileSize)); nothing read or written",
                at: relativePath, hint: "split it into several files of the same tier folder")
        }
        do {
            return try AtomicFile.read(relativePath, in: root) ?? []
        } catch {
            throw VaultError(error)
        }
    }

    /// Checks text about to be parsed (a decrypted or edited entry) against `ParseLimits.standard`.
    /// - Throws: `.badInput` naming `location` and the limit.
    func checkLimits(_ bytes: [UInt8], at location: String?) throws(VaultError) {
        do {
            try ParseLimits.standard.check(bytes)
        } catch {
            throw VaultError(.badInput, error.message, at: location, hint: "the limits are listed in docs/format.md")
        }
    }

    /// Parses bytes already read from the vault file `path`.
    /// - Throws: `VaultError.badInput` for invalid UTF-8, naming the file and line.
    func parseEntryFile(_ bytes: [UInt8], path: String) throws(VaultError) -> EntryFile {
        do {
            return try EntryFile.parse(bytes)
        } catch where error.exceedsLimit {
            throw VaultError(.badInput, error.message, at: "\(path):\(error.line)",
                hint: "the limits are listed in docs/format.md; memvault never rewrites a file it cannot read")
        } catch {
            throw VaultError(.badInput, "file is not valid UTF-8", at: "\(path):\(error.line)",
                hint: "fix or remove the bad bytes; memvault never rewrites a file it cannot read")
        }
    }

    // MARK: Changing files

    /// The files a change writes, with their bytes from before, so a failure can put them back.
    struct Changeset {
        fileprivate(set) var writes: [(path: String, bytes: [UInt8]?)] = []

        /// Sets the new content of `path` (nil removes the file).
        mutating func write(_ path: String, _ bytes: [UInt8]?) {
            if let index = writes.firstIndex(where: { $0.path == path }) {
                writes[index].bytes = bytes
            } else {
                writes.append((path, bytes))
            }
            producers[path] = nil
        }

        /// Content made only when the change is applied, one file at a time (see `write(_:producedBy:)`).
        fileprivate(set) var producers: [String: () throws -> [UInt8]] = [:]

        /// Sets the new content of `path` to what `produce` returns when the change is applied:
        /// a large change (an import of a whole export) then holds one file's bytes in memory at
        /// a time instead of all of them.
        mutating func write(_ path: String, producedBy produce: @escaping () throws -> [UInt8]) {
            write(path, [])
            producers[path] = produce
        }
    }

    /// Runs one change under the vault lock: `body` reads what it needs and records writes;
    /// they are applied atomically and committed as one commit with `message`.
    ///
    /// Before the first file is replaced, an undo journal is synced to `.memvault/journal`
    /// (see Vault+Journal.swift): if the process dies before the commit, the next command puts
    /// every file back; after the commit, it only removes the journal. If writing or committing
    /// fails, every file is restored to its bytes from before and the error is rethrown: a failed
    /// command writes nothing.
    /// - Parameter commit: false writes the files atomically as a whole but commits nothing
    ///   (`check --fix`, whose ids `memvault commit` records).
    /// - Returns: the commit id, or nil when nothing changed.
    @discardableResult
    func transaction(
        _ message: @autoclosure () -> String, commit: Bool = true, _ body: (inout Changeset) throws(VaultError) -> Void
    ) throws(VaultError) -> String? {
        let lock = try lockVault()
        defer { lock.unlock() }
        // The commit's own thread opens the repository and reads HEAD while the body reads and
        // checks its files (PendingCommit); it is stopped, or done, before the lock is released.
        let pending = commit ? GitRepository.prepareCommit(at: root, fallbackName: authorFallback.name, fallbackEmail: authorFallback.email) : nil
        defer { if let pending { settle(pending) } }
        var changes = Changeset()
        try body(&changes)
        if changes.writes.isEmpty { return nil }
        // Checked while the pending commit's thread writes the objects (which stay unreferenced
        // when the write is refused), before the journal: a refused write changes no file.
        return try applyJournaled(
            changes.writes, producers: changes.producers, message: message(), commit: commit, pending: pending,
            checkedFirst: { () throws(VaultError) in try refuseUntrustedWrites(changes.writes.map(\.path)) })
    }

    /// Stops a pending commit's thread (or waits until it is done) and keeps its handle on the
    /// repository for what follows, unless this vault has opened its own.
    func settle(_ pending: PendingCommit) {
        pending.cancel()
        if openedRepository == nil { openedRepository = pending.repository }
    }

    /// The commit author: git's user.name/user.email, else memvault.toml's, else memvault.
    func signature() throws(VaultError) -> Signature {
        do {
            return try repository.defaultSignature(fallbackName: authorFallback.name, fallbackEmail: authorFallback.email)
        } catch {
            throw VaultError(.badInput, "not a git repository: \(error.message)", at: root.path)
        }
    }

    /// The author when git's configuration names none: memvault.toml's, else memvault.
    var authorFallback: (name: String, email: String) {
        (config.authorName ?? "memvault", config.authorEmail ?? "memvault@localhost")
    }
}
