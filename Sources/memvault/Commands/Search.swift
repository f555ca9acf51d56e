import ArgumentParser
import Embedder
import Foundation
import SearchIndex
import Vault

extension SearchMode: ExpressibleByArgument {}

extension Memvault {
    struct Search: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "search",
            abstract: "Search memories by meaning and by words.",
            discussion: """
                Hybrid by default: BM25 over titles, text, tags and mentions, fused with cosine \
                similarity of all-MiniLM-L6-v2 embeddings. The index under .memvault/cache is brought \
                up to date first. A memory longer than the model's window is embedded passage by \
                passage and scores its best passage, which its snippet then shows. In hybrid mode the \
                turns of a conversation (memories next to each other in a file, the same day) lend each \
                other score, so a reply found only through the turn before it is returned too. Dates take YYYY-MM-DD, YYYY-MM, 7d, 2w, today, yesterday, last week, \
                last month, last year. Unlocked encrypted tiers are searched with the others and ranked \
                together; locked ones are not, and the output names them. While `memvault watch` runs \
                on the vault, it answers searches that read no encrypted tier with the model already \
                loaded (the same results, sooner); see docs/watch.md.

                Examples:
                  memvault search "when did I last see Maria"
                  memvault search penicillin --mode lexical --tier general
                  memvault search "trip to the Alps" --since 2023-05 --until "last week" -k 20 --json
                """)

        @OptionGroup var vaultOptions: VaultOptions

        @Argument(help: "What to look for.")
        var query: [String]

        @Option(name: .short, help: "How many results.")
        var k: Int = 10

        @Option(help: "semantic, lexical or hybrid.")
        var mode: SearchMode = .hybrid

        @OptionGroup var filters: FilterOptions

        @Flag(help: "Search every user's memories, not only the current user's.")
        var allUsers = false

        @Flag(help: "Print results as JSON.")
        var json = false

        func validate() throws {
            guard k >= 1 else { throw ValidationError("-k must be at least 1") }
        }

        func run() throws {
            try Output.run {
                let text = query.joined(separator: " ")
                let modelDirectory = Embedder.defaultModelDirectory()
                let loadModel: @Sendable () -> Embedder? = { try? Embedder(modelDirectory: modelDirectory) }
                // Unless a running `watch` may answer (or nothing is to be embedded), the model loads
                // and the query embeds on the other core from here, while this thread opens the vault
                // and its index.
                let root = try vaultOptions.root()
                let embeds = mode != .lexical && !text.allSatisfy(\.isWhitespace)
                let prepared = embeds && !Vault.watchMayAnswer(root: root) ? QueryPreparation(query: text, loadingModel: loadModel) : nil
                defer { prepared?.finish() }
                let (vault, user) = try vaultOptions.open(at: root)
                var request = SearchRequest(query: text, k: k, mode: mode)
                request.filter = try filters.filter(timeZone: vault.config.timeZone)
                if allUsers { request.users = Set(vault.config.users) }
                let response: SearchResponse
                if let prepared {
                    response = try vault.search(request, user: user, prepared: prepared)
                } else if let warm = vault.warmSearch(request, user: user, modelDirectory: modelDirectory.path) {
                    // A running `memvault watch` answered, with the model and the index warm.
                    response = warm
                } else {
                    // The model loads on another core while the index is brought up to date.
                    response = try vault.search(request, user: user, loadingModel: mode == .lexical ? { nil } : loadModel)
                }
                for notice in response.notices { Output.printError("memvault: notice: \(notice)") }
                defer { Output.reportOtherKeyEntries(vault) }
                if json {
                    try Output.printJSON(response)
                    return
                }
                let words = Set(request.query.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init).filter { $0.count >= 3 })
                for (rank, result) in response.results.enumerated() {
                    // No date: an encrypted memory whose date the index does not hold, or a plain one written without one.
                    let undated = Tier(rawValue: result.tier)?.isEncrypted == true ? "(encrypted)" : "(no date)"
                    let date = result.date.map { String($0.prefix(16).map { $0 == "T" ? " " : $0 }) } ?? undated
                    let number = (rank < 9 ? " " : "") + "\(rank + 1)."
                    print("\(Output.style(number, "1")) \(Output.style(date, "2"))  \(result.tier)  \(Output.style("\(result.path):\(result.line)", "36"))")
                    if let title = result.title { print("    " + Output.style(Output.safe(title), "1")) }
                    if !result.snippet.isEmpty { print("    " + highlight(Output.safe(result.snippet), words)) }
                }
                if response.results.isEmpty { print("no results") }
                if !response.locked.isEmpty {
                    print("not searched: \(response.locked.map { "\($0) (locked)" }.joined(separator: ", "))")
                }
            }
        }

        /// Bold for the query's words, on a terminal only.
        private func highlight(_ text: String, _ words: Set<String>) -> String {
            guard Output.stdoutIsTerminal, !words.isEmpty else { return text }
            return text.split(separator: " ", omittingEmptySubsequences: false).map { word in
                let bare = word.lowercased().trimmingCharacters(in: .punctuationCharacters)
                return words.contains(where: { bare.hasPrefix($0) }) ? Output.style(String(word), "1;33") : String(word)
            }.joined(separator: " ")
        }
    }
}
