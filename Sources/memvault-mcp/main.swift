import ArgumentParser
import Embedder
import Foundation
import MCPServer
import MemvaultSupport
import Vault

/// The MCP server behind `memvault mcp`, a program of its own so that the command line does not
/// load the MCP SDK and the networking libraries it links (libcurl and about thirty more) on every
/// start. `memvault mcp` checks its options and the vault, then replaces itself with this program
/// (`execve`, same standard input and output), passing the vault's folder and the user.
@main
struct MemvaultMCP: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memvault-mcp",
        abstract: "The MCP server that `memvault mcp` runs (run that command instead).",
        discussion: """
            Serves the vault over the Model Context Protocol on standard input and output. \
            `memvault mcp --client NAME` checks its options, finds the vault and the user, and \
            runs this program with them; see `memvault mcp --help`.
            """,
        version: Release.version)

    @Option(help: "The vault's folder.")
    var vault: String

    @Option(help: "The user whose memories to serve.")
    var user: String

    @Option(help: "The client's name, which selects its policy in memvault.toml ([mcp.clients.NAME]).")
    var client: String?

    func run() async throws {
        do {
            // The server never reads a passphrase: tiers open only through the key agent.
            let environment = ProcessInfo.processInfo.environment.filter { key, _ in
                !key.hasPrefix("MEMVAULT_PASSPHRASE_") && key != "MEMVAULT_KEY_FILE_ULTRASECRET"
            }
            let vault = try Vault(at: URL(fileURLWithPath: vault), environment: environment)
            let user = try vault.resolveUser(user)
            let service = MemoryService(
                vault: vault, user: user, client: client,
                loadEmbedder: { try? Embedder(modelDirectory: Embedder.defaultModelDirectory()) })
            let server = MemvaultMCPServer(service: service)
            try await server.run(on: LineTransport(), version: Release.version)
        } catch let error as any ReportableError {
            FileHandle.standardError.write(Data("memvault: error: \(error.description)\n".utf8))
            throw ExitCode(error.exitStatus.rawValue)
        }
    }
}
