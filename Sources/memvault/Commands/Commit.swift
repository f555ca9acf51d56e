import ArgumentParser
import Foundation
import Vault

extension Memvault {
    struct Commit: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "commit",
            abstract: "Record direct edits to the vault's files as one commit.",
            discussion: """
                Gives id-less memories their ids first (inserting only the id line). Files that are \
                not valid UTF-8 are refused. The cache under .memvault/cache is never committed.

                Example:
                  vim alice/general/2026-11.md && memvault commit -m "notes from the trip"
                """)

        @OptionGroup var vaultOptions: VaultOptions

        @Flag(help: "Write text that looks like a credential (API key, card number, password line) to a plain-text tier anyway.")
        var allowSecret = false


        @Option(name: .shortAndLong, help: "The commit message. Default: memvault: commit direct edits (N files).")
        var message: String?

        func run() throws {
            try Output.run {
                let (vault, _) = try vaultOptions.open()
                if let (commit, paths) = try vault.commitDirectEdits(message: message, allowSecrets: allowSecret) {
                    print("committed \(paths.count) \(paths.count == 1 ? "file" : "files") as \(commit.prefix(12))")
                } else {
                    print("nothing to commit")
                }
                Output.mentionOtherFiles(vault)
            }
        }
    }
}
