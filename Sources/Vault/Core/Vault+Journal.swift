import Crypto
import Foundation
import GitStore
import MemvaultSupport

#if canImport(Glibc)
import Glibc
#endif

/// The undo journal of one change in progress, at `.memvault/journal` (never committed).
///
/// Like SQLite's rollback journal: written and synced before the first file of a change is
/// replaced, it holds what is needed to put every file back (the bytes from before, or their
/// absence) and to recognise the change's own writes (a SHA-256 of the bytes after). The commit,
/// or for a checkout the branch move, is the point of no return; the journal is removed after it.
struct ChangeJournal: Codable, Sendable {
    enum Kind: String, Codable, Sendable {
        /// Files written, then committed on HEAD (`transaction`).
        case commit
        /// A commit checked out over the working directory, then the branch moved (`sync`).
        case checkout
        /// Files written without a commit (`check --fix`): the journal's removal is the end.
        case files
        /// A git operation that changes no working file (`sync`'s fetch and push): recovery only
        /// removes the lock files a killed libgit2 left in `.git`.
        case git
    }

    struct File: Codable, Sendable {
        var path: String
        /// The bytes before the change; nil when the file did not exist.
        var before: Data?
        /// SHA-256 (hex) of the bytes the change writes; nil when the change removes the file, or
        /// when the bytes are produced only as the file is written (`produced`).
        var after: String?
        /// The bytes are made while the change is applied (a large import): their digest is
        /// appended to `Vault.journalAfterPath`, synced, before the file replaces the old one.
        var produced: Bool? = nil
    }

    var version = 1
    var kind: Kind
    /// The change's commit message (its first line), to say what was rolled back or finished.
    var message: String
    /// The process that wrote it, whose temporary files (`.NAME.tmp-PID-*`) recovery removes.
    var pid: Int32
    /// HEAD before the change; nil on an unborn branch.
    var headBefore: String?
    /// For a checkout: the commit the branch moves to.
    var target: String?
    var files: [File]

    static func digest(_ bytes: [UInt8]?) -> String? {
        bytes.map { SHA256.hash(data: $0).hexString }
    }
}

/// What recovery did with a change a killed process left unfinished.
public struct RecoveryReport: Sendable, Codable, Equatable {
    /// `rolled back` (files as before, nothing committed) or `finished` (its commit had landed).
    public var action: String
    /// The change's commit message, first line.
    public var change: String
    /// Files put back to their bytes from before.
    public var restored: [String]
    /// Files left alone because someone changed them after the crash.
    public var kept: [String]

    /// One line for stderr.
    public var summary: String {
        var line = "recovered an unfinished change (\(change)): \(action)"
        if action == "rolled back" {
            line += ", \(restored.count) \(restored.count == 1 ? "file" : "files") restored"
        }
        if !kept.isEmpty { line += "; changed since, left as they are: \(kept.joined(separator: ", "))" }
        return line
    }
}

extension Vault {
    static let journalPath = ".memvault/journal"
    /// Digests of produced files (`ChangeJournal.File.produced`), one `PATH\tSHA256` line each.
    static let journalAfterPath = ".memvault/journal-after"
    var journalURL: URL { url(Self.journalPath) }

    /// Whether a change was left unfinished (a journal exists). A running command also has one.
    public var hasUnfinishedChange: Bool { FileManager.default.fileExists(atPath: journalURL.path) }

    /// Calls the injected fault handler, if any (tests only).
    func reach(_ point: FaultPoint) { faults?.reached(point) }

    /// Finds a change a killed process left unfinished and rolls it back or finishes it, under
    /// the vault lock. Every command calls this (through `lockVault` or directly) before anything else.
    /// - Returns: what was done, or nil when nothing was unfinished.
    @discardableResult
    public func recoverUnfinishedChange() throws(VaultError) -> RecoveryReport? {
        guard hasUnfinishedChange || hasStaleJournalTemporary else { return nil }
        let lock: VaultLock
        do {
            lock = try VaultLock(Self.lockPath, in: root)
        } catch {
            throw VaultError(.badInput, error.message, at: error.path)
        }
        defer { lock.unlock() }
        let report = try recoverHoldingLock()
        removeStaleJournalTemporaries()
        return report
    }

    /// Whether a process was killed while writing a journal (its temporary file is left).
    private var hasStaleJournalTemporary: Bool {
        ((try? FileManager.default.contentsOfDirectory(atPath: journalURL.deletingLastPathComponent().path)) ?? [])
            .contains { $0.hasPrefix(".journal.tmp-") }
    }

    /// Recovery for a caller holding the vault lock.
    @discardableResult
    func recoverHoldingLock() throws(VaultError) -> RecoveryReport? {
        let bytes: [UInt8]
        do {
            guard let read = try AtomicFile.read(Self.journalPath, in: root) else { return nil }
            bytes = read
        } catch {
            throw VaultError(.integrity, "cannot read the journal of an unfinished change: \(error.message)", at: Self.journalPath)
        }
        let journal: ChangeJournal
        do {
            journal = try JSONDecoder().decode(ChangeJournal.self, from: Data(bytes))
        } catch {
            throw VaultError(.integrity, "the journal of an unfinished change cannot be read", at: Self.journalPath,
                hint: "nothing was changed; inspect it, put files back with git, then remove \(Self.journalPath)")
        }
        guard journal.version == 1 else {
            throw VaultError(.integrity, "the journal of an unfinished change has version \(journal.version), which this memvault does not know",
                at: Self.journalPath, hint: "recover with the memvault that wrote it")
        }
        let head = try gitStep("read HEAD") { () throws(GitError) in try repository.head() }
        let committed: Bool
        switch journal.kind {
        case .files, .git: committed = false
        case .commit: committed = head != journal.headBefore
        case .checkout: committed = head == journal.target || head != journal.headBefore
        }
        // The killed process held the vault lock: git lock files it left are stale, and would
        // stop every later commit or fetch ("failed to lock file").
        removeStaleGitLocks()
        if journal.kind == .git, let remoteLock = journal.target, remoteLock.hasSuffix(".lock") {
            unlink(remoteLock)  // the ref lock a killed push left in a remote on a local path (a USB stick)
        }
        var report = RecoveryReport(
            action: journal.kind == .git ? "cleaned up" : committed ? "finished" : "rolled back", change: journal.message,
            restored: [], kept: [])
        if !committed && journal.kind != .git {
            (report.restored, report.kept) = try rollBack(journal)
        }
        removeTemporaryFiles(of: journal)
        try removeJournal()
        lastRecovery = report
        recoveryHandler?(report)
        return report
    }

    /// Puts back every journaled file that still holds the change's bytes, and resets their
    /// index entries to HEAD. A file changed since (a hand edit) is left alone and reported.
    private func rollBack(_ journal: ChangeJournal) throws(VaultError) -> (restored: [String], kept: [String]) {
        var restored: [String] = []
        var kept: [String] = []
        // Removals first: on a full disk they free the space the restored files need.
        let ordered = journal.files.reversed().filter { $0.before == nil } + journal.files.reversed().filter { $0.before != nil }
        let producedDigests = producedFileDigests()
        for file in ordered {
            let current: [UInt8]?
            do {
                current = try AtomicFile.read(file.path, in: root)
            } catch {
                throw VaultError(.badInput, "cannot read a file to roll back: \(error.message)", at: file.path)
            }
            let before = file.before.map { [UInt8]($0) }
            if current == before { continue }
            let after = file.produced == true ? producedDigests[file.path] : file.after
            guard ChangeJournal.digest(current) == after else {
                kept.append(file.path)
                continue
            }
            do {
                if let before {
                    try AtomicFile.write(before, to: file.path, in: root)
                } else {
                    try AtomicFile.remove(file.path, in: root)
                }
            } catch {
                throw VaultError(.badInput, "cannot roll back: \(error.message)", at: file.path,
                    hint: "the journal is kept; free space or fix permissions, then run any memvault command")
            }
            restored.append(file.path)
        }
        if journal.kind != .files {
            try gitStep("reset the index") { () throws(GitError) in
                try repository.resetIndex(paths: journal.files.map(\.path).filter { !kept.contains($0) })
            }
        }
        return (restored.sorted(), kept.sorted())
    }

    /// Removes the lock files of git's own writes (`index.lock`, `HEAD.lock`, `packed-refs.lock`,
    /// `config.lock`, `refs/**.lock`) that a killed process left; called only under the vault lock
    /// when a journal shows a memvault process died during a change.
    private func removeStaleGitLocks() {
        let git = url(".git")
        for name in ["index.lock", "HEAD.lock", "packed-refs.lock", "config.lock", "FETCH_HEAD.lock", "ORIG_HEAD.lock"] {
            unlink(git.appendingPathComponent(name).path)
        }
        let refs = git.appendingPathComponent("refs")
        for path in (try? FileManager.default.subpathsOfDirectory(atPath: refs.path)) ?? [] where path.hasSuffix(".lock") {
            unlink(refs.appendingPathComponent(path).path)
        }
    }

    /// Removes a journal's temporary file left by a process killed while writing it (before
    /// the journal existed, so no recovery ran); only under the vault lock, as journals are written.
    func removeStaleJournalTemporaries() {
        let folder = journalURL.deletingLastPathComponent().path
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasPrefix(".journal.tmp-") {
            unlink(folder + "/" + name)
        }
    }

    /// Runs a git operation that changes no working file (fetch, push) under a `git` journal, so
    /// the lock files of a process killed during it are removed by the next command.
    /// - Parameter remoteLock: the ref lock file a push creates in a remote on a local path, if any.
    func withGitJournal<T>(_ message: String, remoteLock: String? = nil, _ body: () throws(VaultError) -> T) throws(VaultError) -> T {
        let head = try? repository.head()
        try writeJournal(ChangeJournal(kind: .git, message: message, pid: getpid(), headBefore: head, target: remoteLock, files: []))
        let result: T
        do {
            result = try body()
        } catch {
            try? removeJournal()
            throw error
        }
        try removeJournal()
        return result
    }

    /// Removes the temporary files (`.NAME.tmp-PID-*`) the journal's process left beside its files.
    private func removeTemporaryFiles(of journal: ChangeJournal) {
        let folders = Set(journal.files.map { url($0.path).deletingLastPathComponent().path } + [journalURL.deletingLastPathComponent().path])
        for folder in folders {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            where name.hasPrefix(".") && name.contains(".tmp-\(journal.pid)-") {
                unlink(folder + "/" + name)
            }
        }
    }

    /// Removes the journal. `synced: false` after the point of no return: a journal that comes
    /// back after a power loss names a change whose commit is there, which the next command only
    /// finishes (removes the journal again).
    private func removeJournal(synced: Bool = true) throws(VaultError) {
        do {
            try AtomicFile.remove(Self.journalAfterPath, in: root, syncingFolder: synced)
            try AtomicFile.remove(Self.journalPath, in: root, syncingFolder: synced)
        } catch {
            throw VaultError(.badInput, "cannot remove the journal: \(error.message)", at: Self.journalPath)
        }
    }

    /// Appends the digest of a produced file's bytes to `journalAfterPath` and syncs it, before the
    /// file is replaced: recovery then knows the change's own bytes from a later hand edit.
    private func recordProducedDigest(path: String, bytes: [UInt8]) throws(VaultError) {
        var log = (try? AtomicFile.read(Self.journalAfterPath, in: root)).flatMap { $0 } ?? []
        log += Array("\(path)\t\(ChangeJournal.digest(bytes) ?? "")\n".utf8)
        do {
            try AtomicFile.write(log, to: Self.journalAfterPath, in: root, permissions: 0o600)
        } catch {
            throw VaultError(.badInput, "cannot write the journal: \(error.message)", at: Self.journalAfterPath)
        }
    }

    /// The digests `recordProducedDigest` wrote, by path.
    private func producedFileDigests() -> [String: String] {
        guard let bytes = (try? AtomicFile.read(Self.journalAfterPath, in: root)).flatMap({ $0 }) else { return [:] }
        var digests: [String: String] = [:]
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: "\t", maxSplits: 1)
            if fields.count == 2 { digests[String(fields[0])] = String(fields[1]) }
        }
        return digests
    }

    /// Writes the journal and syncs it: after this, a crash is undone by the next command.
    private func writeJournal(_ journal: ChangeJournal) throws(VaultError) {
        do {
            let data = try JSONEncoder().encode(journal)
            try AtomicFile.write(Array(data), to: Self.journalPath, in: root, permissions: 0o600)
        } catch let error as FileError {
            throw VaultError(.badInput, "cannot write the journal: \(error.message)", at: Self.journalPath,
                hint: "nothing was changed")
        } catch {
            throw VaultError.wrap(error, "cannot write the journal")
        }
    }

    /// Applies `writes` (nil removes a file) atomically as a whole, for a caller holding the vault
    /// lock: journal, files, then (when `commit`) one commit of `commitPaths` (default: the written
    /// paths), then the journal is removed. Any failure puts every file back and rethrows.
    /// - Returns: the commit id, or nil when nothing was committed.
    /// - Parameter committer: makes the commit instead of committing `commitPaths` on HEAD (`resolve`
    ///   commits the index of a stopped merge with two parents).
    /// - Parameter producers: paths whose bytes are made only when they are written, one at a time
    ///   (their entry in `writes` is ignored): a large change holds one file in memory, not all.
    /// - Parameter check: runs before the journal is written (its error writes nothing), while a
    ///   `pending` commit's thread already writes the objects.
    func applyJournaled(
        _ writes: [(path: String, bytes: [UInt8]?)], producers: [String: () throws -> [UInt8]] = [:], message: String,
        commit: Bool, commitPaths: [String]? = nil, committer: (() throws -> String?)? = nil, pending prepared: PendingCommit? = nil,
        checkedFirst check: () throws(VaultError) -> Void = {}
    ) throws(VaultError) -> String? {
        // The common change (files with new bytes, committed the usual way) has the pending
        // commit's thread write git's objects while the journal and the files are written and
        // synced here; until it is settled, this thread leaves the repository to it.
        var pending: PendingCommit?
        var head: String?
        if let prepared, commit, committer == nil, commitPaths == nil, producers.isEmpty, !writes.isEmpty,
            case let replaced = writes.compactMap({ write in write.bytes.map { (write.path, $0) } }), replaced.count == writes.count
        {
            head = try gitStep("read HEAD") { () throws(GitError) in try prepared.head() }
            try gitStep("start the commit") { () throws(GitError) in try prepared.begin(files: replaced, message: message) }
            pending = prepared
        } else {
            if let prepared { settle(prepared) }
            if commit { head = try gitStep("read HEAD") { () throws(GitError) in try repository.head() } }
        }
        do {
            try check()
        } catch {
            if let pending { settle(pending) }
            throw error
        }
        var files: [ChangeJournal.File] = []
        for (path, bytes) in writes {
            let before: [UInt8]?
            do {
                before = try AtomicFile.read(path, in: root)
            } catch {
                if let pending { settle(pending) }
                throw VaultError(.badInput, error.message, at: path)
            }
            if producers[path] != nil {
                files.append(.init(path: path, before: before.map { Data($0) }, after: nil, produced: true))
            } else {
                files.append(.init(path: path, before: before.map { Data($0) }, after: ChangeJournal.digest(bytes)))
            }
        }
        let journal = ChangeJournal(
            kind: commit ? .commit : .files, message: String(message.prefix { $0 != "\n" }), pid: getpid(),
            headBefore: head, target: nil, files: files)
        // A fault handler may copy the vault as a crash at that instant leaves it (the crash
        // tests): the other thread's writes are waited for first, so that the copy is of one instant.
        func reachSettled(_ point: FaultPoint) {
            if faults != nil { pending?.waitUntilDone() }
            reach(point)
        }
        do {
            try writeJournal(journal)
        } catch {
            if let pending { settle(pending) }
            throw error
        }
        reachSettled(.journalWritten)
        var result: String?
        do {
            for (path, bytes) in writes {
                if let produce = producers[path] {
                    let produced = try produce()
                    try recordProducedDigest(path: path, bytes: produced)
                    try AtomicFile.write(produced, to: path, in: root)
                } else if let bytes {
                    try AtomicFile.write(bytes, to: path, in: root)
                } else {
                    try AtomicFile.remove(path, in: root)
                }
                reachSettled(.fileWritten)
            }
            if commit {
                if let committer {
                    result = try committer()
                } else if let pending {
                    defer { settle(pending) }
                    result = try pending.finish()
                } else {
                    let author = try signature()
                    result = try repository.commit(paths: commitPaths ?? writes.map(\.path), message: message, author: author)
                }
                try verifyCommitted(result, paths: commitPaths ?? writes.map(\.path))
                reach(.committed)
            }
        } catch {
            if let pending { settle(pending) }
            var message = "change not saved"
            do {
                _ = try rollBack(journal)
                removeTemporaryFiles(of: journal)
                try removeJournal()
            } catch {
                // The journal stays: the next command (once there is space again) puts the files back.
                message += " and not yet put back (the next memvault command will)"
            }
            throw VaultError.wrap(error, message)
        }
        try removeJournal(synced: result == nil)
        return result
    }

    /// Throws unless the change's commit is what HEAD now names, or, when nothing was committed,
    /// no written path differs from HEAD: success is printed only for a change git recorded.
    ///
    /// (libgit2 once returned the id of a commit it had failed to write on a full disk, moving
    /// nothing; `GitRepository.createCommit` checks for that itself, and this checks the outcome
    /// whatever made the commit.)
    private func verifyCommitted(_ commit: String?, paths: [String]) throws(GitError) {
        if let commit {
            let head = try repository.head()
            guard head == commit else {
                throw GitError(code: -1, function: "commit", message: "HEAD is \(head ?? "unborn"), not the new commit \(commit)")
            }
        } else {
            let written = Set(paths)
            if let differing = try repository.changedPaths().first(where: { written.contains($0.path) }) {
                throw GitError(code: -1, function: "commit", message: "nothing was committed, yet \(differing.path) differs from HEAD")
            }
        }
    }

    /// Files of one device that a commit from elsewhere must not bring (they are ignored, so only
    /// a crafted commit holds them): the journal, which the next command would act on.
    static var localOnlyPaths: Set<String> { [journalPath, journalAfterPath] }

    /// Checks out `target` (a descendant of HEAD) and moves the branch to it, journaled: a crash
    /// before the branch moves is rolled back by the next command, after it is finished.
    func journaledFastForward(to target: String, message: String) throws(VaultError) {
        let head = try gitStep("read HEAD") { () throws(GitError) in try repository.head() }
        guard head != target else { return }
        var files: [ChangeJournal.File] = []
        try gitStep("compare trees") { () throws(GitError) in
            let old = try head.map { (commit) throws(GitError) in try repository.treeFiles(at: commit) } ?? [:]
            let new = try repository.treeFiles(at: target)
            for path in Set(old.keys).union(new.keys).sorted() where old[path] != new[path] {
                let after = try new[path].map { (blob) throws(GitError) in try repository.blob(blob) }
                let before = try? AtomicFile.read(path, in: root)
                files.append(.init(path: path, before: before.map { Data($0) }, after: ChangeJournal.digest(after)))
            }
        }
        if let local = files.first(where: { Self.localOnlyPaths.contains($0.path) }) {
            throw VaultError(.integrity, "the commit to check out (\(target.prefix(12))) holds \(local.path), the record of a change in progress on one device, which is never shared",
                at: local.path, hint: "nothing was checked out; remove the file from that history before syncing with it")
        }
        let journal = ChangeJournal(kind: .checkout, message: message, pid: getpid(), headBefore: head, target: target, files: files)
        try writeJournal(journal)
        reach(.journalWritten)
        do {
            try gitStep("check out \(target.prefix(12))") { () throws(GitError) in
                try repository.fastForward(to: target) { _ in reach(.fileWritten) }
            }
        } catch {
            do {
                if (try? repository.head()) == head { _ = try rollBack(journal) }
                removeTemporaryFiles(of: journal)
                try removeJournal()
            } catch {
                // The journal stays for the next command.
            }
            throw error
        }
        reach(.committed)
        try removeJournal(synced: false)
    }
}
