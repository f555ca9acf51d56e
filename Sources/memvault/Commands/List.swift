import ArgumentParser
import Foundation
import Vault

extension Memvault {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List memories, newest first.",
            discussion: """
                Examples:
                  memvault list --since 2026-11-01
                  memvault list --tier general --tag friends --json
                """)

        @OptionGroup var vaultOptions: VaultOptions
        @OptionGroup var filters: FilterOptions

        @Option(name: [.customShort("n"), .long], help: "Show at most this many.")
        var limit: Int?

        @Flag(help: "Print {\"memories\": [...]} as JSON.")
        var json = false

        func run() throws {
            try Output.run {
                let (vault, user) = try vaultOptions.open()
                let memories = try vault.memories(user: user, filter: try filters.filter(timeZone: vault.config.timeZone), limit: limit)
                if json {
                    try Output.printJSON(["memories": memories])
                    Output.reportOtherKeyEntries(vault)
                    return
                }
                for memory in memories { print(MemoryFormat.line(memory)) }
                Output.reportOtherKeyEntries(vault)
            }
        }
    }
}
