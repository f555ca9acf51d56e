import ArgumentParser
import Foundation
import Vault

extension Memvault {
    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a vault from the template, as a git repository, with its first user.",
            discussion: """
                Copies vault-template (memvault.toml, .gitignore, .memvault/), makes a git repository \
                and commits. Run in an existing vault with a new --user to add that user.

                Examples:
                  memvault init ~/memories --user alice
                  memvault init --vault ~/memories --user bob
                  memvault init ~/memories --user alice --remote git@example.com:alice/memories.git
                """)

        @OptionGroup var vaultOptions: VaultOptions

        @Argument(help: "The folder for the new vault. Default: --vault, else the current directory.")
        var path: String?

        @Option(help: "A git remote (URL or path) to sync with, added as origin. A second device starts with memvault clone instead.")
        var remote: String?

        func run() async throws {
            try await Output.run {
                let folder = path ?? vaultOptions.vault ?? ProcessInfo.processInfo.environment["MEMVAULT_DIR"] ?? "."
                let url = URL(fileURLWithPath: folder).standardizedFileURL
                let user = vaultOptions.user ?? ProcessInfo.processInfo.environment["MEMVAULT_USER"]
                    ?? ProcessInfo.processInfo.environment["USER"] ?? "me"
                let vault = try Vault.create(at: url, user: user)
                if let remote { try vault.addRemote(name: "origin", url: remote) }
                print("vault ready at \(vault.root.path) (user \(user))")
            }
        }
    }
}
