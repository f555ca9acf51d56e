import Embedder
import Foundation
import ProcessTimer
import MarkdownCodec
import SearchIndex
import Vault

/// `memvault-bench vault [N] [--search [--hash-vectors] [--compare OLD_BIN_DIR]]`: import rate, `add`
/// wall time and parse rate on an N-memory vault (default 100,000); with `--search` also the index
/// build, index size, phases of a first and of warm searches, warm hybrid query p50/p95, whole-CLI
/// search and incremental update (wall, CPU, peak RSS). `--hash-vectors` builds the index from
/// hash-derived unit vectors instead of the model (queries still use the model). `--compare` runs
/// the `memvault` and `memvault-bench` of an older build in OLD_BIN_DIR on a copy of the vault,
/// alternating with this build's runs, so both sets of figures come from the same minutes.
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
        // Stock git fsyncs nothing for a commit of loose objects; memvault fsyncs its journal, the
        // file and (through libgit2) every object, the index and the ref, so git with
        // `core.fsync=all` is the like-for-like peer, printed beside the stock one.
        var addTimes: [Double] = [], gitTimes: [Double] = [], durableGitTimes: [Double] = []
        let file = vaultURL.appendingPathComponent("alice/general/peer.md")
        for i in 0..<21 {
            addTimes.append(try time(binary.path, ["add", "benchmark memory \(i) #bench", "--vault", vaultURL.path, "--tier", "general"]))
            try Data("## 2026-11-24 10:00\n\npeer \(i)\n".utf8).write(to: file)
            gitTimes.append(try time("/bin/sh", ["-c", "cd '\(vaultURL.path)' && git add alice/general/peer.md && git commit -q -m peer"]))
            try Data("## 2026-11-24 10:00\n\ndurable peer \(i)\n".utf8).write(to: file)
            let durable = "git -c core.fsync=all -c core.fsyncMethod=fsync"
            durableGitTimes.append(try time(
                "/bin/sh", ["-c", "cd '\(vaultURL.path)' && \(durable) add alice/general/peer.md && \(durable) commit -q -m peer"]))
        }
        func p50(_ times: [Double]) -> Double { times.sorted()[times.count / 2] * 1000 }
        let addP50 = p50(addTimes), gitP50 = p50(gitTimes), durableP50 = p50(durableGitTimes)
        print(String(format: "add (whole CLI, %d-memory vault): p50 %.1f ms; stock git add+commit of one file: p50 %.1f ms; ratio %.2f",
                     ids.count, addP50, gitP50, addP50 / gitP50))
        print(String(format: "  git add+commit with core.fsync=all (durable like memvault's): p50 %.1f ms; ratio %.2f", durableP50, addP50 / durableP50))
        if arguments.contains("--search") {
            let old = arguments.firstIndex(of: "--compare").flatMap { arguments.indices.contains($0 + 1) ? URL(fileURLWithPath: arguments[$0 + 1]) : nil }
            try searchBench(vault: vault, vaultURL: vaultURL, binary: binary, count: ids.count, fake: arguments.contains("--hash-vectors"), old: old)
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

    static func searchBench(vault: Vault, vaultURL: URL, binary: URL, count: Int, fake: Bool, old: URL?) throws {
        let embedder = try Embedder(modelDirectory: Embedder.defaultModelDirectory())
        var start = Date()
        let report = try vault.reindex(full: true, embedder: fake ? HashVectors() : embedder)
        let buildSeconds = Date().timeIntervalSince(start)
        print(String(format: "index build%@: %d memories embedded and indexed in %.1f s = %.0f memories/s",
                     fake ? " (hash vectors, not the model)" : "", report.embedded, buildSeconds, Double(report.embedded) / buildSeconds))
        let indexDirectory = vaultURL.appendingPathComponent(".memvault/cache/index")
        var size = 0
        var names: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: indexDirectory.path).sorted() {
            let bytes = (try FileManager.default.attributesOfItem(atPath: indexDirectory.appendingPathComponent(name).path)[.size] as? Int) ?? 0
            size += bytes
            names.append(String(format: "%@ %.1f MB", name, Double(bytes) / 1e6))
        }
        print(String(format: "index size on disk: %.1f MB (%d memories): %@", Double(size) / 1e6, count, names.joined(separator: ", ")))

        // The old code's index of the same vault, for CLI runs side by side.
        var oldVault: URL?
        if let old {
            let copy = vaultURL.deletingLastPathComponent().appendingPathComponent("vault-old")
            try FileManager.default.copyItem(at: vaultURL, to: copy)
            try? FileManager.default.removeItem(at: copy.appendingPathComponent(".memvault/cache/index"))
            _ = try run(old.appendingPathComponent("memvault-bench").path, ["hash-index", copy.path])
            oldVault = copy
        }

        let queries = ["coffee with Maria at the museum", "running along the river", "trip to the Alps", "dinner with family",
                       "concert last summer", "work on the garden", "book about a museum", "Jonas and Tom"]
        // Phases of a first search in a fresh process-like state (new Vault object, model loaded anew).
        start = Date()
        let fresh = try Vault(at: vaultURL)
        let openMs = Date().timeIntervalSince(start) * 1000
        start = Date()
        let freshEmbedder = try Embedder(modelDirectory: Embedder.defaultModelDirectory())
        let modelMs = Date().timeIntervalSince(start) * 1000
        let first = try fresh.search(SearchRequest(query: queries[0]), user: "alice", embedder: freshEmbedder)
        print(String(format: "first search in a fresh Vault: vault open %.1f ms, model load %.1f ms, ", openMs, modelMs)
              + first.phases.map { String(format: "%@ %.1f ms", $0.name, $0.ms) }.joined(separator: ", "))

        var warm: [Double] = []
        var phaseTotals: [String: Double] = [:]
        var phaseOrder: [String] = []
        _ = try vault.search(SearchRequest(query: "warm up"), user: "alice", embedder: embedder)
        for i in 0..<200 {
            start = Date()
            let response = try vault.search(SearchRequest(query: queries[i % queries.count]), user: "alice", embedder: embedder)
            warm.append(Date().timeIntervalSince(start) * 1000)
            for phase in response.phases {
                if phaseTotals[phase.name] == nil { phaseOrder.append(phase.name) }
                phaseTotals[phase.name, default: 0] += phase.ms
            }
        }
        warm.sort()
        print(String(format: "hybrid query, warm process: p50 %.1f ms, p95 %.1f ms; mean per phase: ", warm[100], warm[190])
              + phaseOrder.map { String(format: "%@ %.2f", $0, phaseTotals[$0]! / 200) }.joined(separator: ", "))

        let help = (0..<11).map { _ in (try? run(binary.path, ["--help"]).wall) ?? 0 }.sorted()[5]
        print(String(format: "process start and exit (memvault --help): p50 %.1f ms", help * 1000))
        var cli: [Run] = [], cliOld: [Run] = []
        for i in 0..<21 {
            cli.append(try run(binary.path, ["search", queries[i % queries.count], "--vault", vaultURL.path]))
            if let old, let oldVault {
                cliOld.append(try run(old.appendingPathComponent("memvault").path, ["search", queries[i % queries.count], "--vault", oldVault.path]))
            }
        }
        print("search, whole CLI run: " + Run.summary(cli) + (cliOld.isEmpty ? "" : "; old code, same minutes: " + Run.summary(cliOld)))

        // One edited entry, then the next refresh (in process, and as a whole `reindex` CLI run).
        var incremental: [Double] = [], incrementalCLI: [Run] = [], incrementalOld: [Run] = []
        func edit(_ vault: URL, _ transform: (String) -> String) throws {
            let general = vault.appendingPathComponent("alice/general")
            let first = try FileManager.default.contentsOfDirectory(atPath: general.path).filter { $0.hasSuffix(".md") }.sorted()[0]
            let file = general.appendingPathComponent(first)
            try Data(transform(try String(contentsOf: file, encoding: .utf8)).utf8).write(to: file)
        }
        func replaceFirst(_ text: String, _ a: String, _ b: String) -> String {
            text.replacingOccurrences(of: a, with: b, options: [], range: text.range(of: a))
        }
        for i in 0..<10 {
            try edit(vaultURL) { replaceFirst($0, "Memory ", "Memory\(i) ") }
            start = Date()
            let update = try vault.reindex(full: false, embedder: embedder)
            incremental.append(Date().timeIntervalSince(start) * 1000)
            precondition(update.embedded == 1, "expected one re-embedded entry, got \(update.embedded)")
            try edit(vaultURL) { replaceFirst($0, "Memory\(i) ", "Memory \(i)x ") }
            incrementalCLI.append(try run(binary.path, ["reindex", "--vault", vaultURL.path]))
            if let old, let oldVault {
                try edit(oldVault) { replaceFirst($0, "Memory ", "Memory \(i)y ") }
                incrementalOld.append(try run(old.appendingPathComponent("memvault").path, ["reindex", "--vault", oldVault.path]))
            }
        }
        incremental.sort()
        print(String(format: "incremental update after one edited entry: p50 %.0f ms in process; as a whole reindex CLI run: ", incremental[5])
              + Run.summary(incrementalCLI) + (incrementalOld.isEmpty ? "" : "; old code, same minutes: " + Run.summary(incrementalOld)))
    }

    /// One process run: wall time, CPU time (user + system) and peak RSS.
    struct Run {
        var wall: Double
        var cpu: Double
        var rssMB: Double

        static func summary(_ runs: [Run]) -> String {
            func p50(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
            return String(format: "p50 %.0f ms wall, %.0f ms CPU, peak RSS %.0f MB (n = %d)",
                          p50(runs.map(\.wall)) * 1000, p50(runs.map(\.cpu)) * 1000, runs.map(\.rssMB).max() ?? 0, runs.count)
        }
    }

    /// Runs a process to its end (posix_spawn + wait4) for its wall time, CPU time and peak RSS; fails if it fails.
    static func run(_ executable: String, _ arguments: [String], environment: [String]? = nil) throws -> Run {
        let run = try ProcessTimer.run(executable, arguments, environment: environment, measuresMemory: true)
        guard run.status == 0 else {
            throw VaultError(.badInput, "\(executable) \(arguments.first ?? "") failed (exit \(run.status))")
        }
        return Run(wall: run.wall, cpu: run.cpu, rssMB: Double(run.peakRSS) / 1_048_576)
    }

    /// Wall time of one process run, in seconds; fails if it fails.
    static func time(_ executable: String, _ arguments: [String]) throws -> Double {
        try run(executable, arguments).wall
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
