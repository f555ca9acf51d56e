import Embedder
import Foundation
import Vault

/// `memvault-bench first-search VAULT|--model QUERY...`: where the time of one search goes in a fresh
/// process, as `memvault search` runs it (the model loading on another core while the index is
/// brought up to date). Prints the process's time up to the search, the vault's opening and the
/// search's phases; run it several times, each run is one cold process. With `--model` instead
/// of a vault: the model's load and a first and second query embedding alone. With `--warm N`
/// after the vault: N searches more in the same process, cycling through the QUERY arguments (each
/// one query), as a running `watch` answers them, with the p50 of each phase and of the whole.
enum FirstSearchBench {
    static func run(_ arguments: [String]) throws {
        guard arguments.count >= 2 else {
            throw VaultError(.badInput, "usage: memvault-bench first-search VAULT [--warm N]|--model QUERY...")
        }
        if arguments.count >= 4, arguments[1] == "--warm", let count = Int(arguments[2]), count > 0 {
            try warm(vault: arguments[0], count: count, queries: Array(arguments.dropFirst(3)))
            return
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

    /// Searches in one warm process (the model loaded once, the index kept): p50 per phase.
    private static func warm(vault path: String, count: Int, queries: [String]) throws {
        let clock = ContinuousClock()
        let vault = try Vault(at: URL(fileURLWithPath: path))
        let user = vault.config.defaultUser ?? vault.config.users.first ?? "alice"
        let embedder = try Embedder(modelDirectory: Embedder.defaultModelDirectory())
        _ = try vault.search(SearchRequest(query: "warm up"), user: user, embedder: embedder)
        var wholes: [Double] = []
        var phases: [String: [Double]] = [:]
        var order: [String] = []
        for i in 0..<count {
            let start = clock.now
            let response = try vault.search(SearchRequest(query: queries[i % queries.count]), user: user, embedder: embedder)
            wholes.append((clock.now - start).milliseconds)
            for phase in response.phases {
                if phases[phase.name] == nil { order.append(phase.name) }
                phases[phase.name, default: []].append(phase.ms)
            }
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        print(String(format: "%d warm searches: p50 %.1f ms; p50 per phase: ", count, median(wholes))
              + order.map { String(format: "%@ %.2f", $0, median(phases[$0]!)) }.joined(separator: ", "))
    }
}
