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
    static func mountedVault() throws -> (cli: CLI, mount: URL)? {
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
        _ = try vaultCLI.run(["init", vaultCLI.vault.path, "--user", "alice"], in: mount)
        let lines = (1...3).map { #"{"text": "before \#($0)", "tier": "general", "date": "2026-0\#($0)-01 10:00"}"# }
        let imported = try vaultCLI.run(["import", "-"], stdin: Array(lines.joined(separator: "\n").utf8))
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
        let fd = open(filler.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
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
    }

    static func state(_ cli: CLI) throws -> State {
        State(files: try cli.snapshot(), head: try cli.git(["rev-parse", "HEAD"]).output, porcelain: try cli.git(["status", "--porcelain"]).output)
    }

    static func expectUnchanged(_ cli: CLI, _ before: State, _ result: CLI.Result, reason: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(result.status == 1, "\(result.stderr)", sourceLocation: sourceLocation)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.first?.hasPrefix("memvault: error: ") == true && lines.first?.contains(reason) == true, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(lines.count <= 2, "\(result.stderr)", sourceLocation: sourceLocation)  // the error and at most a hint
        #expect(try state(cli) == before, sourceLocation: sourceLocation)
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
}
