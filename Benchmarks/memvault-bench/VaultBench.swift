import Embedder
import Foundation
import MarkdownCodec
import SearchIndex
import Vault

/// `memvault-bench vault [N] [--search [--hash-vectors]]`: import rate, `add` wall time and parse
/// rate on an N-memory vault (default 100,000); with `--search` also the index build, warm hybrid
/// query, whole-CLI search, incremental update, index size and peak RSS. `--hash-vectors` builds
/// the index from hash-derived unit vectors instead of the model (queries still use the model).
///
/// The peer for `add` is stock git committing one changed file in the same vault, measured in the same run.
enum VaultBench {
    static func run(arguments: [String]) throws {
        let count = arguments.first.flatMap(Int.init) ?? 100_000
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("memvault-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: root) }
        let vaultURL = root.appendingPathComponent("vault")
        let vault = try Vault.create(at: vaultURL, user: "alice")

        // 1. import of `count` short memories over twelve years, two tiers.
        var generator = SystemRandomNumberGenerator()
        var lines: [String] = []
        lines.reserveCapacity(count)
        let words = ["coffee", "Maria", "museum", "run", "Isar", "book", "dinner", "Jonas", "garden", "work", "Tom", "trip", "Alps", "concert", "family"]
        for i in 0..<count {
            let year = 2015 + i % 12, month = 1 + (i / 12) % 12, day = 1 + (i / 144) % 28
            let text = (0..<12).map { _ in words.randomElement(using: &generator)! }.joined(separator: " ")
            let tier = i % 3 == 0 ? "general" : "chronological"
            lines.append("{\"text\": \"Memory \(i): \(text). #tag\(i % 50) @person\(i % 30)\", \"tier\": \"\(tier)\", \"date\": \"\(year)-\(String(format: "%02d", month))-\(String(format: "%02d", day)) \(String(format: "%02d", i % 24)):\(String(format: "%02d", i % 60))\"}")
        }
        let jsonl = Array((lines.joined(separator: "\n") + "\n").utf8)
        var start = Date()
        let ids = try vault.importRecords(jsonl, user: "alice")
        let importSeconds = Date().timeIntervalSince(start)
        print(String(format: "import: %d memories in %.2f s = %.0f memories/s (one commit)", ids.count, importSeconds, Double(ids.count) / importSeconds))

        // 2. parse every tier file.
        let files = try FileManager.default.subpathsOfDirectory(atPath: vaultURL.appendingPathComponent("alice").path)
            .filter { $0.hasSuffix(".md") }.map { vaultURL.appendingPathComponent("alice/" + $0) }
        let contents = try files.map { Array(try Data(contentsOf: $0)) }
        start = Date()
        var parsed = 0
        for bytes in contents { parsed += try EntryFile.parse(bytes).entries.count }
        let parseSeconds = Date().timeIntervalSince(start)
        print(String(format: "parse: %d entries in %d files in %.3f s = %.0f entries/s (%.1f MB/s)", parsed, files.count, parseSeconds,
                     Double(parsed) / parseSeconds, Double(contents.reduce(0) { $0 + $1.count }) / parseSeconds / 1e6))

        // 3. whole-CLI `add` into the vault, against stock `git commit` of one file.
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("memvault")
        var addTimes: [Double] = [], gitTimes: [Double] = []
        for i in 0..<21 {
            addTimes.append(try time(binary.path, ["add", "benchmark memory \(i) #bench", "--vault", vaultURL.path, "--tier", "general"]))
            let file = vaultURL.appendingPathComponent("alice/general/peer.md")
            try Data("## 2026-11-24 10:00\n\npeer \(i)\n".utf8).write(to: file)
            gitTimes.append(try time("/bin/sh", ["-c", "cd '\(vaultURL.path)' && git add alice/general/peer.md && git commit -q -m peer"]))
        }
        let addP50 = addTimes.sorted()[addTimes.count / 2] * 1000, gitP50 = gitTimes.sorted()[gitTimes.count / 2] * 1000
        print(String(format: "add (whole CLI, %d-memory vault): p50 %.1f ms; stock git add+commit of one file: p50 %.1f ms; ratio %.2f",
                     ids.count, addP50, gitP50, addP50 / gitP50))
        if arguments.contains("--search") {
            try searchBench(vault: vault, vaultURL: vaultURL, binary: binary, count: ids.count, fake: arguments.contains("--hash-vectors"))
        }
    }

    /// Random unit vectors from a hash of the text: builds a 100k index in seconds, for timing
    /// search when the real embedding of every memory (minutes) is not what is measured.
    struct HashVectors: SentenceEmbedding {
        func embed(_ texts: [String]) -> [[Float]] {
            texts.map { text in
                var state = UInt64(truncatingIfNeeded: text.hashValue) | 1
                var v = (0..<Embedder.dimension).map { _ -> Float in
                    state = state &* 6364136223846793005 &+ 1442695040888963407
                    return Float(Int64(bitPattern: state) >> 40) / Float(1 << 23)
                }
                let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
                for i in v.indices { v[i] /= norm }
                return v
            }
        }
        func embedMatrix(_ texts: [String]) -> [Float] { embed(texts).flatMap { $0 } }
    }

    static func searchBench(vault: Vault, vaultURL: URL, binary: URL, count: Int, fake: Bool) throws {
        let embedder = try Embedder(modelDirectory: Embedder.defaultModelDirectory())
        var start = Date()
        let report = try vault.reindex(full: true, embedder: fake ? HashVectors() : embedder)
        let buildSeconds = Date().timeIntervalSince(start)
        print(String(format: "index build%@: %d memories embedded and indexed in %.1f s = %.0f memories/s",
                     fake ? " (hash vectors, not the model)" : "", report.embedded, buildSeconds, Double(report.embedded) / buildSeconds))
        let indexDirectory = vaultURL.appendingPathComponent(".memvault/cache/index")
        var size = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: indexDirectory.path) {
            size += (try FileManager.default.attributesOfItem(atPath: indexDirectory.appendingPathComponent(name).path)[.size] as? Int) ?? 0
        }
        print(String(format: "index size on disk: %.1f MB (%d memories)", Double(size) / 1e6, count))

        let queries = ["coffee with Maria at the museum", "running along the river", "trip to the Alps", "dinner with family",
                       "concert last summer", "work on the garden", "book about a museum", "Jonas and Tom"]
        var warm: [Double] = []
        _ = try vault.search(SearchRequest(query: "warm up"), user: "alice", embedder: embedder)
        for i in 0..<200 {
            start = Date()
            _ = try vault.search(SearchRequest(query: queries[i % queries.count]), user: "alice", embedder: embedder)
            warm.append(Date().timeIntervalSince(start) * 1000)
        }
        warm.sort()
        print(String(format: "hybrid query, warm process: p50 %.1f ms, p95 %.1f ms", warm[100], warm[190]))

        var cli: [Double] = []
        for i in 0..<21 { cli.append(try time(binary.path, ["search", queries[i % queries.count], "--vault", vaultURL.path]) * 1000) }
        cli.sort()
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        print(String(format: "search, whole CLI run: p50 %.0f ms; peak RSS of a CLI run %.0f MB", cli[10], Double(usage.ru_maxrss) / 1024))

        // One edited entry, then the next refresh (in process, and as a whole `reindex` CLI run).
        var incremental: [Double] = [], incrementalCLI: [Double] = []
        let general = vaultURL.appendingPathComponent("alice/general")
        let first = try FileManager.default.contentsOfDirectory(atPath: general.path).filter { $0.hasSuffix(".md") }.sorted()[0]
        let file = general.appendingPathComponent(first)
        for i in 0..<10 {
            var text = try String(contentsOf: file, encoding: .utf8)
            text = text.replacingOccurrences(of: "Memory ", with: "Memory\(i) ", options: [], range: text.range(of: "Memory "))
            try Data(text.utf8).write(to: file)
            start = Date()
            let update = try vault.reindex(full: false, embedder: embedder)
            incremental.append(Date().timeIntervalSince(start) * 1000)
            precondition(update.embedded == 1, "expected one re-embedded entry, got \(update.embedded)")
            try Data(text.replacingOccurrences(of: "Memory\(i) ", with: "Memory \(i)x ").utf8).write(to: file)
            incrementalCLI.append(try time(binary.path, ["reindex", "--vault", vaultURL.path]) * 1000)
        }
        incremental.sort()
        incrementalCLI.sort()
        print(String(format: "incremental update after one edited entry: p50 %.0f ms in process, %.0f ms as a whole reindex CLI run", incremental[5], incrementalCLI[5]))
    }

    /// Wall time of one process run, in seconds; fails if it fails.
    static func time(_ executable: String, _ arguments: [String]) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        let start = Date()
        try process.run()
        process.waitUntilExit()
        let seconds = Date().timeIntervalSince(start)
        guard process.terminationStatus == 0 else { throw VaultError(.badInput, "\(executable) \(arguments.first ?? "") failed") }
        return seconds
    }
}

/// `memvault-bench hash-index VAULT`: indexes an existing vault with hash vectors (for profiling search).
enum HashIndexBench {
    static func run(arguments: [String]) throws {
        guard let path = arguments.first else { throw VaultError(.badInput, "usage: memvault-bench hash-index VAULT") }
        let vault = try Vault(at: URL(fileURLWithPath: path))
        let start = Date()
        let report = try vault.reindex(full: true, embedder: VaultBench.HashVectors())
        print(String(format: "indexed %d memories with hash vectors in %.1f s", report.entries, Date().timeIntervalSince(start)))
    }
}
