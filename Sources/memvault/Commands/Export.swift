import ArgumentParser
import Foundation
import Vault

extension Memvault {
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write every memory as JSON Lines to standard output.",
            discussion: """
                One memory object per line, oldest first, with id, src and meta as stored, so that \
                memvault import reads it back with the same ids.

                Examples:
                  memvault export > backup.jsonl
                  memvault export --all-users --format jsonl
                """)

        enum Format: String, ExpressibleByArgument, CaseIterable { case jsonl }

        @OptionGroup var vaultOptions: VaultOptions

        @Option(help: "The output format.")
        var format: Format = .jsonl

        @Flag(help: "Export every user's memories, not only the current user's.")
        var allUsers = false

        func run() async throws {
            try await Output.run {
                let (vault, user) = try vaultOptions.open()
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                var out = Data()
                for memory in try vault.exportMemories(user: allUsers ? nil : user) {
                    out += try encoder.encode(memory)
                    out += Data("\n".utf8)
                    if out.count > 1 << 20 {
                        FileHandle.standardOutput.write(out)
                        out.removeAll(keepingCapacity: true)
                    }
                }
                FileHandle.standardOutput.write(out)
                Output.reportOtherKeyEntries(vault)
            }
        }
    }
}
