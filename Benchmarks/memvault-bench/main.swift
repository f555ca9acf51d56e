// memvault-bench: release-build benchmarks that print figures (docs/benchmarks.md).
// Usage: memvault-bench <benchmark> [options]; each benchmark is one subcommand.
import Foundation

let benchmarks: [(name: String, summary: String, run: ([String]) throws -> Void)] = [
    ("classify", "tier classifier: confusion matrices beside the rules alone and the keyword baseline, speed [--misses] [--set FILE] [--quality-only] [--speed-only] [--raise T]; --train [--seed N] trains the learned scorer; --probe measures a linear probe on the model's embeddings beside it; --frontier [--seed N]: the trade-off rules + a learned score reach on sets it never saw", ClassifyBench.run),
    ("crypto", "age: throughput, per-entry cost, unlock time per tier", CryptoBench.run),
    ("digest", "daily digest of a 200-memory day in a 100k vault [N] [--base DIR]: stale and fresh index, peak RSS", DigestBench.run),
    ("embed", "embedder: model load, one-text latency, batch throughput", EmbedBenchmark.run),
    ("eval", "retrieval quality: recall@5, recall@10 and MRR per search mode", EvalBench.run),
    ("import", "importers: memories/s per source, peak RSS of a 500 MB ChatGPT import [--chatgpt-mb N] [--records N]", ImportBench.run),
    ("mcp", "memvault mcp through stdio on a 100k vault [N]: start to initialize, warm memory_search, memory_context, memory_add", MCPBench.run),
    ("index", "vector and lexical index: build, exact top-10 latency, size", IndexBench.run),
    ("encrypted-index", "encrypted index: search over an unlocked 2,000-entry secret tier, first and later queries", EncryptedIndexBench.run),
    ("sync", "sync: no-op sync of a 100k vault, merge of two devices' 1,000 additions each", SyncBench.run),
    ("first-search", "one search in this fresh process, as the CLI runs it: VAULT QUERY... (its phases), or --model QUERY... (the model alone)", FirstSearchBench.run),
    ("hash-index", "index an existing vault with hash vectors instead of the model (for profiling search)", HashIndexBench.run),
    ("vault", "vault: import, parse, add [N] [--search: index build, search, incremental]", VaultBench.run),
]

let arguments = Array(CommandLine.arguments.dropFirst())
guard let name = arguments.first, let benchmark = benchmarks.first(where: { $0.name == name }) else {
    var usage = "usage: memvault-bench <benchmark> [options]\n"
    for benchmark in benchmarks { usage += "  \(benchmark.name)\t\(benchmark.summary)\n" }
    FileHandle.standardError.write(Data(usage.utf8))
    exit(64)
}
do {
    try benchmark.run(Array(arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("memvault-bench: error: \(error)\n".utf8))
    exit(1)
}
