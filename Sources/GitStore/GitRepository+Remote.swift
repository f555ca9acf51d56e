import Foundation
internal import CGit2
internal import CGit2Loader

extension GitRepository {
    /// Adds a remote with the default fetch refspec (`+refs/heads/*:refs/remotes/NAME/*`).
    public func addRemote(name: String, url: String) throws(GitError) {
        var remote: OpaquePointer?
        try check(git.git_remote_create(&remote, pointer, name, url), "git_remote_create(\(name))", path: url)
        git.git_remote_free(remote)
    }

    /// The configured remotes, in config order.
    public func remotes() throws(GitError) -> [GitRemote] {
        var names = git_strarray()
        try check(git.git_remote_list(&names, pointer), "git_remote_list")
        defer { git.git_strarray_dispose(&names) }
        var remotes: [GitRemote] = []
        for number in 0..<names.count {
            guard let name = string(names.strings[number]) else { continue }
            let remote = try lookupRemote(name)
            defer { git.git_remote_free(remote) }
            remotes.append(GitRemote(name: name, url: string(git.git_remote_url(remote)) ?? ""))
        }
        return remotes
    }

    /// Fetches a remote's branches into `refs/remotes/<remote>/*`.
    ///
    /// Credentials: ssh-agent, then `~/.ssh/id_ed25519`, `id_ecdsa`, `id_rsa`, then
    /// `GIT_USERNAME`/`GIT_PASSWORD` from the environment. Local paths need none.
    /// - Throws: `GitError` (`isAuthenticationFailure` when no credential was accepted).
    public func fetch(remote: String) throws(GitError) {
        try ensureCertificates()
        let handle = try lookupRemote(remote)
        defer { git.git_remote_free(handle) }
        var options = git_fetch_options()
        try check(git.git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION)), "git_fetch_options_init")
        let callbacks = RemoteCallbacks()
        callbacks.install(into: &options.callbacks)
        let result = withExtendedLifetime(callbacks) { git.git_remote_fetch(handle, nil, &options, nil) }
        if result < 0 {
            throw callbacks.error(result, "git_remote_fetch(\(remote))", path: string(git.git_remote_url(handle)))
        }
    }

    /// Pushes `refs/heads/<branch>` to the same branch on the remote, never forcing.
    ///
    /// Sets the branch's upstream (`branch.<branch>.remote`/`merge`) when it has none,
    /// like `git push -u`, so stock git's `status` and `pull` work too.
    /// - Throws: `GitError` with `isRejectedNonFastForward` when the remote branch has
    ///   commits we lack (fetch, merge, push again); `isAuthenticationFailure` when no
    ///   credential was accepted.
    public func push(remote: String, branch: String) throws(GitError) {
        try ensureCertificates()
        let handle = try lookupRemote(remote)
        defer { git.git_remote_free(handle) }
        let url = string(git.git_remote_url(handle))
        var options = git_push_options()
        try check(git.git_push_options_init(&options, UInt32(GIT_PUSH_OPTIONS_VERSION)), "git_push_options_init")
        let callbacks = RemoteCallbacks()
        callbacks.install(into: &options.callbacks)
        let refspec = "refs/heads/\(branch):refs/heads/\(branch)"
        let result = withStrarray([refspec]) { refspecs in
            withExtendedLifetime(callbacks) { git.git_remote_push(handle, refspecs, &options) }
        }
        if result < 0 { throw callbacks.error(result, "git_remote_push(\(remote) \(branch))", path: url) }
        if let rejection = callbacks.rejections.first {
            let nonFastForward = ["non-fast-forward", "fetch first", "stale info"].contains {
                rejection.status.contains($0)
            }
            throw GitError(
                code: nonFastForward ? GIT_ENONFASTFORWARD.rawValue : GIT_ERROR.rawValue,
                function: "git_remote_push(\(remote) \(branch))",
                message: "the remote rejected \(rejection.reference): \(rejection.status)", path: url)
        }
        if try config("branch.\(branch).remote") == nil {
            try setConfig("branch.\(branch).remote", remote)
            try setConfig("branch.\(branch).merge", "refs/heads/\(branch)")
        }
    }

    /// Clones `url` (a path, `file://`, `ssh://` or `https://` URL) into `directory`
    /// and checks out the vault's branch: the remote's HEAD when it names a branch that
    /// exists, else `main`, else the only branch; the branch tracks its remote branch.
    ///
    /// An empty remote gives an unborn `main` branch. A stock `git init --bare` names
    /// `master` in its HEAD even when only `main` was ever pushed: `main` is found then.
    /// - Parameter checkout: false fetches and sets HEAD without writing any working file, so the
    ///   tree can be inspected first (`specialEntries(at:)`, then `checkOutHeadIntoEmptyWorkdir()`).
    /// - Throws: `GitError` when the clone fails; the directory must be empty or absent.
    public static func clone(url: String, to directory: URL, checkout: Bool = true) throws(GitError) -> GitRepository {
        try ensureCertificates()
        var options = git_clone_options()
        try check(git.git_clone_options_init(&options, UInt32(GIT_CLONE_OPTIONS_VERSION)), "git_clone_options_init")
        if !checkout { options.checkout_opts.checkout_strategy = GIT_CHECKOUT_NONE.rawValue }
        let callbacks = RemoteCallbacks()
        callbacks.install(into: &options.fetch_opts.callbacks)
        var repository: OpaquePointer?
        let result = withExtendedLifetime(callbacks) { git.git_clone(&repository, url, directory.path, &options) }
        if result < 0 { throw callbacks.error(result, "git_clone", path: url) }
        let clone = try GitRepository(owning: repository!)
        if try clone.head() == nil {
            let branches = try clone.remoteBranches(of: "origin")
            if let branch = branches.contains("main") ? "main" : branches.count == 1 ? branches[0] : nil {
                try clone.trackBranch(branch, remote: "origin")
                if checkout { try clone.forceCheckOutHead() }
            } else {
                try check(git.git_repository_set_head(clone.pointer, "refs/heads/main"), "git_repository_set_head")
            }
        }
        return clone
    }

    /// The branch names the remote-tracking refs of `remote` hold (`refs/remotes/origin/main` → `main`).
    public func remoteBranches(of remote: String) throws(GitError) -> [String] {
        var list = git_strarray()
        try check(git.git_reference_list(&list, pointer), "git_reference_list")
        defer { git.git_strarray_dispose(&list) }
        let prefix = "refs/remotes/\(remote)/"
        var names: [String] = []
        for i in 0..<list.count {
            guard let name = string(list.strings[i]), name.hasPrefix(prefix) else { continue }
            let branch = String(name.dropFirst(prefix.count))
            if branch != "HEAD" { names.append(branch) }
        }
        return names.sorted()
    }

    /// Creates local `branch` at `remote/branch`, makes it track that and points HEAD at it
    /// (a fresh clone whose remote HEAD names a missing branch).
    func trackBranch(_ branch: String, remote: String) throws(GitError) {
        let commit = try lookupCommit("refs/remotes/\(remote)/\(branch)")
        defer { git.git_commit_free(commit) }
        var reference: OpaquePointer?
        try check(git.git_branch_create(&reference, pointer, branch, commit, 0), "git_branch_create(\(branch))")
        git.git_reference_free(reference)
        try setConfig("branch.\(branch).remote", remote)
        try setConfig("branch.\(branch).merge", "refs/heads/\(branch)")
        try check(git.git_repository_set_head(pointer, "refs/heads/\(branch)"), "git_repository_set_head")
    }

    /// Checks HEAD out into the (empty) working directory of a fresh clone.
    private func forceCheckOutHead() throws(GitError) {
        var options = git_checkout_options()
        try check(git.git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION)), "git_checkout_options_init")
        options.checkout_strategy = GIT_CHECKOUT_FORCE.rawValue
        try check(git.git_checkout_head(pointer, &options), "git_checkout_head", path: workdir.path)
    }

    /// A remote by name. Caller frees.
    private func lookupRemote(_ name: String) throws(GitError) -> OpaquePointer {
        var remote: OpaquePointer?
        try check(git.git_remote_lookup(&remote, pointer, name), "git_remote_lookup(\(name))")
        return remote!
    }
}

/// State for the libgit2 callbacks of one fetch, push or clone.
///
/// libgit2 calls back synchronously on the calling thread, so the object is only ever
/// touched by one thread; it travels through the C `payload` pointer.
final class RemoteCallbacks {
    /// Bounds the credential callback: libgit2 asks again after every refusal.
    static let maximumCredentialAttempts = 8
    static let keyFileNames = ["id_ed25519", "id_ecdsa", "id_rsa"]

    private let environment = ProcessInfo.processInfo.environment
    private var attempts = 0
    private var triedAgent = false
    private var triedKeyFiles: Set<String> = []
    private var triedPassword = false
    private var gaveUp = false
    /// References the remote refused during a push, with its reason.
    private(set) var rejections: [(reference: String, status: String)] = []

    func install(into callbacks: inout git_remote_callbacks) {
        callbacks.payload = Unmanaged.passUnretained(self).toOpaque()
        callbacks.credentials = { out, url, usernameFromURL, allowedTypes, payload in
            guard let out, let payload else { return GIT_PASSTHROUGH.rawValue }
            let callbacks = Unmanaged<RemoteCallbacks>.fromOpaque(payload).takeUnretainedValue()
            return callbacks.credential(
                out, url: string(url) ?? "", username: string(usernameFromURL), allowed: allowedTypes)
        }
        callbacks.push_update_reference = { reference, status, payload in
            guard let status, let payload else { return 0 }
            let callbacks = Unmanaged<RemoteCallbacks>.fromOpaque(payload).takeUnretainedValue()
            callbacks.rejections.append((string(reference) ?? "", String(cString: status)))
            return 0
        }
    }

    /// The error for a failed remote call; read right after it, on the same thread.
    func error(_ code: Int32, _ function: String, path: String?) -> GitError {
        var error = GitError.last(code, function, path: path)
        if gaveUp { error.code = GIT_EAUTH.rawValue }
        return error
    }

    /// Offers the next credential to try, or gives up once every source was refused.
    private func credential(
        _ out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>, url: String, username: String?, allowed: UInt32
    ) -> Int32 {
        attempts += 1
        guard attempts <= Self.maximumCredentialAttempts else { return giveUp(url) }
        let sshUser = username ?? environment["GIT_USERNAME"] ?? "git"
        if allowed & GIT_CREDENTIAL_USERNAME.rawValue != 0 {
            return git.git_credential_username_new(out, sshUser)
        }
        if allowed & GIT_CREDENTIAL_SSH_KEY.rawValue != 0 {
            if !triedAgent, environment["SSH_AUTH_SOCK"].map({ !$0.isEmpty }) == true {
                triedAgent = true
                return git.git_credential_ssh_key_from_agent(out, sshUser)
            }
            let home = environment["HOME"] ?? NSHomeDirectory()
            for name in Self.keyFileNames {
                let key = "\(home)/.ssh/\(name)"
                guard !triedKeyFiles.contains(key), FileManager.default.fileExists(atPath: key) else { continue }
                triedKeyFiles.insert(key)
                let publicKey = FileManager.default.fileExists(atPath: key + ".pub") ? key + ".pub" : nil
                return git.git_credential_ssh_key_new(out, sshUser, publicKey, key, environment["GIT_SSH_PASSPHRASE"])
            }
        }
        if allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0, !triedPassword,
            let password = environment["GIT_PASSWORD"]
        {
            triedPassword = true
            return git.git_credential_userpass_plaintext_new(
                out, environment["GIT_USERNAME"] ?? username ?? "", password)
        }
        return giveUp(url)
    }

    private func giveUp(_ url: String) -> Int32 {
        gaveUp = true
        git.git_error_set_str(
            Int32(GIT_ERROR_NET.rawValue),
            "no credential accepted for \(url) (tried ssh-agent, ~/.ssh/id_ed25519, id_ecdsa, id_rsa, "
                + "GIT_USERNAME/GIT_PASSWORD)")
        return GIT_EAUTH.rawValue
    }
}
