import ArgumentParser
import Foundation
import MemvaultSupport
import Vault

extension Memvault {
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add many memories from a JSON Lines file in one commit.",
            discussion: """
                One JSON object per line; only "text" is required:
                  {"text": "Had coffee with Maria", "tier": "general", "date": "2023-05-08T13:56:00Z",
                   "title": "Coffee", "tags": ["friends"], "src": "chat:D1:3", "meta": {"any": "string"}}
                Every line is checked before anything is written: one bad line imports nothing and \
                is reported with its line number. An "id" (as export writes it) is kept. \
                "tier": "auto" lets the classifier choose the record's tier from its text.

                Examples:
                  memvault import old-notes.jsonl
                  memvault export | memvault import --vault ~/other -
                """)

        @OptionGroup var vaultOptions: VaultOptions

        @Flag(help: "Write text that looks like a credential (API key, card number, password line) to a plain-text tier anyway.")
        var allowSecret = false


        @Argument(help: "The JSON Lines file, or - for standard input.")
        var file: String

        func run() async throws {
            try await Output.run {
                let (vault, user) = try vaultOptions.open()
                let bytes: [UInt8]
                if file == "-" {
                    bytes = Array(FileHandle.standardInput.readDataToEndOfFile())
                } else {
                    guard let read = try AtomicFile.read(URL(fileURLWithPath: file)) else {
                        throw VaultError(.badInput, "no such file", at: file)
                    }
                    bytes = read
                }
                let ids = try vault.importRecords(bytes, user: user, allowSecrets: allowSecret, progress: Output.progress("importing"))
                print("imported \(ids.count) \(ids.count == 1 ? "memory" : "memories")")
            }
        }
    }
}
