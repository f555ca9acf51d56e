import ArgumentParser
import Foundation
import Vault

extension Memvault {
    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "history",
            abstract: "Show every version of one memory, oldest first, with commit, date and author.",
            discussion: """
                Follows the memory by id across edits and moves between files. Read an old version \
                whole with memvault show ID@COMMIT; put it back with memvault restore ID@COMMIT.

                Examples:
                  memvault history 01JD3K9X2F7Q8R3M
                  memvault history 01JD3K9X2F7Q8R3M --json
                """)

        @OptionGroup var vaultOptions: VaultOptions

        @Argument(help: "The memory's id.", completion: VaultCompletion.ids)
        var id: String

        @Flag(help: "Print the versions as JSON.")
        var json = false

        func run() throws {
            try Output.run {
                let (vault, _) = try vaultOptions.open()
                let history = try vault.history(id: id)
                if json {
                    try Output.printJSON(history)
                    return
                }
                for (number, version) in history.versions.enumerated() {
                    if number > 0 { print() }
                    print(Output.style("\(version.commit.prefix(12))  \(version.date)  \(version.author)  \(version.memory.path):\(version.memory.line)", "1"))
                    print(version.memory.text.map(Output.safe) ?? "(locked: unlock the \(version.memory.tier.rawValue) tier to read it)")
                }
            }
        }
    }
}
