import Foundation
import ProcessTimer
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// One command killed with SIGKILL, and what a trial checks afterwards.
struct CrashScenario: CustomStringConvertible, Sendable {
    var name: String
    var args: [String]
    var stdin: [UInt8]? = nil
    var env: [String: String] = [:]
    /// false for `check --fix`, which writes files and commits nothing.
    var commits = true
    /// The device the command runs on, relative to the trial's home.
    var device = "vault"
    var description: String { name }
}

/// A prepared home folder (vaults, remote) that each trial copies, so every kill starts from the same state.
final class CrashBench {
    let home: URL
    let scenario: CrashScenario
    private(set) var trials = 0
    private(set) var killedMidway = 0
    /// Outcomes of the trials: completed, killed (nothing to recover), rolled back, finished.
    private(set) var tally: [String: Int] = [:]

    static let cheap = ["MEMVAULT_DEBUG_SCRYPT_WORK_FACTOR": "10", "MEMVAULT_MODEL_DIR": "/nonexistent-model"]

    init(_ scenario: CrashScenario) throws {
        self.scenario = scenario
        home = FileManager.default.temporaryDirectory.appendingPathComponent("memvault-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        try prepare()
    }

    func cleanup() { try? FileManager.default.removeItem(at: home) }

    /// A CLI whose home is `folder` (the harness keeps its vault at `folder/vault`).
    func cli(_ folder: URL) -> CLI { CLI(home: folder) }

    private var base: URL { home.appendingPathComponent("base") }

    private func ok(_ args: [String], in dir: URL, stdin: [UInt8]? = nil, env: [String: String] = [:]) throws {
        let result = try cli(base).run(args, stdin: stdin, in: dir, env: Self.cheap.merging(env) { $1 })
        guard result.status == 0 else {
            throw CrashTestError("setup: memvault \(args.joined(separator: " ")) failed: \(result.stderr)")
        }
    }

    static func record(_ text: String, _ date: String, tier: String = "general") -> String {
        #"{"text": "\#(text)", "tier": "\#(tier)", "date": "\#(date)"}"#
    }

    /// Builds the starting state of the scenario under `base/`.
    private func prepare() throws {
        let vault = base.appendingPathComponent("vault")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        let passphrase = ["MEMVAULT_PASSPHRASE_SECRET": "crash secret"]
        switch scenario.name {
        case "sync":
            let remote = base.appendingPathComponent("remote.git")
            let a = base.appendingPathComponent("a")
            _ = try CLI.git(["init", "--bare", "--quiet", "--initial-branch=main", remote.path], in: base, environment: cli(base).environment)
            try ok(["init", a.path, "--user", "alice", "--remote", remote.path], in: base)
            try ok(["sync"], in: a)
            try ok(["clone", remote.path, vault.path], in: base)
            let lines = (1...6).map { Self.record("from a \($0)", "2026-0\($0)-0\($0) 10:00") }
            try ok(["import", "-"], in: a, stdin: Array(lines.joined(separator: "\n").utf8))
            try ok(["sync"], in: a)
            let mine = (1...6).map { Self.record("from b \($0)", "2026-0\($0)-1\($0) 10:00") }
            try ok(["import", "-"], in: vault, stdin: Array(mine.joined(separator: "\n").utf8))
        default:
            try ok(["init", vault.path, "--user", "alice"], in: base, env: passphrase)
            let lines = (1...3).map { Self.record("already here \($0)", "2026-0\($0)-01 09:00") }
            try ok(["import", "-"], in: vault, stdin: Array(lines.joined(separator: "\n").utf8))
        }
        switch scenario.name {
        case "rotate":
            let lines = (1...6).map { Self.record("secret \($0)", "2026-0\($0)-02 10:00", tier: "secret") }
            try ok(["import", "-"], in: vault, stdin: Array(lines.joined(separator: "\n").utf8))
        case "check --fix":
            for month in 4...8 {
                try Data("## 2026-0\(month)-02 10:00 · Hand\n\nwritten by hand\n\n## 2026-0\(month)-03 11:00\n\nalso by hand\n".utf8)
                    .write(to: vault.appendingPathComponent("alice/general/2026-0\(month).md"))
            }
            let result = try CLI.git(["add", "-A"], in: vault, environment: cli(base).environment)
            _ = try CLI.git(["-c", "user.name=Hand", "-c", "user.email=hand@example.com", "commit", "-q", "--no-verify", "-m", "hand"],
                in: vault, environment: cli(base).environment)
            _ = result
        case "digest --since-last":
            let calendar = Calendar(identifier: .gregorian)
            let lines = (1...5).map { back -> String in
                let day = calendar.date(byAdding: .day, value: -back, to: Date())!
                let parts = calendar.dateComponents(in: TimeZone(identifier: "Europe/Berlin")!, from: day)
                return Self.record("day \(back) #walk", String(format: "%04d-%02d-%02d 10:00", parts.year!, parts.month!, parts.day!))
            }
            try ok(["import", "-"], in: vault, stdin: Array(lines.joined(separator: "\n").utf8))
        default:
            break
        }
    }

    /// A fresh copy of the starting state; the remote URL of a cloned device is pointed at the copy's remote.
    func copy() throws -> URL {
        let folder = home.appendingPathComponent("trial-\(trials)")
        trials += 1
        _ = try CLI.process("/bin/cp", ["-a", base.path, folder.path])
        if scenario.name == "sync" {
            for device in ["vault", "a"] {
                _ = try CLI.git(["remote", "set-url", "origin", folder.appendingPathComponent("remote.git").path],
                    in: folder.appendingPathComponent(device), environment: cli(folder).environment)
            }
        }
        return folder
    }

    /// Runs the scenario's command in `folder`, killed with SIGKILL after `delay` seconds if still running.
    func run(in folder: URL, killAfter delay: Double?, env extra: [String: String] = [:]) throws -> (status: Int32, killed: Bool, stderr: String) {
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = scenario.args
        var env = cli(folder).environment.merging(Self.cheap) { $1 }.merging(scenario.env) { $1 }
        for (k, v) in extra { env[k] = v }
        process.environment = env
        process.currentDirectoryURL = folder.appendingPathComponent(scenario.device)
        let input = folder.appendingPathComponent(".stdin"), errors = folder.appendingPathComponent(".stderr")
        _ = FileManager.default.createFile(atPath: input.path, contents: Data(scenario.stdin ?? []))
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let inHandle = try FileHandle(forReadingFrom: input), errHandle = try FileHandle(forWritingTo: errors)
        defer {
            try? inHandle.close()
            try? errHandle.close()
            try? FileManager.default.removeItem(at: input)
            try? FileManager.default.removeItem(at: errors)
        }
        process.standardInput = inHandle
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errHandle
        try process.run()
        if let delay {
            usleep(useconds_t(delay * 1_000_000))
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        let killed = process.terminationReason == .uncaughtSignal
        if killed { killedMidway += 1 }
        return (process.terminationStatus, killed, String(decoding: (try? Data(contentsOf: errors)) ?? Data(), as: UTF8.self))
    }

    /// The files of a device outside .git and the cache.
    static func files(_ device: URL) throws -> [String: Data] { try VaultFiles.snapshot(device) }

    /// One trial: copy, run (killed after `delay`, or at a debug crash point), recover, check.
    /// - Returns: a description of what went wrong, or nil.
    func trial(killAfter delay: Double?, env: [String: String] = [:]) throws -> String? {
        let folder = try copy()
        defer { try? FileManager.default.removeItem(at: folder) }
        let device = folder.appendingPathComponent(scenario.device)
        let gitEnv = cli(folder).environment
        func git(_ args: [String]) throws -> (status: Int32, output: String) { try CLI.git(args, in: device, environment: gitEnv) }
        let before = try Self.files(device)
        let headBefore = try git(["rev-parse", "HEAD"]).output
        let outcome = try run(in: folder, killAfter: delay, env: env)
        let hadJournal = FileManager.default.fileExists(atPath: device.appendingPathComponent(".memvault/journal").path)
        // The next command of any kind recovers first.
        let status = try cli(folder).run(["status", "--json"], in: device, env: Self.cheap)
        guard status.status == 0 else { return "status after the kill failed: \(status.stderr)" }
        if hadJournal && !status.stderr.contains("recovered an unfinished change") {
            return "a journal was left but status said nothing: \(status.stderr)"
        }
        let kind = !outcome.killed ? "completed"
            : status.stderr.contains(": rolled back") ? "rolled back"
            : status.stderr.contains(": finished") ? "finished"
            : status.stderr.contains(": cleaned up") ? "git locks cleaned up" : "killed, nothing to recover"
        tally[kind, default: 0] += 1
        if FileManager.default.fileExists(atPath: device.appendingPathComponent(".memvault/journal").path) { return "journal left after recovery" }
        // The search index (derived, never committed) keeps its own temporary files under the cache.
        let names = try FileManager.default.subpathsOfDirectory(atPath: device.path).filter { !$0.hasPrefix(".git/") && !$0.hasPrefix(".memvault/cache/") }
        if let temp = names.first(where: { ($0.split(separator: "/").last ?? "").contains(".tmp-") }) { return "temporary file left: \(temp)" }
        let fsck = try git(["fsck", "--strict"])
        guard fsck.status == 0 else { return "git fsck --strict: \(fsck.output)" }
        let after = try Self.files(device)
        let headAfter = try git(["rev-parse", "HEAD"]).output
        if scenario.commits {
            let porcelain = try git(["status", "--porcelain"]).output
            guard porcelain.isEmpty else { return "working tree differs from HEAD: \(porcelain)" }
            let unchanged = headAfter == headBefore && after == before
            let parent = try git(["rev-parse", "HEAD^1"]).output
            let committed = headAfter != headBefore && parent == headBefore
            guard unchanged || committed else { return "neither before nor one commit after (status \(outcome.status))" }
            if outcome.status == 0 && !outcome.killed && !committed && scenario.name != "sync" {
                return "the command printed success but its change is gone"
            }
        } else {
            let stripped = after.mapValues { data in
                Data(String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                    .filter { !$0.hasPrefix("<!-- id: ") }.joined(separator: "\n").utf8)
            }
            let check = try cli(folder).json(try cli(folder).run(["check", "--json"], in: device, env: Self.cheap).stdout)
            let missing = check["ids_missing"] as? Int ?? check["idsMissing"] as? Int ?? -1
            let fixed = missing == 0 && stripped == before.mapValues { data in
                Data(String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                    .filter { !$0.hasPrefix("<!-- id: ") }.joined(separator: "\n").utf8)
            }
            guard after == before || fixed else { return "files are neither as before nor all fixed" }
            if outcome.status == 0 && !outcome.killed && !fixed { return "check --fix printed success but its ids are gone" }
        }
        if scenario.name == "sync" {
            // The next sync completes, and no memory of either side is lost.
            let again = try cli(folder).run(["sync"], in: device, env: Self.cheap)
            guard again.status == 0 else { return "the next sync failed: \(again.stderr)" }
            let text = try Self.files(device).filter { $0.key.hasPrefix("alice/general/") }.values
                .map { String(decoding: $0, as: UTF8.self) }.joined()
            for n in 1...6 where !text.contains("from a \(n)") || !text.contains("from b \(n)") {
                return "memory \(n) of a side is missing after the next sync"
            }
        }
        return nil
    }

    /// How long the command takes uninterrupted on a copy (to spread kill instants over its run):
    /// the median of three uninterrupted runs (one slow run, a cold cache or the machine's load,
    /// would put most kill instants after the command had finished).
    func duration() throws -> Double {
        let runs = try (0..<3).map { _ in try uninterruptedRun() }.sorted()
        return runs[1]
    }

    private func uninterruptedRun() throws -> Double {
        let folder = try copy()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent(".stdin"), errors = folder.appendingPathComponent(".stderr")
        _ = FileManager.default.createFile(atPath: input.path, contents: Data(scenario.stdin ?? []))
        var env = cli(folder).environment.merging(Self.cheap) { $1 }.merging(scenario.env) { $1 }
        // ProcessTimer (posix_spawn + wait4, no polling tick) starts the child in this process's
        // folder: the vault is named by MEMVAULT_DIR instead.
        env["MEMVAULT_DIR"] = folder.appendingPathComponent(scenario.device).path
        let run: ProcessRun
        do {
            run = try ProcessTimer.run(
                CLI.binary.path, scenario.args, environment: env.map { "\($0.key)=\($0.value)" }, stdin: input.path, stderr: errors.path)
        } catch {
            throw CrashTestError("\(scenario.name) could not start: \(error)")
        }
        guard run.status == 0 else {
            let said = String(decoding: (try? Data(contentsOf: errors)) ?? Data(), as: UTF8.self)
            throw CrashTestError("\(scenario.name) failed uninterrupted: \(said)")
        }
        return run.wall
    }

    static let scenarios: [CrashScenario] = {
        let months = (1...12).flatMap { month in
            (1...4).map { record("imported \(month)-\($0)", String(format: "2026-%02d-%02d 12:00", month, $0 * 3)) }
        }
        return [
            CrashScenario(name: "import", args: ["import", "-"], stdin: Array(months.joined(separator: "\n").utf8)),
            CrashScenario(name: "check --fix", args: ["check", "--fix"], commits: false),
            CrashScenario(name: "rotate", args: ["rotate", "secret"], env: ["MEMVAULT_PASSPHRASE_SECRET": "crash secret"]),
            CrashScenario(name: "sync", args: ["sync"]),
            CrashScenario(name: "digest --since-last", args: ["digest", "--since-last"]),
            CrashScenario(name: "add", args: ["add", "added during the crash trials", "--tier", "general", "--date", "2026-10-10 10:00"]),
        ]
    }()
}

struct CrashTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension CLI {
    /// A harness whose home (and vault, at `home/vault`) is an existing folder.
    init(home: URL) {
        self.home = home
        self.vault = home.appendingPathComponent("vault")
    }

    /// A harness whose vault is `vault` and whose output files go to `home`.
    init(home: URL, vault: URL) {
        self.home = home
        self.vault = vault
    }
}

@Suite("kill -9 at any instant: the next command recovers to before or after", .serialized)
struct CrashTests {
    @Test("killed at every crash point of the change", arguments: CrashBench.scenarios)
    func everyCrashPoint(scenario: CrashScenario) throws {
        let bench = try CrashBench(scenario)
        defer { bench.cleanup() }
        var points = ["journal-written", "file-written", "file-written:2", "committed"]
        if scenario.name == "sync" { points += ["commit", "fetch", "merge-commit"] }
        for point in points {
            if let problem = try bench.trial(killAfter: nil, env: ["MEMVAULT_DEBUG_CRASH_AT": point]) {
                Issue.record("\(scenario.name) killed at \(point): \(problem)")
            }
        }
        #expect(bench.killedMidway >= 3, "the crash points were not reached")
    }

    /// Kills per command: 20 in the suite; `scripts/crash-trials N` sets MEMVAULT_CRASH_TRIALS
    /// (read by this test process only, never by memvault) for a longer run.
    static let killsPerCommand = ProcessInfo.processInfo.environment["MEMVAULT_CRASH_TRIALS"].flatMap(Int.init) ?? 20

    @Test("killed with SIGKILL at random instants (20 per command)", arguments: CrashBench.scenarios)
    func randomKills(scenario: CrashScenario) throws {
        let bench = try CrashBench(scenario)
        defer { bench.cleanup() }
        let span = try bench.duration()
        var generator = SystemRandomNumberGenerator()
        var failures = 0
        for number in 0..<Self.killsPerCommand {
            let delay = Double.random(in: 0...span, using: &generator)
            if let problem = try bench.trial(killAfter: delay) {
                failures += 1
                Issue.record("\(scenario.name) kill \(number) after \(String(format: "%.3f", delay)) s: \(problem)")
            }
        }
        #expect(bench.trials == Self.killsPerCommand + 3)  // three uninterrupted runs time the command
        let parts = ["completed", "killed, nothing to recover", "rolled back", "finished", "git locks cleaned up"].map { "\($0) \(bench.tally[$0] ?? 0)" }
        print("crash-trials: \(scenario.name): \(Self.killsPerCommand) kills over \(String(format: "%.0f", span * 1000)) ms; \(parts.joined(separator: ", ")); failures \(failures)")
    }
}
