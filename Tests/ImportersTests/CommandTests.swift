import Foundation
import ProcessTimer
import SyntheticExports
import Testing
import Vault
import ZIPFoundation

#if canImport(Glibc)
import Glibc
#endif

@Suite("memvault import --from, as a person runs it")
struct CommandTests {
    static func environment(_ t: TestVault) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = t.home.path
        env["MEMVAULT_DIR"] = nil
        env["MEMVAULT_USER"] = nil
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        env["NO_COLOR"] = "1"
        env["MEMVAULT_PASSPHRASE_CONFIDENTIAL"] = nil
        return env
    }

    /// Bad exports written into `home` for the cases below: `$HOME/` in a case's arguments names them.
    static func writeBadInputs(in home: URL) throws {
        let fixture = try String(contentsOfFile: Paths.fixture("chatgpt-conversations.json"), encoding: .utf8)
        // Cut inside the third conversation: the first two are complete and must not be written.
        let cut = fixture.utf8.index(fixture.utf8.startIndex, offsetBy: fixture.utf8.count * 3 / 4)
        try String(fixture[..<cut]).write(to: home.appendingPathComponent("truncated.json"), atomically: true, encoding: .utf8)
        // Three good conversations, then a malformed fourth.
        let end = try #require(fixture.lastIndex(of: "]"))
        try (fixture[..<end] + ", {\"id\": tru}]\n").write(to: home.appendingPathComponent("malformed.json"), atomically: true, encoding: .utf8)
        let nofile = try Archive(url: home.appendingPathComponent("nofile.zip"), accessMode: .create)
        try nofile.addEntry(with: "chat.html", fileURL: URL(fileURLWithPath: Paths.fixture("jrnl.json")))
        let good = home.appendingPathComponent("good.zip")
        let archive = try Archive(url: good, accessMode: .create)
        try archive.addEntry(with: "conversations.json", fileURL: URL(fileURLWithPath: Paths.fixture("chatgpt-conversations.json")), compressionMethod: .deflate)
        let bytes = try Data(contentsOf: good)
        try bytes.prefix(bytes.count / 2).write(to: home.appendingPathComponent("damaged.zip"))
        try Data("{\"entries\": [{\"uuid\": \"A\", ".utf8).write(to: home.appendingPathComponent("dayone-cut.json"))
        try Data("not json at all".utf8).write(to: home.appendingPathComponent("jrnl-garbage.json"))
    }

    static let cases: [(name: String, args: [String], message: String)] = [
        ("unknown source", ["--from", "evernote", "x.enex"], "memvault: error: unknown import source 'evernote'"),
        ("missing export", ["--from", "chatgpt", "/nonexistent/export.zip", "--tier", "general"], "memvault: error: no such file (/nonexistent/export.zip)"),
        ("a folder where an export is needed", ["--from", "chatgpt", "$HOME/", "--tier", "general"], "expected a file or a zip, found a folder"),
        ("Claude export as ChatGPT", ["--from", "chatgpt", Paths.fixture("claude-conversations.json"), "--tier", "general"],
         "not a ChatGPT conversation: no \"mapping\" of messages (claude-conversations.json, conversation 1 (byte 4))"),
        ("ChatGPT export as Claude", ["--from", "claude", Paths.fixture("chatgpt-conversations.json"), "--tier", "general"],
         "not a Claude conversation: no \"chat_messages\" (chatgpt-conversations.json, conversation 1 (byte 4))"),
        ("ChatGPT export as Day One", ["--from", "dayone", Paths.fixture("chatgpt-conversations.json"), "--tier", "general"],
         "not a Day One export: the top level is not an object (chatgpt-conversations.json)"),
        ("jrnl export as Day One", ["--from", "dayone", Paths.fixture("jrnl.json"), "--tier", "general"],
         "an entry without a \"uuid\" (jrnl.json, entry 1)"),
        ("Day One export as jrnl", ["--from", "jrnl", Paths.fixture("dayone-Journal.json"), "--tier", "general"],
         "an entry without a \"date\" (dayone-Journal.json, entry 1)"),
        ("truncated ChatGPT export", ["--from", "chatgpt", "$HOME/truncated.json", "--tier", "general"],
         "the export is truncated (truncated.json, byte "),
        ("malformed conversation", ["--from", "chatgpt", "$HOME/malformed.json", "--tier", "general"], "malformed JSON in conversation 4 (malformed.json, byte "),
        ("zip without conversations.json", ["--from", "chatgpt", "$HOME/nofile.zip", "--tier", "general"], "the zip holds no conversations.json ("),
        ("damaged zip", ["--from", "claude", "$HOME/damaged.zip", "--tier", "general"], "not a readable zip archive"),
        ("truncated Day One export", ["--from", "dayone", "$HOME/dayone-cut.json", "--tier", "general"], "malformed JSON"),
        ("jrnl export that is not JSON", ["--from", "jrnl", "$HOME/jrnl-garbage.json", "--tier", "general"], "malformed JSON"),
        ("a file where a folder is needed", ["--from", "markdown", Paths.fixture("jrnl.json")], "expected a folder of Markdown notes, found a file"),
        ("chat without a confidential key", ["--from", "claude", Paths.fixture("claude-conversations.json")], "which has no key yet"),
        ("auto: health data, confidential has no key", ["--from", "jrnl", Paths.fixture("jrnl-health.json"), "--tier", "auto"], "has no key yet"),
        ("unknown tier", ["--from", "jrnl", Paths.fixture("jrnl.json"), "--tier", "topsecret"], "unknown tier 'topsecret'"),
    ]

    @Test("bad input exits 1 with one error line and writes nothing", arguments: cases.indices)
    func badInput(index: Int) throws {
        let c = Self.cases[index]
        let t = try TestVault()
        defer { t.cleanup() }
        try Self.writeBadInputs(in: t.home)
        let before = try t.snapshot()
        let commits = try t.commitCount()
        let args = c.args.map { $0.replacingOccurrences(of: "$HOME/", with: t.home.path + "/") }
        let result = try memvault(["import", "--vault", t.root.path] + args, environment: Self.environment(t), scratch: t.home)
        #expect(result.status == 1, "\(c.name): \(result.stderr)")
        #expect(result.stderr.hasPrefix("memvault: error: "), "\(c.name): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").first.map { $0.contains(c.message) } == true, "\(c.name): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count <= 2, "\(c.name): more than an error and a hint")
        #expect(result.stdout.isEmpty, "\(c.name): \(result.stdout)")
        #expect(try t.snapshot() == before)
        #expect(try t.commitCount() == commits)
        #expect(t.spoolFiles().isEmpty)
    }

    @Test("--dry-run, --tier and --json without --from are a usage error (exit 64)")
    func optionsWithoutFrom() throws {
        let t = try TestVault()
        defer { t.cleanup() }
        let before = try t.snapshot()
        for option in [["--dry-run"], ["--json"], ["--tier", "general"]] {
            let result = try memvault(["import", "--vault", t.root.path, Paths.fixture("jrnl.json")] + option, environment: Self.environment(t), scratch: t.home)
            #expect(result.status == 64, "\(option): \(result.stderr)")
            #expect(result.stderr.contains("apply to imports with --from"))
        }
        #expect(try t.snapshot() == before)
    }

    @Test("--dry-run prints per tier and source what would happen, --json as one object; then the import")
    func dryRunAndImport() throws {
        let t = try TestVault()
        defer { t.cleanup() }
        let env = Self.environment(t)
        let dry = try memvault(["import", "--vault", t.root.path, "--from", "chatgpt", Paths.fixture("chatgpt-conversations.json"), "--tier", "general", "--dry-run"], environment: env, scratch: t.home)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("dry run, nothing written: would add 2, update 0, skip 1 from chatgpt"))
        #expect(dry.stdout.contains("general       chatgpt   added 2, updated 0, skipped 0"))
        #expect(dry.stdout.contains("skipped 1: no visible messages"))
        #expect(dry.stderr.isEmpty, "no progress bar when stderr is not a terminal")
        let json = try memvault(["import", "--vault", t.root.path, "--from", "chatgpt", Paths.fixture("chatgpt-conversations.json"), "--tier", "general", "--dry-run", "--json"], environment: env, scratch: t.home)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["added"] as? Int == 2)
        #expect(object["dry_run"] as? Bool == true)
        let real = try memvault(["import", "--vault", t.root.path, "--from", "chatgpt", Paths.fixture("chatgpt-conversations.json"), "--tier", "general"], environment: env, scratch: t.home)
        #expect(real.status == 0)
        #expect(real.stdout.hasPrefix("imported from chatgpt: 2 added, 0 updated, 1 skipped"))
        let again = try memvault(["import", "--vault", t.root.path, "--from", "chatgpt", Paths.fixture("chatgpt-conversations.json"), "--tier", "general", "--dry-run"], environment: env, scratch: t.home)
        #expect(again.stdout.contains("skipped 2: unchanged since the last import"))
        let log = try run("/usr/bin/git", ["log", "-1", "--format=%s"], in: t.root)
        #expect(log.output.contains("memvault: import from chatgpt: 2 added, 0 updated"))
    }

    /// The streaming bound at the size the issue names: a 200 MB ChatGPT export, generated here
    /// into the test's temporary folder, imports with the child's peak RSS (GNU time, from wait4's
    /// rusage of the memvault process itself) under 300 MB, and under the export's own size above
    /// the same binary's baseline: neither the export's bytes nor its parse are ever held whole.
    /// The 500 MB figure of a release build is in docs/benchmarks.md (`memvault-bench import`).
    @Test("a 200 MB ChatGPT export is imported as a stream: peak RSS under 300 MB; one commit")
    func streamingBound() throws {
        // Into the confidential tier, the chat default: adding needs only its public key.
        let t = try TestVault(passphrase: "streaming bound")
        defer { t.cleanup() }
        let env = Self.environment(t)
        let export = t.home.appendingPathComponent("conversations.json")
        let conversations = try SyntheticExport.writeChatGPT(to: export, bytes: 200_000_000)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: export.path)[.size] as? NSNumber).intValue
        #expect(size >= 200_000_000)
        // The same process on a one-conversation export: its baseline (binary, Foundation, libgit2).
        let baseline = try memvault(["import", "--vault", t.root.path, "--from", "chatgpt", Paths.fixture("chatgpt-conversations.json"), "--dry-run"], environment: env, scratch: t.home)
        #expect(baseline.status == 0, "\(baseline.stderr)")
        let commits = try t.commitCount()
        let result = try memvault(["import", "--vault", t.root.path, "--from", "chatgpt", export.path], environment: env, scratch: t.home)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("imported from chatgpt: \(conversations) added, 0 updated, 0 skipped"), "\(result.stdout)")
        #expect(result.maxRSSKiB < 300 * 1024, "peak RSS \(result.maxRSSKiB / 1024) MB for a \(size / 1_000_000) MB export")
        let grown = (result.maxRSSKiB - baseline.maxRSSKiB) * 1024
        #expect(grown < size, "peak RSS \(result.maxRSSKiB / 1024) MB, baseline \(baseline.maxRSSKiB / 1024) MB, export \(size / 1_000_000) MB")
        #expect(try t.commitCount() == commits + 1)
        #expect(t.spoolFiles().isEmpty)
        try FileManager.default.removeItem(at: export)
        // Every conversation is there, encrypted, in the month files of its creation time.
        let folder = t.root.appendingPathComponent("alice/confidential")
        var entries = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".md") {
            let data = try Data(contentsOf: folder.appendingPathComponent(name))
            let marker = Data("-----BEGIN AGE ENCRYPTED FILE-----".utf8)
            var from = data.startIndex
            while let found = data.range(of: marker, in: from..<data.endIndex) {
                entries += 1
                from = found.upperBound
            }
            #expect(data.count < 16 << 20, "\(name) is over the vault's file limit")
        }
        #expect(entries == conversations)
    }

    /// Atomic under `kill -9`: the debug build's crash points kill the import after its undo
    /// journal is written, after the third month file is replaced, and after the commit; the next
    /// command (`status`) recovers, and the vault is either exactly as before or holds the whole
    /// import in one commit.
    @Test("an import killed with SIGKILL mid-change leaves the vault as before, or with the whole import committed",
          arguments: ["journal-written", "file-written:3", "committed"])
    func killedImport(point: String) throws {
        let t = try TestVault()
        defer { t.cleanup() }
        try t.importExport(.jrnl, Paths.fixture("jrnl.json"), tier: .general)
        let export = t.home.appendingPathComponent("conversations.json")
        // About 50 conversations over two years: many month files, so the kill can fall between them.
        let conversations = try SyntheticExport.writeChatGPT(to: export, bytes: 3_000_000)
        let before = try t.snapshot()
        let memoriesBefore = try t.memories().count
        let commits = try t.commitCount()
        var env = Self.environment(t)
        env["MEMVAULT_DEBUG_CRASH_AT"] = point
        let killed = try ProcessTimer.run(
            Paths.binary.path, ["import", "--vault", t.root.path, "--from", "chatgpt", export.path, "--tier", "general"],
            environment: env.map { "\($0.key)=\($0.value)" })
        #expect(killed.status == 128 + SIGKILL, "the import was not killed at \(point)")
        env["MEMVAULT_DEBUG_CRASH_AT"] = nil
        let status = try memvault(["status", "--vault", t.root.path], environment: env, scratch: t.home)
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stderr.contains("recovered an unfinished change"), "\(status.stderr)")
        #expect(!FileManager.default.fileExists(atPath: t.root.appendingPathComponent(".memvault/journal").path))
        // (The test vault's memvault.toml is edited, uncommitted, to set the time zone.)
        let porcelain = try run("/usr/bin/git", ["status", "--porcelain"], in: t.root).output
            .split(separator: "\n").filter { !$0.hasSuffix(" memvault.toml") }
        #expect(porcelain.isEmpty, "working tree differs from HEAD: \(porcelain)")
        try t.reopen()
        if point == "committed" {
            #expect(try t.commitCount() == commits + 1)
            #expect(try t.memories().count == memoriesBefore + conversations)
        } else {
            #expect(try t.commitCount() == commits)
            #expect(try t.snapshot() == before)
        }
        // The next import finishes what was killed (or finds it all there), in one commit.
        let again = try memvault(["import", "--vault", t.root.path, "--from", "chatgpt", export.path, "--tier", "general"], environment: env, scratch: t.home)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.hasPrefix(point == "committed"
            ? "imported from chatgpt: 0 added, 0 updated, \(conversations) skipped" : "imported from chatgpt: \(conversations) added"))
        #expect(t.spoolFiles().isEmpty)
    }
}
