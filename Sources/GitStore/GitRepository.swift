import Foundation
internal import CGit2
internal import CGit2Loader

/// A non-bare git repository opened through libgit2.
///
/// Not `Sendable`: a libgit2 repository handle must not be used from two threads at
/// once. Keep one per task, or share it through an actor.
public final class GitRepository {
    /// The owned `git_repository *`, freed in `deinit`.
    let pointer: OpaquePointer
    /// The working directory root.
    public let workdir: URL

    /// Takes ownership of an open repository; frees it and throws when it is bare.
    init(owning pointer: OpaquePointer) throws(GitError) {
        guard let root = git.git_repository_workdir(pointer) else {
            let path = string(git.git_repository_path(pointer))
            git.git_repository_free(pointer)
            throw GitError(
                code: GIT_EBAREREPO.rawValue, function: "git_repository_workdir",
                message: "a bare repository has no working directory", path: path)
        }
        self.pointer = pointer
        self.workdir = URL(fileURLWithPath: String(cString: root), isDirectory: true)
    }

    deinit {
        git.git_repository_free(pointer)
    }

    /// Opens the existing repository whose working directory (or `.git`) is `directory`.
    ///
    /// Does not search parent directories; use ``discover(from:)`` for that.
    /// - Throws: `GitError` when there is no repository there or it is bare.
    public convenience init(at directory: URL) throws(GitError) {
        try ensureLibgit2()
        var repository: OpaquePointer?
        try check(
            git.git_repository_open_ext(
                &repository, directory.path, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil),
            "git_repository_open_ext", path: directory.path)
        try self.init(owning: repository!)
    }

    /// Creates (or reinitializes) a repository with a working directory.
    ///
    /// - Parameters:
    ///   - directory: The working directory; created with its parents when missing.
    ///   - initialBranch: The branch HEAD points to before the first commit.
    /// - Throws: `GitError` when the directory cannot be created or initialized.
    public static func initialize(at directory: URL, initialBranch: String = "main") throws(GitError)
        -> GitRepository
    {
        let repository = try initRepository(at: directory, initialBranch: initialBranch, bare: false)
        return try GitRepository(owning: repository)
    }

    /// Creates a bare repository, e.g. a shared remote for sync.
    ///
    /// - Parameters:
    ///   - directory: The repository directory; created with its parents when missing.
    ///   - initialBranch: The branch the remote's HEAD names, so clones check it out.
    public static func initializeBare(at directory: URL, initialBranch: String = "main") throws(GitError) {
        git.git_repository_free(try initRepository(at: directory, initialBranch: initialBranch, bare: true))
    }

    private static func initRepository(at directory: URL, initialBranch: String, bare: Bool)
        throws(GitError) -> OpaquePointer
    {
        try ensureLibgit2()
        var options = git_repository_init_options()
        try check(
            git.git_repository_init_options_init(&options, UInt32(GIT_REPOSITORY_INIT_OPTIONS_VERSION)),
            "git_repository_init_options_init")
        options.flags = GIT_REPOSITORY_INIT_MKPATH.rawValue
        if bare { options.flags |= GIT_REPOSITORY_INIT_BARE.rawValue }
        let head = strdup(initialBranch)
        defer { free(head) }
        options.initial_head = UnsafePointer(head)
        var repository: OpaquePointer?
        try check(
            git.git_repository_init_ext(&repository, directory.path, &options), "git_repository_init_ext",
            path: directory.path)
        return repository!
    }

    /// The working directory root of the repository containing `directory`, if any.
    ///
    /// Searches upward like git does, stopping at filesystem boundaries.
    public static func discover(from directory: URL) -> URL? {
        guard (try? ensureLibgit2()) != nil else { return nil }
        var repository: OpaquePointer?
        guard git.git_repository_open_ext(&repository, directory.path, 0, nil) == 0, let repository else {
            return nil
        }
        defer { git.git_repository_free(repository) }
        guard let root = git.git_repository_workdir(repository) else { return nil }
        return URL(fileURLWithPath: String(cString: root), isDirectory: true)
    }

    /// The `.git` directory.
    public var gitDirectory: URL {
        URL(fileURLWithPath: String(cString: git.git_repository_path(pointer)!), isDirectory: true)
    }

    // MARK: Configuration

    /// The committer identity from `user.name` / `user.email` (repository, then global
    /// and system config), each falling back to the given value when unset or empty.
    public func defaultSignature(fallbackName: String, fallbackEmail: String) -> Signature {
        let name = (try? config("user.name")).flatMap { $0.isEmpty ? nil : $0 }
        let email = (try? config("user.email")).flatMap { $0.isEmpty ? nil : $0 }
        return Signature(name: name ?? fallbackName, email: email ?? fallbackEmail)
    }

    /// The effective value of a config key (repository, global, system), or nil when unset.
    public func config(_ key: String) throws(GitError) -> String? {
        var snapshot: OpaquePointer?
        try check(git.git_repository_config_snapshot(&snapshot, pointer), "git_repository_config_snapshot")
        defer { git.git_config_free(snapshot) }
        var value: UnsafePointer<CChar>?
        let result = git.git_config_get_string(&value, snapshot, key)
        if result == GIT_ENOTFOUND.rawValue {
            git.git_error_clear()
            return nil
        }
        try check(result, "git_config_get_string(\(key))")
        return string(value)
    }

    /// Sets a key in the repository's own config (`.git/config`).
    public func setConfig(_ key: String, _ value: String) throws(GitError) {
        var config: OpaquePointer?
        try check(git.git_repository_config(&config, pointer), "git_repository_config")
        defer { git.git_config_free(config) }
        var local: OpaquePointer?
        try check(
            git.git_config_open_level(&local, config, GIT_CONFIG_LEVEL_LOCAL), "git_config_open_level")
        defer { git.git_config_free(local) }
        try check(git.git_config_set_string(local, key, value), "git_config_set_string(\(key))")
    }

    // MARK: Hooks

    /// Writes the hook `name` (e.g. `pre-commit`) into the hooks directory, mode 0755.
    ///
    /// The script is written to a temporary file that is made executable and then
    /// renamed over the hook, so git never runs a half-written hook.
    /// - Throws: `GitError` for an invalid hook name or a file system failure.
    public func installHook(name: String, script: String) throws(GitError) {
        guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
            throw GitError(
                code: GIT_EINVALIDSPEC.rawValue, function: "installHook",
                message: "invalid hook name '\(name)'")
        }
        var buffer = git_buf()
        try check(
            git.git_repository_item_path(&buffer, pointer, GIT_REPOSITORY_ITEM_HOOKS),
            "git_repository_item_path")
        let hooks = URL(fileURLWithPath: consumeBuffer(&buffer), isDirectory: true)
        let target = hooks.appendingPathComponent(name)
        let temporary = hooks.appendingPathComponent(".\(name).\(UUID().uuidString).tmp")
        do {
            try FileManager.default.createDirectory(at: hooks, withIntermediateDirectories: true)
            try Data(script.utf8).write(to: temporary)
            try FileManager.default.setAttributes(
                [.posixPermissions: 0o755], ofItemAtPath: temporary.path)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw GitError(
                code: GIT_ERROR.rawValue, function: "installHook", message: "\(error)",
                path: target.path)
        }
        if rename(temporary.path, target.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw GitError(
                code: GIT_ERROR.rawValue, function: "rename", message: reason, path: target.path)
        }
    }
}
