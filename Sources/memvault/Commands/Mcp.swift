import ArgumentParser
import Foundation

extension Memvault {
    struct Mcp: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mcp",
            abstract: "Serve the vault to AI assistants over the Model Context Protocol (stdio).",
            discussion: """
                Reads JSON-RPC from standard input and answers on standard output until the client \
                closes it; diagnostics go to standard error. The client name picks its policy in \
                memvault.toml ([mcp] default_tiers, [mcp.clients.NAME] tiers and write); without \
                one a client sees the plain tiers and may write. Encrypted tiers are served only \
                when granted and already unlocked in the key agent (memvault unlock); the server \
                never asks for or reads a passphrase. Ultrasecret is never served.

                Examples:
                  claude mcp add memvault -- memvault mcp --client claude-code
                  memvault mcp --client cursor --vault ~/memories
                """)

        @OptionGroup var vaultOptions: VaultOptions

        @Option(help: "The client's name, which selects its policy in memvault.toml ([mcp.clients.NAME]).")
        var client: String?

        func validate() throws {
            if let client {
                guard !client.isEmpty, client.count <= 64,
                    client.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0) })
                else {
                    throw ValidationError("--client takes a name of letters, digits, '-', '_' and '.'")
                }
            }
        }

        func run() throws {
            // The server finds the vault and the user itself (same folder, same environment),
            // so the settings are read once, by the process that serves.
            try Output.run {
                var arguments: [String] = []
                if let vault = vaultOptions.vault { arguments += ["--vault", vault] }
                if let user = vaultOptions.user { arguments += ["--user", user] }
                if let client { arguments += ["--client", client] }
                try ServerProgram.replaceProcess(with: "memvault-mcp", arguments: arguments)
            }
        }
    }
}
