import ArgumentParser
import Foundation
import Vault

extension Memvault {
    struct Rm: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm",
            abstract: "Remove a memory and commit; its text stays in git history.",
            discussion: "Example:\n  memvault rm 01JD3K9X2F7Q8R3M")

        @OptionGroup var vaultOptions: VaultOptions

        @Argument(help: "The memory's id.", completion: VaultCompletion.ids)
        var id: String

        func run() throws {
            try Output.run {
                let (vault, _) = try vaultOptions.open()
                let removed = try vault.remove(id: id)
                print("removed \(removed.id) from \(removed.path)")
            }
        }
    }
}
