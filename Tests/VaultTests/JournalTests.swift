import Foundation
import TestSupport
import MarkdownCodec
import Testing
@testable import Vault

/// Copies the whole vault (working tree and .git) each time a fault point is reached: each copy is
/// exactly what a process killed at that instant leaves on disk.
final class SnapshotFaults: FaultInjection {
    let root: URL
    let folder: URL
    private(set) var snapshots: [(point: FaultPoint, copy: URL)] = []

    init(root: URL, folder: URL) {
        self.root = root
        self.folder = folder
    }

    func reached(_ point: FaultPoint) {
        let copy = folder.appendingPathComponent("crash-\(snapshots.count)-\(point)")
        try? FileManager.default.copyItem(at: root, to: copy)
        snapshots.append((point, copy))
    }
}

/// A vault in a temporary folder for journal tests, with helpers to compare states.
struct JournalVault {
    let folder: URL
    let vault: Vault
    static let passphrase = "journal test passphrase"

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString)")
        vault = try Vault.create(at: folder.appendingPathComponent("vault"), user: "alice",
            environment: ["HOME": folder.path, "XDG_RUNTIME_DIR": folder.path, "TZ": "Europe/Berlin"])
        vault.scryptWorkFactorLimit = 10
    }

    func cleanup() { try? FileManager.default.removeItem(at: folder) }

    /// Every file of a vault outside .git and the cache.
    static func files(_ root: URL) throws -> [String: Data] {
        try VaultFiles.snapshot(root)
    }

    static func git(_ args: [String], in directory: URL) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = args
        process.currentDirectoryURL = directory
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func head(_ root: URL) throws -> String {
        try git(["rev-parse", "HEAD"], in: root).output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs `change` with a snapshot at every fault point, then recovers each snapshot and checks
    /// that it holds exactly the state before or the committed state after, with a clean git.
    /// - Returns: the fault points seen, and how many snapshots rolled back and finished.
    @discardableResult
    func crashEverywhere(
        commits: Bool = true, sourceLocation: SourceLocation = #_sourceLocation, _ change: (Vault) throws -> Void
    ) throws -> (points: [FaultPoint], rolledBack: Int, finished: Int) {
        let before = try Self.files(vault.root)
        let headBefore = try Self.head(vault.root)
        let faults = SnapshotFaults(root: vault.root, folder: folder)
        vault.faults = faults
        defer { vault.faults = nil }
        try change(vault)
        let after = try Self.files(vault.root)
        let headAfter = try Self.head(vault.root)
        #expect(!FileManager.default.fileExists(atPath: vault.root.appendingPathComponent(".memvault/journal").path), sourceLocation: sourceLocation)
        var rolledBack = 0, finished = 0
        for (point, copy) in faults.snapshots {
            defer { try? FileManager.default.removeItem(at: copy) }
            let crashed = try Vault(at: copy, environment: [:])
            var told: [RecoveryReport] = []
            crashed.recoveryHandler = { told.append($0) }
            let report = try crashed.recoverUnfinishedChange()
            #expect(told.count == (report == nil ? 0 : 1), sourceLocation: sourceLocation)
            // A second command finds nothing left to do.
            #expect(try crashed.recoverUnfinishedChange() == nil, sourceLocation: sourceLocation)
            let files = try Self.files(copy)
            let head = try Self.head(copy)
            if files == before && head == headBefore {
                rolledBack += 1
                if point == .committed && commits { Issue.record("rolled back after the commit at \(point)", sourceLocation: sourceLocation) }
            } else if files == after && head == headAfter {
                finished += 1
            } else {
                Issue.record("after a crash at \(point): neither the state before nor the state after (\(report?.summary ?? "no recovery"))", sourceLocation: sourceLocation)
            }
            let fsck = try Self.git(["fsck", "--strict"], in: copy)
            #expect(fsck.status == 0, "git fsck: \(fsck.output)", sourceLocation: sourceLocation)
            if commits {
                let status = try Self.git(["status", "--porcelain"], in: copy)
                #expect(status.output.isEmpty, "after a crash at \(point): \(status.output)", sourceLocation: sourceLocation)
            }
            let names = try FileManager.default.subpathsOfDirectory(atPath: copy.path).filter { !$0.hasPrefix(".git/") }
            #expect(!names.contains { ($0.split(separator: "/").last ?? "").contains(".tmp-") }, sourceLocation: sourceLocation)
        }
        return (faults.snapshots.map(\.point), rolledBack, finished)
    }

    static func record(_ text: String, month: Int, day: Int, tier: String = "general") -> String {
        #"{"text": "\#(text)", "tier": "\#(tier)", "date": "2026-\#(String(format: "%02d", month))-\#(String(format: "%02d", day)) 10:00"}"#
    }
}

@Suite("Crash journal: every instant of a change recovers to before or after")
struct JournalTests {
    @Test("import over several months")
    func importSeveralMonths() throws {
        let v = try JournalVault()
        defer { v.cleanup() }
        _ = try v.vault.importRecords(Array(JournalVault.record("first", month: 1, day: 3).utf8), user: "alice")
        let lines = (1...12).flatMap { month in (1...3).map { JournalVault.record("memory \(month)-\($0)", month: month, day: $0 * 2) } }
        let result = try v.crashEverywhere { vault in
            _ = try vault.importRecords(Array(lines.joined(separator: "\n").utf8), user: "alice")
        }
        #expect(result.points.filter { $0 == .fileWritten }.count == 12)
        #expect(result.points.first == .journalWritten && result.points.last == .committed)
        #expect(result.rolledBack == 13 && result.finished == 1)
    }

    @Test("add, restore and a multi-day digest write")
    func singleAndMultiFile() throws {
        let v = try JournalVault()
        defer { v.cleanup() }
        let memory = try v.vault.add(NewMemory(text: "the first text", tier: .general, date: EntryDate(year: 2026, month: 3, day: 4, hour: 9, minute: 0)), user: "alice")
        let first = try JournalVault.head(v.vault.root)
        _ = try v.vault.replaceEntry(id: memory.id, original: try v.vault.entryText(id: memory.id).text,
            newText: try v.vault.entryText(id: memory.id).text.replacingOccurrences(of: "the first text", with: "a second text"))
        var r = try v.crashEverywhere { vault in
            _ = try vault.add(NewMemory(text: "added", tier: .general, date: EntryDate(year: 2026, month: 4, day: 1, hour: 9, minute: 0)), user: "alice")
        }
        #expect(r.points.count == 3 && r.finished == 1)
        r = try v.crashEverywhere { vault in _ = try vault.restore(id: memory.id, from: first) }
        #expect(r.points.count == 3 && r.finished == 1)
        r = try v.crashEverywhere { vault in
            try vault.writeAndCommit([("alice/digests/2026/2026-04-01.md", Array("one\n".utf8)), ("alice/digests/2026/2026-04-02.md", Array("two\n".utf8))],
                message: "digests")
        }
        #expect(r.points.count == 4 && r.rolledBack == 3 && r.finished == 1)
    }

    @Test("rotate re-encrypts every file and the key in one change")
    func rotate() throws {
        let v = try JournalVault()
        defer { v.cleanup() }
        try v.vault.setPassphrase(user: "alice", tier: .secret, old: nil, new: JournalVault.passphrase)
        let lines = (1...4).map { JournalVault.record("secret \($0)", month: $0, day: 1, tier: "secret") }
        _ = try v.vault.importRecords(Array(lines.joined(separator: "\n").utf8), user: "alice")
        let r = try v.crashEverywhere { vault in
            _ = try vault.rotate(user: "alice", tier: .secret, passphrase: JournalVault.passphrase)
        }
        #expect(r.points.filter { $0 == .fileWritten }.count == 6)  // 4 month files, .pub, .key.age
        #expect(r.finished == 1 && r.rolledBack == 7)
    }

    @Test("check --fix writes every id or none, and commits nothing")
    func checkFix() throws {
        let v = try JournalVault()
        defer { v.cleanup() }
        for month in 1...3 {
            let path = v.vault.root.appendingPathComponent("alice/general/2026-0\(month).md")
            try Data("## 2026-0\(month)-02 10:00 · Hand\n\nwritten by hand\n\n## 2026-0\(month)-03 10:00\n\nalso by hand\n".utf8).write(to: path)
        }
        let r = try v.crashEverywhere(commits: false) { vault in
            let report = try vault.check(fix: true)
            #expect(report.idsAssigned == 6)
        }
        #expect(r.points == [.journalWritten, .fileWritten, .fileWritten, .fileWritten])
        #expect(r.rolledBack == 4)
    }

    @Test("commit of direct edits: the hand edits survive a crash at any instant")
    func commitDirectEdits() throws {
        let v = try JournalVault()
        defer { v.cleanup() }
        let path = v.vault.root.appendingPathComponent("alice/general/2026-05.md")
        try Data("## 2026-05-02 10:00 · Hand\n\nwritten by hand, no id yet\n".utf8).write(to: path)
        let handWritten = try JournalVault.files(v.vault.root)
        let faults = SnapshotFaults(root: v.vault.root, folder: v.folder)
        v.vault.faults = faults
        _ = try v.vault.commitDirectEdits()
        for (point, copy) in faults.snapshots {
            let crashed = try Vault(at: copy, environment: [:])
            let report = try crashed.recoverUnfinishedChange()
            if point == .committed {
                #expect(report?.action == "finished")
            } else {
                #expect(report?.action == "rolled back")
                #expect(try JournalVault.files(copy) == handWritten, "\(point)")
            }
        }
    }

    @Test("a file changed by hand after the crash is left alone and named")
    func handEditAfterCrashIsKept() throws {
        let v = try JournalVault()
        defer { v.cleanup() }
        let lines = (1...3).map { JournalVault.record("memory \($0)", month: $0, day: 5) }
        let faults = SnapshotFaults(root: v.vault.root, folder: v.folder)
        v.vault.faults = faults
        _ = try v.vault.importRecords(Array(lines.joined(separator: "\n").utf8), user: "alice")
        // The instant after the second month file was written.
        let copy = try #require(faults.snapshots.filter { $0.point == .fileWritten }.dropFirst().first?.copy)
        let edited = copy.appendingPathComponent("alice/general/2026-01.md")
        let handText = try String(contentsOf: edited, encoding: .utf8) + "\nadded by hand after the crash\n"
        try Data(handText.utf8).write(to: edited)
        let crashed = try Vault(at: copy, environment: [:])
        let report = try #require(try crashed.recoverUnfinishedChange())
        #expect(report.action == "rolled back")
        #expect(report.kept == ["alice/general/2026-01.md"])
        #expect(report.restored == ["alice/general/2026-02.md"])
        #expect(try String(contentsOf: edited, encoding: .utf8) == handText)
        #expect(!FileManager.default.fileExists(atPath: copy.appendingPathComponent("alice/general/2026-02.md").path))
        #expect(report.summary.contains("left as they are: alice/general/2026-01.md"))
    }

    @Test("a sync killed halfway through checking out its merge: the next command puts the files back")
    func syncCheckoutHalfway() throws {
        let v = try JournalVault()
        defer { v.cleanup() }
        let remote = v.folder.appendingPathComponent("r.git")
        #expect(try JournalVault.git(["init", "--bare", "--quiet", remote.path], in: v.folder).status == 0)
        try v.vault.addRemote(url: remote.path)
        _ = try v.vault.sync()
        let other = try Vault.clone(from: remote.path, to: v.folder.appendingPathComponent("b"), environment: ["HOME": v.folder.path])
        _ = try other.importRecords(Array((1...3).map { JournalVault.record("from b \($0)", month: $0, day: 9) }.joined(separator: "\n").utf8), user: "alice")
        _ = try other.sync()
        _ = try v.vault.importRecords(Array((1...3).map { JournalVault.record("from a \($0)", month: $0, day: 8) }.joined(separator: "\n").utf8), user: "alice")
        let before = try JournalVault.files(v.vault.root)
        let headBefore = try JournalVault.head(v.vault.root)
        let faults = SnapshotFaults(root: v.vault.root, folder: v.folder)
        v.vault.faults = faults
        let report = try v.vault.sync()
        v.vault.faults = nil
        #expect(report.outcome == "merged")
        let after = try JournalVault.files(v.vault.root)
        // Killed after the checkout journal, with one merged file already checked out.
        let copy = try #require(faults.snapshots.first { $0.point == .journalWritten }?.copy)
        try after["alice/general/2026-02.md"]!.write(to: copy.appendingPathComponent("alice/general/2026-02.md"))
        let crashed = try Vault(at: copy, environment: [:])
        let recovered = try #require(try crashed.recoverUnfinishedChange())
        #expect(recovered.action == "rolled back")
        #expect(recovered.restored == ["alice/general/2026-02.md"])
        #expect(try JournalVault.files(copy) == before)
        #expect(try JournalVault.head(copy) == headBefore)
        #expect(try JournalVault.git(["status", "--porcelain"], in: copy).output.isEmpty)
        // Killed after the branch moved: finished, the merge stays.
        let moved = try #require(faults.snapshots.first { $0.point == .committed }?.copy)
        #expect(try Vault(at: moved, environment: [:]).recoverUnfinishedChange()?.action == "finished")
        #expect(try JournalVault.files(moved) == after)
        // And the next sync of the rolled-back copy completes (the remote has the merge by now) and loses nothing.
        let again = try Vault(at: copy, environment: ["HOME": v.folder.path])
        #expect(["merged", "fast-forward"].contains(try again.sync().outcome))
        let text = try JournalVault.files(copy).filter { $0.key.hasPrefix("alice/general/") }.values.map { String(decoding: $0, as: UTF8.self) }.joined()
        for n in 1...3 { #expect(text.contains("from a \(n)") && text.contains("from b \(n)")) }
    }

    @Test("a damaged journal stops every command with an integrity error and changes nothing")
    func damagedJournal() throws {
        let v = try JournalVault()
        defer { v.cleanup() }
        let journal = v.vault.root.appendingPathComponent(".memvault/journal")
        try Data("{not json".utf8).write(to: journal)
        let before = try JournalVault.files(v.vault.root)
        #expect(throws: VaultError.self) { try v.vault.recoverUnfinishedChange() }
        do {
            _ = try v.vault.add(NewMemory(text: "x", tier: .general), user: "alice")
            Issue.record("add ran over a damaged journal")
        } catch {
            #expect(error.exitStatus == .integrity)
            #expect(error.description.contains(".memvault/journal"))
        }
        #expect(try JournalVault.files(v.vault.root) == before)
    }

    @Test("memvault's own files are never recorded as direct edits")
    func privateFilesAreNotCommitted() throws {
        #expect(Vault.isPrivateFile(".memvault/journal"))
        #expect(Vault.isPrivateFile("alice/general/.2026-11.md.tmp-4242-123456"))
        #expect(Vault.isPrivateFile(".memvault/.journal.tmp-1-2"))
        #expect(Vault.isPrivateFile(".memvault/cache/index/state.idx"))
        #expect(!Vault.isPrivateFile("alice/general/2026-11.md"))
        #expect(!Vault.isPrivateFile(".memvault/keys/alice/secret.pub"))
        let v = try JournalVault()
        defer { v.cleanup() }
        // A vault made before the template ignored them: the filter alone keeps them out.
        try Data(".memvault/cache/\n".utf8).write(to: v.vault.root.appendingPathComponent(".gitignore"))
        _ = try v.vault.commitDirectEdits()
        try Data("stray".utf8).write(to: v.vault.root.appendingPathComponent("alice/general/.2026-11.md.tmp-99999-1"))
        try Data("## 2026-11-02 10:00\n\nby hand\n".utf8).write(to: v.vault.root.appendingPathComponent("alice/general/2026-11.md"))
        let recorded = try #require(try v.vault.commitDirectEdits())
        #expect(recorded.paths == ["alice/general/2026-11.md"])
        let tracked = try JournalVault.git(["ls-files"], in: v.vault.root).output
        #expect(!tracked.contains(".tmp-"))
    }
    /// Another program commits once the journal is written (git's objects for the change are
    /// written by then): the branch is not moved over its commit, and the change rolls back.
    final class CommitsMeanwhile: FaultInjection {
        let root: URL
        init(root: URL) { self.root = root }
        func reached(_ point: FaultPoint) {
            guard point == .journalWritten else { return }
            try? Data("by another program\n".utf8).write(to: root.appendingPathComponent("other.md"))
            _ = try? JournalVault.git(["add", "other.md"], in: root)
            _ = try? JournalVault.git(["-c", "user.name=Other", "-c", "user.email=other@example.com", "commit", "-qm", "other program"], in: root)
        }
    }

    @Test("a branch moved by another program during a change is kept, and the change rolls back")
    func branchMovedMeanwhile() throws {
        let v = try JournalVault()
        defer { v.cleanup() }
        _ = try v.vault.add(NewMemory(text: "before", tier: .general, date: EntryDate(year: 2026, month: 3, day: 4, hour: 9, minute: 0)), user: "alice")
        let files = try JournalVault.files(v.vault.root)
        v.vault.faults = CommitsMeanwhile(root: v.vault.root)
        do {
            _ = try v.vault.add(NewMemory(text: "during", tier: .general, date: EntryDate(year: 2026, month: 3, day: 5, hour: 9, minute: 0)), user: "alice")
            Issue.record("the change moved a branch another program had moved")
        } catch {
            #expect(error.description.contains("change not saved"))
        }
        v.vault.faults = nil
        #expect(try JournalVault.git(["log", "-1", "--format=%s"], in: v.vault.root).output == "other program\n")
        var expected = files
        expected["other.md"] = Data("by another program\n".utf8)
        #expect(try JournalVault.files(v.vault.root) == expected)
        #expect(!FileManager.default.fileExists(atPath: v.vault.root.appendingPathComponent(".memvault/journal").path))
        #expect(try JournalVault.git(["status", "--porcelain"], in: v.vault.root).output == "")
        #expect(try JournalVault.git(["fsck", "--strict"], in: v.vault.root).status == 0)
    }
}
