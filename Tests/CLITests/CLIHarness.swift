import Foundation
import TestSupport
import Testing

/// Runs the built `memvault` binary, as a person would, and captures what it prints.
struct CLI {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `memvault` binary of the build these tests belong to.
    static var binary: URL { BuiltProducts.executable() }

    /// A private temporary folder that is removed by `cleanup()`.
    let home: URL
    let vault: URL

    init() throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("memvault-cli-\(UUID().uuidString)")
        vault = home.appendingPathComponent("vault")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
    }

    func cleanup() {
        try? FileManager.default.removeItem(at: home)
    }

    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        // The model stays where setup put it, whatever HOME the test gives memvault.
        let realHome = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
        env["MEMVAULT_MODEL_DIR"] = ProcessInfo.processInfo.environment["MEMVAULT_MODEL_DIR"]
            ?? realHome + "/.cache/memvault/models/all-MiniLM-L6-v2"
        env["HOME"] = home.path
        env["MEMVAULT_DIR"] = nil
        env["MEMVAULT_USER"] = nil
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        env["TZ"] = "Europe/Berlin"
        env["NO_COLOR"] = "1"
        return env
    }

    /// Runs `memvault args...` in `directory` (default: the vault) with optional standard input.
    @discardableResult
    func run(_ args: [String], stdin: [UInt8]? = nil, in directory: URL? = nil, env extra: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = args
        var env = environment
        for (k, v) in extra { env[k] = v }
        process.environment = env
        let dir = directory ?? (FileManager.default.fileExists(atPath: vault.path) ? vault : home)
        process.currentDirectoryURL = dir
        // Files rather than pipes: no deadlock on large output, no threads to coordinate.
        let tag = UUID().uuidString
        let outURL = home.appendingPathComponent(".stdout-\(tag)")
        let errURL = home.appendingPathComponent(".stderr-\(tag)")
        let inURL = home.appendingPathComponent(".stdin-\(tag)")
        defer {
            for url in [outURL, errURL, inURL] { try? FileManager.default.removeItem(at: url) }
        }
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: inURL.path, contents: Data(stdin ?? []))
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        let input = try FileHandle(forReadingFrom: inURL)
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        process.waitUntilExit()
        try? out.close()
        try? err.close()
        try? input.close()
        let outData = try Data(contentsOf: outURL), errData = try Data(contentsOf: errURL)
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Runs memvault and requires success; returns stdout.
    @discardableResult
    func ok(_ args: [String], stdin: [UInt8]? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try run(args, stdin: stdin)
        #expect(result.status == 0, "memvault \(args.joined(separator: " ")) failed: \(result.stderr)", sourceLocation: sourceLocation)
        return result.stdout
    }

    /// Runs stock git in the vault.
    @discardableResult
    func git(_ args: [String]) throws -> (status: Int32, output: String) {
        try Self.git(args, in: vault, environment: environment)
    }

    /// Runs stock git in `directory`.
    static func git(_ args: [String], in directory: URL, environment: [String: String]) throws -> (status: Int32, output: String) {
        try process("/usr/bin/git", args, in: directory, environment: environment)
    }

    /// Runs a program and returns its exit status and its stdout and stderr together.
    static func process(
        _ executable: String, _ args: [String], in directory: URL? = nil, environment: [String: String]? = nil
    ) throws -> (status: Int32, output: String) {
        try ChildProcess.run(executable, args, in: directory, environment: environment)
    }

    /// A snapshot of every file in the vault (outside .git and the cache), for "nothing written" checks.
    func snapshot() throws -> [String: Data] {
        try VaultFiles.snapshot(vault)
    }

    func read(_ relativePath: String) throws -> String {
        try String(contentsOf: vault.appendingPathComponent(relativePath), encoding: .utf8)
    }

    func write(_ relativePath: String, _ text: String) throws {
        let url = vault.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func commitCount() throws -> Int {
        Int(try git(["rev-list", "--count", "HEAD"]).output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }
}
