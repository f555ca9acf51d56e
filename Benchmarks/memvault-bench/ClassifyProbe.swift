import Classifier
import Embedder
import Foundation

/// `memvault-bench classify --probe [--set FILE]...`: measures a signal the classifier does not
/// have, a linear probe on the model's sentence embeddings (sensitive or plain), beside the
/// shipped classifier. The probe is trained on ``ClassifyTrain/trainingSets`` only (logistic
/// regression, L2, full-batch Adam from zero: deterministic); its raise threshold is chosen out
/// of fold (cross-set: each training set scored by a probe trained on the others) at the recalls
/// printed. Each evaluation set is then classified by the shipped classifier, and a memory it
/// leaves plain is raised to confidential when the probe's probability reaches the threshold.
enum ClassifyProbe {
    static let lambda = 1e-4
    static let steps = 300
    static let learningRate = 0.05
    static let recalls = [0.50, 0.70, 0.80, 0.90, 0.95]

    static func run(data: URL, sets: [String]) throws {
        let embedder = try Embedder(modelDirectory: Embedder.defaultModelDirectory())
        func embed(_ texts: [String]) -> [[Float]] {
            stride(from: 0, to: texts.count, by: 64).flatMap { embedder.embed(Array(texts[$0..<min(texts.count, $0 + 64)])) }
        }
        var vectors: [[Float]] = []
        var labels: [Bool] = []
        var setOf: [Int] = []
        for (index, name) in ClassifyTrain.trainingSets.enumerated() {
            let memories = try ClassifyBench.load(data.appendingPathComponent(name))
            vectors += embed(memories.map(\.text))
            labels += memories.map { ["confidential", "secret", "ultrasecret"].contains($0.tier) }
            setOf += Array(repeating: index, count: memories.count)
        }
        print("# probe: \(vectors.count) training memories embedded (\(labels.filter { $0 }.count) sensitive)")
        // Cross-set out-of-fold probabilities, for the thresholds.
        var outOfFold = [Double](repeating: 0, count: vectors.count)
        for held in Set(setOf).sorted() {
            let model = train(vectors, labels, use: setOf.map { $0 != held })
            for i in vectors.indices where setOf[i] == held { outOfFold[i] = probability(model, vectors[i]) }
        }
        let positives = vectors.indices.filter { labels[$0] }.map { outOfFold[$0] }.sorted()
        let thresholds = recalls.map { positives[Int(Double(positives.count) * (1 - $0))] }
        let model = train(vectors, labels, use: labels.map { _ in true })
        let classifier = TierClassifier()
        print("| set | shipped: left plain, plain kept | " + zip(recalls, thresholds).map { String(format: "probe at %.0f %% recall (t %.3f)", $0 * 100, $1) }.joined(separator: " | ") + " |")
        print("| --- | ---: |" + String(repeating: " ---: |", count: recalls.count))
        for name in sets {
            let memories = try ClassifyBench.load(data.appendingPathComponent(name))
            let probabilities = embed(memories.map(\.text)).map { probability(model, $0) }
            let plainChosen = memories.map { [.chronological, .general].contains(classifier.classify($0.text).tier) }
            let sensitive = memories.map { ["confidential", "secret", "ultrasecret"].contains($0.tier) }
            func figures(_ threshold: Double?) -> String {
                var leftPlain = 0, plainKept = 0
                for i in memories.indices {
                    let plain = plainChosen[i] && (threshold.map { probabilities[i] < $0 } ?? true)
                    if sensitive[i] && plain { leftPlain += 1 }
                    if !sensitive[i] && plain { plainKept += 1 }
                }
                let plainCount = sensitive.filter { !$0 }.count
                return String(format: "%d of %d, %.1f %%", leftPlain, sensitive.filter { $0 }.count, 100 * Double(plainKept) / Double(max(1, plainCount)))
            }
            print("| \(name) | \(figures(nil)) | " + thresholds.map { figures($0) }.joined(separator: " | ") + " |")
        }
    }

    struct Model {
        var weights: [Double]
        var bias: Double
    }

    static func probability(_ model: Model, _ vector: [Float]) -> Double {
        var z = model.bias
        for k in vector.indices { z += model.weights[k] * Double(vector[k]) }
        return 1 / (1 + exp(-z))
    }

    /// Logistic regression with an L2 penalty, full-batch Adam from zero.
    static func train(_ vectors: [[Float]], _ labels: [Bool], use: [Bool]) -> Model {
        let dimension = vectors[0].count
        var model = Model(weights: [Double](repeating: 0, count: dimension), bias: 0)
        var m = [Double](repeating: 0, count: dimension + 1), v = m
        let rows = vectors.indices.filter { use[$0] }
        let n = Double(rows.count)
        for step in 1...steps {
            var gradient = model.weights.map { lambda * $0 } + [0]
            for i in rows {
                let g = (probability(model, vectors[i]) - (labels[i] ? 1 : 0)) / n
                for k in 0..<dimension { gradient[k] += g * Double(vectors[i][k]) }
                gradient[dimension] += g
            }
            let c1 = 1 - pow(0.9, Double(step)), c2 = 1 - pow(0.999, Double(step))
            for k in 0...dimension {
                m[k] = 0.9 * m[k] + 0.1 * gradient[k]
                v[k] = 0.999 * v[k] + 0.001 * gradient[k] * gradient[k]
                let delta = learningRate * (m[k] / c1) / ((v[k] / c2).squareRoot() + 1e-8)
                if k < dimension { model.weights[k] -= delta } else { model.bias -= delta }
            }
        }
        return model
    }
}
