import ArgumentParser
import Foundation
import Vault

#if canImport(Glibc)
import Glibc
#endif

extension Memvault {
    struct Edit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Edit a memory, or this month's file, in $EDITOR; then commit.",
            discussion: """
                With an id, opens a copy of that memory; when the editor exits the memory is \
                replaced (if it changed) and committed. Without an id, opens this month's file of the \
                tier (--tier, default the vault's default tier); new entries get ids and the file is \
                committed.

                Examples:
                  memvault edit 01JD3K9X2F7Q8R3M
                  EDITOR=nano memvault edit --tier general
                """)

        @OptionGroup var vaultOptions: VaultOptions

        @Argument(help: "The memory's id; without it, this month's file.", completion: VaultCompletion.ids)
        var id: String?

        @Option(help: "With no id: the tier whose current file to open.", completion: VaultCompletion.tiers)
        var tier: String?

        func run() async throws {
            try await Output.run {
                let (vault, user) = try vaultOptions.open()
                if let id {
                    let (original, memory) = try vault.entryText(id: id)
                    let edited: String
                    if memory.tier.isEncrypted {
                        // The plaintext only ever lives in memory-backed storage.
                        let scratch = try ScratchFile(text: original, name: id)
                        defer { scratch.remove() }
                        try runEditor(scratch.path, line: 1)
                        edited = try scratch.read()
                    } else {
                        let temp = FileManager.default.temporaryDirectory
                            .appendingPathComponent("memvault-edit-\(getpid())-\(id).md")
                        try Data(original.utf8).write(to: temp)
                        defer { try? FileManager.default.removeItem(at: temp) }
                        try runEditor(temp.path, line: 1)
                        let data = try Data(contentsOf: temp)
                        guard let text = String(validating: data, as: UTF8.self) else {
                            throw VaultError(.badInput, "the edited text is not valid UTF-8; nothing changed")
                        }
                        edited = text
                    }
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
                    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                    let lines = (try? String(contentsOf: url, encoding: .utf8))?.split(separator: "\n", omittingEmptySubsequences: false).count ?? 1
                    try runEditor(url.path, line: lines)
                    if let (_, paths) = try vault.commitDirectEdits(message: "memvault: edit \(path)", only: [path]) {
                        print("committed \(paths.joined(separator: ", "))")
                    } else {
                        print("no changes")
                    }
                }
            }
        }

        /// Runs $VISUAL or $EDITOR (else vi) on `path`, waiting for it.
        private func runEditor(_ path: String, line: Int) throws {
            let environment = ProcessInfo.processInfo.environment
            let editor = environment["VISUAL"].flatMap { $0.isEmpty ? nil : $0 }
                ?? environment["EDITOR"].flatMap { $0.isEmpty ? nil : $0 } ?? "vi"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            let quoted = "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'"
            let lineArgument = ["vi", "vim", "nvim", "nano", "emacs"].contains((editor as NSString).lastPathComponent) ? "+\(line) " : ""
            process.arguments = ["-c", "\(editor) \(lineArgument)\(quoted)"]
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw VaultError(.badInput, "the editor exited with status \(process.terminationStatus); nothing changed")
            }
        }
    }
}
