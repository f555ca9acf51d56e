import Classifier
import Foundation
import TestSupport

/// `memvault-bench classify --train [--out FILE] [--seed N] [--data DIR]`: trains the learned
/// sensitive-vs-plain scorer of the classifier (``LearnedScorer``) and writes its weights as
/// Swift source (`Sources/Classifier/LearnedWeights.swift` by default).
///
/// Protocol: only the sets in ``trainingSets`` are read (no other set is opened; a set added to
/// them is no longer a held-out set). Every hyperparameter and both thresholds are chosen by
/// cross-validation on them: stratified 5-fold (by label, language and set; folds drawn with
/// SplitMix64 from the seed), and the cross-set folds (train on the other sets, test on one: each
/// set has its own author, so closer to new text) reported beside it. The final model is
/// trained on all of them with the chosen hyperparameters. Training is full-batch Adam in Double
/// with no randomness, so the same seed and data give the same file byte for byte.
enum ClassifyTrain {
    static let trainingSets = [
        "memories.jsonl", "classify-heldout.jsonl", "classify-heldout2.jsonl", "heldout3/classify-heldout3.jsonl", "heldout4/classify-heldout4.jsonl",
        "heldout5/classify-heldout5.jsonl", "heldout6/classify-heldout6.jsonl", "heldout7/classify-heldout7.jsonl",
        "heldout8/classify-heldout8.jsonl", "heldout9/classify-heldout9.jsonl", "heldout10/classify-heldout10.jsonl",
        "heldout11/classify-heldout11.jsonl", "heldout12/classify-heldout12.jsonl", "heldout13/classify-heldout13.jsonl",
    ]
    static let dimensionBits = 16
    /// The grid searched: L2 penalty and the number of full-batch Adam steps (early stopping).
    static let lambdas = [1e-7, 1e-6, 1e-5]
    static let iterationCounts = [25, 50, 100, 200]
    static let learningRate = 0.1
    static let folds = 5
    /// Thresholds are chosen on the out-of-fold probabilities, so that:
    /// - raise: the learned score alone recalls at least this share of the sensitive memories;
    static let targetRecall = 0.95
    /// - discount: no sensitive memory with weak rule evidence is discounted in any fold, with
    ///   this margin (the threshold is this share of the lowest such probability);
    static let vetoMargin = 0.5
    /// and the discount is used only if it keeps at least this share more of the plain memories
    /// plain in both schemes (else its threshold is 0: weak words always move a memory up).
    static let vetoMinimumGain = 0.01

    struct Row {
        var hashes: [UInt32]
        var sensitive: Bool
        var lang: String
        var set: Int
        var tier: String
        var evidence: Evidence

        /// A labelled memory of set `set`, with its features and the rules' evidence.
        init(_ memory: ClassifyBench.Labelled, set: Int, rules: TierClassifier) {
            hashes = LearnedScorer.featureHashes(text: memory.text)
            sensitive = ["confidential", "secret", "ultrasecret"].contains(memory.tier)
            lang = memory.lang
            self.set = set
            tier = memory.tier
            evidence = rules.evidence(memory.text)
        }
    }

    static func run(arguments: [String], data: URL) throws {
        let seed = ClassifyBench.seed(arguments)
        var out = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/Classifier/LearnedWeights.swift")
        if let flag = arguments.firstIndex(of: "--out"), flag + 1 < arguments.count { out = URL(fileURLWithPath: arguments[flag + 1]) }

        let rules = TierClassifier(scorer: nil)
        var rows: [Row] = []
        for (index, name) in trainingSets.enumerated() {
            rows += try ClassifyBench.load(data.appendingPathComponent(name)).map { Row($0, set: index, rules: rules) }
        }
        let positives = rows.filter(\.sensitive).count
        print("# training the learned scorer: \(rows.count) memories (\(positives) sensitive) from \(trainingSets.joined(separator: " + ")), seed \(seed)\n")

        // Stratified folds: within each (label, language, set) group, a seeded shuffle, dealt round-robin.
        var assignment = [Int](repeating: 0, count: rows.count)
        var rng = SeededGenerator(rawSeed: seed)
        let groups = Dictionary(grouping: rows.indices) { "\(rows[$0].sensitive) \(rows[$0].lang) \(rows[$0].set)" }
        for key in groups.keys.sorted() {
            var members = groups[key]!
            rng.shuffle(&members)
            for (position, i) in members.enumerated() { assignment[i] = position % folds }
        }
        let crossSet = rows.map(\.set)

        // Hyperparameters: the out-of-fold plain share kept at the target recall (5-fold), ties by AUC.
        print("| L2 | steps | 5-fold AUC | plain kept at \(Int(targetRecall * 100)) % recall |")
        print("| ---: | ---: | ---: | ---: |")
        var best: (lambda: Double, steps: Int, kept: Double, auc: Double)?
        for lambda in lambdas {
            for steps in iterationCounts {
                let scores = outOfFold(rows, assignment, lambda: lambda, steps: steps)
                let kept = plainKept(scores, rows, recall: targetRecall).kept
                let area = auc(scores, rows)
                print(String(format: "| %.0e | %d | %.3f | %.3f |", lambda, steps, area, kept))
                if best == nil || kept > best!.kept + 1e-12 || (abs(kept - best!.kept) <= 1e-12 && area > best!.auc) {
                    best = (lambda, steps, kept, area)
                }
            }
        }
        let chosen = best!
        print(String(format: "\nchosen: L2 %.0e, %d steps\n", chosen.lambda, chosen.steps))

        let kFold = outOfFold(rows, assignment, lambda: chosen.lambda, steps: chosen.steps)
        let sets = outOfFold(rows, crossSet, lambda: chosen.lambda, steps: chosen.steps)

        // Thresholds.
        let raise = plainKept(kFold, rows, recall: targetRecall).threshold
        let weakSensitive = rows.indices.filter { rows[$0].sensitive && rows[$0].evidence.sensitiveIsWeak }
        let lowest = weakSensitive.map { min(kFold[$0], sets[$0]) }.min() ?? 1
        let candidate = (lowest * vetoMargin * 1000).rounded(.down) / 1000
        let weakPlain = rows.indices.filter { !rows[$0].sensitive && rows[$0].evidence.sensitiveIsWeak }
        let plainCount = Double(rows.filter { !$0.sensitive }.count)
        let gain = min(Double(weakPlain.filter { kFold[$0] < candidate }.count), Double(weakPlain.filter { sets[$0] < candidate }.count)) / plainCount
        let veto = gain >= vetoMinimumGain ? candidate : 0
        print(String(format: "discount candidate %.3f would keep %.1f %% more plain memories plain (the fewer of the two schemes; needs %.0f %%): %@",
                     candidate, gain * 100, vetoMinimumGain * 100, veto > 0 ? "used" : "not used, threshold 0"))
        print(String(format: "raise threshold %.3f: the learned score alone recalls %.0f %% of sensitive memories out of fold (5-fold)", raise, targetRecall * 100))
        print(String(format: "discount threshold %.3f: %d sensitive memories have weak rule evidence only, lowest out-of-fold probability %.3f (either scheme), × %.1f",
                     veto, weakSensitive.count, lowest, vetoMargin))
        print("  plain memories with weak rule evidence only: \(weakPlain.count), of which below the candidate (5-fold): \(weakPlain.filter { kFold[$0] < candidate }.count)\n")

        // The trade-off: other recall targets for the raise threshold (5-fold, combined with the rules).
        print("| learned recall target | raise threshold | learned alone: plain kept | rules + learned: plain kept (5-fold) | (cross-set) |")
        print("| ---: | ---: | ---: | ---: | ---: |")
        for target in [0.80, 0.85, 0.90, 0.95, 0.975, 0.99] {
            let (t, alone) = plainKept(kFold, rows, recall: target)
            let classifier = TierClassifier(scorer: nil, raiseThreshold: t, vetoThreshold: veto)
            func combinedKept(_ scores: [Double]) -> String {
                var m = ClassifyBench.Matrix()
                for (i, row) in rows.enumerated() {
                    var evidence = row.evidence
                    evidence.learned = evidence.credentials.isEmpty ? scores[i] : nil
                    m.add(label: row.tier, predicted: classifier.classify(evidence: evidence, neighbours: nil).tier.rawValue)
                }
                return ClassifyBench.percent(m.plainKept, m.plainTotal)
            }
            print(String(format: "| %.1f %% | %.3f | %.1f %% | ", target * 100, t, alone * 100) + combinedKept(kFold) + " | " + combinedKept(sets) + " |")
        }
        print("")

        // Cross-validated figures of the learned score alone and combined with the rules.
        for (name, scores) in [("5-fold", kFold), ("cross-set (train on the other sets, test on one)", sets)] {
            print("## \(name), out of fold: AUC \(String(format: "%.3f", auc(scores, rows)))\n")
            print("learned score alone at the raise threshold: " + aloneFigures(scores, rows, threshold: raise))
            var rulesOnly = ClassifyBench.Matrix(), combined = ClassifyBench.Matrix()
            var byLanguage: [String: (ClassifyBench.Matrix, ClassifyBench.Matrix)] = [:]
            let classifier = TierClassifier(scorer: nil, raiseThreshold: raise, vetoThreshold: veto)
            for (i, row) in rows.enumerated() {
                var evidence = row.evidence
                let ruleTier = classifier.classify(evidence: evidence, neighbours: nil).tier.rawValue
                evidence.learned = evidence.credentials.isEmpty ? scores[i] : nil
                let tier = classifier.classify(evidence: evidence, neighbours: nil).tier.rawValue
                rulesOnly.add(label: row.tier, predicted: ruleTier)
                combined.add(label: row.tier, predicted: tier)
                byLanguage[row.lang, default: (.init(), .init())].0.add(label: row.tier, predicted: ruleTier)
                byLanguage[row.lang, default: (.init(), .init())].1.add(label: row.tier, predicted: tier)
            }
            print("\nrules + learned score:\n")
            print(combined.markdown())
            print("| | rules + learned | rules alone |")
            print("| --- | ---: | ---: |")
            print("| sensitive landing in a plain tier | \(combined.downgrades) of \(combined.sensitiveTotal) | \(rulesOnly.downgrades) of \(rulesOnly.sensitiveTotal) |")
            print("| plain memories kept plain | \(ClassifyBench.percent(combined.plainKept, combined.plainTotal)) | \(ClassifyBench.percent(rulesOnly.plainKept, rulesOnly.plainTotal)) |")
            for lang in byLanguage.keys.sorted() {
                let (r, c) = byLanguage[lang]!
                print("| \(lang): downgrades; plain kept | \(c.downgrades); \(ClassifyBench.percent(c.plainKept, c.plainTotal)) | \(r.downgrades); \(ClassifyBench.percent(r.plainKept, r.plainTotal)) |")
            }
            print("")
        }

        // The final model on every training set, quantised to signed bytes.
        let model = train(rows, rows.indices.map { _ in true }, lambda: chosen.lambda, steps: chosen.steps)
        let largest = model.weights.map(abs).max() ?? 0
        let scale = largest > 0 ? largest / 127 : 1
        let bytes = model.weights.map { UInt8(bitPattern: Int8(max(-127, min(127, ($0 / scale).rounded())))) }
        let quantised = LearnedScorer(base64: Data(bytes).base64EncodedString(), dimensionBits: dimensionBits, scale: scale, bias: model.bias)!
        let exact = LearnedScorer(weights: model.weights.map(Float.init), bias: model.bias)
        var drift = 0.0
        for row in rows { drift = max(drift, abs(1 / (1 + exp(-quantised.margin(row.hashes))) - 1 / (1 + exp(-exact.margin(row.hashes))))) }
        print(String(format: "final model: %d weights, scale %.3g, largest change of a training probability by quantising %.4f", bytes.count, scale, drift))

        let source = weightsSource(bytes: bytes, scale: scale, bias: model.bias, raise: raise, veto: veto, seed: seed,
                                   lambda: chosen.lambda, steps: chosen.steps)
        try Data(source.utf8).write(to: out, options: .atomic)
        print("wrote \(out.path) (\(source.utf8.count) bytes)")
    }

    // MARK: Training

    /// Logistic regression with an L2 penalty, full-batch Adam for `steps` steps from zero.
    static func train(_ rows: [Row], _ use: [Bool], lambda: Double, steps: Int) -> (weights: [Double], bias: Double) {
        let dimension = 1 << dimensionBits
        let mask = UInt32(dimension - 1)
        var w = [Double](repeating: 0, count: dimension)
        var m = w, v = w
        var b = 0.0, mb = 0.0, vb = 0.0
        let beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8
        let indices = rows.indices.filter { use[$0] }
        let n = Double(indices.count)
        var gradient = [Double](repeating: 0, count: dimension)
        for step in 1...steps {
            for k in gradient.indices { gradient[k] = lambda * w[k] }
            var gb = 0.0
            for i in indices {
                let row = rows[i]
                let norm = 1 / Double(row.hashes.count).squareRoot()
                var z = b
                for h in row.hashes { z += (h & 0x8000_0000 != 0 ? w[Int(h & mask)] : -w[Int(h & mask)]) * norm }
                let g = (1 / (1 + exp(-z)) - (row.sensitive ? 1 : 0)) / n
                gb += g
                for h in row.hashes { gradient[Int(h & mask)] += (h & 0x8000_0000 != 0 ? g : -g) * norm }
            }
            let c1 = 1 - pow(beta1, Double(step)), c2 = 1 - pow(beta2, Double(step))
            for k in 0..<dimension {
                m[k] = beta1 * m[k] + (1 - beta1) * gradient[k]
                v[k] = beta2 * v[k] + (1 - beta2) * gradient[k] * gradient[k]
                w[k] -= learningRate * (m[k] / c1) / ((v[k] / c2).squareRoot() + epsilon)
            }
            mb = beta1 * mb + (1 - beta1) * gb
            vb = beta2 * vb + (1 - beta2) * gb * gb
            b -= learningRate * (mb / c1) / ((vb / c2).squareRoot() + epsilon)
        }
        return (w, b)
    }

    /// Out-of-fold probabilities: each memory scored by the model trained without its fold.
    static func outOfFold(_ rows: [Row], _ assignment: [Int], lambda: Double, steps: Int) -> [Double] {
        var scores = [Double](repeating: 0, count: rows.count)
        for fold in Set(assignment).sorted() {
            let model = train(rows, assignment.map { $0 != fold }, lambda: lambda, steps: steps)
            let scorer = LearnedScorer(weights: model.weights.map(Float.init), bias: model.bias)
            for i in rows.indices where assignment[i] == fold { scores[i] = 1 / (1 + exp(-scorer.margin(rows[i].hashes))) }
        }
        return scores
    }

    // MARK: Measures

    /// The highest threshold at which the score alone recalls `recall` of the sensitive memories,
    /// and the share of plain memories below it.
    static func plainKept(_ scores: [Double], _ rows: [Row], recall: Double) -> (threshold: Double, kept: Double) {
        let positive = rows.indices.filter { rows[$0].sensitive }.map { scores[$0] }.sorted()
        let misses = Int((Double(positive.count) * (1 - recall)).rounded(.down))
        let threshold = (positive[misses] * 1000).rounded(.down) / 1000
        let plain = rows.indices.filter { !rows[$0].sensitive }
        return (threshold, Double(plain.filter { scores[$0] < threshold }.count) / Double(plain.count))
    }

    static func aloneFigures(_ scores: [Double], _ rows: [Row], threshold: Double) -> String {
        let positive = rows.indices.filter { rows[$0].sensitive }
        let plain = rows.indices.filter { !rows[$0].sensitive }
        let caught = positive.filter { scores[$0] >= threshold }.count
        let kept = plain.filter { scores[$0] < threshold }.count
        return "recalls \(caught) of \(positive.count) sensitive, keeps \(ClassifyBench.percent(kept, plain.count)) of plain"
    }

    /// Area under the ROC curve (ties count half).
    static func auc(_ scores: [Double], _ rows: [Row]) -> Double {
        let positive = rows.indices.filter { rows[$0].sensitive }.map { scores[$0] }
        let negative = rows.indices.filter { !rows[$0].sensitive }.map { scores[$0] }.sorted()
        var total = 0.0
        for p in positive {
            var lo = 0, hi = negative.count
            while lo < hi { let mid = (lo + hi) / 2; if negative[mid] < p { lo = mid + 1 } else { hi = mid } }
            var ties = lo
            while ties < negative.count && negative[ties] == p { ties += 1 }
            total += Double(lo) + Double(ties - lo) / 2
        }
        return total / Double(positive.count * negative.count)
    }

    // MARK: Output

    static func weightsSource(bytes: [UInt8], scale: Double, bias: Double, raise: Double, veto: Double, seed: UInt64, lambda: Double, steps: Int) -> String {
        let encoded = Data(bytes).base64EncodedString()
        var lines: [String] = []
        var start = encoded.startIndex
        while start < encoded.endIndex {
            let end = encoded.index(start, offsetBy: 100, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(String(encoded[start..<end]))
            start = end
        }
        return """
            // Generated by `memvault-bench classify --train --seed \(seed)` (Benchmarks/memvault-bench/ClassifyTrain.swift)
            // from the sets in Benchmarks/eval/classify named in ClassifyTrain.trainingSets; do not edit.
            // L2 \(String(format: "%.0e", lambda)), \(steps) full-batch Adam steps, 2^\(dimensionBits) hashed features, weights as signed bytes.

            /// The learned scorer's weights and the thresholds chosen by cross-validation (docs/classification.md).
            public enum LearnedWeights {
                static let dimensionBits = \(dimensionBits)
                static let scale = \(String(format: "%.17g", scale))
                static let bias = \(String(format: "%.17g", bias))
                /// P(sensitive) from which the learned score alone makes a memory at least confidential.
                public static let raiseThreshold = \(String(format: "%.3f", raise))
                /// P(sensitive) below which weak rule evidence (one medium word) is discounted.
                public static let vetoThreshold = \(String(format: "%.3f", veto))
                static let weights = \"\"\"
            \(lines.joined(separator: "\n"))
            \"\"\"
            }

            """
    }
}
