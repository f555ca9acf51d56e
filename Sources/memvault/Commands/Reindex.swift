import ArgumentParser
import Embedder
import Foundation
import Vault

extension Memvault {
    struct Reindex: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reindex",
            abstract: "Bring the search index up to date; --full rebuilds it.",
            discussion: """
                Searches update the index by themselves; reindex does it ahead of time (after a \
                large import, say). Only entries whose text changed are embedded again.

                Examples:
                  memvault reindex
                  memvault reindex --full --json
                """)

        @OptionGroup var vaultOptions: VaultOptions

        @Flag(help: "Re-read every file and re-embed every memory.")
        var full = false

        @Flag(help: "Print the counts as JSON.")
        var json = false

        func run() throws {
            try Output.run {
                let (vault, _) = try vaultOptions.open()
                var embedder: Embedder?
                do {
                    embedder = try Embedder(modelDirectory: Embedder.defaultModelDirectory())
                } catch {
                    Output.printError("memvault: notice: \(error)")
                }
                let report = try vault.reindex(full: full, embedder: embedder)
                for notice in report.notices { Output.printError("memvault: notice: \(notice)") }
                if json {
                    try Output.printJSON(report)
                } else {
                    print("index: \(report.entries) memories, \(report.withVectors) with vectors; read \(report.filesRead) files, embedded \(report.embedded), removed \(report.removed)")
                }
            }
        }
    }
}
