import Foundation
import Testing

@Suite("Bad input: one clear error line, the right exit code, nothing written")
struct BadInputTests {
    /// A vault with one memory, and a snapshot of its files and commit count.
    static func prepared() throws -> (CLI, [String: Data], Int) {
        let cli = try CLI()
        try cli.ok(["init", cli.vault.path, "--user", "alice"])
        try cli.ok(["add", "a memory to keep", "--tier", "general", "--date", "2026-11-01 10:00"])
        return (cli, try cli.snapshot(), try cli.commitCount())
    }

    static let cases: [(name: String, args: [String], stdin: String?, status: Int32, message: String)] = [
        ("unknown tier", ["add", "x", "--tier", "topsecret"], nil, 1, "unknown tier 'topsecret'"),
        ("user with a path", ["add", "x", "--user", "../x"], nil, 1, "invalid user name '../x'"),
        ("hidden user", ["add", "x", "--user", ".git"], nil, 1, "invalid user name"),
        ("unknown user", ["add", "x", "--user", "bob"], nil, 1, "unknown user 'bob'"),
        ("date that does not parse", ["add", "x", "--date", "yesterday-ish"], nil, 1, "cannot read the date"),
        ("impossible date", ["add", "x", "--date", "2026-02-30"], nil, 1, "cannot read the date"),
        ("empty text", ["add", "   "], nil, 1, "empty memory"),
        ("empty stdin", ["add", "-"], "", 1, "empty memory"),
        ("a level-2 heading in the text", ["add", "first\n\n## 2026-01-01 sneaky second entry"], nil, 1, "would not stay one memory"),
        ("an undated level-2 heading in the text", ["add", "list\n\n## Shopping\n- milk"], nil, 1, "would not stay one memory"),
        ("bad tag", ["add", "x", "--tag", "two words"], nil, 1, "invalid tag"),
        ("unknown id", ["show", "01JD3K9X2F7Q8R3M"], nil, 1, "no memory with id 01JD3K9X2F7Q8R3M"),
        ("not an id", ["rm", "../../etc/passwd"], nil, 1, "is not a memory id"),
        ("encrypted tier not yet available", ["add", "PIN 1234", "--tier", "secret"], nil, 1, "encrypted"),
        ("malformed JSONL line", ["import", "-"], "{\"text\": \"fine\"}\n{\"text\": \"also fine\"}\n{not json}\n", 1, "(line 3)"),
        ("JSONL without text", ["import", "-"], "{\"text\": \"fine\"}\n{\"tier\": \"general\"}\n", 1, "missing \"text\" (line 2)"),
        ("JSONL with a bad tier", ["import", "-"], "{\"text\": \"fine\", \"tier\": \"nope\"}\n", 1, "unknown tier 'nope' (line 1)"),
        ("JSONL with a bad date", ["import", "-"], "{\"text\": \"fine\", \"date\": \"May 5th\"}\n", 1, "cannot read the date 'May 5th' (line 1)"),
        ("JSONL with a number in meta", ["import", "-"], "{\"text\": \"fine\", \"meta\": {\"n\": 3}}\n", 1, "wrong type for \"meta.n\" (line 1)"),
        ("import of a missing file", ["import", "/nonexistent/file.jsonl"], nil, 1, "no such file"),
        ("search in an unknown tier", ["search", "x", "--tier", "nope"], nil, 1, "unknown tier 'nope'"),
        ("search since a month that does not exist", ["search", "x", "--since", "2026-13"], nil, 1, "cannot read the date '2026-13'"),
        ("search as a user with a path", ["search", "x", "--user", "../x"], nil, 1, "invalid user name '../x'"),
        ("empty search query", ["search", "   "], nil, 1, "empty query"),
        ("digest of a day that does not exist", ["digest", "--date", "2026-02-30"], nil, 1, "there is no day '2026-02-30'"),
        ("digest as a user with a path", ["digest", "--user", "../x"], nil, 1, "invalid user name '../x'"),
    ]

    @Test("rejected with one error line and nothing written", arguments: cases.indices)
    func rejected(index: Int) throws {
        let c = Self.cases[index]
        let (cli, before, commits) = try Self.prepared()
        defer { cli.cleanup() }
        let result = try cli.run(c.args, stdin: c.stdin.map { Array($0.utf8) })
        #expect(result.status == c.status, "\(c.name): \(result.stderr)")
        #expect(result.stderr.hasPrefix("memvault: error: "), "\(c.name): \(result.stderr)")
        #expect(result.stderr.contains(c.message), "\(c.name): \(result.stderr)")
        #expect(try cli.snapshot() == before, "\(c.name) wrote something")
        #expect(try cli.commitCount() == commits, "\(c.name) committed")
    }

    @Test("a command that will commit and stops at once on bad input exits cleanly every time (libgit2 set up on the other core meanwhile)")
    func earlyExitWhileGitIsSetUp() throws {
        let (cli, before, commits) = try Self.prepared()
        defer { cli.cleanup() }
        // Exiting while the other thread still loaded libgit2 crashed about one run in four.
        for args in Array(repeating: ["add", "x", "--user", "bob"], count: 30) + Array(repeating: ["rm", "01JD3K9X2F7Q8R3M"], count: 10) {
            let result = try cli.run(args)
            #expect(result.status == 1, "\(args): \(result.stderr)")
            #expect(result.stderr.hasPrefix("memvault: error: "), "\(result.stderr)")
        }
        #expect(try cli.snapshot() == before)
        #expect(try cli.commitCount() == commits)
    }

    @Test("invalid UTF-8 on standard input is refused")
    func invalidUTF8Stdin() throws {
        let (cli, before, commits) = try Self.prepared()
        defer { cli.cleanup() }
        let result = try cli.run(["add", "-"], stdin: [0x68, 0x69, 0xFF, 0xFE, 0x0A])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("memvault: error: standard input is not valid UTF-8"))
        #expect(try cli.snapshot() == before)
        #expect(try cli.commitCount() == commits)
        let imported = try cli.run(["import", "-"], stdin: Array("{\"text\": \"ok\"}\n".utf8) + [0x7B, 0xC3, 0x28, 0x7D, 0x0A])
        #expect(imported.status == 1)
        #expect(imported.stderr.contains("invalid UTF-8 (line 2)"))
        #expect(try cli.snapshot() == before)
    }

    @Test("invalid UTF-8 in a vault file is reported with file and line, and never rewritten")
    func invalidUTF8File() throws {
        let (cli, _, _) = try Self.prepared()
        defer { cli.cleanup() }
        let path = cli.vault.appendingPathComponent("alice/general/2026-11.md")
        var bytes = try Data(contentsOf: path)
        bytes.append(contentsOf: Array("\n## 2026-11-02 11:00\nbad \u{00}".utf8) + [0xFF] + Array("\n".utf8))
        try bytes.write(to: path)
        let check = try cli.run(["check"])
        #expect(check.status == 1)
        #expect(check.stdout.contains("alice/general/2026-11.md:"))
        #expect(check.stdout.contains("not valid UTF-8"))
        let add = try cli.run(["add", "another", "--tier", "general", "--date", "2026-11-03"])
        #expect(add.status == 1)
        #expect(add.stderr.contains("not valid UTF-8 (alice/general/2026-11.md:"))
        #expect(try Data(contentsOf: path) == bytes)
    }

    @Test("a 10 MB memory is refused")
    func hugeMemory() throws {
        let (cli, before, commits) = try Self.prepared()
        defer { cli.cleanup() }
        let huge = [UInt8](repeating: UInt8(ascii: "a"), count: 10 << 20)
        let result = try cli.run(["add", "-"], stdin: huge)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("memvault: error: memory too large"))
        #expect(try cli.snapshot() == before)
        #expect(try cli.commitCount() == commits)
    }

    @Test("usage errors exit 64")
    func usage() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        #expect(try cli.run(["add", "--no-such-flag"]).status == 64)
        #expect(try cli.run(["frobnicate"]).status == 64)
    }

    @Test("a missing vault is a clear error")
    func missingVault() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let result = try cli.run(["list", "--vault", cli.home.appendingPathComponent("nope").path])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("memvault: error: not a memvault vault"))
    }
}
