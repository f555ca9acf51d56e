import Embedder
import Foundation
import ProcessTimer
import SearchIndex
import Vault

/// `memvault-bench eval [--set diary|conversations|DIR,...] [--subset N] [--modes lexical,...] [--context N] [--tune [--wide] [--dump FILE]] [--prf DOCS:TERMS] [--entities WEIGHT] [--misses] [--json]`:
/// retrieval quality on labelled sets.
///
/// Each set is a directory with `memories.jsonl` (import records) and `questions.jsonl`
/// (`{"question", "answers": [ids], "kind"}`). `diary` is the hand-written set in
/// Benchmarks/eval; `conversations` is generated at run time by
/// Benchmarks/eval/generate-conversations.py (`--subset N` asks it for N questions and only the
/// memories they need plus a sample). Every question is asked in each mode with k = 10; the
/// tables give recall@1, @5, @10 and MRR, overall and per question kind.
///
/// `--tune` gathers both halves' candidate lists once per question and searches the fusion's
/// parameters on the even-numbered questions of every set, then reports the chosen parameters,
/// the current ``Fusion/standard`` and each half alone on the odd-numbered ones. With `--wide` the
/// candidates are gathered as for k = 25 (100 per half), to see what a longer list would give.
/// `--tune` also searches the conversation context (``Fusion/Context``) and the weights with it,
/// and `--dump FILE` writes every question's candidates (both scores, neighbours, lengths) as
/// JSON lines for offline study.
/// `--json` prints one JSON object (set → mode → scores) instead of the tables.
/// `--no-passages` indexes a long memory as the model's first window only (as before passages),
/// to measure what passages change; the row "(answer past 256 tokens)" gathers the questions
/// whose answers include a memory longer than the window.
enum EvalBench {
    /// One labelled question: the ids of every memory that answers it.
    struct Question: Decodable {
        var question: String
        var answers: [String]
        var kind: String
    }

    /// Recall@1, @5, @10 and reciprocal rank of one question, or their sums over many.
    struct Scores {
        var recall1 = 0.0
        var recall5 = 0.0
        var recall10 = 0.0
        var reciprocalRank = 0.0
        var count = 0

        mutating func add(_ other: Scores) {
            recall1 += other.recall1
            recall5 += other.recall5
            recall10 += other.recall10
            reciprocalRank += other.reciprocalRank
            count += other.count
        }

        var mean: (recall1: Double, recall5: Double, recall10: Double, mrr: Double) {
            let n = Double(max(count, 1))
            return (recall1 / n, recall5 / n, recall10 / n, reciprocalRank / n)
        }

        var json: [String: Double] {
            let m = mean
            return ["recall@1": m.recall1, "recall@5": m.recall5, "recall@10": m.recall10, "mrr": m.mrr, "questions": Double(count)]
        }
    }

    /// A set imported into its own temporary vault.
    struct LoadedSet {
        var name: String
        var vault: Vault
        var questions: [Question]
        /// Memories longer than the model's window (their questions get a row of their own).
        var longIDs: Set<String> = []
        /// Title and text of every memory, by id (`--prf`, `--entities`).
        var texts: [String: String] = [:]
        /// In how many memories each term occurs (`--prf`).
        var documentFrequency: [String: Int] = [:]
    }

    /// The model as the index used it before passages: a long text is read up to its window only.
    struct FirstWindowOnly: SentenceEmbedding {
        let base: Embedder
        func embed(_ texts: [String]) -> [[Float]] { base.embed(texts) }
        func embedMatrix(_ texts: [String]) -> [Float] { base.embedMatrix(texts) }
        func tokenCount(_ text: Substring) -> Int { base.tokenCount(text) }
    }

    static let user = "robin"

    static var evalDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("eval", isDirectory: true)
    }

    static func value(_ flag: String, in arguments: [String]) -> String? {
        guard let i = arguments.firstIndex(of: flag), i + 1 < arguments.count else { return nil }
        return arguments[i + 1]
    }

    static func run(arguments: [String]) throws {
        let sets = (value("--set", in: arguments) ?? value("--data", in: arguments) ?? "diary").split(separator: ",").map(String.init)
        let subset = value("--subset", in: arguments).flatMap(Int.init)
        let modes = try (value("--modes", in: arguments) ?? "lexical,semantic,hybrid").split(separator: ",").map { name in
            guard let mode = SearchMode(rawValue: String(name)) else { throw VaultError(.badInput, "unknown mode \(name)") }
            return mode
        }
        if let n = value("--context", in: arguments).flatMap(Int.init) {
            context = n == 0 ? .none : EmbeddingText.Context(previous: n, shortWords: 12)
        }
        let json = arguments.contains("--json")
        // `--prf DOCS:TERMS` and `--entities WEIGHT`: probes of two known gains (see GainProbes).
        let prf = value("--prf", in: arguments).map { spec -> (documents: Int, terms: Int) in
            let parts = spec.split(separator: ":").compactMap { Int($0) }
            return (parts.first ?? 5, parts.count > 1 ? parts[1] : 5)
        }
        let entityWeight = value("--entities", in: arguments).flatMap(Float.init)
        let tune = arguments.contains("--tune")
        let needsModel = tune || modes.contains { $0 != .lexical }
        let embedder = needsModel ? try Embedder(modelDirectory: Embedder.defaultModelDirectory()) : nil
        // `--no-passages`: a long memory embedded as its first 256 tokens only, as before passages.
        let indexEmbedder: (any SentenceEmbedding)? = arguments.contains("--no-passages") ? embedder.map(FirstWindowOnly.init) : embedder

        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("memvault-eval-\(getpid())")
        defer { try? FileManager.default.removeItem(at: scratch) }
        var loaded: [LoadedSet] = []
        for name in sets {
            let directory = try dataDirectory(name, subset: subset, scratch: scratch)
            loaded.append(try load(name: name, from: directory, into: scratch, embedder: indexEmbedder, quiet: json))
        }
        if arguments.contains("--wide") { candidateK = 25 }
        dumpPath = value("--dump", in: arguments)
        if tune {
            try tuneFusion(loaded, embedder: embedder!)
            return
        }
        var report: [String: [String: [String: Double]]] = [:]
        for set in loaded {
            var overall: [SearchMode: Scores] = [:]
            var byKind: [String: [SearchMode: Scores]] = [:]
            var misses: [SearchMode: [String]] = [:]
            for mode in modes {
                for question in set.questions {
                    var query = question.question
                    if let prf {
                        // Pseudo-relevance feedback: the top lexical hits' most distinctive terms join the query.
                        let feedback = try set.vault.search(SearchRequest(query: query, k: prf.documents, mode: .lexical), user: user, embedder: nil)
                        query += " " + GainProbes.expansion(
                            query: query, feedback: feedback.results.compactMap { set.texts[$0.id] }, terms: prf.terms,
                            documentFrequency: set.documentFrequency, documents: set.texts.count).joined(separator: " ")
                    }
                    var ranked: [String]
                    if let entityWeight, mode == .hybrid {
                        // Names in the question weighted as entities: a candidate that holds them gains.
                        let wide = try set.vault.search(SearchRequest(query: query, k: 40, mode: mode), user: user, embedder: indexEmbedder)
                        ranked = GainProbes.rerank(wide.results.map { ($0.id, $0.score) }, entities: GainProbes.entities(question.question),
                                                   texts: set.texts, weight: entityWeight).prefix(10).map { $0 }
                    } else {
                        ranked = try set.vault.search(
                            SearchRequest(query: query, k: 10, mode: mode), user: user, embedder: indexEmbedder).results.map(\.id)
                    }
                    let response = (results: ranked, first: ranked.first.flatMap { set.texts[$0] })
                    let scores = score(ranked: response.results, answers: Set(question.answers))
                    overall[mode, default: Scores()].add(scores)
                    byKind[question.kind, default: [:]][mode, default: Scores()].add(scores)
                    // Questions whose answers include a memory longer than the model's window.
                    if !set.longIDs.isDisjoint(with: question.answers) {
                        byKind["(answer past 256 tokens)", default: [:]][mode, default: Scores()].add(scores)
                    }
                    if scores.recall10 == 0 {
                        let first = response.first.map { String($0.prefix(60)) } ?? "nothing"
                        misses[mode, default: []].append("[\(question.kind)] \(question.question) → got \"\(first)\"")
                    }
                }
            }
            if json {
                var modesReport: [String: [String: Double]] = [:]
                for mode in modes { modesReport[mode.rawValue] = overall[mode, default: Scores()].json }
                report[set.name] = modesReport
                continue
            }
            print("\n## \(set.name)\n")
            print("| mode | recall@1 | recall@5 | recall@10 | MRR |")
            print("|---|---|---|---|---|")
            for mode in modes {
                let m = overall[mode, default: Scores()].mean
                print("| \(mode.rawValue) | " + String(format: "%.3f | %.3f | %.3f | %.3f |", m.recall1, m.recall5, m.recall10, m.mrr))
            }
            print("\nPer question kind (recall@1 / recall@10 / MRR):\n")
            print("| kind | questions | " + modes.map(\.rawValue).joined(separator: " | ") + " |")
            print("|---|---|" + String(repeating: "---|", count: modes.count))
            for kind in byKind.keys.sorted() {
                let row = byKind[kind, default: [:]]
                let cells = modes.map { mode in
                    let m = row[mode, default: Scores()].mean
                    return String(format: "%.3f / %.3f / %.3f", m.recall1, m.recall10, m.mrr)
                }
                print("| \(kind) | \(row[modes[0]]?.count ?? 0) | " + cells.joined(separator: " | ") + " |")
            }
            if arguments.contains("--misses") {
                for mode in modes {
                    let list = misses[mode, default: []]
                    print("\n\(mode.rawValue): \(list.count) questions with no answer in the top 10")
                    for line in list { print("- " + line) }
                }
            }
        }
        if json {
            let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }

    /// The directory of a named set (generating `conversations` first), or `name` as a path.
    static func dataDirectory(_ name: String, subset: Int?, scratch: URL) throws -> URL {
        switch name {
        case "diary": return evalDirectory
        case "conversations":
            let out = scratch.appendingPathComponent("conversations", isDirectory: true)
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            let generator = try ProcessTimer.run(
                "python3",
                [evalDirectory.appendingPathComponent("generate-conversations.py").path, out.path]
                    + (subset.map { ["--subset", String($0)] } ?? []),
                quiet: false, stderr: "/dev/null")
            guard generator.status == 0 else {
                throw VaultError(.badInput, "generate-conversations.py failed (exit \(generator.status))")
            }
            return out
        default: return URL(fileURLWithPath: name, isDirectory: true)
        }
    }

    /// How short memories are embedded (`--context N`: with up to N earlier memories of the same day; 0: alone).
    nonisolated(unsafe) static var context = EmbeddingText.Context.standard

    static func load(name: String, from data: URL, into scratch: URL, embedder: (any SentenceEmbedding)?, quiet: Bool) throws -> LoadedSet {
        let records = Array(try Data(contentsOf: data.appendingPathComponent("memories.jsonl")))
        let questions = try String(decoding: Data(contentsOf: data.appendingPathComponent("questions.jsonl")), as: UTF8.self)
            .split(separator: "\n").map { try JSONDecoder().decode(Question.self, from: Data($0.utf8)) }
        let root = scratch.appendingPathComponent("vault-\(name.replacingOccurrences(of: "/", with: "_"))")
        let vault = try Vault.create(at: root, user: user)
        vault.embeddingContext = context
        let ids = try vault.importRecords(records, user: user)
        let known = Set(ids)
        for question in questions {
            for id in question.answers where !known.contains(id) {
                throw VaultError(.badInput, "question \"\(question.question)\" names \(id), which is not in memories.jsonl")
            }
        }
        let start = Date()
        let report = try vault.reindex(full: true, embedder: embedder)
        if !quiet {
            print(String(format: "%@: %d memories, %d questions; index built in %.1f s (%d embedded)",
                         name, ids.count, questions.count, Date().timeIntervalSince(start), report.embedded))
        }
        // Memories the model cannot read whole (more than 254 tokens of title and text).
        var longIDs = Set<String>()
        if let embedder, let limit = embedder.passageTokens ?? Optional(Embedder.maxTokens - 2) {
            for line in records.split(separator: UInt8(ascii: "\n")) {
                guard let record = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                      let id = record["id"] as? String, let text = record["text"] as? String else { continue }
                let whole = EmbeddingText.of(title: record["title"] as? String, body: text)
                if embedder.tokenCount(whole[...]) > limit { longIDs.insert(id) }
            }
        }
        var texts: [String: String] = [:]
        var documentFrequency: [String: Int] = [:]
        for line in records.split(separator: UInt8(ascii: "\n")) {
            guard let record = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                  let id = record["id"] as? String, let text = record["text"] as? String else { continue }
            let whole = ((record["title"] as? String).map { $0 + "\n" } ?? "") + text
            texts[id] = whole
            for term in Set(GainProbes.terms(whole)) { documentFrequency[term, default: 0] += 1 }
        }
        return LoadedSet(name: name, vault: vault, questions: questions, longIDs: longIDs, texts: texts, documentFrequency: documentFrequency)
    }

    // MARK: Tuning

    /// One question's candidates, gathered once.
    struct Gathered {
        var set: Int
        var tuning: Bool
        var kind: String
        var question: String
        var answers: Set<String>
        var candidates: Vault.Candidates
    }

    /// `--tune --dump FILE`: where to write the gathered candidates.
    nonisolated(unsafe) static var dumpPath: String?

    /// `--tune --wide`: gather for k = 25 (100 candidates per half) instead of k = 10 (40).
    nonisolated(unsafe) static var candidateK = 10

    static func tuneFusion(_ sets: [LoadedSet], embedder: Embedder) throws {
        var gathered: [Gathered] = []
        for (s, set) in sets.enumerated() {
            for (i, question) in set.questions.enumerated() {
                let candidates = try set.vault.candidates(
                    SearchRequest(query: question.question, k: candidateK, mode: .hybrid), user: user, embedder: embedder,
                    neighbourReach: 2)
                gathered.append(Gathered(set: s, tuning: i % 2 == 0, kind: question.kind, question: question.question, answers: Set(question.answers), candidates: candidates))
            }
        }
        /// Mean over sets of each set's mean scores, on the tuning or the reporting half.
        /// `tuning` nil: every question.
        func evaluate(_ rank: (Vault.Candidates) -> [String], tuning: Bool?) -> [Scores] {
            var perSet = Array(repeating: Scores(), count: sets.count)
            for g in gathered where tuning == nil || g.tuning == tuning { perSet[g.set].add(score(ranked: rank(g.candidates), answers: g.answers)) }
            return perSet
        }
        func objective(_ perSet: [Scores]) -> Double {
            perSet.reduce(0) { $0 + $1.mean.recall10 + 0.2 * $1.mean.mrr } / Double(sets.count)
        }
        let steps: [Float] = stride(from: 0, through: 1, by: 0.05).map { Float($0) }
        var best: (fusion: Fusion, value: Double)?
        for minMax in [false, true] {
            for exponent: Float in [0, 0.5, 1, 2] {
                for w in steps {
                    for wp in steps {
                        let fusion = Fusion(semanticWeight: w, semanticWeightPartial: wp, coverageExponent: exponent, lexicalMinMax: minMax)
                        let value = objective(evaluate({ fusion.rank($0.all, queryTerms: $0.queryTerms, k: 10).map(\.id) }, tuning: true))
                        if best == nil || value > best!.value { best = (fusion, value) }
                    }
                }
            }
        }
        // `--dump FILE`: every question's candidates as JSON lines, to study rankings offline.
        if let path = dumpPath {
            var lines: [String] = []
            for g in gathered {
                let candidates: [[String: Any]] = g.candidates.all.map { c in
                    var o: [String: Any] = ["id": c.id, "matched": c.matchedTerms, "pulled": c.pulled, "length": Double(c.length ?? -1)]
                    if let l = c.lexical { o["lexical"] = Double(l) }
                    if let v = c.cosine { o["cosine"] = Double(v) }
                    if let d = c.date { o["date"] = d.timeIntervalSince1970 }
                    o["neighbours"] = c.neighbours.map { n -> [String: Any] in
                        ["id": n.id, "distance": n.distance, "seconds": n.seconds ?? -1]
                    }
                    return o
                }
                let object: [String: Any] = [
                    "set": sets[g.set].name, "tuning": g.tuning, "kind": g.kind, "question": g.question,
                    "answers": g.answers.sorted(), "queryTerms": g.candidates.queryTerms,
                    "lexicalOrder": g.candidates.lexical, "semanticOrder": g.candidates.semantic, "candidates": candidates,
                ]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                lines.append(String(decoding: data, as: UTF8.self))
            }
            try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
        // How many answers the candidates hold at all: what any re-ranking of them can reach.
        for (s, set) in sets.enumerated() {
            var listed = 0.0, pulled = 0.0, n = 0.0
            for g in gathered where g.set == s {
                let ids = Set(g.candidates.all.filter { !$0.pulled }.map(\.id))
                let all = Set(g.candidates.all.map(\.id))
                listed += Double(g.answers.filter(ids.contains).count) / Double(g.answers.count)
                pulled += Double(g.answers.filter(all.contains).count) / Double(g.answers.count)
                n += 1
            }
            let sizes = gathered.filter { $0.set == s }.map { Double($0.candidates.all.count) }
            print(String(format: "%@: answers among the listed candidates %.3f, with the pulled neighbours %.3f (%.0f candidates per question)",
                         set.name, listed / n, pulled / n, sizes.reduce(0, +) / max(1, Double(sizes.count))))
        }
        let chosen = best!.fusion
        print("\nChosen on the tuning half (even-numbered questions): \(chosen)\n")
        // Conversation context: first its parameters on the fusion used before it (weights 0.5 /
        // 0.6, no context), then the weights again with the chosen context.
        let plain = Fusion(semanticWeight: 0.5, semanticWeightPartial: 0.6, coverageExponent: 1, lexicalMinMax: false)
        var bestContext: (fusion: Fusion, value: Double)?
        for pull in [false, true] {
            for reach in 1...2 {
                for maxSeconds: Double? in [nil, 600, 1800] {
                    for weight: Float in [0, 0.1, 0.2, 0.3] {
                        for penalty: Float in [0, 0.5, 0.7, 1] {
                            for shortLength: Float in penalty == 0 ? [0] : [4, 5, 6] {
                                var fusion = plain
                                fusion.context = Fusion.Context(
                                    weight: weight, reach: reach, maxSeconds: maxSeconds, pull: pull, shortLength: shortLength,
                                    shortPenalty: penalty)
                                guard fusion.context.isActive else { continue }
                                let value = objective(evaluate({ fusion.rank($0.all, queryTerms: $0.queryTerms, k: 10).map(\.id) }, tuning: true))
                                if bestContext == nil || value > bestContext!.value { bestContext = (fusion, value) }
                            }
                        }
                    }
                }
            }
        }
        var withContext = bestContext!.fusion
        print("Context chosen on the tuning half: \(withContext.context)\n")
        var bestWeights = (fusion: withContext, value: bestContext!.value)
        for minMax in [false, true] {
            for exponent: Float in [0, 1, 2] {
                for w in stride(from: Float(0.3), through: 0.81, by: 0.05) {
                    for wp in stride(from: Float(0.3), through: 0.81, by: 0.05) {
                        let fusion = Fusion(
                            semanticWeight: w, semanticWeightPartial: wp, coverageExponent: exponent, lexicalMinMax: minMax,
                            context: withContext.context)
                        let value = objective(evaluate({ fusion.rank($0.all, queryTerms: $0.queryTerms, k: 10).map(\.id) }, tuning: true))
                        if value > bestWeights.value { bestWeights = (fusion, value) }
                    }
                }
            }
        }
        withContext = bestWeights.fusion
        print("Then the weights with that context: \(withContext)\n")
        let rows: [(String, (Vault.Candidates) -> [String])] = [
            ("lexical", { Array($0.lexical.prefix(10)) }),
            ("semantic", { Array($0.semantic.prefix(10)) }),
            ("Fusion.standard", { Fusion.standard.rank($0.all, queryTerms: $0.queryTerms, k: 10).map(\.id) }),
            ("before context (0.5 / 0.6)", { plain.rank($0.all, queryTerms: $0.queryTerms, k: 10).map(\.id) }),
            ("chosen", { chosen.rank($0.all, queryTerms: $0.queryTerms, k: 10).map(\.id) }),
            ("chosen context", { bestContext!.fusion.rank($0.all, queryTerms: $0.queryTerms, k: 10).map(\.id) }),
            ("chosen context + weights", { withContext.rank($0.all, queryTerms: $0.queryTerms, k: 10).map(\.id) }),
            ("RRF k=60", { rrf($0, constant: 60) }),
        ]
        for (heading, tuning) in [("Reported on the other half (odd-numbered questions)", false), ("\nThe same on every question (both halves)", nil)] as [(String, Bool?)] {
            print("\(heading), recall@1 / recall@10 / MRR:\n")
            print("| ranking | " + sets.map(\.name).joined(separator: " | ") + " |")
            print("|---|" + String(repeating: "---|", count: sets.count))
            for (name, rank) in rows {
                let cells = evaluate(rank, tuning: tuning).map { s in
                    let m = s.mean
                    return String(format: "%.3f / %.3f / %.3f", m.recall1, m.recall10, m.mrr)
                }
                print("| \(name) | " + cells.joined(separator: " | ") + " |")
            }
        }
    }

    /// Reciprocal rank fusion of the two candidate lists (k = `constant`), for comparison.
    static func rrf(_ candidates: Vault.Candidates, constant: Double) -> [String] {
        var fused: [String: Double] = [:]
        for (rank, id) in candidates.lexical.enumerated() { fused[id, default: 0] += 1 / (constant + Double(rank + 1)) }
        for (rank, id) in candidates.semantic.enumerated() { fused[id, default: 0] += 1 / (constant + Double(rank + 1)) }
        return fused.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(10).map(\.key)
    }

    /// Scores of one ranked list against the set of ids that answer the question.
    static func score(ranked: [String], answers: Set<String>) -> Scores {
        guard !answers.isEmpty else { return Scores() }
        let total = Double(answers.count)
        let found1 = ranked.prefix(1).filter(answers.contains).count
        let found5 = ranked.prefix(5).filter(answers.contains).count
        let found10 = ranked.prefix(10).filter(answers.contains).count
        let firstHit = ranked.prefix(10).firstIndex(where: answers.contains)
        return Scores(
            recall1: Double(found1) / total, recall5: Double(found5) / total, recall10: Double(found10) / total,
            reciprocalRank: firstHit.map { 1 / Double($0 + 1) } ?? 0, count: 1)
    }
}


/// Probes of two gains the evaluation weighs before the product gets them: pseudo-relevance
/// feedback for the lexical side (the top lexical hits' most distinctive terms join the query)
/// and names in a question weighted as entities (a re-ranking of the top 40 hybrid results by the
/// share of the question's names a memory holds).
enum GainProbes {
    /// The index's own analysed terms (the lexical half's tokens, stop words out).
    static func terms(_ text: String) -> [String] { Analyzer.terms(text) }

    /// The `terms` best terms of the feedback texts by summed tf × idf, none already in the query.
    static func expansion(query: String, feedback: [String], terms count: Int, documentFrequency: [String: Int], documents: Int) -> [String] {
        let asked = Set(terms(query))
        var weight: [String: Double] = [:]
        for text in feedback {
            for term in terms(text) where !asked.contains(term) {
                weight[term, default: 0] += log(Double(documents) / Double(max(1, documentFrequency[term] ?? 1)))
            }
        }
        return weight.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(count).map(\.key)
    }

    static let questionWords: Set<String> = ["What", "When", "Which", "Who", "Where", "Why", "How", "Did", "Do", "Does", "Is", "Was", "I", "My", "In", "On", "At", "The", "Have", "Has", "Can", "Could", "Would"]

    /// Capitalised words of the question that are not question words: names, mostly.
    static func entities(_ question: String) -> [String] {
        question.split(whereSeparator: { !$0.isLetter && $0 != "'" }).map(String.init)
            .filter { $0.first?.isUppercase == true && !questionWords.contains($0) }
            .map { $0.hasSuffix("'s") ? String($0.dropLast(2)) : $0 }
    }

    /// Re-ranks by score + weight × the share of `entities` the memory's text holds.
    static func rerank(_ results: [(id: String, score: Float)], entities: [String], texts: [String: String], weight: Float) -> [String] {
        guard !entities.isEmpty, let best = results.map(\.score).max(), best > 0 else { return results.map(\.id) }
        return results.map { result -> (String, Float) in
            let text = texts[result.id] ?? ""
            let held = entities.filter { text.contains($0) }.count
            return (result.id, result.score / best + weight * Float(held) / Float(entities.count))
        }.sorted { $0.1 > $1.1 }.map(\.0)
    }
}
