import Foundation
import Testing

/// The retrieval evaluation's runner (`memvault-bench eval`), on small sets: the full run is a
/// benchmark (Benchmarks/eval/README.md), this checks that it runs and measures.
@Suite("Evaluation runner")
struct EvalRunnerTests {
    /// `memvault-bench`, built beside `memvault`.
    static var bench: URL { CLI.binary.deletingLastPathComponent().appendingPathComponent("memvault-bench") }

    /// Runs `memvault-bench eval ... --json` and decodes set → mode → scores.
    func evaluate(_ args: [String]) throws -> [String: [String: [String: Double]]] {
        let cli = try CLI()
        defer { cli.cleanup() }
        let process = Process()
        process.executableURL = Self.bench
        process.arguments = ["eval"] + args + ["--json"]
        process.environment = cli.environment
        let out = cli.home.appendingPathComponent("eval.json")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        let handle = try FileHandle(forWritingTo: out)
        process.standardOutput = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        #expect(process.terminationStatus == 0)
        let data = try Data(contentsOf: out)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: [String: [String: Double]]])
    }

    @Test("a generated conversation subset and the diary set, lexical mode: every question asked, scores in range")
    func smallSubset() throws {
        let report = try evaluate(["--set", "conversations,diary", "--subset", "40", "--modes", "lexical"])
        let conversations = try #require(report["conversations"]?["lexical"])
        #expect(conversations["questions"] == 40)
        let diary = try #require(report["diary"]?["lexical"])
        #expect(diary["questions"] == 124)
        for scores in [conversations, diary] {
            for key in ["recall@1", "recall@5", "recall@10", "mrr"] {
                let value = try #require(scores[key])
                #expect(value >= 0 && value <= 1, "\(key)")
            }
            // Recall only grows with k; the lexical half finds a fair share of the answers.
            #expect(scores["recall@1"]! <= scores["recall@5"]! + 1e-9)
            #expect(scores["recall@5"]! <= scores["recall@10"]! + 1e-9)
            #expect(scores["recall@10"]! > 0.3)
        }
    }

    @Test("a set that names an answer it does not hold is refused")
    func badSet() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let set = cli.home.appendingPathComponent("set")
        try FileManager.default.createDirectory(at: set, withIntermediateDirectories: true)
        try Data(#"{"id": "0000000000000001", "text": "Bought a kayak.", "tier": "chronological", "date": "2025-03-01T10:00:00+01:00"}"#.utf8)
            .write(to: set.appendingPathComponent("memories.jsonl"))
        try Data(#"{"question": "What boat?", "answers": ["00000000000000ff"], "kind": "single"}"#.utf8)
            .write(to: set.appendingPathComponent("questions.jsonl"))
        let process = Process()
        process.executableURL = Self.bench
        process.arguments = ["eval", "--set", set.path, "--modes", "lexical"]
        process.environment = cli.environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
    }
}
