import Foundation
import GitStore
import MarkdownCodec
import MemvaultSupport

/// What one `sync` did.
public struct SyncReport: Sendable, Codable {
    public var remote: String
    public var branch: String
    /// The commit recording direct edits made before syncing, if there were any.
    public var localCommit: String?
    /// `up-to-date`, `pushed`, `fast-forward`, `merged` (merged and pushed).
    public var outcome: String
    /// The merge commit, when both sides had new commits.
    public var mergeCommit: String?
    /// Files merged entry by entry (or taken from one side) in the merge commit.
    public var mergedFiles: [String]
    /// Ids edited differently on both sides; each has a conflict copy now.
    public var conflicts: [String]
    /// Push attempts (more than one when the remote moved meanwhile).
    public var attempts: Int
    /// HEAD after the sync, which the remote's branch also points to.
    public var head: String?

    enum CodingKeys: String, CodingKey {
        case remote, branch, outcome, conflicts, attempts, head
        case localCommit = "local_commit", mergeCommit = "merge_commit", mergedFiles = "merged_files"
    }
}

extension Vault {
    /// How often a rejected push (the remote moved meanwhile) is answered by fetching and merging again.
    public static let maximumPushAttempts = 5

    /// The name of the hook `init` and `clone` install.
    static let preCommitHookName = "pre-commit"

    /// Runs `memvault check` before a plain `git commit` (libgit2, which memvault commits with, runs no hooks).
    static let preCommitHook = """
        #!/bin/sh
        # Installed by memvault: a plain `git commit` in this vault runs `memvault check` first,
        # and a credential in a plain-text tier blocks the commit (git commit --no-verify skips it).
        if command -v memvault >/dev/null 2>&1; then
            exec memvault check --secrets-are-errors --vault "$(git rev-parse --show-toplevel)"
        fi
        echo "memvault pre-commit hook: memvault is not on PATH; skipping memvault check" >&2
        exit 0

        """

    /// Installs the git hooks of a vault (see `preCommitHook`).
    func installHooks() throws(VaultError) {
        do {
            try repository.installHook(name: Self.preCommitHookName, script: Self.preCommitHook)
        } catch {
            throw VaultError(.badInput, "cannot install the pre-commit hook: \(error.message)", at: error.path)
        }
    }

    /// A remote URL as git should store it: an existing local path made absolute, anything else as given.
    static func remoteURL(_ text: String) -> String {
        guard !text.contains("://"), FileManager.default.fileExists(atPath: text) else { return text }
        return URL(fileURLWithPath: text).standardizedFileURL.path
    }

    /// Adds a git remote to sync with.
    /// - Throws: `VaultError.badInput` when a remote of that name exists with another URL.
    public func addRemote(name: String = "origin", url: String) throws(VaultError) {
        let remoteURL = Self.remoteURL(url)
        do {
            if let existing = try repository.remotes().first(where: { $0.name == name }) {
                guard existing.url == remoteURL else {
                    throw VaultError(.badInput, "remote '\(name)' exists already with URL \(existing.url)",
                        hint: "change it with: git -C \(root.path) remote set-url \(name) \(remoteURL)")
                }
                return
            }
            try repository.addRemote(name: name, url: remoteURL)
        } catch let error as VaultError {
            throw error
        } catch {
            throw VaultError.wrap(error, "cannot add remote \(name)")
        }
    }

    /// Clones a vault from `remoteURL` into `directory` (a second device) and installs the hooks.
    /// - Throws: `VaultError.badInput` when cloning fails or the clone holds no vault (the clone is removed then).
    @discardableResult
    public static func clone(
        from remoteURL: String, to directory: URL, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(VaultError) -> Vault {
        let directory = directory.standardizedFileURL
        let fm = FileManager.default
        if let contents = try? fm.contentsOfDirectory(atPath: directory.path), !contents.isEmpty {
            throw VaultError(.badInput, "the folder is not empty", at: directory.path, hint: "clone into a new folder")
        }
        let existed = fm.fileExists(atPath: directory.path)
        do {
            _ = try GitRepository.clone(url: Self.remoteURL(remoteURL), to: directory)
        } catch {
            if !existed { try? fm.removeItem(at: directory) }
            throw VaultError(.badInput, "cannot clone: \(error.message)", at: remoteURL,
                hint: error.isAuthenticationFailure ? "check ssh-agent, ~/.ssh keys or GIT_USERNAME/GIT_PASSWORD" : nil)
        }
        do {
            let vault = try Vault(at: directory, environment: environment)
            try vault.installHooks()
            for user in vault.config.users {
                for tier in Tier.allCases {
                    try? fm.createDirectory(at: vault.url("\(user)/\(tier.rawValue)"), withIntermediateDirectories: true)
                }
            }
            return vault
        } catch {
            if existed {
                for item in (try? fm.contentsOfDirectory(atPath: directory.path)) ?? [] {
                    try? fm.removeItem(at: directory.appendingPathComponent(item))
                }
            } else {
                try? fm.removeItem(at: directory)
            }
            throw VaultError(.badInput, "\(remoteURL) holds no memvault vault (\(error.message))", at: remoteURL)
        }
    }

    /// The remote `sync` uses: `explicit`, else the branch's upstream remote, else `origin`, else the only remote.
    func syncRemote(_ explicit: String?, branch: String) throws(VaultError) -> String {
        let remotes: [GitRemote]
        do {
            remotes = try repository.remotes()
        } catch {
            throw VaultError(.badInput, "cannot read the remotes: \(error.message)")
        }
        let hint = "add one with: git -C \(root.path) remote add origin URL (or start with memvault init --remote URL)"
        if let explicit {
            guard remotes.contains(where: { $0.name == explicit }) else {
                throw VaultError(.badInput, "no remote named '\(explicit)'", at: root.path,
                    hint: remotes.isEmpty ? hint : "remotes: \(remotes.map(\.name).joined(separator: ", "))")
            }
            return explicit
        }
        if let upstream = try? repository.config("branch.\(branch).remote"), remotes.contains(where: { $0.name == upstream }) {
            return upstream
        }
        if remotes.contains(where: { $0.name == "origin" }) { return "origin" }
        if remotes.count == 1 { return remotes[0].name }
        if remotes.isEmpty {
            throw VaultError(.badInput, "no remote to sync with", at: root.path, hint: hint)
        }
        throw VaultError(.badInput, "several remotes and none is origin", at: root.path,
            hint: "name one: memvault sync \(remotes[0].name)")
    }

    /// Commits direct edits, fetches, merges (entry by entry for vault files) and pushes, under the vault lock.
    ///
    /// Never force-pushes: a rejected push fetches and merges again, up to `maximumPushAttempts`
    /// times. The merge commit is written before the branch moves and the checkout never
    /// overwrites local changes, so a sync killed at any point leaves a repository the next
    /// sync completes.
    /// - Parameter remoteName: the remote; nil picks the upstream, else `origin`, else the only one.
    /// - Throws: `VaultError.conflict` (exit 4) when a file outside the entry format changed in
    ///   the same lines on both sides (the working tree is left as it was); `VaultError.badInput` for a missing remote,
    ///   a network or credential failure, or a remote that kept moving.
    public func sync(remote remoteName: String? = nil) throws(VaultError) -> SyncReport {
        let lock = try lockVault()
        defer { lock.unlock() }
        let branch: String
        do {
            guard let current = try repository.currentBranch() else {
                throw VaultError(.badInput, "HEAD is detached; sync needs a branch", at: root.path,
                    hint: "check out your branch: git -C \(root.path) checkout main")
            }
            branch = current
        } catch let error as VaultError {
            throw error
        } catch {
            throw VaultError.wrap(error, "cannot read the branch")
        }
        let remote = try syncRemote(remoteName, branch: branch)
        var report = SyncReport(
            remote: remote, branch: branch, localCommit: nil, outcome: "up-to-date", mergeCommit: nil,
            mergedFiles: [], conflicts: [], attempts: 0, head: nil)
        report.localCommit = try recordDirectEdits(message: "memvault: commit direct edits before sync")?.commit
        testCrashPoint("commit")

        while true {
            report.attempts += 1
            let theirs: String?
            do {
                try repository.fetch(remote: remote)
                theirs = try? repository.resolve("refs/remotes/\(remote)/\(branch)")
            } catch {
                throw VaultError(.badInput, "cannot fetch from \(remote): \(error.message)", at: error.path,
                    hint: error.isAuthenticationFailure ? "check ssh-agent, ~/.ssh keys or GIT_USERNAME/GIT_PASSWORD" : nil)
            }
            testCrashPoint("fetch")
            let ours = try gitStep("read HEAD") { () throws(GitError) in try repository.head() }
            if let theirs {
                let relation = try gitStep("compare histories") { () throws(GitError) -> (remoteIsOld: Bool, oursIsOld: Bool) in
                    guard let ours else { return (false, true) }
                    return (try repository.isAncestor(theirs, of: ours), try repository.isAncestor(ours, of: theirs))
                }
                if relation.remoteIsOld {
                    // The remote has nothing new.
                } else if relation.oursIsOld {
                    try gitStep("fast-forward") { () throws(GitError) in try repository.fastForward(to: theirs) }
                    if report.outcome == "up-to-date" { report.outcome = "fast-forward" }
                } else {
                    let merge = try mergeCommit(ours: ours!, theirs: theirs, remote: remote, branch: branch)
                    report.mergeCommit = merge.commit
                    report.mergedFiles = Array(Set(report.mergedFiles + merge.files)).sorted()
                    report.conflicts = Array(Set(report.conflicts + merge.conflicts)).sorted()
                    report.outcome = "merged"
                    testCrashPoint("merge-commit")
                }
            }
            let head = try gitStep("read HEAD") { () throws(GitError) in try repository.head() }
            report.head = head
            guard let head, head != theirs else { return report }
            if report.attempts == 1, let script = environment["MEMVAULT_TEST_BEFORE_PUSH"], !script.isEmpty {
                runTestScript(script)
            }
            do {
                try repository.push(remote: remote, branch: branch)
                if report.outcome == "up-to-date" || report.outcome == "fast-forward" { report.outcome = "pushed" }
                return report
            } catch where error.isRejectedNonFastForward && report.attempts < Self.maximumPushAttempts {
                continue
            } catch {
                throw VaultError(.badInput, "cannot push to \(remote): \(error.message)", at: error.path,
                    hint: error.isRejectedNonFastForward
                        ? "the remote kept moving; run memvault sync again"
                        : error.isAuthenticationFailure ? "check ssh-agent, ~/.ssh keys or GIT_USERNAME/GIT_PASSWORD" : nil)
            }
        }
    }

    /// Merges `theirs` into `ours` file by file and writes the merge commit.
    ///
    /// Vault entry files changed on both sides are merged by `EntryMerge`, other files line by line;
    /// a file that cannot be merged stops the merge before anything is written.
    private func mergeCommit(ours: String, theirs: String, remote: String, branch: String) throws(VaultError)
        -> (commit: String, files: [String], conflicts: [String])
    {
        var files: [String: [UInt8]?] = [:]
        var conflicts: [String] = []
        var unmergeable: [String] = []
        try gitStep("merge") { () throws(GitError) in
            let base = try repository.mergeBase(ours, theirs)
            let baseFiles = try base.map { (commit) throws(GitError) in try repository.treeFiles(at: commit) } ?? [:]
            let ourFiles = try repository.treeFiles(at: ours)
            let theirFiles = try repository.treeFiles(at: theirs)
            for path in Set(ourFiles.keys).union(theirFiles.keys).sorted() {
                let (old, mine, their) = (baseFiles[path], ourFiles[path], theirFiles[path])
                if mine == their || their == old { continue }
                if path.hasPrefix(".memvault/cache/") { continue }  // never merged; should not be tracked at all
                if mine == old {
                    files.updateValue(try their.map { (blob) throws(GitError) in try repository.blob(blob) }, forKey: path)
                    continue
                }
                let baseBytes = try old.map { (blob) throws(GitError) in try repository.blob(blob) }
                guard Self.isEntryFilePath(path) else {
                    // Another file: git's line merge, or a conflict for a person.
                    if let mine, let their,
                        let merged = EntryMerge.mergeLines(base: baseBytes ?? [], ours: try repository.blob(mine), theirs: try repository.blob(their))
                    {
                        files.updateValue(merged, forKey: path)
                    } else {
                        unmergeable.append(path)
                    }
                    continue
                }
                let ourBytes = try mine.map { (blob) throws(GitError) in try repository.blob(blob) } ?? []
                let theirBytes = try their.map { (blob) throws(GitError) in try repository.blob(blob) } ?? []
                do {
                    let merged = try EntryMerge.merge(base: baseBytes, ours: ourBytes, theirs: theirBytes)
                    let deleted = merged.bytes.allSatisfy { $0 == 10 || $0 == 13 || $0 == 32 } && (mine == nil || their == nil)
                    files.updateValue(deleted ? nil : merged.bytes, forKey: path)
                    conflicts += merged.conflicts
                } catch {
                    unmergeable.append(path)
                }
            }
        }
        guard unmergeable.isEmpty else {
            throw VaultError(.conflict,
                "sync stopped: \(unmergeable.count == 1 ? "a file" : "files") outside the memory format changed on both sides: \(unmergeable.joined(separator: ", "))",
                at: root.path,
                hint: "nothing was merged and your files are as they were; merge by hand with: git -C \(root.path) merge \(remote)/\(branch), then memvault sync")
        }
        let summary = "memvault: sync merge with \(remote)/\(branch)"
        var message = summary + "\n\n" + files.keys.sorted().map { "- \($0)" }.joined(separator: "\n")
        if !conflicts.isEmpty {
            message += "\n\nConflict copies kept for: " + conflicts.sorted().joined(separator: ", ")
        }
        let author = try signature()
        let commit = try gitStep("write the merge commit") { () throws(GitError) in
            try repository.commitMerge(parents: [ours, theirs], files: files, message: message + "\n", author: author)
        }
        return (commit, files.keys.sorted(), conflicts)
    }

    /// Waits for the vault lock (see `VaultLock`).
    /// - Throws: `VaultError.badInput` when another process holds it too long.
    func lockVault() throws(VaultError) -> VaultLock {
        do {
            return try VaultLock(at: lockURL)
        } catch {
            throw VaultError(.badInput, error.message, at: error.path)
        }
    }

    /// Whether a vault-relative path is a memory file (`USER/TIER/....md`), for any user.
    static func isEntryFilePath(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count >= 3 && path.hasSuffix(".md") && !parts[0].isEmpty && !parts[0].hasPrefix(".")
            && Tier(rawValue: String(parts[1])) != nil
    }

    /// Runs a GitStore call, turning its error into a `VaultError` that says which step failed.
    func gitStep<T>(_ what: String, _ body: () throws(GitError) -> T) throws(VaultError) -> T {
        do {
            return try body()
        } catch {
            if error.isCheckoutConflict {
                throw VaultError(.conflict, "\(what): a local change is in the way (\(error.message))", at: error.path,
                    hint: "commit or move the file aside (memvault commit), then memvault sync again")
            }
            throw VaultError(.badInput, "\(what) failed: \(error.message)", at: error.path)
        }
    }

    // MARK: Test hooks

    /// Ends the process at a named point when `MEMVAULT_TEST_CRASH_AFTER` names it, to test recovery.
    private func testCrashPoint(_ name: String) {
        guard environment["MEMVAULT_TEST_CRASH_AFTER"] == name else { return }
        FileHandle.standardError.write(Data("memvault: test crash after \(name)\n".utf8))
        exit(9)
    }

    /// Runs `MEMVAULT_TEST_BEFORE_PUSH` (a shell script path) before the first push, to move the remote meanwhile.
    private func runTestScript(_ path: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [path]
        process.currentDirectoryURL = root
        process.standardOutput = FileHandle.standardError  // keep stdout for the sync's own output
        try? process.run()
        process.waitUntilExit()
    }
}
