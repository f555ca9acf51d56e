import ArgumentParser

extension Memvault {
    /// Placeholder until the embedder issue lands.
    struct Embed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print raw sentence embeddings of texts, for scripts.")
        @OptionGroup var vaultOptions: VaultOptions
        @Argument(help: "Texts to embed; - reads one text per line from standard input.")
        var texts: [String] = []
        func run() async throws {
            throw ValidationError("embed is not available yet")
        }
    }
}
