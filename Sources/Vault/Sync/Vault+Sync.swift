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
    /// Keys and settings that differ from what this device trusts (see `memvault trust`); writes they
    /// concern are refused until accepted.
    public var untrusted: [String] = []

    enum CodingKeys: String, CodingKey {
        case remote, branch, outcome, conflicts, attempts, head, untrusted
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
        # and a credential staged in a plain-text tier blocks the commit (git commit --no-verify skips it).
        if command -v memvault >/dev/null 2>&1; then
            exec memvault check --secrets-are-errors --staged --vault "$(git rev-parse --show-toplevel)"
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
    ///
    /// The vault's branch is the remote's HEAD when it names an existing branch, else `main`,
    /// else the only branch (see `GitRepository.clone`). An empty remote (a fresh `git init --bare`
    /// or a new forge repository) gives a new vault for `emptyRemoteUser`, with the remote as
    /// origin, which `sync` then pushes; without a user, an empty remote is an error.
    /// - Throws: `VaultError.badInput` when cloning fails or the clone holds no vault (the clone is removed then).
    @discardableResult
    public static func clone(
        from remoteURL: String, to directory: URL, environment: [String: String] = ProcessInfo.processInfo.environment,
        emptyRemoteUser: String? = nil
    ) throws(VaultError) -> Vault {
        let directory = directory.standardizedFileURL
        let fm = FileManager.default
        if let contents = try? fm.contentsOfDirectory(atPath: directory.path), !contents.isEmpty {
            throw VaultError(.badInput, "the folder is not empty", at: directory.path, hint: "clone into a new folder")
        }
        let existed = fm.fileExists(atPath: directory.path)
        let removeClone = {
            if existed {
                for item in (try? fm.contentsOfDirectory(atPath: directory.path)) ?? [] {
                    try? fm.removeItem(at: directory.appendingPathComponent(item))
                }
            } else {
                try? fm.removeItem(at: directory)
            }
        }
        var isEmpty = false
        do {
            // Cloned without checkout: the tree is inspected before any file is written.
            let repository = try GitRepository.clone(url: Self.remoteURL(remoteURL), to: directory, checkout: false)
            chmod(directory.path, 0o700)
            chmod(repository.gitDirectory.path, 0o700)
            if let head = try repository.head() {
                let special = try repository.specialEntries(at: head)
                if let first = special.first {
                    removeClone()
                    throw VaultError(.integrity,
                        "refusing the remote's commit \(head.prefix(12)): \(first)\(special.count > 1 ? " (and \(special.count - 1) more)" : ""); nothing was cloned",
                        at: first.path, hint: "a vault holds only regular files and folders; whoever can push to \(remoteURL) must replace it")
                }
                try repository.setConfig("core.symlinks", "false")
                try repository.checkOutHeadIntoEmptyWorkdir()
            } else {
                try repository.setConfig("core.symlinks", "false")
                isEmpty = try repository.remoteBranches(of: "origin").isEmpty
            }
        } catch let error as VaultError {
            throw error
        } catch let error as GitError {
            removeClone()
            throw VaultError(.badInput, "cannot clone: \(error.message)", at: remoteURL,
                hint: error.isAuthenticationFailure ? "check ssh-agent, ~/.ssh keys or GIT_USERNAME/GIT_PASSWORD" : nil)
        } catch {
            removeClone()
            throw VaultError.wrap(error, "cannot clone")
        }
        do {
            if isEmpty {
                guard let user = emptyRemoteUser else {
                    throw VaultError(.badInput, "the remote is empty",
                        hint: "start the vault on one device with memvault init PATH --remote \(remoteURL), then memvault sync")
                }
                let vault = try Vault.create(at: directory, user: user, environment: environment)
                vault.startedFromEmptyRemote = true
                return vault
            }
            let vault = try Vault(at: directory, environment: environment)
            try vault.installHooks()
            for user in vault.config.users {
                for tier in Tier.allCases {
                    try? AtomicFile.createDirectory("\(user)/\(tier.rawValue)", in: vault.root)
                }
            }
            // Trust on first use: the keys and settings of the clone are the ones this device trusts.
            _ = try vault.ensurePins()
            return vault
        } catch {
            removeClone()
            throw VaultError(.badInput, "\(remoteURL) holds no memvault vault (\(VaultError.wrap(error).message))", at: remoteURL)
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
        // Trust on first use happens before anything is fetched, so pins reflect this device's files.
        _ = try ensurePins()
        report.localCommit = try recordDirectEdits(message: "memvault: commit direct edits before sync")?.commit
        reach(.syncCommit)

        while true {
            report.attempts += 1
            let theirs: String?
            try withGitJournal("memvault: sync fetch from \(remote)") { () throws(VaultError) in
                do throws(GitError) {
                    try repository.fetch(remote: remote)
                } catch {
                    throw VaultError(.badInput, "cannot fetch from \(remote): \(error.message)", at: error.path,
                        hint: error.isAuthenticationFailure ? "check ssh-agent, ~/.ssh keys or GIT_USERNAME/GIT_PASSWORD" : nil)
                }
            }
            theirs = try? repository.resolve("refs/remotes/\(remote)/\(branch)")
            reach(.syncFetch)
            let ours = try gitStep("read HEAD") { () throws(GitError) in try repository.head() }
            if let theirs {
                let relation = try gitStep("compare histories") { () throws(GitError) -> (remoteIsOld: Bool, oursIsOld: Bool) in
                    guard let ours else { return (false, true) }
                    return (try repository.isAncestor(theirs, of: ours), try repository.isAncestor(ours, of: theirs))
                }
                if !relation.remoteIsOld {
                    try refuseSpecialEntries(in: theirs, ours: ours, remote: remote, branch: branch)
                }
                if relation.remoteIsOld {
                    // The remote has nothing new.
                } else if relation.oursIsOld {
                    try journaledFastForward(to: theirs, message: "memvault: sync fast-forward to \(remote)/\(branch)")
                    if report.outcome == "up-to-date" { report.outcome = "fast-forward" }
                } else {
                    let merge = try mergeCommit(ours: ours!, theirs: theirs, remote: remote, branch: branch)
                    report.mergeCommit = merge.commit
                    report.mergedFiles = Array(Set(report.mergedFiles + merge.files)).sorted()
                    report.conflicts = Array(Set(report.conflicts + merge.conflicts)).sorted()
                    report.outcome = "merged"
                    reach(.syncMergeCommit)
                }
            }
            let head = try gitStep("read HEAD") { () throws(GitError) in try repository.head() }
            report.head = head
            guard let head, head != theirs else {
                report.untrusted = try untrustedChanges().map(\.description)
                return report
            }
            if report.attempts == 1 { reach(.syncBeforePush) }
            let pushed: GitError? = try withGitJournal("memvault: sync push to \(remote)", remoteLock: localRemoteLock(remote: remote, branch: branch)) { () throws(VaultError) -> GitError? in
                do throws(GitError) {
                    try repository.push(remote: remote, branch: branch)
                    return nil
                } catch {
                    return error
                }
            }
            do throws(GitError) {
                if let pushed { throw pushed }
                if report.outcome == "up-to-date" || report.outcome == "fast-forward" { report.outcome = "pushed" }
            } catch where error.isRejectedNonFastForward && report.attempts < Self.maximumPushAttempts {
                continue
            } catch {
                throw VaultError(.badInput, "cannot push to \(remote): \(error.message)", at: error.path,
                    hint: error.isRejectedNonFastForward
                        ? "the remote kept moving; run memvault sync again"
                        : error.isAuthenticationFailure ? "check ssh-agent, ~/.ssh keys or GIT_USERNAME/GIT_PASSWORD" : nil)
            }
            report.untrusted = try untrustedChanges().map(\.description)
            return report
        }
    }

    /// The ref lock file a push of `branch` creates when the remote is a repository on a local path.
    private func localRemoteLock(remote: String, branch: String) -> String? {
        guard let url = (try? repository.remotes())?.first(where: { $0.name == remote })?.url, !url.contains("://") || url.hasPrefix("file://") else { return nil }
        let path = url.hasPrefix("file://") ? String(url.dropFirst("file://".count)) : url
        var isDirectory: ObjCBool = false
        guard path.hasPrefix("/"), FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return nil }
        let gitDirectory = FileManager.default.fileExists(atPath: path + "/.git") ? path + "/.git" : path
        return gitDirectory + "/refs/heads/" + branch + ".lock"
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
        // The commit is written first, then checked out under the journal: a crash in between is
        // rolled back by the next command, and the next sync merges again.
        let commit = try gitStep("write the merge commit") { () throws(GitError) in
            try repository.writeMergeCommit(parents: [ours, theirs], files: files, message: message + "\n", author: author)
        }
        try journaledFastForward(to: commit, message: summary)
        return (commit, files.keys.sorted(), conflicts)
    }

    /// Refuses a fetched commit whose tree holds a symbolic link, gitlink or other non-regular entry
    /// that `ours` does not already have: checking it out would let whoever can push point memvault's
    /// reads and writes outside the vault.
    /// - Throws: `.integrity` (exit 5) naming the path and the commit; nothing is merged, checked out or pushed.
    func refuseSpecialEntries(in theirs: String, ours: String?, remote: String, branch: String) throws(VaultError) {
        let (special, known) = try gitStep("inspect the fetched tree") { () throws(GitError) -> ([SpecialTreeEntry], Set<SpecialTreeEntry>) in
            (try repository.specialEntries(at: theirs), try ours.map { (commit) throws(GitError) in Set(try repository.specialEntries(at: commit)) } ?? [])
        }
        let new = special.filter { !known.contains($0) }
        guard let first = new.first else { return }
        throw VaultError(.integrity,
            "refusing \(remote)/\(branch) at commit \(theirs.prefix(12)): \(first)\(new.count > 1 ? " (and \(new.count - 1) more)" : ""); nothing was merged, checked out or pushed",
            at: first.path,
            hint: "a vault holds only regular files and folders; whoever pushed it must replace it with a regular file (git -C \(root.path) log \(remote)/\(branch) -- \(first.path))")
    }

    /// Waits for the vault lock (see `VaultLock`).
    /// - Throws: `VaultError.badInput` when another process holds it too long.
    /// Recovers a change a killed process left unfinished before returning (see Vault+Journal.swift).
    func lockVault() throws(VaultError) -> VaultLock {
        let lock: VaultLock
        do {
            lock = try VaultLock(Self.lockPath, in: root)
        } catch {
            throw VaultError(error)
        }
        do {
            try recoverHoldingLock()
        } catch {
            lock.unlock()
            throw error
        }
        removeStaleJournalTemporaries()
        return lock
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
}
