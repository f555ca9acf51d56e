import ArgumentParser
import Foundation
import Vault

extension Memvault {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write every memory as JSON Lines to standard output.",
            discussion: """
                One memory object per line, oldest first, with id, src and meta as stored, so that \
                memvault import reads it back with the same ids: export, then import into a new vault, \
                gives the same records. Memories of encrypted tiers are written decrypted when their \
                tier is unlocked (import encrypts them again to the new vault's keys); a locked tier's \
                are written without text, with a notice, and do not import back.

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

        func run() throws {
            try Output.run {
                let (vault, user) = try vaultOptions.open()
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                var out = Data()
                let memories = try vault.exportMemories(user: allUsers ? nil : user)
                let locked = memories.filter { $0.text == nil }
                if !locked.isEmpty {
                    // Such records do not import back: say so, so a backup is never silently incomplete.
                    let tiers = Set(locked.map(\.tier.rawValue)).sorted().joined(separator: ", ")
                    Output.printError("memvault: notice: \(locked.count) memories of locked tiers (\(tiers)) exported without their text; unlock them for a backup that imports back")
                }
                for memory in memories {
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
