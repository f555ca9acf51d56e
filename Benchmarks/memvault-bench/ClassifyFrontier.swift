import Classifier
import Foundation
import TestSupport

/// `memvault-bench classify --frontier [--seed N] [--data DIR]`: how far the targets of issue 17 (no
/// sensitive memory in a plain tier, at least 85 % of plain memories kept plain) are from what
/// the rules and a learned score of the shipped kind reach on text by an author the score never
/// saw. Every labelled set of ``ClassifyBench/defaultSets`` (each by its own author) is scored by
/// a model trained on other sets only — all of them, or a seeded sample of `m` for the learning
/// curve — with the shipped model's settings (``learnedLambda``, ``learnedSteps``), then combined
/// with the rules as the classifier combines them (a memory is plain only when the rules leave it
/// plain and its score is below the raise threshold). The word lists and patterns were written
/// while reading the misses of these sets, so their share of the recall is flattered; the learned
/// score's is not.
///
/// Printed: per training size, the pooled trade-off (the most plain memories kept plain while at
/// most D sensitive memories land in a plain tier, D = 0, one, two and four per set), and the
/// number of sets on which any threshold, chosen for that set with hindsight, meets both targets.
enum ClassifyFrontier {
    static let learnedLambda = 1e-7
    static let learnedSteps = 50
    static let trainingSizes = [5, 10, 15]

    static func run(data: URL, seed: UInt64) throws {
        let rules = TierClassifier(scorer: nil)
        var rows: [ClassifyTrain.Row] = []
        var names: [String] = []
        for name in ClassifyBench.defaultSets {
            let url = data.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            let index = names.count
            names.append(name)
            rows += try ClassifyBench.load(url).map { ClassifyTrain.Row($0, set: index, rules: rules) }
        }
        // Whether the rules alone leave each memory in a plain tier (a credential never does).
        let rulesPlain = rows.map { [TierLabel.chronological, .general].contains(rules.classify(evidence: $0.evidence, neighbours: nil).tier) }
        let sensitiveCount = rows.filter(\.sensitive).count, plainCount = rows.count - sensitiveCount
        print("# the frontier: \(rows.count) memories (\(sensitiveCount) sensitive) in \(names.count) sets by different authors")
        print("# learned score: L2 \(String(format: "%.0e", learnedLambda)), \(learnedSteps) full-batch Adam steps; each set scored by a model that never saw it\n")
        let rulesDown = rows.indices.filter { rows[$0].sensitive && rulesPlain[$0] }.count
        let rulesKept = rows.indices.filter { !rows[$0].sensitive && rulesPlain[$0] }.count
        print("rules alone: \(rulesDown) of \(sensitiveCount) sensitive in a plain tier, \(ClassifyBench.percent(rulesKept, plainCount)) of plain kept plain\n")

        let allowances = [0, names.count, 2 * names.count, 4 * names.count]
        print("| trained on | AUC | " + allowances.map { "at most \($0) left plain: plain kept" }.joined(separator: " | ") + " | sets where a threshold meets both targets |")
        print("| --- | ---: |" + String(repeating: " ---: |", count: allowances.count) + " ---: |")
        var rng = SeededGenerator(rawSeed: seed)
        for size in trainingSizes + [names.count - 1] {
            var scores = [Double](repeating: 0, count: rows.count)
            for held in names.indices {
                var others = names.indices.filter { $0 != held }
                rng.shuffle(&others)
                let training = Set(others.prefix(size))
                let model = ClassifyTrain.train(rows, rows.map { training.contains($0.set) }, lambda: learnedLambda, steps: learnedSteps)
                let scorer = LearnedScorer(weights: model.weights.map(Float.init), bias: model.bias)
                for i in rows.indices where rows[i].set == held { scores[i] = 1 / (1 + exp(-scorer.margin(rows[i].hashes))) }
            }
            // Plain at threshold t: the rules leave it plain and its score is below t.
            let candidates = Array(Set(scores)).sorted() + [1.0]
            func counts(_ t: Double, in set: Int? = nil) -> (down: Int, kept: Int, plain: Int) {
                var down = 0, kept = 0, plain = 0
                for i in rows.indices where set == nil || rows[i].set == set {
                    let chosenPlain = rulesPlain[i] && scores[i] < t
                    if rows[i].sensitive { if chosenPlain { down += 1 } } else { plain += 1; if chosenPlain { kept += 1 } }
                }
                return (down, kept, plain)
            }
            var cells: [String] = []
            for allowance in allowances {
                // The highest threshold with at most `allowance` sensitive memories left plain.
                var lo = 0, hi = candidates.count - 1
                while lo < hi {
                    let mid = (lo + hi + 1) / 2
                    if counts(candidates[mid]).down <= allowance { lo = mid } else { hi = mid - 1 }
                }
                let c = counts(candidates[lo])
                cells.append(String(format: "%.1f %% (%d)", 100 * Double(c.kept) / Double(c.plain), c.down))
            }
            // Per set, with hindsight: the highest threshold leaving no sensitive memory plain.
            var meeting: [String] = []
            for set in names.indices {
                let local = Array(Set(rows.indices.filter { rows[$0].set == set }.map { scores[$0] })).sorted() + [1.0]
                if let t = local.last(where: { counts($0, in: set).down == 0 }) {
                    let c = counts(t, in: set)
                    if c.down == 0 && Double(c.kept) >= 0.85 * Double(c.plain) { meeting.append(names[set]) }
                }
            }
            let area = ClassifyTrain.auc(scores, rows)
            let label = size == names.count - 1 ? "all other \(size) sets" : "\(size) other sets"
            print("| \(label) | \(String(format: "%.3f", area)) | " + cells.joined(separator: " | ") + " | \(meeting.count) of \(names.count)\(meeting.isEmpty ? "" : ": " + meeting.joined(separator: ", ")) |")
        }
    }
}
