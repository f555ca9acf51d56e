import ArgumentParser
import Embedder
import Foundation
import MCPServer
import MemvaultSupport
import Vault

/// The MCP server behind `memvault mcp`, a program of its own so that the command line does not
/// load the MCP SDK and the networking libraries it links (libcurl and about thirty more) on every
/// start. `memvault mcp` checks its options, then replaces itself with this program (`execv`,
/// same folder, environment, standard input and output), passing `--vault`, `--user` and
/// `--client` as given.
@main
struct MemvaultMCP: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memvault-mcp",
        abstract: "The MCP server that `memvault mcp` runs (run that command instead).",
        discussion: """
            Serves the vault over the Model Context Protocol on standard input and output. \
            `memvault mcp --client NAME` checks its options and runs this program with them; \
            see `memvault mcp --help`.
            """,
        version: Release.version)

    @Option(help: "The vault's folder. Default: $MEMVAULT_DIR, else found from the current directory upward.")
    var vault: String?

    @Option(help: "The user whose memories to serve. Default: $MEMVAULT_USER, else the vault's default user.")
    var user: String?

    @Option(help: "The client's name, which selects its policy in memvault.toml ([mcp.clients.NAME]).")
    var client: String?

    func run() async throws {
        do {
            // The server never reads a passphrase: tiers open only through the key agent.
            let environment = ProcessInfo.processInfo.environment.filter { key, _ in
                !key.hasPrefix("MEMVAULT_PASSPHRASE_") && key != "MEMVAULT_KEY_FILE_ULTRASECRET"
            }
            let root = try Vault.locate(explicit: vault, environment: environment)
            let vault = try Vault(at: root, environment: environment)
            let user = try vault.resolveUser(user)
            let service = MemoryService(
                vault: vault, user: user, client: client,
                loadEmbedder: { try? Embedder(modelDirectory: Embedder.defaultModelDirectory()) })
            let server = MemvaultMCPServer(service: service)
            try await server.run(on: LineTransport(), version: Release.version)
        } catch let error as any ReportableError {
            // As the command line reports it (Sources/memvault/Output.swift): the line, then the hint.
            FileHandle.standardError.write(Data("memvault: error: \(error.description)\n".utf8))
            if let hint = error.hint { FileHandle.standardError.write(Data("hint: \(hint)\n".utf8)) }
            throw ExitCode(error.exitStatus.rawValue)
        }
    }
}
