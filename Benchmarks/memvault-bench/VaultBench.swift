import Foundation
import MarkdownCodec
import Vault

/// `memvault-bench vault [N]`: import rate, `add` wall time and parse rate on an N-memory vault (default 100,000).
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
