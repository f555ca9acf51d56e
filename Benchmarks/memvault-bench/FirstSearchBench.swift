import Embedder
import Foundation
import Vault

/// `memvault-bench first-search VAULT|--model QUERY...`: where the time of one search goes in a fresh
/// process, as `memvault search` runs it (the model loading on another core while the index is
/// brought up to date). Prints the process's time up to the search, the vault's opening and the
/// search's phases; run it several times, each run is one cold process. With `--model` instead
/// of a vault: the model's load and a first and second query embedding alone.
enum FirstSearchBench {
    static func run(_ arguments: [String]) throws {
        guard arguments.count >= 2 else {
            throw VaultError(.badInput, "usage: memvault-bench first-search VAULT|--model QUERY...")
        }
        let clock = ContinuousClock()
        if arguments[0] == "--model" {
            // The model's part alone, in this fresh process: load, then a first (cold) and a second query embedding.
            let query = arguments.dropFirst().joined(separator: " ")
            let t0 = clock.now
            let embedder = try Embedder(modelDirectory: Embedder.defaultModelDirectory())
            let t1 = clock.now
            _ = embedder.embed([query])
            let t2 = clock.now
            _ = embedder.embed([query + " again"])
            let t3 = clock.now
            print(String(format: "model load %.1f ms, first query %.1f ms, second %.1f ms", (t1 - t0).milliseconds, (t2 - t1).milliseconds, (t3 - t2).milliseconds))
            return
        }
        let start = clock.now
        let vault = try Vault(at: URL(fileURLWithPath: arguments[0]))
        let opened = clock.now
        let user = vault.config.defaultUser ?? vault.config.users.first ?? "alice"
        let response = try vault.search(
            SearchRequest(query: arguments.dropFirst().joined(separator: " ")), user: user,
            loadingModel: { try? Embedder(modelDirectory: Embedder.defaultModelDirectory()) })
        let searched = clock.now
        print(String(format: "vault open %.1f ms, search %.1f ms: ", (opened - start).milliseconds, (searched - opened).milliseconds)
              + response.phases.map { String(format: "%@ %.1f", $0.name, $0.ms) }.joined(separator: ", "))
    }
}
