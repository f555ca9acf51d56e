import Embedder
import Foundation
import SearchIndex
import Vault

/// `memvault-bench eval [--data DIR] [--misses]`: retrieval quality on our own labelled set.
///
/// Imports `Benchmarks/eval/memories.jsonl` into a temporary vault, runs every question of
/// `questions.jsonl` in each search mode and prints recall@5, recall@10 and MRR as Markdown,
/// overall and per question kind. `--misses` also lists, per mode, the questions whose answers
/// are all outside the top 10, with what came first instead. `--fusion` also scores other ways
/// of fusing the lexical and semantic top-40 lists, to tune `HybridFusion` against.
enum EvalBench {
    /// One labelled question: the ids of every memory that answers it.
    struct Question: Decodable {
        var question: String
        var answers: [String]
        var kind: String
    }

    /// Recall@5, recall@10 and reciprocal rank of one question, or their means over many.
    struct Scores {
        var recall5 = 0.0
        var recall10 = 0.0
        var reciprocalRank = 0.0
        var count = 0

        mutating func add(_ other: Scores) {
            recall5 += other.recall5
            recall10 += other.recall10
            reciprocalRank += other.reciprocalRank
            count += other.count
        }

        var mean: (recall5: Double, recall10: Double, mrr: Double) {
            let n = Double(max(count, 1))
            return (recall5 / n, recall10 / n, reciprocalRank / n)
        }
    }

    static let user = "clara"
    static let modes: [SearchMode] = [.lexical, .semantic, .hybrid]

    static func run(arguments: [String]) throws {
        var data = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("eval", isDirectory: true)
        if let flag = arguments.firstIndex(of: "--data"), flag + 1 < arguments.count {
            data = URL(fileURLWithPath: arguments[flag + 1], isDirectory: true)
        }
        let showMisses = arguments.contains("--misses")
        let compareFusion = arguments.contains("--fusion")

        let records = Array(try Data(contentsOf: data.appendingPathComponent("memories.jsonl")))
        let questions = try String(decoding: Data(contentsOf: data.appendingPathComponent("questions.jsonl")), as: UTF8.self)
            .split(separator: "\n").map { try JSONDecoder().decode(Question.self, from: Data($0.utf8)) }
        let embedder = try Embedder(modelDirectory: Embedder.defaultModelDirectory())

        let root = FileManager.default.temporaryDirectory.appendingPathComponent("memvault-eval-\(getpid())")
        defer { try? FileManager.default.removeItem(at: root) }
        let vault = try Vault.create(at: root.appendingPathComponent("vault"), user: user)
        let ids = try vault.importRecords(records, user: user)
        let known = Set(ids)
        for question in questions {
            for id in question.answers where !known.contains(id) {
                throw VaultError(.badInput, "question \"\(question.question)\" names \(id), which is not in memories.jsonl")
            }
        }
        let start = Date()
        let report = try vault.reindex(full: true, embedder: embedder)
        print(String(format: "%d memories, %d questions; index built in %.1f s (%d embedded)\n",
                     ids.count, questions.count, Date().timeIntervalSince(start), report.embedded))

        var overall: [SearchMode: Scores] = [:]
        var byKind: [String: [SearchMode: Scores]] = [:]
        var misses: [SearchMode: [String]] = [:]
        for mode in modes {
            for question in questions {
                let response = try vault.search(SearchRequest(query: question.question, k: 10, mode: mode), user: user, embedder: embedder)
                let ranked = response.results.map(\.id)
                let scores = score(ranked: ranked, answers: Set(question.answers))
                overall[mode, default: Scores()].add(scores)
                byKind[question.kind, default: [:]][mode, default: Scores()].add(scores)
                if scores.recall10 == 0 {
                    let first = response.results.first.map { $0.title ?? String($0.snippet.prefix(60)) } ?? "nothing"
                    misses[mode, default: []].append("[\(question.kind)] \(question.question) → got \"\(first)\"")
                }
            }
        }

        print("| mode | recall@5 | recall@10 | MRR |")
        print("|---|---|---|---|")
        for mode in modes {
            let m = overall[mode, default: Scores()].mean
            print("| \(mode.rawValue) | " + String(format: "%.3f | %.3f | %.3f |", m.recall5, m.recall10, m.mrr))
        }
        print("\nPer question kind (recall@10 / MRR):\n")
        print("| kind | questions | " + modes.map(\.rawValue).joined(separator: " | ") + " |")
        print("|---|---|" + String(repeating: "---|", count: modes.count))
        for kind in byKind.keys.sorted() {
            let row = byKind[kind, default: [:]]
            let cells = modes.map { mode in
                let m = row[mode, default: Scores()].mean
                return String(format: "%.3f / %.3f", m.recall10, m.mrr)
            }
            print("| \(kind) | \(row[.hybrid]?.count ?? 0) | " + cells.joined(separator: " | ") + " |")
        }
        if compareFusion { try fusionTable(vault: vault, embedder: embedder, questions: questions) }
        if showMisses {
            for mode in modes {
                let list = misses[mode, default: []]
                print("\n\(mode.rawValue): \(list.count) questions with no answer in the top 10")
                for line in list { print("- " + line) }
            }
        }
    }

    /// Fusion candidates, each a function of the lexical and semantic lists (best first, with their
    /// BM25 and cosine scores) to a fused ranking.
    static let fusions: [(name: String, fuse: @Sendable ([(id: String, score: Float)], [(id: String, score: Float)]) -> [String])] = [
        ("RRF k=60, equal weights (as hybrid)", { rrf($0, $1, lexicalWeight: 1, constant: 60) }),
        ("RRF k=60, lexical weight 0.5", { rrf($0, $1, lexicalWeight: 0.5, constant: 60) }),
        ("RRF k=10, lexical weight 0.5", { rrf($0, $1, lexicalWeight: 0.5, constant: 10) }),
        ("RRF k=10, lexical weight 0.25", { rrf($0, $1, lexicalWeight: 0.25, constant: 10) }),
        ("scores: cosine + 0.3 x BM25/max BM25", { convex($0, $1, lexicalWeight: 0.3) }),
        ("scores: cosine + 0.2 x BM25/max BM25", { convex($0, $1, lexicalWeight: 0.2) }),
        ("scores: cosine + 0.1 x BM25/max BM25", { convex($0, $1, lexicalWeight: 0.1) }),
        ("semantic only", { _, semantic in semantic.map(\.id) }),
    ]

    /// Prints recall@10 and MRR of each fusion candidate, overall and on the no-overlap questions.
    static func fusionTable(vault: Vault, embedder: Embedder, questions: [Question]) throws {
        var totals = Array(repeating: Scores(), count: fusions.count)
        var noOverlap = Array(repeating: Scores(), count: fusions.count)
        for question in questions {
            let lists = try [SearchMode.lexical, .semantic].map { mode in
                try vault.search(SearchRequest(query: question.question, k: 40, mode: mode), user: user, embedder: embedder)
                    .results.map { (id: $0.id, score: $0.score) }
            }
            for (i, fusion) in fusions.enumerated() {
                let scores = score(ranked: fusion.fuse(lists[0], lists[1]), answers: Set(question.answers))
                totals[i].add(scores)
                if question.kind == "no-overlap" { noOverlap[i].add(scores) }
            }
        }
        print("\nFusion of the lexical and semantic top-40 lists (recall@10 / MRR):\n")
        print("| fusion | all | no-overlap |")
        print("|---|---|---|")
        for (i, fusion) in fusions.enumerated() {
            let all = totals[i].mean, pure = noOverlap[i].mean
            print("| \(fusion.name) | " + String(format: "%.3f / %.3f | %.3f / %.3f |", all.recall10, all.mrr, pure.recall10, pure.mrr))
        }
    }

    /// Weighted reciprocal rank fusion: Σ weight / (constant + rank).
    static func rrf(_ lexical: [(id: String, score: Float)], _ semantic: [(id: String, score: Float)],
                    lexicalWeight: Double, constant: Double) -> [String] {
        var fused: [String: Double] = [:]
        for (rank, hit) in lexical.enumerated() { fused[hit.id, default: 0] += lexicalWeight / (constant + Double(rank + 1)) }
        for (rank, hit) in semantic.enumerated() { fused[hit.id, default: 0] += 1 / (constant + Double(rank + 1)) }
        return fused.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key)
    }

    /// Score fusion: cosine plus the BM25 score scaled by the query's best BM25 score.
    static func convex(_ lexical: [(id: String, score: Float)], _ semantic: [(id: String, score: Float)],
                       lexicalWeight: Double) -> [String] {
        var fused: [String: Double] = [:]
        let best = Double(lexical.map(\.score).max() ?? 1)
        for hit in semantic { fused[hit.id, default: 0] += Double(hit.score) }
        for hit in lexical where best > 0 { fused[hit.id, default: 0] += lexicalWeight * Double(hit.score) / best }
        return fused.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key)
    }

    /// Scores of one ranked list against the set of ids that answer the question.
    static func score(ranked: [String], answers: Set<String>) -> Scores {
        guard !answers.isEmpty else { return Scores() }
        let total = Double(answers.count)
        let found5 = ranked.prefix(5).filter(answers.contains).count
        let found10 = ranked.prefix(10).filter(answers.contains).count
        let firstHit = ranked.prefix(10).firstIndex(where: answers.contains)
        return Scores(
            recall5: Double(found5) / total, recall10: Double(found10) / total,
            reciprocalRank: firstHit.map { 1 / Double($0 + 1) } ?? 0, count: 1)
    }
}
