import ArgumentParser
import Foundation
import Vault

extension Memvault {
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one memory.",
            discussion: """
                Examples:
                  memvault show 01JD3K9X2F7Q8R3M
                  memvault show 01JD3K9X2F7Q8R3M --json
                """)

        @OptionGroup var vaultOptions: VaultOptions

        @Argument(help: "The memory's id.")
        var id: String

        @Flag(help: "Print the memory as JSON.")
        var json = false

        func run() async throws {
            try await Output.run {
                let (vault, _) = try vaultOptions.open()
                let memory = try vault.show(id: id)
                if json {
                    try Output.printJSON(memory)
                    return
                }
                print(Output.style("\(memory.path):\(memory.line)", "2"))
                print(Output.style("\(memory.date ?? "(date sealed)")  \(memory.tier.rawValue)  \(memory.id)", "1"))
                if let title = memory.title { print(title) }
                var details: [String] = []
                if let src = memory.src { details.append("src: \(src)") }
                for (key, value) in memory.meta.sorted(by: { $0.key < $1.key }) { details.append("\(key): \(value)") }
                if !details.isEmpty { print(Output.style(details.joined(separator: "  "), "2")) }
                print()
                print(memory.text ?? "(locked: unlock the \(memory.tier.rawValue) tier to read it)")
            }
        }
    }
}
