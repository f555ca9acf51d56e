#if canImport(Glibc)
import Glibc
#endif
import Embedder
import Foundation
import GitStore
import MarkdownCodec
import MemvaultSupport

/// How `memvault watch` behaves.
public struct WatchOptions: Sendable {
    /// How long the files must stay untouched before the edits are committed.
    public var quietPeriod: TimeInterval
    /// Sync with the remote this often (and after each commit while the remote answers); nil: never.
    public var syncEvery: TimeInterval?
    /// The remote to sync with; nil: the branch's upstream, else origin, else the only remote.
    public var remote: String?
    /// The longest wait between two sync attempts while the remote cannot be reached.
    public var longestBackoff: TimeInterval

    public init(quietPeriod: TimeInterval = 2, syncEvery: TimeInterval? = nil, remote: String? = nil, longestBackoff: TimeInterval = 3600) {
        self.quietPeriod = quietPeriod
        self.syncEvery = syncEvery
        self.remote = remote
        self.longestBackoff = longestBackoff
    }
}

/// One line `watch` tells the person: what it committed, what it left alone and why.
public struct WatchNote: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// Started, stopped, index refreshed, synced.
        case info
        /// A commit of hand edits.
        case committed
        /// Something the person must look at (a refused file, a vault that cannot be committed);
        /// one short line, fit for a desktop notification.
        case problem
        /// The remote could not be reached; a normal state, retried later.
        case offline
    }

    public var kind: Kind
    public var text: String
    public var description: String { text }
}

/// Keeps a vault committed and indexed while people edit its files by hand.
///
/// Waits on inotify for changes in the tier folders (no polling: a watcher with nothing to do
/// uses no CPU). When the files have stayed untouched for the quiet period, it checks the
/// changed files, commits the vault's own changed files as one commit through the same path as
/// `memvault commit`, and refreshes the search index of the plain tiers. It holds the vault lock
/// only while committing, so other memvault commands run between its commits; it never reads a
/// key, so encrypted tiers are never decrypted.
public final class VaultWatcher {
    private var vault: Vault
    private let options: WatchOptions
    private let embedder: (any SentenceEmbedding)?
    private let report: (WatchNote) -> Void
    private let inotify: Inotify
    private let now: () -> Date

    /// A change arrived since the last settled commit attempt.
    private var dirty = false
    private var lastEvent = Date.distantPast
    /// Files written to (IN_MODIFY) and not yet closed: an editor is still saving them.
    private var writing: [String: Date] = [:]
    /// When to look again although no event arrives (a git operation or the lock was in the way).
    private var retryAt: Date?
    /// Since when git's index lock has been seen.
    private var gitBusySince: Date?
    /// Files refused, with the size and mtime they had then, so each refusal is told once.
    private var refused: [String: FileStamp] = [:]
    /// Problems told already (so a vault that cannot be committed is not reported on every event).
    private var toldProblems: Set<String> = []
    private var mentionedOthers: Set<String> = []
    private var nextSync: Date?
    private var remoteReachable = true
    private var syncFailures = 0
    private var lastSyncProblem: String?
    /// Commits made by this watcher (for tests and the closing line).
    public private(set) var commits = 0

    /// - Parameters:
    ///   - vault: the vault to watch.
    ///   - embedder: refreshes the vectors of edited memories; nil keeps only the lexical index fresh.
    ///   - now: the clock (injected by tests that need no real time).
    ///   - report: receives every line to tell the person.
    public init(
        vault: Vault, options: WatchOptions = WatchOptions(), embedder: (any SentenceEmbedding)?,
        now: @escaping () -> Date = Date.init, report: @escaping (WatchNote) -> Void
    ) throws(VaultError) {
        self.vault = vault
        self.options = options
        self.embedder = embedder
        self.report = report
        self.now = now
        self.inotify = try Inotify(root: vault.root)
        if let syncEvery = options.syncEvery {
            // Fails early, before watching, when there is no remote at all.
            let branch = (try? vault.repository.currentBranch()).flatMap { $0 } ?? "main"
            _ = try vault.syncRemote(options.remote, branch: branch)
            nextSync = now().addingTimeInterval(min(syncEvery, 1))
        }
    }

    /// Ends `run()` from any thread.
    public func stop() { inotify.wake() }

    /// Ends `run()` on SIGINT and SIGTERM (Ctrl-C, `systemctl stop`): the signal handler only
    /// writes a byte to the watcher's wake pipe, and `run()` returns after finishing what it does.
    public func stopOnSignals() {
        signalWakeDescriptor = inotify.wakeWrite
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber) { _ in
                // Refreshing the index, which may take long (a first embedding), is safe to end
                // at any instant: its files are replaced by rename, the state file last.
                if signalEndsProcessAtOnce != 0 { _exit(0) }
                var byte: UInt8 = 1
                _ = write(signalWakeDescriptor, &byte, 1)
            }
        }
    }

    /// The folders watched now, relative to the vault.
    public var watchedFolders: [String] { inotify.watchedFolders }

    /// Watches until `stop()` or a signal: commits what was edited before it started, then every
    /// settled burst of edits.
    /// - Throws: only when watching itself fails (inotify cannot be set up); a vault that cannot
    ///   be committed, a refused file or an unreachable remote are reported and watching goes on.
    public func run() throws(VaultError) {
        try watchFolders()
        // Edits made while nobody watched are committed before "watching" is said, so an edit
        // made after that line is never swept into the catch-up commit.
        dirty = true
        lastEvent = .distantPast
        settle()
        report(WatchNote(kind: .info, text: "watching \(vault.root.path) (\(inotify.watchedFolders.count) folders; quiet period \(WatchDuration(seconds: options.quietPeriod)))"))
        while true {
            if dirty, now() >= settleTime() {
                settle()
            }
            if let due = nextSync, now() >= due {
                syncNow(reason: .interval)
            }
            switch try inotify.wait(timeout: nextWake()) {
            case .woken:
                report(WatchNote(kind: .info, text: "stopped watching \(vault.root.path)"))
                return
            case .timedOut:
                continue
            case .events(let events):
                try take(events)
            }
        }
    }

    // MARK: Events

    /// When the pending edits may be settled: the quiet period after the last event, no file
    /// still open for writing (or all of them open too long), and no retry pending.
    private func settleTime() -> Date {
        var time = lastEvent.addingTimeInterval(options.quietPeriod)
        if let retryAt { time = max(time, retryAt) }
        if let newest = writing.values.max() { time = max(time, newest.addingTimeInterval(writingLimit)) }
        return time
    }

    /// How long `wait` may block: until the edits may be settled or a sync is due; forever
    /// when nothing is pending.
    private func nextWake() -> TimeInterval? {
        var deadlines: [Date] = []
        if dirty { deadlines.append(settleTime()) }
        if let nextSync { deadlines.append(nextSync) }
        guard let first = deadlines.min() else { return nil }
        return max(0, first.timeIntervalSince(now()))
    }

    /// How long a file may stay open for writing before its writer is taken to keep it open for good.
    private var writingLimit: TimeInterval { max(30, options.quietPeriod * 10) }

    private func take(_ events: [FolderEvent]) throws(VaultError) {
        var rescan = false
        for event in events {
            if event.isOverflow {
                // Events were lost: look at every folder and every file again.
                rescan = true
                markDirty()
                continue
            }
            if event.folderGone {
                if event.folder.isEmpty { continue }
                rescan = true
                markDirty()
                continue
            }
            let name = event.name
            if name.isEmpty || EditorFiles.isScratch(name) { continue }
            if event.isDirectory {
                if event.isCreatedOrMovedIn && !name.hasPrefix(".") { rescan = true }
                if isInsideTier(event.folder) || isTierFolder(event.path) { markDirty() }
                continue
            }
            let path = event.path
            if event.folder.isEmpty {
                // The root: only the vault's settings matter (a new user, say).
                if path == Vault.configFileName, event.isSaved { reloadSettings(); rescan = true; markDirty() }
                continue
            }
            guard isInsideTier(event.folder), !name.hasPrefix("."), name.hasSuffix(".md") else { continue }
            if event.isWriting {
                writing[path] = writing[path] ?? now()
            }
            if event.isSaved || event.mask & (UInt32(IN_DELETE) | UInt32(IN_MOVED_FROM)) != 0 {
                writing[path] = nil
            }
            markDirty()
        }
        if rescan { try watchFolders() }
    }

    private func markDirty() {
        dirty = true
        lastEvent = now()
    }

    /// Whether a vault-relative folder is a tier folder of a user, or inside one.
    private func isInsideTier(_ folder: String) -> Bool {
        let parts = folder.split(separator: "/")
        return parts.count >= 2 && vault.config.users.contains(String(parts[0])) && Tier(rawValue: String(parts[1])) != nil
    }

    private func isTierFolder(_ folder: String) -> Bool {
        let parts = folder.split(separator: "/")
        return parts.count == 2 && isInsideTier(folder)
    }

    /// Watches the root (for new users and settings), each user's folder (for new tier folders)
    /// and every folder inside each tier folder. New folders are added as they appear.
    private func watchFolders() throws(VaultError) {
        try inotify.watch("")
        let fm = FileManager.default
        for user in vault.config.users {
            try inotify.watch(user)
            for tier in Tier.allCases {
                let tierFolder = "\(user)/\(tier.rawValue)"
                guard try inotify.watch(tierFolder) else { continue }
                guard let enumerator = fm.enumerator(
                    at: vault.url(tierFolder), includingPropertiesForKeys: [.isDirectoryKey], options: [.skipsHiddenFiles])
                else { continue }
                for case let url as URL in enumerator where (try? url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true {
                    let relative = url.standardizedFileURL.path.dropFirst(vault.root.path.count + 1)
                    try inotify.watch(String(relative))
                }
            }
        }
    }

    private func reloadSettings() {
        do {
            vault = try Vault(at: vault.root, environment: vault.environment)
        } catch {
            tell(.problem, "settings not reloaded: \(error.description)")
        }
    }

    // MARK: Settling

    /// Commits the settled edits: every changed file of the vault's own that passes the checks.
    private func settle() {
        dirty = false
        retryAt = nil
        if let busy = gitOperationInProgress() {
            if busy.brief {
                // git itself is writing (a pull, a checkout): look again shortly, for a minute;
                // a lock older than that was left by a git that died, and waits for a person.
                let since = gitBusySince ?? now()
                gitBusySince = since
                if now().timeIntervalSince(since) < 60 {
                    retryAt = now().addingTimeInterval(max(options.quietPeriod, 1))
                    dirty = true
                } else {
                    tell(.problem, "not committing: .git/index.lock is older than a minute; remove it if no git command is running")
                }
            } else {
                // A merge or rebase waits for a person; the files they save wake the watch again.
                tell(.problem, "not committing: \(busy.what)")
            }
            return
        }
        gitBusySince = nil
        let changed: [String]
        do {
            changed = try vault.changedPaths()
        } catch {
            tell(.problem, "cannot read the vault's changes: \(error.description)")
            return
        }
        let own = changed.filter { vault.isOwnPath($0) }.sorted()
        let others = changed.filter {
            !vault.isOwnPath($0) && !$0.hasPrefix(".memvault/") && !mentionedOthers.contains($0)
                && !EditorFiles.isScratch(($0 as NSString).lastPathComponent)
        }.sorted()
        if !others.isEmpty {
            mentionedOthers.formUnion(others)
            report(WatchNote(kind: .info, text: "not committed (not the vault's own files): \(others.joined(separator: ", "))"))
        }
        guard !own.isEmpty else { return }

        let head = headFiles()
        var accepted: [(path: String, counts: EditCounts)] = []
        var stamps: [String: FileStamp] = [:]
        for path in own {
            let stamp = FileStamp(vault.url(path))
            guard let stamp else {
                // Deleted.
                refused[path] = nil
                accepted.append((path, EditCounts(old: head.map { $0(path) } ?? nil, new: nil)))
                continue
            }
            let bytes: [UInt8]
            do {
                bytes = try AtomicFile.read(vault.url(path)) ?? []
            } catch {
                tell(.problem, "\(path): cannot read: \(error.message)")
                continue
            }
            if let reason = refusal(path: path, bytes: bytes) {
                if refused[path] != stamp {
                    refused[path] = stamp
                    report(WatchNote(kind: .problem, text: "not committed: \(reason)"))
                }
                continue
            }
            if refused.removeValue(forKey: path) != nil {
                tell(.info, "\(path) is fine now")
            }
            // A file still changing as it is read was caught mid-save: wait for the next quiet period.
            guard FileStamp(vault.url(path)) == stamp else {
                markDirty()
                return
            }
            stamps[path] = stamp
            accepted.append((path, EditCounts(old: head.map { $0(path) } ?? nil, new: bytes)))
        }
        guard !accepted.isEmpty else { return }
        // The last look before committing: any file that moved since it was checked waits for the next round.
        for (path, stamp) in stamps where FileStamp(vault.url(path)) != stamp {
            markDirty()
            _ = path
            return
        }
        let message = EditMessage.make(accepted)
        let result: (commit: String, paths: [String])?
        do {
            result = try vault.commitDirectEdits(message: message, only: Set(accepted.map(\.path)))
        } catch {
            if error.message.contains("vault lock") {
                // Another memvault command is working for long: try again later.
                retryAt = now().addingTimeInterval(max(options.quietPeriod, 5))
                dirty = true
                return
            }
            tell(.problem, "cannot commit: \(error.description)")
            return
        }
        guard let result else { return }
        commits += 1
        toldProblems.removeAll()
        report(WatchNote(kind: .committed, text: "committed \(result.commit.prefix(12)): \(message.dropFirst("memvault: ".count))"))
        refreshIndex()
        if options.syncEvery != nil, remoteReachable {
            syncNow(reason: .afterCommit)
        }
    }

    /// Why a changed file cannot be committed, in one line naming the file and line; nil when it can.
    private func refusal(path: String, bytes: [UInt8]) -> String? {
        guard let (_, tier) = vault.tierOf(path: path) else { return nil }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return "\(path) is not valid UTF-8; fix or remove the bad bytes"
        }
        if let line = Self.conflictMarkerLine(text) {
            return "\(path):\(line) has git conflict markers; resolve them and save"
        }
        let file: EntryFile
        do {
            file = try EntryFile.parse(bytes)
        } catch {
            return "\(path):\(error.line) is not valid UTF-8; fix or remove the bad bytes"
        }
        if let problem = file.problems.first(where: \.isError) {
            return "\(path):\(problem.line): \(problem.message)"
        }
        if !tier.isEncrypted, let hit = Vault.credentialHits(in: file).first {
            let article = "AEIOUaeiou".contains(hit.kind.label.first ?? "x") ? "an" : "a"
            return "\(path):\(hit.line) looks like \(article) \(hit.kind.label); move it to an encrypted tier (memvault add --tier secret) or remove it"
        }
        return nil
    }

    /// The line of the first git conflict marker (`<<<<<<<` or `>>>>>>>` at a line's start), if any.
    static func conflictMarkerLine(_ text: String) -> Int? {
        var number = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            if line.hasPrefix("<<<<<<< ") || line == "<<<<<<<" || line.hasPrefix(">>>>>>> ") { return number }
        }
        return nil
    }

    /// Reads a file's bytes at HEAD, or nil (no commit yet, or not in HEAD).
    private func headFiles() -> ((String) -> [UInt8]?)? {
        guard let repository = try? vault.repository, let head = try? repository.head(),
            let files = try? repository.treeFiles(at: head)
        else { return nil }
        return { path in files[path].flatMap { try? repository.blob($0) } }
    }

    /// Names the git operation working on the repository now, if one is; `brief` when git is
    /// merely writing (its index lock), not waiting for a person.
    private func gitOperationInProgress() -> (what: String, brief: Bool)? {
        let git = vault.root.appendingPathComponent(".git")
        let fm = FileManager.default
        if fm.fileExists(atPath: git.appendingPathComponent("MERGE_HEAD").path) {
            return ("a git merge is in progress; finish it (git commit) or abort it (git merge --abort)", false)
        }
        for (name, what) in [("rebase-merge", "rebase"), ("rebase-apply", "rebase"), ("CHERRY_PICK_HEAD", "cherry-pick"), ("REVERT_HEAD", "revert")]
        where fm.fileExists(atPath: git.appendingPathComponent(name).path) {
            return ("a git \(what) is in progress; finish or abort it", false)
        }
        if fm.fileExists(atPath: git.appendingPathComponent("index.lock").path) {
            return ("git is working on the repository (.git/index.lock)", true)
        }
        return nil
    }

    /// Brings the search index of the plain tiers up to date (encrypted tiers are left as they are).
    private func refreshIndex() {
        signalEndsProcessAtOnce = 1
        var update = VaultIndex.Update()
        do {
            _ = try vault.refreshedIndex(embedder: embedder, full: false, update: &update)
            // From here a signal is taken by run() again, so that "stopped watching" is said.
            signalEndsProcessAtOnce = 0
            for notice in update.notices { tell(.info, "index: \(notice)") }
            report(WatchNote(kind: .info, text: "index refreshed (\(update.filesRead) \(update.filesRead == 1 ? "file" : "files") read, \(update.embedded) embedded)"))
        } catch {
            signalEndsProcessAtOnce = 0
            tell(.problem, "index not refreshed: \(error.description)")
        }
    }

    /// Tells a problem once until the next commit.
    private func tell(_ kind: WatchNote.Kind, _ text: String) {
        guard toldProblems.insert(text).inserted else { return }
        report(WatchNote(kind: kind, text: text))
    }

    // MARK: Sync

    private enum SyncReason { case interval, afterCommit }

    private func syncNow(reason: SyncReason) {
        guard let interval = options.syncEvery else { return }
        if !refused.isEmpty {
            // sync commits direct edits first and would refuse the same file.
            tell(.info, "sync waits until \(refused.keys.sorted().joined(separator: ", ")) can be committed")
            nextSync = now().addingTimeInterval(interval)
            return
        }
        do {
            let result = try vault.sync(remote: options.remote)
            if !remoteReachable || syncFailures > 0 {
                report(WatchNote(kind: .info, text: "\(result.remote) reachable again"))
            }
            remoteReachable = true
            syncFailures = 0
            lastSyncProblem = nil
            nextSync = now().addingTimeInterval(interval)
            if result.outcome != "up-to-date" || result.localCommit != nil {
                report(WatchNote(kind: .info, text: "synced with \(result.remote)/\(result.branch): \(result.outcome)"))
            }
            if !result.conflicts.isEmpty {
                report(WatchNote(kind: .problem, text: "\(result.conflicts.count) memories changed on both devices; both texts kept: \(result.conflicts.joined(separator: ", ")) (memvault status)"))
            }
            if result.outcome == "merged" || result.outcome == "fast-forward" { refreshIndex() }
        } catch {
            if error.exitStatus == .conflict {
                // A person must merge; keep committing and try again at the next interval.
                remoteReachable = true
                nextSync = now().addingTimeInterval(interval)
                if lastSyncProblem != error.message {
                    lastSyncProblem = error.message
                    report(WatchNote(kind: .problem, text: "sync stopped: \(error.description)"))
                }
                return
            }
            // Offline is normal: one line, and a longer wait each time.
            syncFailures += 1
            remoteReachable = false
            let wait = min(interval * pow(2, Double(syncFailures - 1)), max(interval, options.longestBackoff))
            nextSync = now().addingTimeInterval(wait)
            if lastSyncProblem != error.message {
                lastSyncProblem = error.message
                report(WatchNote(kind: .offline, text: "offline: \(error.message); next try in \(WatchDuration(seconds: wait))"))
            }
        }
    }
}

/// The write end of the running watcher's wake pipe, for the signal handler (which cannot capture).
nonisolated(unsafe) private var signalWakeDescriptor: Int32 = -1

/// 1 while the watcher does work a signal may simply end (refreshing the index); read by the signal handler.
nonisolated(unsafe) private var signalEndsProcessAtOnce: sig_atomic_t = 0

/// A file's size and modification time, to notice a file that changes while it is read.
struct FileStamp: Equatable {
    var size: Int64
    var seconds: Int
    var nanoseconds: Int
    var inode: UInt64

    init?(_ url: URL) {
        var info = stat()
        guard stat(url.path, &info) == 0 else { return nil }
        size = Int64(info.st_size)
        seconds = info.st_mtim.tv_sec
        nanoseconds = info.st_mtim.tv_nsec
        inode = UInt64(info.st_ino)
    }
}
