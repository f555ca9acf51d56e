import ArgumentParser
import Foundation
import Vault

extension Memvault {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show one memory, now or as it was in an earlier commit.",
            discussion: """
                Examples:
                  memvault show 01JD3K9X2F7Q8R3M
                  memvault show 01JD3K9X2F7Q8R3M@HEAD~3
                  memvault show 01JD3K9X2F7Q8R3M --json
                """)

        @OptionGroup var vaultOptions: VaultOptions

        @Argument(help: "The memory's id, or ID@REV for its text in a commit (a commit id, HEAD~N or a branch).", completion: VaultCompletion.ids)
        var id: String

        @Flag(help: "Print the memory as JSON.")
        var json = false

        func run() throws {
            try Output.run {
                let (vault, _) = try vaultOptions.open()
                let (memoryID, revision) = Vault.splitRevision(id)
                let memory = try revision.map { (revision) throws(VaultError) in try vault.show(id: memoryID, at: revision) }
                    ?? vault.show(id: memoryID)
                if json {
                    try Output.printJSON(memory)
                    Output.reportOtherKeyEntries(vault)
                    return
                }
                defer { Output.reportOtherKeyEntries(vault) }
                print(Output.style("\(memory.path):\(memory.line)", "2"))
                print(Output.style("\(memory.date ?? "(date encrypted)")  \(memory.tier.rawValue)  \(memory.id)", "1"))
                if let title = memory.title { print(Output.safe(title)) }
                var details: [String] = []
                if let src = memory.src { details.append("src: \(src)") }
                for (key, value) in memory.meta.sorted(by: { $0.key < $1.key }) { details.append("\(key): \(value)") }
                if !details.isEmpty { print(Output.style(Output.safe(details.joined(separator: "  ")), "2")) }
                print()
                print(memory.text.map(Output.safe) ?? "(locked: unlock the \(memory.tier.rawValue) tier to read it)")
            }
        }
    }
}
