import ArgumentParser
import Foundation
import Vault

extension Memvault {
    struct Clone: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "clone",
            abstract: "Copy a vault from a git remote to start a second device.",
            discussion: """
                Works with a path, file://, ssh:// (ssh-agent or ~/.ssh keys) or https:// URL \
                (GIT_USERNAME and GIT_PASSWORD). The remote becomes origin, so memvault sync needs no \
                arguments afterwards. Installs the same pre-commit hook as init. The vault's branch is \
                the remote's HEAD if that branch exists, else main, else the only branch. An empty \
                remote starts a new vault for $MEMVAULT_USER (else $USER), which memvault sync pushes.

                Examples:
                  memvault clone git@example.com:alice/memories.git ~/memories
                  memvault clone /mnt/usb/memories.git ~/memories
                """)

        @Argument(help: "The remote vault's URL or path.")
        var url: String

        @Argument(help: "The new folder for the vault; it must be empty or absent.")
        var path: String

        func run() throws {
            try Output.run {
                let environment = ProcessInfo.processInfo.environment
                let user = environment["MEMVAULT_USER"].flatMap { $0.isEmpty ? nil : $0 } ?? environment["USER"] ?? "me"
                let vault = try Vault.clone(from: url, to: URL(fileURLWithPath: path).standardizedFileURL, emptyRemoteUser: user)
                if vault.startedFromEmptyRemote {
                    print("the remote is empty: started a new vault at \(vault.root.path) (user \(user)); memvault sync pushes it")
                } else {
                    print("vault cloned to \(vault.root.path) (users: \(vault.config.users.joined(separator: ", ")))")
                }
            }
        }
    }
}
