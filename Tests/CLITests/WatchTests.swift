import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A running `memvault watch`, whose output lines a test waits on (no fixed sleeps).
final class WatchProcess: @unchecked Sendable {
    // @unchecked: the line arrays are only touched under `condition`.
    let process = Process()
    private let condition = NSCondition()
    private var outLines: [String] = []
    private var errLines: [String] = []
    private var openStreams = 2

    init(cli: CLI, args: [String] = [], in directory: URL? = nil, env extra: [String: String] = [:]) throws {
        process.executableURL = CLI.binary
        process.arguments = ["watch"] + args
        var env = cli.environment
        for (key, value) in extra { env[key] = value }
        process.environment = env
        process.currentDirectoryURL = directory ?? cli.vault
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        for (pipe, isError) in [(out, false), (err, true)] {
            Thread.detachNewThread { [self] in
                var buffer = Data()
                let handle = pipe.fileHandleForReading
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    buffer.append(chunk)
                    while let newline = buffer.firstIndex(of: 10) {
                        let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                        buffer.removeSubrange(buffer.startIndex...newline)
                        condition.lock()
                        if isError { errLines.append(line) } else { outLines.append(line) }
                        condition.broadcast()
                        condition.unlock()
                    }
                }
                condition.lock()
                openStreams -= 1
                condition.broadcast()
                condition.unlock()
            }
        }
    }

    var stdout: [String] { condition.lock(); defer { condition.unlock() }; return outLines }
    var stderr: [String] { condition.lock(); defer { condition.unlock() }; return errLines }

    /// Waits until `count` commits were reported (lines starting with "committed "); false at the deadline.
    @discardableResult
    func waitForCommits(_ count: Int = 1, timeout: TimeInterval = 30) -> Bool {
        waitFor("committed ", count: count, atStart: true, timeout: timeout)
    }

    /// Waits until `count` lines of stdout (or stderr) contain `text` (start with it, with
    /// `atStart`); false at the deadline.
    @discardableResult
    func waitFor(_ text: String, count: Int = 1, onStderr: Bool = false, atStart: Bool = false, timeout: TimeInterval = 30) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            let lines = onStderr ? errLines : outLines
            if lines.filter({ atStart ? $0.hasPrefix(text) : $0.contains(text) }).count >= count { return true }
            if openStreams == 0 { return false }
            if !condition.wait(until: deadline) { return false }
        }
    }

    /// Sends `signal` and waits for the process to end; returns its exit status (nil at the deadline).
    func stop(signal number: Int32 = SIGINT, timeout: TimeInterval = 120) -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, number)
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        while openStreams > 0 {
            if !condition.wait(until: deadline) { break }
        }
        let closed = openStreams == 0
        condition.unlock()
        guard closed else {
            process.terminate()
            return nil
        }
        // Both pipes closed: the process has ended; wait for it to be reaped.
        process.waitUntilExit()
        return process.terminationStatus
    }
}

@Suite("memvault watch", .serialized)
struct WatchTests {
    /// A fresh vault for alice, its first commit done.
    static func vault() throws -> CLI {
        let cli = try CLI()
        try cli.ok(["init", cli.vault.path, "--user", "alice"])
        return cli
    }

    static let twoEntries = """
        ## 2026-11-20 09:00 · Breakfast
        Porridge with apples. #food

        ## 2026-11-20 12:30
        - [ ] call the plumber

        """

    func lastMessage(_ cli: CLI) throws -> String {
        try cli.git(["log", "-1", "--format=%s"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("edits made before it started are committed at once, with ids, counts in the message, and indexed")
    func commitsEarlierEdits() throws {
        let cli = try Self.vault()
        defer { cli.cleanup() }
        try cli.write("alice/general/2026-11.md", Self.twoEntries)
        let before = try cli.commitCount()
        let watch = try WatchProcess(cli: cli, args: ["--quiet-period", "200ms"])
        #expect(watch.waitFor("watching"))
        // The catch-up commit is made before "watching" is said: an edit made after that line
        // is never swept into it.
        #expect(try cli.commitCount() == before + 1, "stdout: \(watch.stdout) stderr: \(watch.stderr)")
        #expect(watch.waitFor("index refreshed (1 file read, 2 embedded)"), "\(watch.stdout)")
        #expect(watch.stop() == 0)
        #expect(try cli.commitCount() == before + 1)
        #expect(try lastMessage(cli) == "memvault: edit by hand: alice/general/2026-11.md (+2 ~0 -0)")
        let text = try cli.read("alice/general/2026-11.md")
        #expect(text.components(separatedBy: "<!-- id: ").count == 3)
        // Indexed by watch: no file is stale before any search runs, and both memories have vectors.
        let status = try cli.json(try cli.ok(["status", "--json"]))
        let index = try #require(status["index"] as? [String: Any])
        #expect(index["stale_files"] as? [String] == [], "\(index)")
        #expect(index["indexed"] as? Int == 2, "\(index)")
        let found = try cli.json(try cli.ok(["search", "porridge", "--mode", "lexical", "--json"]))
        #expect((found["results"] as? [Any])?.count == 1)
        #expect(watch.stdout.last == "stopped watching \(cli.vault.standardizedFileURL.path)")
    }

    @Test("vim's :w with default settings, through a pty: one commit, no swap or backup file")
    func vimSave() throws {
        let cli = try Self.vault()
        defer { cli.cleanup() }
        try cli.write("alice/general/2026-11.md", Self.twoEntries)
        try cli.ok(["commit"])
        let before = try cli.commitCount()
        let watch = try WatchProcess(cli: cli, args: ["--quiet-period", "500ms"])
        #expect(watch.waitFor("watching"))
        // vim in a pty (script(1) gives it one), keystrokes from a pipe: add a memory, :w, :q.
        let keys = "Go\n## 2026-11-21 08:00 · Typed in vim\u{1B}:w\r:q\r"
        let vim = Process()
        vim.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        vim.arguments = ["-q", "-e", "-c", "vim -u DEFAULTS -i NONE -n alice/general/2026-11.md", "/dev/null"]
        vim.currentDirectoryURL = cli.vault
        var env = cli.environment
        env["TERM"] = "xterm"
        vim.environment = env
        let input = Pipe()
        vim.standardInput = input
        vim.standardOutput = FileHandle.nullDevice
        vim.standardError = FileHandle.nullDevice
        try vim.run()
        // Type slowly enough that vim has drawn its screen (it reads keys as they come).
        for character in keys {
            input.fileHandleForWriting.write(Data(String(character).utf8))
            usleep(2_000)
        }
        vim.waitUntilExit()
        #expect(vim.terminationStatus == 0)
        #expect(watch.waitForCommits(), "stdout: \(watch.stdout) stderr: \(watch.stderr)")
        #expect(watch.stop() == 0)
        #expect(try cli.commitCount() == before + 1)
        let log = try cli.git(["log", "--stat", "-3"]).output
        #expect(try lastMessage(cli) == "memvault: edit by hand: alice/general/2026-11.md (+1 ~0 -0)", "\(log) \(watch.stdout) \(watch.stderr)")
        #expect(try cli.read("alice/general/2026-11.md").contains("Typed in vim\n<!-- id: "))
        let tracked = try cli.git(["ls-files"]).output
        #expect(!tracked.contains(".swp") && !tracked.contains("~") && !tracked.contains("4913"), "\(tracked)")
    }

    @Test("write-and-rename saves and a burst of 100 edits settle into one commit")
    func burstIsOneCommit() throws {
        let cli = try Self.vault()
        defer { cli.cleanup() }
        let before = try cli.commitCount()
        // A quiet period longer than the burst takes even on a loaded machine.
        let watch = try WatchProcess(cli: cli, args: ["--quiet-period", "6s"])
        #expect(watch.waitFor("watching"))
        let file = cli.vault.appendingPathComponent("alice/chronological/2026-11.md")
        var text = ""
        for number in 0..<100 {
            text += "## 2026-11-\(String(format: "%02d", 1 + number % 28)) 10:\(String(format: "%02d", number % 60)) · Note \(number)\nText \(number).\n\n"
            if number % 2 == 0 {
                // Write-and-rename, as many editors save: a temporary file moved over the original.
                let temporary = cli.vault.appendingPathComponent("alice/chronological/.2026-11.md.tmp")
                try Data(text.utf8).write(to: temporary)
                _ = rename(temporary.path, file.path)
            } else {
                // Write in place.
                try Data(text.utf8).write(to: file)
            }
        }
        #expect(watch.waitForCommits(), "stderr: \(watch.stderr)")
        #expect(watch.stop() == 0)
        let log = try cli.git(["log", "--oneline", "-4"]).output
        #expect(try cli.commitCount() == before + 1, "\(log) \(watch.stdout) \(watch.stderr)")
        #expect(try lastMessage(cli) == "memvault: edit by hand: alice/chronological/2026-11.md (+100 ~0 -0)", "\(log)")
        #expect(watch.stdout.filter { $0.hasPrefix("committed ") }.count == 1)
        #expect(!(try cli.git(["ls-files"]).output.contains(".tmp")))
        #expect(try cli.git(["status", "--porcelain"]).output.isEmpty, "the last version is the one committed")
    }

    @Test("a pasted key is refused with one line, the file left as the person wrote it; watching goes on")
    func refusesSecret() throws {
        let cli = try Self.vault()
        defer { cli.cleanup() }
        let before = try cli.commitCount()
        let watch = try WatchProcess(cli: cli, args: ["--quiet-period", "200ms"])
        #expect(watch.waitFor("watching"))
        let secret = "## 2026-11-20 09:00 · Keys\nmy aws key AKIAIOSFODNN7EXAMPLE\n"
        try cli.write("alice/general/2026-11.md", secret)
        #expect(watch.waitFor("not committed: alice/general/2026-11.md:2 looks like", onStderr: true), "\(watch.stderr)")
        #expect(try cli.read("alice/general/2026-11.md") == secret)
        #expect(try cli.commitCount() == before)
        // The person removes it: committed now.
        try cli.write("alice/general/2026-11.md", "## 2026-11-20 09:00 · Keys\nmoved to the secret tier\n")
        #expect(watch.waitForCommits(), "\(watch.stderr)")
        #expect(watch.stop() == 0)
        #expect(try cli.commitCount() == before + 1)
        #expect(watch.stderr.filter { $0.contains("looks like") }.count == 1)
    }

    @Test("conflict markers and a malformed file are reported without stopping; the rest is committed")
    func reportsConflict() throws {
        let cli = try Self.vault()
        defer { cli.cleanup() }
        let before = try cli.commitCount()
        let watch = try WatchProcess(cli: cli, args: ["--quiet-period", "200ms"])
        #expect(watch.waitFor("watching"))
        let conflicted = "## 2026-11-20 09:00\n<<<<<<< HEAD\nmine\n=======\ntheirs\n>>>>>>> origin/main\n"
        try cli.write("alice/general/2026-11.md", conflicted)
        try cli.write("alice/chronological/2026-11.md", "## 2026-11-20 10:00\nfine\n")
        try cli.write("alice/general/broken.md", "## 2026-02-30 10:00 · No such day\ntext\n")
        #expect(watch.waitFor("git conflict markers", onStderr: true), "\(watch.stderr)")
        #expect(watch.waitFor("not committed: alice/general/broken.md:1", onStderr: true), "\(watch.stderr)")
        #expect(watch.waitForCommits())
        #expect(try lastMessage(cli) == "memvault: edit by hand: alice/chronological/2026-11.md (+1 ~0 -0)")
        #expect(try cli.read("alice/general/2026-11.md") == conflicted)
        try cli.write("alice/general/2026-11.md", "## 2026-11-20 09:00\nmine and theirs\n")
        #expect(watch.waitForCommits(2), "\(watch.stderr)")
        #expect(watch.stop() == 0)
        #expect(try cli.commitCount() == before + 2)
        #expect(try lastMessage(cli) == "memvault: edit by hand: alice/general/2026-11.md (+1 ~0 -0)")
        #expect(!(try cli.git(["ls-files"]).output.contains("broken.md")))
    }

    @Test("a git pull under it commits nothing of its own; the next edit is committed as usual")
    func survivesGitPull() throws {
        let devices = try TwoDevices()
        defer { devices.cleanup() }
        let watch = try WatchProcess(cli: devices.cli, args: ["--quiet-period", "300ms"], in: devices.b)
        #expect(watch.waitFor("watching"))
        try devices.importMemories(40, label: "from a", in: devices.a)
        try devices.ok(["sync"], in: devices.a)
        try devices.git(["pull", "--quiet", "--no-rebase", "origin", "main"], in: devices.b)
        let pulled = try devices.git(["rev-parse", "HEAD"], in: devices.b)
        // Then a hand edit on b: exactly one commit on top of what was pulled.
        let file = devices.b.appendingPathComponent("alice/general/2026-12.md")
        try Data("## 2026-12-01 09:00\nafter the pull\n".utf8).write(to: file)
        #expect(watch.waitForCommits(), "\(watch.stderr)")
        #expect(watch.stop() == 0)
        #expect(try devices.git(["rev-parse", "HEAD~1"], in: devices.b) == pulled)
        #expect(try devices.git(["log", "-1", "--format=%s"], in: devices.b).contains("edit by hand: alice/general/2026-12.md (+1 ~0 -0)"))
        #expect(try devices.git(["status", "--porcelain"], in: devices.b).isEmpty)
    }

    @Test("with --sync-every each commit is pushed; an unreachable remote is one line and watching goes on")
    func syncsAndBacksOff() throws {
        let devices = try TwoDevices()
        defer { devices.cleanup() }
        let watch = try WatchProcess(cli: devices.cli, args: ["--quiet-period", "200ms", "--sync-every", "1h"], in: devices.a)
        #expect(watch.waitFor("watching"))
        try Data("## 2026-12-01 09:00\npushed by watch\n".utf8).write(to: devices.a.appendingPathComponent("alice/general/2026-12.md"))
        #expect(watch.waitForCommits(), "\(watch.stderr)")
        #expect(watch.waitFor("synced with origin/main: pushed"), "\(watch.stdout) \(watch.stderr)")
        let local = try devices.git(["rev-parse", "HEAD"], in: devices.a)
        let remote = try devices.git(["rev-parse", "main"], in: devices.remote)
        #expect(local == remote)
        // The remote goes away: the next commit still happens, the sync says offline once.
        try FileManager.default.moveItem(at: devices.remote, to: devices.cli.home.appendingPathComponent("away.git"))
        try Data("## 2026-12-01 09:00\npushed by watch\n\n## 2026-12-02 10:00\noffline now\n".utf8)
            .write(to: devices.a.appendingPathComponent("alice/general/2026-12.md"))
        #expect(watch.waitForCommits(2), "\(watch.stderr)")
        #expect(watch.waitFor("offline:", onStderr: true), "\(watch.stderr)")
        #expect(watch.stop(signal: SIGTERM) == 0)
        #expect(watch.stderr.filter { $0.contains("offline:") }.count == 1)
    }

    @Test("editor files churn: nothing of .obsidian/, .trash/, .vscode/ or a stray root note is committed by watch")
    func editorFilesWatch() throws {
        let cli = try Self.vault()
        defer { cli.cleanup() }
        let watch = try WatchProcess(cli: cli, args: ["--quiet-period", "200ms"])
        #expect(watch.waitFor("watching"))
        for round in 0..<5 {
            try cli.write(".obsidian/workspace.json", #"{"active": \#(round)}"#)
            try cli.write(".trash/old.md", "deleted \(round)")
        }
        try cli.write(".vscode/settings.json", "{}")
        try cli.write("Untitled.md", "a stray note")
        try cli.write("alice/general/.obsidian-note.md", "hidden")
        try cli.write("alice/general/2026-11.md", "## 2026-11-20 09:00\nreal memory\n")
        #expect(watch.waitForCommits(), "\(watch.stderr)")
        #expect(watch.waitFor("not committed (not the vault's own files)"))
        #expect(watch.stop() == 0)
        let committed = try cli.git(["show", "--name-only", "--format=", "HEAD"]).output
        #expect(committed.trimmingCharacters(in: .whitespacesAndNewlines) == "alice/general/2026-11.md")
        let tracked = try cli.git(["ls-files"]).output
        for stray in [".obsidian", ".trash", ".vscode", "Untitled.md", ".obsidian-note"] {
            #expect(!tracked.contains(stray), "\(stray) was committed")
        }
        let mention = try #require(watch.stdout.first { $0.contains("not committed (not the vault's own files)") })
        #expect(mention.contains("Untitled.md"))
    }

    @Test("editor files churn: commit and sync leave them alone and mention them once")
    func editorFilesCommitAndSync() throws {
        let devices = try TwoDevices()
        defer { devices.cleanup() }
        let vault = devices.a
        func write(_ path: String, _ text: String) throws {
            let url = vault.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        try write(".obsidian/app.json", "{}")
        try write("Untitled.md", "stray")
        try write("alice/general/2026-11.md", "## 2026-11-20 09:00\nby commit\n")
        let commit = try devices.run(["commit"], in: vault)
        #expect(commit.status == 0, "\(commit.stderr)")
        #expect(commit.stderr.contains("not committed (not the vault's own files): .obsidian/app.json, Untitled.md"), "\(commit.stderr)")
        try write("alice/general/2026-11.md", "## 2026-11-20 09:00\nby commit\n\n## 2026-11-21 09:00\nby sync\n")
        try write(".obsidian/workspace.json", "{\"a\": 1}")
        let sync = try devices.run(["sync"], in: vault)
        #expect(sync.status == 0, "\(sync.stderr)")
        #expect(sync.stderr.contains("not committed"))
        let tracked = try devices.git(["ls-files"], in: vault)
        #expect(!tracked.contains(".obsidian") && !tracked.contains("Untitled.md"), "\(tracked)")
        #expect(tracked.contains("alice/general/2026-11.md"))
        // Nothing of them reached the remote either.
        let remoteFiles = try devices.git(["ls-tree", "-r", "--name-only", "main"], in: devices.remote)
        #expect(!remoteFiles.contains(".obsidian") && !remoteFiles.contains("Untitled.md"))
    }

    @Test("started by a parent with SIGINT and SIGTERM blocked, watch still stops on SIGTERM, with status 0")
    func stopsWhenStartedWithSignalsBlocked() throws {
        let cli = try Self.vault()
        defer { cli.cleanup() }
        // posix_spawn with both signals in the child's mask, as a parent thread that blocks them hands it down.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGINT)
        sigaddset(&blocked, SIGTERM)
        posix_spawnattr_setsigmask(&attributes, &blocked)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0)
        var env = cli.environment
        env["MEMVAULT_DIR"] = cli.vault.path
        let arguments: [String] = [CLI.binary.path, "watch", "--quiet-period", "200ms"]
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, CLI.binary.path, &actions, &attributes, argv, envp)
        close(fds[1])
        defer { close(fds[0]) }
        try #require(spawned == 0)
        // Its first line on stdout says it watches (or the pipe ends if it died).
        var output: [UInt8] = []
        var byte: UInt8 = 0
        while !output.contains(10), read(fds[0], &byte, 1) == 1 { output.append(byte) }
        #expect(String(decoding: output, as: UTF8.self).hasPrefix("watching"))
        kill(pid, SIGTERM)
        var status: Int32 = 0
        var reaped: pid_t = 0
        for _ in 0..<600 where reaped == 0 {
            reaped = waitpid(pid, &status, WNOHANG)
            if reaped == 0 { usleep(50_000) }
        }
        if reaped == 0 {
            kill(pid, SIGKILL)
            waitpid(pid, &status, 0)
        }
        #expect(reaped == pid, "watch did not stop on SIGTERM within 30 s")
        #expect(status & 0x7f == 0 && (status >> 8) & 0xff == 0, "wait status \(status)")
    }

    @Test("bad input: a wrong duration, --sync-every without a remote, no vault")
    func badInput() throws {
        let cli = try Self.vault()
        defer { cli.cleanup() }
        let duration = try cli.run(["watch", "--quiet-period", "soon"])
        #expect(duration.status == 64)
        #expect(duration.stderr.contains("not a duration: 'soon'"))
        let noRemote = try cli.run(["watch", "--sync-every", "15m"])
        #expect(noRemote.status == 1)
        #expect(noRemote.stderr.hasPrefix("memvault: error: no remote to sync with"), "\(noRemote.stderr)")
        let noVault = try cli.run(["watch", "--vault", cli.home.appendingPathComponent("nowhere").path])
        #expect(noVault.status == 1)
        #expect(noVault.stderr.hasPrefix("memvault: error: not a memvault vault"))
        let remoteAlone = try cli.run(["watch", "--remote", "origin"])
        #expect(remoteAlone.status == 64)
    }

    /// A vault with two entries and a runtime folder of the test's own (`XDG_RUNTIME_DIR`), so
    /// that the warm search socket can be seen to come and go.
    static func warmSearchVault() throws -> (cli: CLI, env: [String: String], sockets: () -> [String]) {
        let cli = try vault()
        try cli.write("alice/general/2026-11.md", twoEntries)
        let runtime = cli.home.appendingPathComponent("run")
        try FileManager.default.createDirectory(at: runtime, withIntermediateDirectories: true)
        let sockets = {
            ((try? FileManager.default.contentsOfDirectory(atPath: runtime.path + "/memvault")) ?? []).filter { $0.hasSuffix(".sock") }
        }
        return (cli, ["XDG_RUNTIME_DIR": runtime.path], sockets)
    }

    /// `search --json` output without its time, which differs from run to run.
    static func withoutTime(_ text: String) -> String {
        text.replacingOccurrences(of: #""took_ms":[0-9.e-]+"#, with: "", options: .regularExpression)
    }

    @Test("while it runs, searches get the same answers from it (counted when it stops); its socket goes with it")
    func answersSearchesWarm() throws {
        let (cli, env, sockets) = try Self.warmSearchVault()
        defer { cli.cleanup() }
        // A quiet period long enough that the fresh edit below is searched before watch commits
        // it, even on a loaded machine (the catch-up commit at start does not wait for it).
        let watch = try WatchProcess(cli: cli, args: ["--quiet-period", "5s"], env: env)
        #expect(watch.waitFor("watching"))
        #expect(watch.waitFor("index refreshed"), "\(watch.stdout)")
        #expect(sockets().count == 1 && sockets().first?.hasPrefix("search-") == true, "\(sockets())")
        let queries = [["search", "porridge with apples"], ["search", "plumber", "--mode", "lexical", "--json"], ["search", "breakfast", "--json", "-k", "1"]]
        // The same searches in the command's own process (another runtime folder: no socket
        // there), at the same moment: the same answers, but for the time taken.
        let elsewhere = ["XDG_RUNTIME_DIR": cli.home.appendingPathComponent("other").path]
        try FileManager.default.createDirectory(atPath: elsewhere["XDG_RUNTIME_DIR"]!, withIntermediateDirectories: true)
        for query in queries {
            let warm = try cli.run(query, env: env)
            let local = try cli.run(query, env: elsewhere)
            #expect(warm.status == 0 && local.status == 0, "\(warm.stderr) \(local.stderr)")
            #expect(!warm.stdout.isEmpty && Self.withoutTime(warm.stdout) == Self.withoutTime(local.stdout), "\(query)")
        }
        // Hand edits saved meanwhile are searched at once, before watch commits them.
        try cli.write("alice/general/2026-11.md", Self.twoEntries + "## 2026-11-21 08:00\nKayak rental at the harbour.\n")
        let fresh = try cli.run(["search", "kayak harbour", "-k", "1"], env: env)
        #expect(fresh.stdout.contains("Kayak rental at the harbour."), "\(fresh.stdout)")
        #expect(watch.waitForCommits())
        #expect(watch.stop() == 0)
        #expect(watch.stdout.last == "answered 4 searches warm", "\(watch.stdout)")
        #expect(sockets().isEmpty)
    }

    @Test("a watch killed with SIGKILL leaves a stale socket: searches fall back at once, and the next watch answers again")
    func staleWarmSearchSocket() throws {
        let (cli, env, sockets) = try Self.warmSearchVault()
        defer { cli.cleanup() }
        let first = try WatchProcess(cli: cli, args: ["--quiet-period", "200ms"], env: env)
        #expect(first.waitFor("index refreshed"), "\(first.stdout)")
        let answered = try cli.run(["search", "porridge", "--json"], env: env)
        #expect(answered.status == 0)
        _ = first.stop(signal: SIGKILL)
        #expect(sockets().count == 1, "the socket outlives a killed watch: \(sockets())")
        // Nobody listens: the search runs in its own process and gives the same results.
        let started = Date()
        let fallback = try cli.run(["search", "porridge", "--json"], env: env)
        #expect(fallback.status == 0, "\(fallback.stderr)")
        #expect(Date().timeIntervalSince(started) < 30)
        #expect(Self.withoutTime(fallback.stdout) == Self.withoutTime(answered.stdout))
        // The next watch replaces the stale socket and answers.
        let second = try WatchProcess(cli: cli, args: ["--quiet-period", "200ms"], env: env)
        #expect(second.waitFor("watching"))
        #expect(try cli.run(["search", "porridge"], env: env).status == 0)
        #expect(second.stop() == 0)
        #expect(second.stdout.last == "answered 1 search warm", "\(second.stdout)")
    }
}

