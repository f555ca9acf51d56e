import Foundation
import MCP
import MCPServer
import TestSupport
import Testing
import Vault

/// A temporary vault, a server on it for one client name, and the SDK's own `Client` talking
/// to it over an in-memory transport.
final class Harness: @unchecked Sendable {  // used from one test at a time
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    let home: URL
    let root: URL
    let environment: [String: String]
    /// The vault as the test (a person at the command line) sees it: every tier.
    let setup: Vault

    init(mcpSettings: String = "") throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("memvault-mcp-\(UUID().uuidString)")
        root = home.appendingPathComponent("vault")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = home.path
        environment["XDG_RUNTIME_DIR"] = home.path
        environment["MEMVAULT_DEBUG_SCRYPT_WORK_FACTOR"] = "10"  // command-line children, debug builds only
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["TZ"] = "Europe/Berlin"
        for key in environment.keys where key.hasPrefix("MEMVAULT_PASSPHRASE_") || key == "MEMVAULT_DIR" || key == "MEMVAULT_USER" {
            environment[key] = nil
        }
        self.environment = environment
        setup = try Vault.create(at: root, user: "alice", environment: environment)
        setup.scryptWorkFactorLimit = 10  // fast keys for tests; the command line never lowers it
        if !mcpSettings.isEmpty { try appendSettings(mcpSettings) }
    }

    deinit {
        try? FileManager.default.removeItem(at: home)
    }

    func appendSettings(_ text: String) throws {
        let url = root.appendingPathComponent("memvault.toml")
        let old = try String(contentsOf: url, encoding: .utf8)
        try (old + "\n" + text + "\n").write(to: url, atomically: true, encoding: .utf8)
    }

    /// A server for `client` with its own `Vault` object (as `memvault mcp` has), and a connected client.
    func connect(client name: String?) async throws -> (client: Client, service: MemoryService) {
        let vault = try Vault(at: root, environment: environment)
        let service = MemoryService(vault: vault, user: "alice", client: name, loadEmbedder: { nil })
        let server = await MemvaultMCPServer(service: service).makeServer(version: "test")
        let (clientTransport, serverTransport) = await InMemoryTransport.createConnectedPair()
        try await server.start(transport: serverTransport)
        let client = Client(name: "memvault-tests", version: "1")
        try await client.connect(transport: clientTransport)
        servers.append(server)
        return (client, service)
    }

    private var servers: [Server] = []

    /// Adds a memory as the command line would (full access).
    @discardableResult
    func add(_ text: String, tier: Tier, title: String? = nil, date: String = "2026-11-20 10:00") throws -> String {
        try setup.add(NewMemory(text: text, tier: tier, date: DateText.parseUserDate(date, timeZone: setup.config.timeZone), title: title), user: "alice").id
    }

    /// Runs the built `memvault` binary on this vault.
    func cli(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = BuiltProducts.executable()
        process.arguments = arguments + ["--vault", root.path]
        var env = environment
        env["MEMVAULT_MODEL_DIR"] = home.appendingPathComponent("no-model").path
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}

/// One tool call's whole result.
func call(_ client: Client, _ tool: String, _ arguments: [String: Value] = [:]) async throws -> CallTool.Result {
    try await client.send(CallTool.request(.init(name: tool, arguments: arguments))).value
}

extension CallTool.Result {
    var text: String {
        content.compactMap { if case .text(let text, _, _) = $0 { text } else { nil } }.joined(separator: "\n")
    }

    var failed: Bool { isError == true }

    /// Everything the client received, as one string, to search for words that must not be there.
    var everything: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    subscript(_ key: String) -> Value? { structuredContent?.objectValue?[key] }
}
