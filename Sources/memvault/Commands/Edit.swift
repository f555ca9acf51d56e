import ArgumentParser
import Foundation
import Vault

#if canImport(Glibc)
import Glibc
#endif

extension Memvault {
    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "edit",
            abstract: "Edit a memory, or this month's file, in $EDITOR; then commit.",
            discussion: """
                With an id, opens a copy of that memory; when the editor exits the memory is \
                replaced (if it changed) and committed. Without an id, opens this month's file of the \
                tier (--tier, default the vault's default tier), or its last part when the month is \
                continued in parts (2026-11.part2.md); new entries get ids and the file is committed.

                Examples:
                  memvault edit 01JD3K9X2F7Q8R3M
                  EDITOR=nano memvault edit --tier general
                """)

        @OptionGroup var vaultOptions: VaultOptions

        @Argument(help: "The memory's id; without it, this month's file.", completion: VaultCompletion.ids)
        var id: String?

        @Option(help: "With no id: the tier whose current file to open.", completion: VaultCompletion.tiers)
        var tier: String?

        func run() throws {
            try Output.run {
                let (vault, user) = try vaultOptions.open()
                if let id {
                    let (original, memory) = try vault.entryText(id: id)
                    // A private 0700 folder of our own, the file created exclusively; for an encrypted
                    // memory on a memory-backed file system, with an editor told to keep no copies.
                    let scratch = try ScratchFile(text: original, name: id, memoryBacked: memory.tier.isEncrypted)
                    defer { scratch.remove() }
                    try EditorLaunch.run(path: scratch.path, line: 1, sensitive: memory.tier.isEncrypted)
                    let edited = try scratch.read()
                    if let updated = try vault.replaceEntry(id: id, original: original, newText: edited) {
                        print("updated \(updated.id) in \(updated.path)")
                    } else {
                        print("\(memory.id) unchanged")
                    }
                } else {
                    let tier = try tier.map { try Tier(parsing: $0) } ?? vault.config.defaultTier
                    guard !tier.isEncrypted else {
                        throw VaultError(.badInput, "the \(tier.rawValue) tier's files are encrypted per memory and cannot be opened whole",
                            hint: "edit one memory: memvault edit ID")
                    }
                    let path = vault.currentFilePath(user: user, tier: tier)
                    let url = vault.fileURL(path)
                    try vault.prepareForEditor(path)
                    let lines = vault.fileText(path)?.split(separator: "\n", omittingEmptySubsequences: false).count ?? 1
                    try EditorLaunch.run(path: url.path, line: lines, sensitive: false)
                    if let (_, paths) = try vault.commitDirectEdits(message: "memvault: edit \(path)", only: [path]) {
                        print("committed \(paths.joined(separator: ", "))")
                    } else {
                        print("no changes")
                    }
                }
            }
        }
    }
}
