import Classifier
import Embedder
import Foundation
import Vault

/// `memvault-bench classify [--data DIR] [--misses]`: the tier classifier on the labelled set
/// `Benchmarks/eval/classify/memories.jsonl` (confusion matrices beside the keyword baseline,
/// per language), its speed without the neighbour signal (memories per second, as on import),
/// and the time it adds to an `add` with the model loaded (neighbours from the index included).
enum ClassifyBench {
    struct Labelled: Decodable {
        var lang: String
        var tier: String
        var category: String?
        var text: String
    }

    static let tiers = ["chronological", "general", "confidential", "secret", "ultrasecret"]

    /// The keyword fallback of the design memvault comes from, kept here only for comparison:
    /// per tier, the share of its words found in the text; the best tier if its share reaches
    /// 0.2, else general.
    static func keywordBaseline(_ text: String) -> String {
        let words: [(String, [String])] = [
            ("chronological", ["today", "yesterday", "happened", "went", "did", "was", "will"]),
            ("confidential", ["password", "private", "personal", "secret", "confidential"]),
            ("secret", ["classified", "restricted", "sensitive", "secure", "private"]),
            ("ultrasecret", ["biometric", "ultra", "maximum", "critical", "top secret"]),
        ]
        let lower = text.lowercased()
        // Whole words ("was" is not found in "wash"); the one phrase by substring.
        let found = Set(lower.split(whereSeparator: { !$0.isLetter }).map(String.init))
        var best = ("general", 0.0)
        for (tier, list) in words {
            let share = Double(list.filter { $0.contains(" ") ? lower.contains($0) : found.contains($0) }.count) / Double(list.count)
            if share > best.1 { best = (tier, share) }
        }
        return best.1 >= 0.2 ? best.0 : "general"
    }

    struct Matrix {
        var counts: [String: [String: Int]] = [:]
        mutating func add(label: String, predicted: String) { counts[label, default: [:]][predicted, default: 0] += 1 }
        func count(_ label: String, _ predicted: String) -> Int { counts[label]?[predicted] ?? 0 }
        func total(_ label: String) -> Int { counts[label]?.values.reduce(0, +) ?? 0 }
        var plainLabels: [String] { ["chronological", "general"] }
        /// Memories labelled confidential or higher that landed in a plain tier.
        var downgrades: Int {
            ["confidential", "secret", "ultrasecret"].reduce(0) { sum, label in sum + plainLabels.reduce(0) { $0 + count(label, $1) } }
        }
        var sensitiveTotal: Int { ["confidential", "secret", "ultrasecret"].reduce(0) { $0 + total($1) } }
        var plainKept: Int { plainLabels.reduce(0) { sum, label in sum + plainLabels.reduce(0) { $0 + count(label, $1) } } }
        var plainTotal: Int { plainLabels.reduce(0) { $0 + total($1) } }
        var exact: Int { ClassifyBench.tiers.reduce(0) { $0 + count($1, $1) } }
        var all: Int { ClassifyBench.tiers.reduce(0) { $0 + total($1) } }

        func markdown() -> String {
            var out = "| labelled \\ chosen | " + ClassifyBench.tiers.joined(separator: " | ") + " |\n"
            out += "| --- |" + String(repeating: " ---: |", count: ClassifyBench.tiers.count) + "\n"
            for label in ClassifyBench.tiers where total(label) > 0 {
                out += "| \(label) (\(total(label))) | " + ClassifyBench.tiers.map { String(count(label, $0)) }.joined(separator: " | ") + " |\n"
            }
            return out
        }
    }

    static func run(arguments: [String]) throws {
        var data = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("eval/classify", isDirectory: true)
        if let flag = arguments.firstIndex(of: "--data"), flag + 1 < arguments.count {
            data = URL(fileURLWithPath: arguments[flag + 1], isDirectory: true)
        }
        let showMisses = arguments.contains("--misses")
        let set = try String(decoding: Data(contentsOf: data.appendingPathComponent("memories.jsonl")), as: UTF8.self)
            .split(separator: "\n").map { try JSONDecoder().decode(Labelled.self, from: Data($0.utf8)) }
        let classifier = TierClassifier()

        // Quality.
        var ours = Matrix(), baseline = Matrix()
        var byLanguage: [String: (ours: Matrix, baseline: Matrix)] = [:]
        var misses: [String] = []
        for memory in set {
            let chosen = classifier.classify(memory.text).tier.rawValue
            let keyword = keywordBaseline(memory.text)
            ours.add(label: memory.tier, predicted: chosen)
            baseline.add(label: memory.tier, predicted: keyword)
            byLanguage[memory.lang, default: (Matrix(), Matrix())].ours.add(label: memory.tier, predicted: chosen)
            byLanguage[memory.lang, default: (Matrix(), Matrix())].baseline.add(label: memory.tier, predicted: keyword)
            let labelPlain = memory.tier == "chronological" || memory.tier == "general"
            let chosenPlain = chosen == "chronological" || chosen == "general"
            if labelPlain != chosenPlain { misses.append("\(memory.lang) \(memory.tier) -> \(chosen): \(memory.text)") }
        }
        func percent(_ a: Int, _ b: Int) -> String { b == 0 ? "-" : String(format: "%.1f %%", 100 * Double(a) / Double(b)) }
        print("\(set.count) labelled memories (\(Dictionary(grouping: set, by: \.lang).mapValues(\.count).sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")))\n")
        print("### memvault classifier (text signals, no neighbours)\n")
        print(ours.markdown())
        print("### keyword baseline\n")
        print(baseline.markdown())
        print("| | classifier | keyword baseline |")
        print("| --- | ---: | ---: |")
        print("| sensitive (confidential, secret, ultrasecret) landing in a plain tier | \(ours.downgrades) of \(ours.sensitiveTotal) | \(baseline.downgrades) of \(baseline.sensitiveTotal) |")
        print("| plain memories kept plain | \(percent(ours.plainKept, ours.plainTotal)) | \(percent(baseline.plainKept, baseline.plainTotal)) |")
        print("| exact tier | \(percent(ours.exact, ours.all)) | \(percent(baseline.exact, baseline.all)) |")
        for lang in byLanguage.keys.sorted() {
            let m = byLanguage[lang]!
            print("| \(lang): downgrades; plain kept plain | \(m.ours.downgrades); \(percent(m.ours.plainKept, m.ours.plainTotal)) | \(m.baseline.downgrades); \(percent(m.baseline.plainKept, m.baseline.plainTotal)) |")
        }
        print("")
        if showMisses { for miss in misses { print("miss: \(miss)") } }

        // Speed without neighbours (import): every text of the set, many rounds, one thread.
        let texts = set.map(\.text)
        var latencies: [Double] = []
        let clock = ContinuousClock()
        let rounds = 40
        let start = clock.now
        for _ in 0..<rounds {
            for text in texts {
                let t0 = clock.now
                _ = classifier.classify(text)
                latencies.append(milliseconds(clock.now - t0))
            }
        }
        let seconds = milliseconds(clock.now - start) / 1000
        latencies.sort()
        print(String(format: "without neighbours: %.0f memories/s on one thread; per memory p50 %.3f ms, p99 %.3f ms (%d classifications)",
                     Double(texts.count * rounds) / seconds, latencies[latencies.count / 2], latencies[latencies.count * 99 / 100], latencies.count))

        // With the model loaded: the neighbour signal's cost inside Vault.classify on a vault
        // holding the set's plain memories, indexed.
        guard let embedder = try? Embedder(modelDirectory: Embedder.defaultModelDirectory()) else {
            print("model missing: the neighbour figures are skipped")
            return
        }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("memvault-classify-\(getpid())")
        defer { try? FileManager.default.removeItem(at: root) }
        let vault = try Vault.create(at: root.appendingPathComponent("vault"), user: "clara")
        var records = ""
        for memory in set where memory.tier == "chronological" || memory.tier == "general" {
            let line = try JSONSerialization.data(withJSONObject: ["text": memory.text, "tier": memory.tier])
            records += String(decoding: line, as: UTF8.self) + "\n"
        }
        _ = try vault.importRecords(Array(records.utf8), user: "clara")
        _ = try vault.reindex(full: true, embedder: embedder)
        let probes = Array(texts.prefix(100))
        _ = try vault.classify(text: probes[0], user: "clara", embedder: embedder)  // warm: index loaded
        var withNeighbours: [Double] = []
        var textOnly: [Double] = []
        for text in probes {
            var t0 = clock.now
            _ = try vault.classify(text: text, user: "clara", embedder: embedder)
            withNeighbours.append(milliseconds(clock.now - t0))
            t0 = clock.now
            _ = try vault.classify(text: text, user: "clara", embedder: nil)
            textOnly.append(milliseconds(clock.now - t0))
        }
        withNeighbours.sort()
        textOnly.sort()
        print(String(format: "with the model loaded (%d plain memories indexed): Vault.classify p50 %.2f ms, p90 %.2f ms (text only: p50 %.3f ms)",
                     records.split(separator: "\n").count, withNeighbours[withNeighbours.count / 2], withNeighbours[withNeighbours.count * 9 / 10],
                     textOnly[textOnly.count / 2]))
    }

    static func milliseconds(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    }
}
