import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A write failing with ENOSPC or EROFS leaves every file and git as before: one error line, exit 1.
///
/// The vault lives on a small tmpfs the test mounts, which needs root (as in CI); elsewhere each
/// test prints that it was skipped and why.
@Suite("Disk full and read-only file systems", .serialized)
struct DiskFullTests {
    /// A vault on a fresh 8 MB tmpfs, or nil (with a message) when mounting is not allowed here.
    static func mountedVault(env: [String: String] = [:]) throws -> (cli: CLI, mount: URL)? {
        guard getuid() == 0 else {
            print("DiskFullTests: skipped: mounting a tmpfs needs root")
            return nil
        }
        let cli = try CLI()
        let mount = cli.home.appendingPathComponent("disk")
        try FileManager.default.createDirectory(at: mount, withIntermediateDirectories: true)
        let mounted = try CLI.process("/bin/mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", mount.path])
        guard mounted.status == 0 else {
            print("DiskFullTests: skipped: cannot mount a tmpfs here: \(mounted.output)")
            cli.cleanup()
            return nil
        }
        // The harness keeps its output files in its home, outside the small file system.
        let vaultCLI = CLI(home: cli.home, vault: mount.appendingPathComponent("vault"))
        _ = try vaultCLI.run(["init", vaultCLI.vault.path, "--user", "alice"], in: mount, env: env)
        let lines = (1...3).map { #"{"text": "before \#($0)", "tier": "general", "date": "2026-0\#($0)-01 10:00"}"# }
        let imported = try vaultCLI.run(["import", "-"], stdin: Array(lines.joined(separator: "\n").utf8), env: env)
        #expect(imported.status == 0, "\(imported.stderr)")
        return (vaultCLI, mount)
    }

    static func unmount(_ mount: URL) {
        _ = try? CLI.process("/bin/umount", ["-l", mount.path])
        try? FileManager.default.removeItem(at: mount.deletingLastPathComponent())
    }

    /// Fills the file system, then frees `spare` bytes.
    static func fill(_ mount: URL, leaving spare: Int) throws {
        let filler = mount.appendingPathComponent("filler")
        // Close-on-exec: the tests run in parallel, and a child another test starts meanwhile with
        // `posix_spawn` (`ProcessTimer`, used by the kill -9 tests; Foundation's `Process` closes
        // other descriptors, `posix_spawn` does not) would inherit the descriptor and keep the
        // file's pages allocated after it is removed: the "freed" disk stayed full (a CI run:
        // `status` after the filler's removal failed with "No space left on device").
        let fd = open(filler.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        try #require(fd >= 0)
        let chunk = [UInt8](repeating: 0x61, count: 4096)
        var size = 0
        while chunk.withUnsafeBytes({ write(fd, $0.baseAddress, 4096) }) == 4096 { size += 4096 }
        #expect(errno == ENOSPC)
        _ = ftruncate(fd, off_t(max(0, size - spare)))
        close(fd)
    }

    struct State: Equatable {
        var files: [String: Data]
        var head: String
        var porcelain: String

        /// What differs from `other`, for a failed expectation: the paths added, removed or
        /// changed (with their sizes), HEAD and `git status --porcelain` when they differ.
        func differences(from other: State) -> String {
            var lines: [String] = []
            for path in Set(files.keys).union(other.files.keys).sorted() where files[path] != other.files[path] {
                lines.append("\(path): \(other.files[path].map { "\($0.count) bytes" } ?? "absent") -> \(files[path].map { "\($0.count) bytes" } ?? "absent")")
            }
            if head != other.head { lines.append("HEAD \(other.head) -> \(head)") }
            if porcelain != other.porcelain { lines.append("status '\(other.porcelain)' -> '\(porcelain)'") }
            return lines.joined(separator: "; ")
        }
    }

    /// The vault's files, HEAD and status. Status runs with `--no-optional-locks`: a plain `git
    /// status` that finds the index stat-dirty (a file written in the same second as the index)
    /// rewrites it, and on the full disk it then dies with "index.lock write error. Out of
    /// diskspace", which read as a changed vault (seen once in CI, restore).
    static func state(_ cli: CLI) throws -> State {
        State(
            files: try cli.snapshot(), head: try cli.git(["rev-parse", "HEAD"]).output,
            porcelain: try cli.git(["--no-optional-locks", "status", "--porcelain"]).output)
    }

    static func expectUnchanged(_ cli: CLI, _ before: State, _ result: CLI.Result, reason: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(result.status == 1, "\(result.stderr)", sourceLocation: sourceLocation)
        // One error line naming the reason; besides it at most a hint and notices (digest's
        // "embedding model missing").
        let lines = result.stderr.split(separator: "\n")
        let errors = lines.filter { $0.hasPrefix("memvault: error: ") }
        #expect(errors.count == 1 && errors[0].contains(reason), "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(lines.allSatisfy { $0.hasPrefix("memvault: error: ") || $0.hasPrefix("hint: ") || $0.hasPrefix("memvault: notice: ") },
            "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(lines.filter { $0.hasPrefix("hint: ") }.count <= 1, "\(result.stderr)", sourceLocation: sourceLocation)
        let after = try state(cli)
        #expect(after == before, "\(after.differences(from: before)); stderr: \(result.stderr)", sourceLocation: sourceLocation)
        let fsck = try cli.git(["fsck", "--strict"])
        #expect(fsck.status == 0, "\(fsck.output)", sourceLocation: sourceLocation)
        let names = try FileManager.default.subpathsOfDirectory(atPath: cli.vault.path).filter { !$0.hasPrefix(".git/") }
        #expect(!names.contains { $0.contains(".tmp-") } && !names.contains(".memvault/journal"), sourceLocation: sourceLocation)
    }

    static let months = (1...12).map { month in
        #"{"text": "\#(String(repeating: "a long imported memory text ", count: 120)) \#(month)", "tier": "general", "date": "2026-\#(String(format: "%02d", month))-15 10:00"}"#
    }.joined(separator: "\n")

    @Test("a full disk: nothing at all fits", arguments: [0, 12 * 1024])
    func diskFull(spare: Int) throws {
        guard let (cli, mount) = try Self.mountedVault() else { return }
        defer { Self.unmount(mount) }
        try Self.fill(mount, leaving: spare)
        let before = try Self.state(cli)
        try Self.expectUnchanged(cli, before, try cli.run(["import", "-"], stdin: Array(Self.months.utf8)), reason: "No space left on device")
        try Self.expectUnchanged(cli, before, try cli.run(["add", "one more", "--tier", "general"]), reason: "No space left on device")
    }

    @Test("a read-only file system")
    func readOnly() throws {
        guard let (cli, mount) = try Self.mountedVault() else { return }
        defer { Self.unmount(mount) }
        let remounted = try CLI.process("/bin/mount", ["-o", "remount,ro", mount.path])
        try #require(remounted.status == 0, "\(remounted.output)")
        let before = try Self.state(cli)
        try Self.expectUnchanged(cli, before, try cli.run(["import", "-"], stdin: Array(Self.months.utf8)), reason: "Read-only file system")
        try Self.expectUnchanged(cli, before, try cli.run(["add", "one more", "--tier", "general"]), reason: "Read-only file system")
    }

    // MARK: The other commands that write several files

    /// The secret tier's passphrase (its key is made by `init`), a cheap scrypt cost (debug
    /// builds only), and no embedding model, so the index never touches the file system's space
    /// with vectors.
    static let keys = [
        "MEMVAULT_PASSPHRASE_SECRET": "disk full secret", "MEMVAULT_DEBUG_SCRYPT_WORK_FACTOR": "10",
        "MEMVAULT_MODEL_DIR": "/nonexistent-model",
    ]

    /// A command that writes several files (and, except `check --fix`, commits them), with the
    /// vault state it needs.
    enum Writer: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case rotate, checkFix = "check --fix", digest = "digest --since-last", restore, passwd

        var testDescription: String { rawValue }

        var env: [String: String] {
            self == .passwd ? DiskFullTests.keys.merging(["MEMVAULT_NEW_PASSPHRASE_CONFIDENTIAL": "new confidential"]) { $1 } : DiskFullTests.keys
        }

        var commits: Bool { self != .checkFix }

        /// Prepares the vault (while there is space) and returns the command's arguments.
        func prepare(_ cli: CLI) throws -> [String] {
            func importing(_ lines: [String]) throws {
                let result = try cli.run(["import", "-"], stdin: Array(lines.joined(separator: "\n").utf8), env: env)
                try #require(result.status == 0, "\(result.stderr)")
            }
            switch self {
            case .rotate:
                try importing((1...6).map { #"{"text": "secret \#($0)", "tier": "secret", "date": "2026-0\#($0)-02 10:00"}"# })
                return ["rotate", "secret"]
            case .checkFix:
                // Five month files written by hand, entries without ids: the fix writes all five.
                for month in 4...8 {
                    try cli.write("alice/general/2026-0\(month).md", "## 2026-0\(month)-02 10:00 · Hand\n\nwritten by hand\n\n## 2026-0\(month)-03 11:00\n\nalso by hand\n")
                }
                _ = try cli.git(["add", "-A"])
                let committed = try cli.git(["-c", "user.name=Hand", "-c", "user.email=hand@example.com", "commit", "-q", "--no-verify", "-m", "hand"])
                try #require(committed.status == 0, "\(committed.output)")
                return ["check", "--fix"]
            case .digest:
                // Five past days with memories: --since-last writes five digest pages in one commit.
                let calendar = Calendar(identifier: .gregorian)
                try importing((1...5).map { back in
                    let day = calendar.date(byAdding: .day, value: -back, to: Date())!
                    let parts = calendar.dateComponents(in: TimeZone(identifier: "Europe/Berlin")!, from: day)
                    let date = String(format: "%04d-%02d-%02d 10:00", parts.year!, parts.month!, parts.day!)
                    return #"{"text": "day \#(back) #walk", "tier": "general", "date": "\#(date)"}"#
                })
                return ["digest", "--since-last"]
            case .restore:
                // A secret memory removed since: restore writes it back, encrypted, into its month file.
                let added = try cli.run(["add", "to be restored", "--tier", "secret", "--date", "2026-02-03 10:00"], env: env)
                try #require(added.status == 0, "\(added.stderr)")
                let id = added.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                let revision = try cli.git(["rev-parse", "--short", "HEAD"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
                let removed = try cli.run(["rm", id], env: env)
                try #require(removed.status == 0, "\(removed.stderr)")
                return ["restore", "\(id)@\(revision)"]
            case .passwd:
                // A new key for the confidential tier: its .pub and .key.age.
                return ["passwd", "confidential"]
            }
        }
    }

    /// After the failed write: space back (or the file system writable again), and the same
    /// command makes its change: nothing the failure left stands in its way.
    static func expectChangeMade(
        _ cli: CLI, _ writer: Writer, _ result: CLI.Result, _ before: State, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        #expect(result.status == 0, "\(writer.rawValue) after the failure: \(result.stderr)", sourceLocation: sourceLocation)
        #expect(!result.stderr.contains("recovered"), "the failed command left a journal: \(result.stderr)", sourceLocation: sourceLocation)
        let after = try state(cli)
        #expect(after.files != before.files, "\(writer.rawValue) changed no file", sourceLocation: sourceLocation)
        if writer.commits {
            // Also after failures inside libgit2's staging, tree and commit writing: libgit2 once
            // returned the id of a commit object it had failed to write, and the next run printed
            // success with its files staged and HEAD unchanged.
            #expect(after.head != before.head && after.porcelain.isEmpty, "\(after.porcelain)", sourceLocation: sourceLocation)
            #expect(try cli.git(["rev-parse", "HEAD~1"]).output == before.head, "not exactly one commit", sourceLocation: sourceLocation)
        }
        let fsck = try cli.git(["fsck", "--strict"])
        #expect(fsck.status == 0, "\(fsck.output)", sourceLocation: sourceLocation)
        let names = try FileManager.default.subpathsOfDirectory(atPath: cli.vault.path).filter { !$0.hasPrefix(".git/") }
        #expect(!names.contains { $0.contains(".tmp-") } && !names.contains(".memvault/journal"), sourceLocation: sourceLocation)
    }

    /// The disk filled with 0, 4, 8, ... KB left free, until the command fits: every run that
    /// does not fit fails with one error line and exit 1 wherever the space ran out (the journal,
    /// a file, the commit), and the first that fits makes exactly its change. Files already
    /// replaced are put back at once; when even that finds no space (the commit's objects took
    /// the last pages), the error says "not yet put back" and the journal stays: then, with the
    /// space freed, the next command (`status`) rolls the change back, and every file and git
    /// are as before. At least one failure must come after the journal was written.
    @Test("a full disk under the commands that write several files, the space running out at each page", arguments: Writer.allCases)
    func writerOnFullDisk(_ writer: Writer) throws {
        guard let (cli, mount) = try Self.mountedVault(env: Self.keys) else { return }
        defer { Self.unmount(mount) }
        let args = try writer.prepare(cli)
        let before = try Self.state(cli)
        var failures: [String] = []
        for page in 0..<64 {
            try Self.fill(mount, leaving: page * 4096)
            let result = try cli.run(args, env: writer.env)
            if result.status == 0 {
                print("DiskFullTests: \(writer.rawValue): \(failures.count) failures, fits with \(page * 4) KB free; failures: \(failures)")
                try Self.expectChangeMade(cli, writer, result, before)
                #expect(failures.contains { !$0.contains("journal") }, "no failure after the journal: \(failures)")
                return
            }
            let error = String(result.stderr.split(separator: "\n").first { $0.hasPrefix("memvault: error: ") } ?? "")
            failures.append(error)
            try FileManager.default.removeItem(at: mount.appendingPathComponent("filler"))
            if error.contains("not yet put back") {
                #expect(result.status == 1, "\(result.stderr)")
                let status = try cli.run(["status"], env: writer.env)
                #expect(status.status == 0 && status.stderr.contains("recovered an unfinished change") && status.stderr.contains("rolled back"),
                    "\(status.stderr)")
                #expect(try Self.state(cli) == before, "not as before after the rollback of: \(error)")
                let fsck = try cli.git(["fsck", "--strict"])
                #expect(fsck.status == 0, "\(fsck.output)")
            } else {
                try Self.expectUnchanged(cli, before, result, reason: "No space left on device")
            }
        }
        Issue.record("\(writer.rawValue) did not fit in 256 KB: \(failures.last ?? "")")
    }

    @Test("a read-only file system under the commands that write several files", arguments: Writer.allCases)
    func writerOnReadOnly(_ writer: Writer) throws {
        guard let (cli, mount) = try Self.mountedVault(env: Self.keys) else { return }
        defer { Self.unmount(mount) }
        let args = try writer.prepare(cli)
        let remounted = try CLI.process("/bin/mount", ["-o", "remount,ro", mount.path])
        try #require(remounted.status == 0, "\(remounted.output)")
        let before = try Self.state(cli)
        try Self.expectUnchanged(cli, before, try cli.run(args, env: writer.env), reason: "Read-only file system")
        let writable = try CLI.process("/bin/mount", ["-o", "remount,rw", mount.path])
        try #require(writable.status == 0, "\(writable.output)")
        try Self.expectChangeMade(cli, writer, try cli.run(args, env: writer.env), before)
    }
}
