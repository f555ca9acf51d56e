import Foundation
import Testing

/// A merge stock git left half done: status, check, commit and sync see it; resolve finishes it.
@Suite("memvault resolve after a stock git pull with conflicts")
struct ResolveTests {
    static let secret = ["MEMVAULT_PASSPHRASE_SECRET": "resolve secret", "MEMVAULT_DEBUG_SCRYPT_WORK_FACTOR": "10"]

    @Test("conflicts in a plain and an encrypted month file: both sides kept, two parents, no marker")
    func pullThenResolve() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let remote = cli.home.appendingPathComponent("r.git"), a = cli.home.appendingPathComponent("a"), b = cli.home.appendingPathComponent("b")
        @discardableResult
        func git(_ args: [String], in dir: URL, expect: Int32? = 0) throws -> String {
            let (status, output) = try CLI.git(["-c", "user.name=P", "-c", "user.email=p@example.com"] + args, in: dir, environment: cli.environment)
            if let expect { #expect(status == expect, "git \(args.joined(separator: " ")): \(output)") }
            return output
        }
        @discardableResult
        func ok(_ args: [String], in dir: URL, env: [String: String] = [:]) throws -> CLI.Result {
            let result = try cli.run(args, in: dir, env: Self.secret.merging(env) { $1 })
            #expect(result.status == 0, "memvault \(args.joined(separator: " ")): \(result.stderr)")
            return result
        }
        try git(["init", "--bare", "--quiet", remote.path], in: cli.home)
        try ok(["init", a.path, "--user", "alice", "--remote", remote.path], in: cli.home)
        for (text, tier) in [("base plain", "general"), ("base secret", "secret")] {
            try ok(["add", text, "--tier", tier, "--date", "2026-11-01 09:00"], in: a)
        }
        try ok(["sync"], in: a)
        try ok(["clone", remote.path, b.path], in: cli.home)
        for (device, name, day) in [(a, "a", "20"), (b, "b", "21")] {
            try ok(["add", "plain from \(name)", "--tier", "general", "--date", "2026-11-\(day) 10:00"], in: device)
            try ok(["add", "secret from \(name)", "--tier", "secret", "--date", "2026-11-\(day) 10:00"], in: device)
        }
        try ok(["sync"], in: a)
        let pulled = try git(["-c", "pull.rebase=false", "pull", "--no-edit", "origin", "main"], in: b, expect: nil)
        #expect(pulled.contains("CONFLICT") && pulled.contains("alice/general/2026-11.md") && pulled.contains("alice/secret/2026-11.md"), "\(pulled)")
        let files = ["alice/general/2026-11.md", "alice/secret/2026-11.md"]

        let status = try cli.json(try ok(["status", "--json"], in: b).stdout)
        let merge = try #require(status["merge"] as? [String: Any])
        #expect(merge["conflicted"] as? [String] == files)
        #expect(try ok(["status"], in: b).stdout.contains("merge  in progress"))
        let check = try cli.run(["check"], in: b)
        #expect(check.status != 0)
        #expect((check.stdout + check.stderr).contains("alice/general/2026-11.md") && (check.stdout + check.stderr).contains("git conflict marker"))
        let commit = try cli.run(["commit"], in: b)
        #expect(commit.status == 4, "\(commit.stderr)")
        #expect(commit.stderr.contains("memvault resolve"))
        let sync = try cli.run(["sync"], in: b)
        #expect(sync.status == 4)

        let resolved = try cli.json(try ok(["resolve", "--json"], in: b).stdout)
        #expect(resolved["merged"] as? [String] == files)
        let parents = try git(["rev-list", "--parents", "-n", "1", "HEAD"], in: b).split(separator: " ")
        #expect(parents.count == 3)
        #expect(!FileManager.default.fileExists(atPath: b.appendingPathComponent(".git/MERGE_HEAD").path))
        #expect(try git(["status", "--porcelain"], in: b).isEmpty)
        for path in files {
            let text = try String(contentsOf: b.appendingPathComponent(path), encoding: .utf8)
            #expect(!text.contains("<<<<<<<") && !text.contains(">>>>>>>") && !text.contains("\n=======\n"), "\(text)")
            #expect(text.components(separatedBy: "<!-- id: ").count - 1 == 3, "\(path): \(text)")
        }
        #expect(try git(["grep", "-c", "<<<<<<<", "HEAD"], in: b, expect: 1).isEmpty)
        let plain = try cli.json(try ok(["list", "--json", "--tier", "general"], in: b).stdout)
        #expect(((plain["memories"] as? [[String: Any]]) ?? []).compactMap { $0["text"] as? String }.sorted() == ["base plain", "plain from a", "plain from b"])
        let secrets = try cli.json(try ok(["list", "--json", "--tier", "secret"], in: b).stdout)
        #expect(((secrets["memories"] as? [[String: Any]]) ?? []).compactMap { $0["text"] as? String }.sorted() == ["base secret", "secret from a", "secret from b"])
        let fsck = try git(["fsck", "--strict"], in: b)
        _ = fsck
        try ok(["sync"], in: b)
        try ok(["sync"], in: a)
        #expect(try String(contentsOf: a.appendingPathComponent(files[0]), encoding: .utf8).contains("plain from b"))
    }

    @Test("resolve without a merge in progress is one error line, exit 1, nothing written")
    func noMerge() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok(["init", cli.vault.path, "--user", "alice"])
        let before = try cli.snapshot()
        let commits = try cli.commitCount()
        let result = try cli.run(["resolve"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("memvault: error: no merge in progress ("))
        #expect(try cli.snapshot() == before && (try cli.commitCount()) == commits)
    }

    @Test("conflict markers in a file are reported by check and refused by commit")
    func markersRefused() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok(["init", cli.vault.path, "--user", "alice"])
        try cli.write("alice/general/2026-11.md", "## 2026-11-02 10:00\n<<<<<<< HEAD\nmine\n=======\ntheirs\n>>>>>>> other\n")
        let check = try cli.run(["check", "--json"])
        #expect(check.status != 0)
        let report = try cli.json(check.stdout)
        let problems = (report["problems"] as? [[String: Any]]) ?? []
        #expect(problems.filter { ($0["message"] as? String)?.contains("git conflict marker") == true && $0["severity"] as? String == "error" }.count == 3)
        let commit = try cli.run(["commit"])
        #expect(commit.status == 1)
        #expect(commit.stderr.contains("alice/general/2026-11.md:2"))
        #expect(try cli.git(["status", "--porcelain", "--untracked-files=all"]).output.contains("2026-11.md"))
    }
}
