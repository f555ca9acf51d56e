import ArgumentParser
import Embedder
import Foundation
import MemoryContext
import Vault

extension Memvault {
    struct Context: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "context",
            abstract: "Print the memories most relevant to a prompt, within a token budget.",
            discussion: """
                Prompt-ready Markdown for an AI assistant: a one-line header saying what was left \
                out, then one line per memory, cited with its date and id. Ranked by hybrid search; \
                near-duplicates are folded; memories on one topic come newest first. The budget is a \
                hard limit: the count is never below what OpenAI's o200k_base or cl100k_base \
                encodings give for the block. The same vault and query give the same block.

                Examples:
                  memvault context "planning the Alps trip" --budget 1500
                  memvault context "Maria" --budget 800 --json | jq '.memories[].id'
                  memvault context "what do I eat" --tier general
                """)

        @OptionGroup var vaultOptions: VaultOptions

        @Argument(help: "The prompt or topic.")
        var query: [String]

        @Option(help: "The most tokens the block may take (at least \(ContextRequest.minimumBudget)).")
        var budget: Int = 1500

        @Option(name: .customLong("tier"), help: "Only this tier (repeatable). Default: every tier that can be read now.")
        var tiers: [String] = []

        @Flag(help: "Print the block and the memories in it as JSON.")
        var json = false

        func validate() throws {
            guard budget >= ContextRequest.minimumBudget else {
                throw ValidationError("--budget must be at least \(ContextRequest.minimumBudget)")
            }
            guard !query.joined(separator: " ").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw ValidationError("the query is empty")
            }
        }

        func run() throws {
            try Output.run {
                let (vault, user) = try vaultOptions.open()
                let tierSet: Set<Tier>? = tiers.isEmpty ? nil : Set(try tiers.map { try Tier(parsing: $0) })
                // The model loads on another core while the search brings the index up to date.
                let builder = ContextBuilder(vault: vault, user: user, loadingModel: {
                    try? Embedder(modelDirectory: Embedder.defaultModelDirectory())
                })
                let block = try builder.build(ContextRequest(query: query.joined(separator: " "), budget: budget, tiers: tierSet))
                for notice in block.notices { Output.printError("memvault: notice: \(notice)") }
                if json {
                    try Output.printJSON(block)
                } else {
                    FileHandle.standardOutput.write(Data(block.text.utf8))
                }
            }
        }
    }
}
