import Foundation
import Vault

/// `memvault-bench digest [N] [--base DIR]`: the daily digest of a day with 200 memories in an
/// N-memory vault (default 100,000), as whole `memvault digest --date D` CLI runs with the model.
///
/// The other N - 200 memories (12 years, 8-20 words each, every 7th with a task item, every
/// other one of those still open) are imported and indexed once with hash vectors (see
/// `VaultBench.HashVectors`) into `--base DIR` (default: a temporary folder, removed after);
/// a later run with the same `--base` reuses it. Each run copies the base, imports the day's
/// 200 memories (so the index lacks them), then times:
/// - the first digest (index stale: the CLI embeds the 200 new memories with the model, then
///   writes and commits the digest);
/// - 5 more (index fresh: unchanged digest, no commit), p50;
/// - the peak RSS of those runs.
/// Each figure comes with its CPU time (user + system), which a busy shared machine inflates less.
enum DigestBench {
    static let day = "2026-11-22"

    static func run(arguments: [String]) throws {
        let count = arguments.first.flatMap(Int.init) ?? 100_000
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("memvault-digestbench-\(getpid())")
        let baseIndex = arguments.firstIndex(of: "--base")
        let base = baseIndex.map { URL(fileURLWithPath: arguments[$0 + 1]) } ?? temporary.appendingPathComponent("base")
        defer { try? FileManager.default.removeItem(at: temporary) }
        if !FileManager.default.fileExists(atPath: base.appendingPathComponent("memvault.toml").path) {
            try build(base, count: count - 200)
        }
        let work = temporary.appendingPathComponent("work")
        try? FileManager.default.removeItem(at: work)
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        try shell("cp -a '\(base.path)' '\(work.path)'")
        let vault = try Vault(at: work)
        _ = try vault.importRecords(records(200, dayOnly: true), user: "alice")

        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("memvault")
        let arguments = ["digest", "--vault", work.path, "--date", day]
        let stale = try timed(binary.path, arguments)
        var fresh: [(wall: Double, cpu: Double)] = []
        for _ in 0..<5 { fresh.append(try timed(binary.path, arguments)) }
        fresh.sort { $0.wall < $1.wall }
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        var load = [Double](repeating: 0, count: 3)
        _ = getloadavg(&load, 3)
        print(String(format: "digest of %@ (200 memories) in a %d-memory vault, whole CLI run with the model (load average %.1f):", day, count, load[0]))
        print(String(format: "  index stale (200 memories to embed, digest written and committed): %.2f s wall, %.2f s CPU", stale.wall, stale.cpu))
        print(String(format: "  index fresh (digest unchanged, no commit): p50 %.2f s wall (min %.2f s, max %.2f s, 5 runs), %.2f s CPU",
                     fresh[2].wall, fresh[0].wall, fresh[4].wall, fresh[2].cpu))
        print(String(format: "  peak RSS of a CLI run: %.0f MB", Double(usage.ru_maxrss) / 1024))
    }

    /// Wall time and CPU time (user + system, all threads) of one run, in seconds.
    static func timed(_ executable: String, _ arguments: [String]) throws -> (wall: Double, cpu: Double) {
        let run = try VaultBench.run(executable, arguments)
        return (run.wall, run.cpu)
    }

    /// Imports `count` memories over 2015-2026 (none on the digested day) and indexes them with hash vectors.
    static func build(_ base: URL, count: Int) throws {
        let start = Date()
        let vault = try Vault.create(at: base, user: "alice")
        var done = 0
        while done < count {
            let batch = min(20_000, count - done)
            _ = try vault.importRecords(records(batch, offset: done, dayOnly: false), user: "alice")
            done += batch
        }
        _ = try vault.reindex(full: true, embedder: VaultBench.HashVectors())
        print(String(format: "base vault: %d memories imported and hash-indexed in %.0f s (%@)", count, Date().timeIntervalSince(start), base.path))
    }

    /// Deterministic JSON Lines: `dayOnly` puts every record on the digested day, else they spread
    /// over 2015-01 .. 2026-11 avoiding it.
    static func records(_ count: Int, offset: Int = 0, dayOnly: Bool) -> [UInt8] {
        let words = ["coffee", "Maria", "museum", "run", "Isar", "book", "dinner", "Jonas", "garden", "work", "Tom", "trip",
                     "Alps", "concert", "family", "river", "train", "letter", "bread", "winter", "paint", "piano"]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 &+ UInt64(offset) &* 31 &+ (dayOnly ? 7 : 0)
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        var lines: [String] = []
        lines.reserveCapacity(count)
        for j in 0..<count {
            let i = j + offset
            let date: String
            if dayOnly {
                date = String(format: "%@ %02d:%02d", day, 7 + j * 16 / count, (j * 7) % 60)
            } else {
                var (year, month, d) = (2015 + i % 12, 1 + (i / 12) % 12, 1 + (i / 144) % 28)
                if year == 2026 && month > 11 { month = 11 }
                if year == 2026 && month == 11 && d >= 22 { d = 21 }
                date = String(format: "%04d-%02d-%02d %02d:%02d", year, month, d, i % 24, i % 60)
            }
            var text = (0..<(8 + next(13))).map { _ in words[next(words.count)] }.joined(separator: " ")
            text += ". #tag\(i % 50) @person\(i % 30)"
            if i % 7 == 0 { text += "\n\n- [\((i / 7) % 2 == 0 ? " " : "x")] task \(i) \(words[next(words.count)])" }
            let object = ["text": text, "title": "Memory \(i)", "tier": i % 3 == 0 ? "general" : "chronological", "date": date]
            let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            lines.append(String(decoding: data, as: UTF8.self))
        }
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }

    static func shell(_ command: String) throws {
        _ = try VaultBench.run("/bin/sh", ["-c", command])
    }
}
