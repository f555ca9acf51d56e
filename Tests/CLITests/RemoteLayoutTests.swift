import Foundation
import Testing

/// clone and sync against remotes made by stock git with no options, empty ones, and branches
/// other than main.
@Suite("clone and sync with any remote layout")
struct RemoteLayoutTests {
    let cli: CLI
    var remote: URL { cli.home.appendingPathComponent("r.git") }
    var a: URL { cli.home.appendingPathComponent("a") }
    var b: URL { cli.home.appendingPathComponent("b") }

    init() throws {
        cli = try CLI()
        // Stock `git init --bare`, no options: its HEAD names master (no init.defaultBranch is configured).
        try git(["init", "--bare", "--quiet", remote.path], in: cli.home)
        #expect(try git(["symbolic-ref", "HEAD"], in: remote).trimmingCharacters(in: .whitespacesAndNewlines) == "refs/heads/master")
    }

    @discardableResult
    func git(_ args: [String], in directory: URL, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let (status, output) = try CLI.git(args, in: directory, environment: cli.environment)
        #expect(status == 0, "git \(args.joined(separator: " ")): \(output)", sourceLocation: sourceLocation)
        return output
    }

    @discardableResult
    func ok(_ args: [String], in directory: URL, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try cli.run(args, in: directory)
        #expect(result.status == 0, "memvault \(args.joined(separator: " ")): \(result.stderr)", sourceLocation: sourceLocation)
        return result.stdout
    }

    func texts(in device: URL) throws -> [String] {
        let listed = try cli.json(try ok(["list", "--json", "-n", "100"], in: device))
        return ((listed["memories"] as? [[String: Any]]) ?? []).compactMap { $0["text"] as? String }.sorted()
    }

    @Test("a stock bare remote whose HEAD names master while the vault pushed main")
    func stockBareRemote() throws {
        defer { cli.cleanup() }
        try ok(["init", a.path, "--user", "alice", "--remote", remote.path], in: cli.home)
        try ok(["add", "written on a", "--tier", "general"], in: a)
        try ok(["sync"], in: a)
        let cloned = try ok(["clone", remote.path, b.path], in: cli.home)
        #expect(cloned.contains("vault cloned to"))
        #expect(try git(["rev-parse", "--abbrev-ref", "HEAD"], in: b).trimmingCharacters(in: .whitespacesAndNewlines) == "main")
        #expect(try git(["config", "branch.main.remote"], in: b).trimmingCharacters(in: .whitespacesAndNewlines) == "origin")
        #expect(try texts(in: b) == ["written on a"])
        try ok(["add", "written on b", "--tier", "general"], in: b)
        try ok(["sync"], in: b)
        try ok(["sync"], in: a)
        #expect(try texts(in: a) == ["written on a", "written on b"])
        // Stock git clones it too once the branch is named.
        try git(["clone", "--quiet", "--branch", "main", remote.path, cli.home.appendingPathComponent("stock").path], in: cli.home)
    }

    @Test("an empty remote: clone starts a new vault that sync pushes, and the next clone gets it")
    func emptyRemote() throws {
        defer { cli.cleanup() }
        let started = try cli.run(["clone", remote.path, b.path], in: cli.home, env: ["MEMVAULT_USER": "bob"])
        #expect(started.status == 0, "\(started.stderr)")
        #expect(started.stdout.contains("the remote is empty"))
        try ok(["add", "first memory", "--tier", "general"], in: b)
        let report = try cli.json(try ok(["sync", "--json"], in: b))
        #expect(report["branch"] as? String == "main")
        try ok(["clone", remote.path, a.path], in: cli.home)
        #expect(try texts(in: a) == ["first memory"])
        #expect(try String(contentsOf: a.appendingPathComponent("memvault.toml"), encoding: .utf8).contains("\"bob\""))
    }

    @Test("a vault on master, and a vault on a branch that is neither HEAD's nor main")
    func otherBranches() throws {
        defer { cli.cleanup() }
        for (branch, folder) in [("master", a), ("memories", b)] {
            let target = cli.home.appendingPathComponent("r-\(branch).git")
            try git(["init", "--bare", "--quiet", target.path], in: cli.home)
            try ok(["init", folder.path, "--user", "alice", "--remote", target.path], in: cli.home)
            try git(["branch", "-m", "main", branch], in: folder)
            try ok(["add", "on \(branch)", "--tier", "general"], in: folder)
            try ok(["sync"], in: folder)
            let copy = cli.home.appendingPathComponent("copy-\(branch)")
            try ok(["clone", target.path, copy.path], in: cli.home)
            #expect(try git(["rev-parse", "--abbrev-ref", "HEAD"], in: copy).trimmingCharacters(in: .whitespacesAndNewlines) == branch)
            #expect(try texts(in: copy) == ["on \(branch)"])
            try ok(["add", "back from the copy", "--tier", "general"], in: copy)
            try ok(["sync"], in: copy)
            try ok(["sync"], in: folder)
            #expect(try texts(in: folder) == ["back from the copy", "on \(branch)"])
        }
    }

    @Test("a journal left by a killed command in one clone never reaches another device")
    func journalStaysLocal() throws {
        defer { cli.cleanup() }
        try ok(["init", a.path, "--user", "alice", "--remote", remote.path], in: cli.home)
        try ok(["sync"], in: a)
        let killed = try cli.run(["add", "half written", "--tier", "general", "--date", "2026-11-02 10:00"], in: a,
            env: ["MEMVAULT_DEBUG_CRASH_AT": "file-written"])
        #expect(killed.status == 9)
        #expect(FileManager.default.fileExists(atPath: a.appendingPathComponent(".memvault/journal").path))
        try Data("stray".utf8).write(to: a.appendingPathComponent("alice/general/.2026-11.md.tmp-1-2"))
        // A person commits everything with stock git and pushes, before any memvault command ran.
        try git(["add", "-A"], in: a)
        try git(["-c", "user.name=P", "-c", "user.email=p@example.com", "commit", "--no-verify", "-q", "-m", "by hand"], in: a)
        try git(["push", "-q", "origin", "main"], in: a)
        let tracked = try git(["ls-files"], in: a)
        #expect(!tracked.contains(".memvault/journal") && !tracked.contains(".tmp-"))
        // And memvault's own sync on that device recovers first and pushes no journal either.
        let synced = try cli.run(["sync"], in: a)
        #expect(synced.status == 0, "\(synced.stderr)")
        #expect(synced.stderr.contains("recovered an unfinished change"))
        try ok(["clone", remote.path, b.path], in: cli.home)
        #expect(!FileManager.default.fileExists(atPath: b.appendingPathComponent(".memvault/journal").path))
        let names = try FileManager.default.subpathsOfDirectory(atPath: b.path)
        #expect(!names.contains { $0.contains(".tmp-") })
        #expect(!(try git(["log", "--all", "--name-only", "--format="], in: b)).contains("journal"))
    }
}
