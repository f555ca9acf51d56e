import Foundation
import Testing

/// A bare remote and two devices (clones) of one vault, driven through the memvault binary.
struct TwoDevices {
    let cli: CLI
    let remote: URL
    let a: URL
    let b: URL

    init() throws {
        cli = try CLI()
        remote = cli.home.appendingPathComponent("remote.git")
        a = cli.home.appendingPathComponent("a")
        b = cli.home.appendingPathComponent("b")
        try git(["init", "--bare", "--quiet", "--initial-branch=main", remote.path], in: cli.home)
        try ok(["init", a.path, "--user", "alice", "--remote", remote.path], in: cli.home)
        try ok(["sync"], in: a)
        try ok(["clone", remote.path, b.path], in: cli.home)
    }

    func cleanup() { cli.cleanup() }

    @discardableResult
    func run(_ args: [String], in directory: URL, stdin: [UInt8]? = nil, env: [String: String] = [:]) throws -> CLI.Result {
        try cli.run(args, stdin: stdin, in: directory, env: env)
    }

    @discardableResult
    func ok(_ args: [String], in directory: URL, stdin: [UInt8]? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try run(args, in: directory, stdin: stdin)
        #expect(result.status == 0, "memvault \(args.joined(separator: " ")) failed: \(result.stderr)", sourceLocation: sourceLocation)
        return result.stdout
    }

    /// Runs stock git in `directory`; requires success unless `check` is false.
    @discardableResult
    func git(_ args: [String], in directory: URL, check: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let (status, output) = try CLI.git(args, in: directory, environment: cli.environment)
        if check {
            #expect(status == 0, "git \(args.joined(separator: " ")): \(output)", sourceLocation: sourceLocation)
        }
        return output
    }

    /// Imports `count` memories dated through November 2026, text prefixed by `label`.
    func importMemories(_ count: Int, label: String, in directory: URL) throws {
        var lines = ""
        for number in 0..<count {
            let day = 1 + number % 28, hour = number % 24, minute = (number * 7) % 60
            lines += #"{"text": "\#(label) memory \#(number)", "tier": "general", "date": "2026-11-\#(String(format: "%02d", day)) \#(String(format: "%02d:%02d", hour, minute))"}"# + "\n"
        }
        try ok(["import", "-"], in: directory, stdin: Array(lines.utf8))
    }

    func add(_ text: String, in directory: URL) throws -> String {
        try ok(["add", text, "--tier", "general", "--date", "2026-11-10 12:00"], in: directory)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func read(_ path: String, in directory: URL) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(path), encoding: .utf8)
    }

    func write(_ path: String, _ text: String, in directory: URL) throws {
        try Data(text.utf8).write(to: directory.appendingPathComponent(path))
    }

    func memoryCount(in directory: URL) throws -> Int {
        let list = try cli.json(try ok(["list", "--json"], in: directory))
        return (list["memories"] as? [Any])?.count ?? -1
    }

    /// Every tracked file's bytes, for comparing devices.
    func files(in directory: URL) throws -> [String: String] {
        var result: [String: String] = [:]
        for path in try git(["ls-files"], in: directory).split(separator: "\n") {
            result[String(path)] = try read(String(path), in: directory)
        }
        return result
    }

    func fsckClean(_ directory: URL, sourceLocation: SourceLocation = #_sourceLocation) throws {
        _ = try git(["fsck", "--strict", "--no-progress"], in: directory, sourceLocation: sourceLocation)
    }
}

@Suite("sync, history and restore with a bare remote and two devices")
struct SyncTests {
    @Test("200 + 200 memories added to the same month file on both devices: both end with all 400", arguments: [true, false])
    func concurrentAdds(aFirst: Bool) throws {
        let devices = try TwoDevices()
        defer { devices.cleanup() }
        try devices.importMemories(200, label: "from a", in: devices.a)
        try devices.importMemories(200, label: "from b", in: devices.b)
        let (first, second) = aFirst ? (devices.a, devices.b) : (devices.b, devices.a)
        try FileManager.default.createDirectory(at: first.appendingPathComponent(".memvault/cache"), withIntermediateDirectories: true)
        try devices.write(".memvault/cache/index.bin", "derived, never synced", in: first)
        try devices.ok(["sync"], in: first)
        let merge = try devices.cli.json(try devices.ok(["sync", "--json"], in: second))
        #expect(merge["outcome"] as? String == "merged")
        #expect((merge["conflicts"] as? [String])?.isEmpty == true)
        try devices.ok(["sync"], in: first)
        #expect(try devices.memoryCount(in: devices.a) == 400)
        #expect(try devices.memoryCount(in: devices.b) == 400)
        let filesA = try devices.files(in: devices.a)
        #expect(filesA == (try devices.files(in: devices.b)))
        let month = try #require(filesA["alice/general/2026-11.md"])
        // One file, stable (date, id) order: the headings are sorted.
        let headings = month.split(separator: "\n").filter { $0.hasPrefix("## ") }
        #expect(headings.count == 400)
        #expect(headings == headings.sorted())
        for device in [devices.a, devices.b, devices.remote] { try devices.fsckClean(device) }
        #expect(try devices.git(["status", "--porcelain"], in: devices.a).isEmpty)
        #expect(try devices.ok(["sync"], in: devices.b).contains("up to date"))
        #expect(!FileManager.default.fileExists(atPath: second.appendingPathComponent(".memvault/cache/index.bin").path))
        #expect(!(try devices.git(["ls-tree", "-r", "--name-only", "main"], in: devices.remote)).contains(".memvault/cache"))
    }

    @Test("the same memory edited differently on both devices keeps both texts; delete versus edit keeps the edit; other files merge by line")
    func conflictingEdits() throws {
        let devices = try TwoDevices()
        defer { devices.cleanup() }
        let shared = try devices.add("The museum opens at nine.", in: devices.a)
        let doomed = try devices.add("Maria's number is 555-0100.", in: devices.a)
        try devices.write("README.md", "one\ntwo\nthree\n", in: devices.a)
        try devices.ok(["sync"], in: devices.a)
        try devices.ok(["sync"], in: devices.b)
        let path = "alice/general/2026-11.md"
        try devices.write(path, try devices.read(path, in: devices.a)
            .replacingOccurrences(of: "opens at nine", with: "opens at ten (device a)"), in: devices.a)
        try devices.ok(["rm", doomed], in: devices.a)
        try devices.write("README.md", "ONE\ntwo\nthree\n", in: devices.a)
        try devices.write("README.md", "one\ntwo\nTHREE\n", in: devices.b)
        try devices.write(path, try devices.read(path, in: devices.b)
            .replacingOccurrences(of: "opens at nine", with: "opens at half past nine (device b)")
            .replacingOccurrences(of: "555-0100", with: "555-0199"), in: devices.b)
        try devices.ok(["sync"], in: devices.a)
        let output = try devices.ok(["sync"], in: devices.b)
        #expect(output.contains(shared))
        try devices.ok(["sync"], in: devices.a)

        for device in [devices.a, devices.b] {
            let text = try devices.read(path, in: device)
            #expect(text.contains("opens at ten (device a)"))
            #expect(text.contains("opens at half past nine (device b)"))
            #expect(text.contains("555-0199"), "the edit survives the deletion")
            #expect(text.contains("conflict-of: \(shared)"))
            #expect(try devices.read("README.md", in: device) == "ONE\ntwo\nTHREE\n", "other files merge line by line")
            let status = try devices.ok(["status"], in: device)
            #expect(status.contains("1 unresolved conflict copy"))
            let check = try devices.run(["check"], in: device)
            #expect(check.status == 0)
            #expect(check.stdout.contains("conflict copy of \(shared)"))
            let json = try devices.cli.json(try devices.ok(["status", "--json"], in: device))
            #expect((json["conflicts"] as? [String])?.count == 1)
        }
        #expect(try devices.files(in: devices.a) == (try devices.files(in: devices.b)))
    }

    @Test("a file outside the memory format changed on both devices: exit 4, working tree unchanged")
    func nonVaultConflict() throws {
        let devices = try TwoDevices()
        defer { devices.cleanup() }
        try devices.write("README.md", "shared notes\n", in: devices.a)
        try devices.ok(["sync"], in: devices.a)
        try devices.ok(["sync"], in: devices.b)
        try devices.write("README.md", "notes from a\n", in: devices.a)
        try devices.ok(["sync"], in: devices.a)
        try devices.write("README.md", "notes from b\n", in: devices.b)
        let memory = try devices.add("written on b before the failed sync", in: devices.b)
        let before = try devices.files(in: devices.b)
        let head = try devices.git(["rev-parse", "HEAD"], in: devices.b)
        let result = try devices.run(["sync"], in: devices.b)
        #expect(result.status == 4)
        #expect(result.stderr.contains("README.md"))
        #expect(try devices.files(in: devices.b) == before)
        #expect(try devices.read("README.md", in: devices.b) == "notes from b\n")
        #expect(try devices.git(["rev-parse", "HEAD"], in: devices.b) != head, "the direct edit was committed, not lost")
        #expect(try devices.git(["status", "--porcelain"], in: devices.b).isEmpty)
        // Once a person merged the file, sync completes.
        _ = try devices.git(["-c", "user.name=t", "-c", "user.email=t@t", "merge", "--no-edit", "origin/main"], in: devices.b, check: false)
        try devices.write("README.md", "notes from a and b\n", in: devices.b)
        _ = try devices.git(["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--no-verify", "-am", "merge notes"], in: devices.b)
        try devices.ok(["sync"], in: devices.b)
        try devices.ok(["sync"], in: devices.a)
        #expect(try devices.read("README.md", in: devices.a) == "notes from a and b\n")
        #expect(try devices.ok(["show", memory], in: devices.a).contains("failed sync"))
    }

    @Test("a sync killed part way leaves a repository the next sync completes", arguments: ["commit", "fetch", "merge-commit"])
    func killedSync(point: String) throws {
        let devices = try TwoDevices()
        defer { devices.cleanup() }
        let fromA = try devices.add("added on a", in: devices.a)
        try devices.ok(["sync"], in: devices.a)
        let fromB = try devices.add("added on b", in: devices.b)
        try devices.write("alice/general/2026-11.md", try devices.read("alice/general/2026-11.md", in: devices.b)
            + "\n## 2026-11-11 08:00\n\ntyped by hand on b\n", in: devices.b)
        let crashed = try devices.run(["sync"], in: devices.b, env: ["MEMVAULT_DEBUG_CRASH_AT": point])
        #expect(crashed.status == 9)
        try devices.ok(["sync"], in: devices.b)
        try devices.ok(["sync"], in: devices.a)
        for device in [devices.a, devices.b] {
            let text = try devices.read("alice/general/2026-11.md", in: device)
            #expect(text.contains("added on a") && text.contains("added on b") && text.contains("typed by hand on b"))
            #expect(try devices.memoryCount(in: device) == 3)
            try devices.fsckClean(device)
        }
        #expect(try devices.files(in: devices.a) == (try devices.files(in: devices.b)))
        _ = (fromA, fromB)
    }

    @Test("a push rejected because the remote moved is retried after fetching and merging again")
    func remoteMovedBeforePush() throws {
        let devices = try TwoDevices()
        defer { devices.cleanup() }
        _ = try devices.add("written on b", in: devices.b)
        let script = devices.cli.home.appendingPathComponent("move-remote.sh")
        let binary = CLI.binary.path
        try Data("""
            unset MEMVAULT_DEBUG_BEFORE_PUSH
            cd '\(devices.a.path)' && '\(binary)' add 'written on a meanwhile' --tier general && '\(binary)' sync

            """.utf8).write(to: script)
        let result = try devices.run(["sync", "--json"], in: devices.b, env: ["MEMVAULT_DEBUG_BEFORE_PUSH": script.path])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try devices.cli.json(result.stdout)
        #expect(report["attempts"] as? Int == 2)
        #expect(report["outcome"] as? String == "merged")
        try devices.ok(["sync"], in: devices.a)
        #expect(try devices.memoryCount(in: devices.a) == 2)
        #expect(try devices.files(in: devices.a) == (try devices.files(in: devices.b)))
        try devices.fsckClean(devices.remote)
    }

    @Test("history follows a memory written 5 times, across a move to another file; show and restore use it")
    func historyOfEdits() throws {
        let devices = try TwoDevices()
        defer { devices.cleanup() }
        let a = devices.a
        let id = try devices.add("version 1", in: a)
        let november = "alice/general/2026-11.md", october = "alice/general/2026-10.md"
        for version in 2...4 {
            try devices.write(november, try devices.read(november, in: a)
                .replacingOccurrences(of: "version \(version - 1)", with: "version \(version)"), in: a)
            try devices.ok(["commit", "-m", "edit \(version)"], in: a)
        }
        // Version 5 moves the memory to October's file.
        let moved = try devices.read(november, in: a)
            .replacingOccurrences(of: "2026-11-10 12:00", with: "2026-10-10 12:00")
            .replacingOccurrences(of: "version 4", with: "version 5")
        try devices.write(october, moved, in: a)
        try FileManager.default.removeItem(at: a.appendingPathComponent(november))
        try devices.ok(["commit", "-m", "move to october"], in: a)

        let history = try devices.cli.json(try devices.ok(["history", id, "--json"], in: a))
        #expect(history["id"] as? String == id)
        let versions = try #require(history["versions"] as? [[String: Any]])
        #expect(versions.compactMap { ($0["memory"] as? [String: Any])?["text"] as? String }
            == (1...5).map { "version \($0)" })
        #expect(versions.last.flatMap { ($0["memory"] as? [String: Any])?["path"] as? String } == october)
        #expect(versions.allSatisfy { ($0["commit"] as? String)?.count == 40 && $0["date"] is String && $0["author"] is String })

        let second = try #require(versions[1]["commit"] as? String)
        let old = try devices.cli.json(try devices.ok(["show", "\(id)@\(second)", "--json"], in: a))
        #expect(old["text"] as? String == "version 2")
        #expect(try devices.ok(["show", "\(id)@HEAD~1"], in: a).contains("version 4"))

        #expect(try devices.ok(["restore", "\(id)@\(second.prefix(7))"], in: a).contains("restored"))
        #expect(try devices.cli.json(try devices.ok(["show", id, "--json"], in: a))["text"] as? String == "version 2")
        #expect(try devices.git(["log", "-1", "--format=%s"], in: a)
            .trimmingCharacters(in: .whitespacesAndNewlines) == "memvault: restore general \(id) from \(second.prefix(7))")
        let after = try devices.cli.json(try devices.ok(["history", id, "--json"], in: a))
        #expect((after["versions"] as? [Any])?.count == 6)

        let log = try devices.cli.json(try devices.ok(["log", "--tier", "general", "-n", "2", "--json"], in: a))
        let commits = try #require(log["commits"] as? [[String: Any]])
        #expect(commits.count == 2)
        #expect((commits[0]["summary"] as? String)?.hasPrefix("memvault: restore") == true)
        #expect(try devices.run(["restore", id], in: a).status == 64)
        #expect(try devices.run(["show", "\(id)@nosuchrev"], in: a).status == 1)
    }

    @Test("sync through a git:// remote served by a local git daemon")
    func gitDaemonRemote() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let served = cli.home.appendingPathComponent("served")
        let bare = served.appendingPathComponent("vault.git")
        try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
        #expect(try CLI.git(["init", "--bare", "--quiet", "--initial-branch=main", bare.path], in: cli.home, environment: cli.environment).status == 0)
        let port = Int.random(in: 20_000..<60_000)
        let daemon = Process()
        // The daemon itself, not the `git` wrapper, so the kill below reaches it.
        daemon.executableURL = URL(fileURLWithPath: "/usr/lib/git-core/git-daemon")
        // --verbose: the daemon says "Ready to rumble" on stderr once it listens.
        daemon.arguments = ["--verbose", "--reuseaddr", "--export-all", "--enable=receive-pack", "--listen=127.0.0.1",
                            "--port=\(port)", "--base-path=\(served.path)", served.path]
        daemon.environment = cli.environment
        let log = Pipe()
        daemon.standardError = log
        try daemon.run()
        defer {
            // SIGKILL: a child started by Process may have SIGTERM blocked.
            kill(daemon.processIdentifier, SIGKILL)
            daemon.waitUntilExit()
        }
        let url = "git://127.0.0.1:\(port)/vault.git"
        // Wait for the daemon to listen; then keep draining its log, so that it never blocks on a full pipe.
        var said = Data()
        while !String(decoding: said, as: UTF8.self).contains("Ready to rumble") {
            let more = log.fileHandleForReading.availableData
            try #require(!more.isEmpty, "git daemon ended before listening on port \(port): \(String(decoding: said, as: UTF8.self))")
            said += more
        }
        log.fileHandleForReading.readabilityHandler = { _ = $0.availableData }
        defer { log.fileHandleForReading.readabilityHandler = nil }

        try cli.ok(["init", cli.vault.path, "--user", "alice", "--remote", url])
        let id = try cli.ok(["add", "synced over git://", "--tier", "general"]).trimmingCharacters(in: .whitespacesAndNewlines)
        try cli.ok(["sync"])
        let second = cli.home.appendingPathComponent("second")
        #expect(try cli.run(["clone", url, second.path], in: cli.home).status == 0)
        #expect(try cli.run(["show", id], in: second).stdout.contains("synced over git://"))
        _ = try cli.run(["add", "written on the second device", "--tier", "general"], in: second)
        #expect(try cli.run(["sync"], in: second).status == 0)
        try cli.ok(["sync"])
        #expect(try cli.read("alice/general/\(try monthFile(cli))").contains("second device"))
    }

    private func monthFile(_ cli: CLI) throws -> String {
        let files = try FileManager.default.contentsOfDirectory(atPath: cli.vault.appendingPathComponent("alice/general").path)
        return try #require(files.first { $0.hasSuffix(".md") })
    }

    @Test("sync without a remote explains how to add one; init installs a pre-commit hook that runs check")
    func noRemoteAndHook() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok(["init", cli.vault.path, "--user", "alice"])
        let result = try cli.run(["sync"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no remote"))
        #expect(result.stderr.contains("hint:"))

        let hook = cli.vault.appendingPathComponent(".git/hooks/pre-commit")
        #expect(FileManager.default.isExecutableFile(atPath: hook.path))
        try Data([0x23, 0x20, 0xFF, 0x0A]).write(to: cli.vault.appendingPathComponent("alice/general/2026-11.md"))
        var env = cli.environment
        env["PATH"] = CLI.binary.deletingLastPathComponent().path + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "bad bytes"]
        process.currentDirectoryURL = cli.vault
        process.environment = env
        try cli.git(["add", "-A"])
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus != 0, "the hook refused the commit: \(output)")
        #expect(output.contains("UTF-8"))
        #expect(try cli.commitCount() == 1)
    }
}
