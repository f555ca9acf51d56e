import Classifier
import Embedder
import Foundation
import Vault

/// `memvault-bench classify [--data DIR] [--set FILE]... [--misses] [--quality-only] [--speed-only] [--probes N] [--raise T]`
/// (and `--train`: ``ClassifyTrain``; `--probe`: ``ClassifyProbe``; `--frontier`: ``ClassifyFrontier``):
/// the tier classifier on the labelled sets of `Benchmarks/eval/classify/` (`memories.jsonl`, and
/// the held-out sets written by separate sessions, ``defaultSets``; confusion
/// matrices beside the keyword baseline, per language), its speed without the neighbour signal
/// (memories per second, alone and inside an import), and what it adds to a whole `add` (with its
/// commit and index refresh) with the model loaded (neighbours included).
enum ClassifyBench {
    struct Labelled: Decodable {
        var lang: String
        var tier: String
        var category: String?
        var text: String

        enum CodingKeys: String, CodingKey { case lang, language, tier, label, category, text }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            text = try c.decode(String.self, forKey: .text)
            tier = try c.decodeIfPresent(String.self, forKey: .tier) ?? c.decode(String.self, forKey: .label)
            lang = try c.decodeIfPresent(String.self, forKey: .lang) ?? c.decodeIfPresent(String.self, forKey: .language) ?? "?"
            category = try c.decodeIfPresent(String.self, forKey: .category)
        }
    }

    /// The labelled sets run by default, in this order; a missing one is skipped.
    static let defaultSets = [
        "memories.jsonl", "classify-heldout.jsonl", "classify-heldout2.jsonl", "heldout3/classify-heldout3.jsonl",
        "heldout4/classify-heldout4.jsonl", "heldout5/classify-heldout5.jsonl", "heldout6/classify-heldout6.jsonl",
        "heldout7/classify-heldout7.jsonl", "heldout8/classify-heldout8.jsonl", "heldout9/classify-heldout9.jsonl",
        "heldout10/classify-heldout10.jsonl", "heldout11/classify-heldout11.jsonl", "heldout12/classify-heldout12.jsonl",
        "heldout13/classify-heldout13.jsonl", "heldout14/classify-heldout14.jsonl",
        "heldout15/classify-heldout15.jsonl", "heldout16/classify-heldout16.jsonl", "heldout17/classify-heldout17.jsonl",
        "heldout18/classify-heldout18.jsonl", "heldout19/classify-heldout19.jsonl", "heldout20/classify-heldout20.jsonl",
    ]

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
        if arguments.contains("--frontier") {
            try ClassifyFrontier.run(data: data, seed: seed(arguments))
            return
        }
        if arguments.contains("--train") {
            try ClassifyTrain.run(arguments: arguments, data: data)
            return
        }
        var sets: [String] = []
        for (i, argument) in arguments.enumerated() where argument == "--set" && i + 1 < arguments.count { sets.append(arguments[i + 1]) }
        let explicit = !sets.isEmpty
        if sets.isEmpty { sets = defaultSets }
        if arguments.contains("--probe") {
            try ClassifyProbe.run(data: data, sets: sets)
            return
        }
        let showMisses = arguments.contains("--misses")
        var raise = LearnedWeights.raiseThreshold
        if let flag = arguments.firstIndex(of: "--raise"), flag + 1 < arguments.count, let t = Double(arguments[flag + 1]) { raise = t }
        var probeCount = 200
        if let flag = arguments.firstIndex(of: "--probes"), flag + 1 < arguments.count, let n = Int(arguments[flag + 1]) {
            guard n >= 1 else { throw CocoaError(.formatting, userInfo: [NSLocalizedDescriptionKey: "--probes takes 1 or more"]) }
            probeCount = n
        }

        var first: [Labelled]?
        if arguments.contains("--speed-only") { sets = Array(sets.prefix(1)) }  // the speed runs on the first set alone
        for name in sets {
            // A name is looked up in the data folder first (`heldout3/classify-heldout3.jsonl`),
            // then taken as a path as it is.
            let inData = data.appendingPathComponent(name)
            let url = FileManager.default.fileExists(atPath: inData.path) ? inData : URL(fileURLWithPath: name)
            guard FileManager.default.fileExists(atPath: url.path) else {
                if explicit { throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: url.path]) }
                continue
            }
            let set = try load(url)
            if first == nil { first = set }
            if !arguments.contains("--speed-only") { quality(set, name: name, showMisses: showMisses, raise: raise) }
        }
        guard let set = first, !arguments.contains("--quality-only") else { return }
        try speedWithoutNeighbours(set)
        try importThroughput(set)
        try addWithModel(set, probes: probeCount)
    }

    /// The seed of `--seed N` (17 when absent): the folds of `--train`, the samples of `--frontier`.
    static func seed(_ arguments: [String]) -> UInt64 {
        guard let flag = arguments.firstIndex(of: "--seed"), flag + 1 < arguments.count, let n = UInt64(arguments[flag + 1]) else { return 17 }
        return n
    }

    static func load(_ url: URL) throws -> [Labelled] {
        var set: [Labelled] = []
        for (i, line) in try String(decoding: Data(contentsOf: url), as: UTF8.self).split(separator: "\n").enumerated()
        where !line.allSatisfy(\.isWhitespace) {
            do {
                set.append(try JSONDecoder().decode(Labelled.self, from: Data(line.utf8)))
            } catch {
                throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: "\(url.path) line \(i + 1)"])
            }
        }
        return set
    }

    static func percent(_ a: Int, _ b: Int) -> String { b == 0 ? "-" : String(format: "%.1f %%", 100 * Double(a) / Double(b)) }

    /// Confusion matrices of the classifier (text signals) and the keyword baseline on one set.
    /// - Parameter raise: the learned score's raise threshold (`--raise T`; the shipped one by default).
    static func quality(_ set: [Labelled], name: String, showMisses: Bool, raise: Double = LearnedWeights.raiseThreshold) {
        let classifier = TierClassifier(scorer: LearnedScorer.shared, raiseThreshold: raise)
        let rulesAlone = TierClassifier(scorer: nil)
        var ours = Matrix(), baseline = Matrix(), rules = Matrix()
        var byLanguage: [String: (ours: Matrix, baseline: Matrix, rules: Matrix)] = [:]
        var misses: [String] = []
        var downgradedCategories: [String: Int] = [:]
        for memory in set {
            let chosen = classifier.classify(memory.text).tier.rawValue
            let keyword = keywordBaseline(memory.text)
            let ruleTier = rulesAlone.classify(memory.text).tier.rawValue
            ours.add(label: memory.tier, predicted: chosen)
            baseline.add(label: memory.tier, predicted: keyword)
            rules.add(label: memory.tier, predicted: ruleTier)
            byLanguage[memory.lang, default: (Matrix(), Matrix(), Matrix())].ours.add(label: memory.tier, predicted: chosen)
            byLanguage[memory.lang, default: (Matrix(), Matrix(), Matrix())].baseline.add(label: memory.tier, predicted: keyword)
            byLanguage[memory.lang, default: (Matrix(), Matrix(), Matrix())].rules.add(label: memory.tier, predicted: ruleTier)
            let labelPlain = memory.tier == "chronological" || memory.tier == "general"
            let chosenPlain = chosen == "chronological" || chosen == "general"
            if labelPlain != chosenPlain {
                misses.append("\(memory.lang) \(memory.tier)\(memory.category.map { "/\($0)" } ?? "") -> \(chosen): \(memory.text)")
            }
            if !labelPlain && chosenPlain { downgradedCategories[memory.category ?? "-", default: 0] += 1 }
        }
        let languages = Dictionary(grouping: set, by: \.lang).mapValues(\.count).sorted { $0.key < $1.key }
        print("## \(name): \(set.count) labelled memories (\(languages.map { "\($0.key) \($0.value)" }.joined(separator: ", ")))\n")
        print("### memvault classifier (rules + learned score, text signals, no neighbours)\n")
        print(ours.markdown())
        print("### rules alone (no learned score)\n")
        print(rules.markdown())
        print("### keyword baseline\n")
        print(baseline.markdown())
        print("| | classifier | rules alone | keyword baseline |")
        print("| --- | ---: | ---: | ---: |")
        print("| sensitive (confidential, secret, ultrasecret) landing in a plain tier | \(ours.downgrades) of \(ours.sensitiveTotal) | \(rules.downgrades) of \(rules.sensitiveTotal) | \(baseline.downgrades) of \(baseline.sensitiveTotal) |")
        print("| plain memories kept plain | \(percent(ours.plainKept, ours.plainTotal)) | \(percent(rules.plainKept, rules.plainTotal)) | \(percent(baseline.plainKept, baseline.plainTotal)) |")
        print("| exact tier | \(percent(ours.exact, ours.all)) | \(percent(rules.exact, rules.all)) | \(percent(baseline.exact, baseline.all)) |")
        for lang in byLanguage.keys.sorted() {
            let m = byLanguage[lang]!
            print("| \(lang): downgrades; plain kept plain | \(m.ours.downgrades); \(percent(m.ours.plainKept, m.ours.plainTotal)) | \(m.rules.downgrades); \(percent(m.rules.plainKept, m.rules.plainTotal)) | \(m.baseline.downgrades); \(percent(m.baseline.plainKept, m.baseline.plainTotal)) |")
        }
        if !downgradedCategories.isEmpty {
            print("\ndowngrades by labelled category: " + downgradedCategories.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        print("")
        if showMisses { for miss in misses { print("miss: \(miss)") } }
    }

    /// The classifier alone, every text of the set, many rounds, one thread (what import runs per record).
    static func speedWithoutNeighbours(_ set: [Labelled]) throws {
        let classifier = TierClassifier()
        let texts = set.map(\.text)
        var latencies: [Double] = []
        let clock = ContinuousClock()
        let rounds = 40
        let start = clock.now
        for _ in 0..<rounds {
            for text in texts {
                let t0 = clock.now
                _ = classifier.classify(text)
                latencies.append((clock.now - t0).milliseconds)
            }
        }
        let seconds = (clock.now - start).milliseconds / 1000
        latencies.sort()
        print(String(format: "without neighbours: %.0f memories/s on one thread; per memory p50 %.3f ms, p99 %.3f ms (%d classifications)",
                     Double(texts.count * rounds) / seconds, latencies[latencies.count / 2], latencies[latencies.count * 99 / 100], latencies.count))
        // What the learned scorer costs: the rules alone over the same texts, and the scorer alone.
        let rules = TierClassifier(scorer: nil)
        let scorer = LearnedScorer.shared
        var rulesTimes: [Double] = [], scorerTimes: [Double] = []
        var sink = 0.0
        for _ in 0..<10 {
            var t0 = clock.now
            for text in texts { _ = rules.classify(text) }
            rulesTimes.append((clock.now - t0).milliseconds)
            t0 = clock.now
            for text in texts { sink += scorer.probability(text) }
            scorerTimes.append((clock.now - t0).milliseconds)
        }
        rulesTimes.sort()
        scorerTimes.sort()
        let n = Double(texts.count)
        print(String(format: "  rules alone (no learned score): %.4f ms per memory (%.0f memories/s); the learned scorer alone: %.4f ms per memory (median of 10 passes over %d texts%@)",
                     rulesTimes[5] / n, n / rulesTimes[5] * 1000, scorerTimes[5] / n, texts.count, sink.isNaN ? "!" : ""))
    }

    /// A vault in a temporary folder with keys for confidential and secret (scrypt work factor
    /// 10, as `sealed` uses), so that records classified there can be written.
    static func keyedVault(_ root: URL) throws -> Vault {
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_RUNTIME_DIR"] = root.path
        let vault = try Vault.create(at: root.appendingPathComponent("vault"), user: "clara", environment: environment)
        vault.scryptWorkFactorLimit = 10
        for tier in [Tier.confidential, .secret] { _ = try vault.setPassphrase(user: "clara", tier: tier, old: nil, new: "bench \(tier.rawValue)") }
        return vault
    }

    /// Import of 2,000 records with `"tier": "auto"` against the same records with the tiers the
    /// classifier gives them written out, each into a fresh vault; the difference is what
    /// classification costs an import (no neighbour signal on import).
    static func importThroughput(_ set: [Labelled]) throws {
        let classifier = TierClassifier()
        let count = 2_000
        var auto = "", fixed = ""
        for i in 0..<count {
            let memory = set[i % set.count]
            let text = "\(memory.text) (\(i))"
            let tier = classifier.classify(text).tier.rawValue
            let date = String(format: "2025-%02d-%02d %02d:%02d", 1 + (i / 28) % 12, 1 + i % 28, i % 24, i % 60)
            func line(_ tier: String) throws -> String {
                String(decoding: try JSONSerialization.data(withJSONObject: ["text": text, "tier": tier, "date": date]), as: UTF8.self) + "\n"
            }
            auto += try line("auto")
            fixed += try line(tier)
        }
        let clock = ContinuousClock()
        var autoTimes: [Double] = [], fixedTimes: [Double] = []
        let rounds = 5
        for round in 0..<rounds {
            for (records, isAuto) in (round % 2 == 0 ? [(fixed, false), (auto, true)] : [(auto, true), (fixed, false)]) {
                let root = FileManager.default.temporaryDirectory.appendingPathComponent("memvault-classify-import-\(getpid())-\(round)-\(isAuto)")
                defer { try? FileManager.default.removeItem(at: root) }
                let vault = try keyedVault(root)
                let t0 = clock.now
                let ids = try vault.importRecords(Array(records.utf8), user: "clara")
                let ms = (clock.now - t0).milliseconds
                precondition(ids.count == count)
                if isAuto { autoTimes.append(ms) } else { fixedTimes.append(ms) }
            }
        }
        autoTimes.sort()
        fixedTimes.sort()
        // What import adds per record, measured directly: Vault.classify on each record's text as
        // import calls it (text signals only), one pass over the 2,000, in a vault.
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("memvault-classify-direct-\(getpid())")
        defer { try? FileManager.default.removeItem(at: root) }
        let vault = try keyedVault(root)
        let texts = (0..<count).map { "\(set[$0 % set.count].text) (\($0))" }
        var passes: [Double] = []
        for _ in 0..<5 {
            let t0 = clock.now
            for text in texts { _ = try vault.classify(text: text, user: "clara") }
            passes.append((clock.now - t0).milliseconds)
        }
        passes.sort()
        print(String(format: "import of %d records, %d rounds: \"tier\": \"auto\" min %.0f ms, median %.0f ms (%.0f memories/s at the median); tiers given min %.0f ms, median %.0f ms (%.0f memories/s)",
                     count, rounds, autoTimes[0], autoTimes[rounds / 2], Double(count) / autoTimes[rounds / 2] * 1000,
                     fixedTimes[0], fixedTimes[rounds / 2], Double(count) / fixedTimes[rounds / 2] * 1000))
        print(String(format: "  classification on import (Vault.classify without neighbours, %d texts, median of 5 passes): %.1f ms = %.3f ms per memory = %.0f memories/s",
                     count, passes[2], passes[2] / Double(count), Double(count) / passes[2] * 1000))
    }

    /// With the model loaded, as in a long-running process (the MCP server, `watch`): the true
    /// cost classification adds to a write. On two vaults holding the same indexed memories, each
    /// probe is added with `--tier auto` to one and with the tier it gets written out to the
    /// other, and each add is followed by the index refresh that indexes it (in the automatic
    /// vault that refresh takes the vector the classification embedded). The whole add + refresh
    /// is timed in both, alternating which goes first; reported: the medians of both and their
    /// difference, per landing tier (plain: indexed here; encrypted and locked: not indexed
    /// here), and what the extra is made of (one embedding; the neighbour look-up and the text
    /// signals without it).
    static func addWithModel(_ set: [Labelled], probes probeCount: Int) throws {
        guard let embedder = try? Embedder(modelDirectory: Embedder.defaultModelDirectory()) else {
            print("model missing: the figures with the model loaded are skipped")
            return
        }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("memvault-classify-\(getpid())")
        defer { try? FileManager.default.removeItem(at: root) }
        let plain = set.filter { $0.tier == "chronological" || $0.tier == "general" }
        // Half the plain memories fill the vaults; probes come from the rest and from the sensitive ones.
        let stored = plain.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        var probes = plain.enumerated().filter { $0.offset % 2 == 1 }.map(\.element.text)
        probes += set.filter { $0.tier == "confidential" || $0.tier == "secret" }.map(\.text)
        probes = (0..<probeCount).map { probes[($0 * 7) % probes.count] + " (\($0))" }
        var records = ""
        for (i, memory) in stored.enumerated() {
            let date = String(format: "2025-%02d-%02d 10:%02d", 1 + (i / 28) % 12, 1 + i % 28, i % 60)
            records += String(decoding: try JSONSerialization.data(withJSONObject: ["text": memory.text, "tier": memory.tier, "date": date]), as: UTF8.self) + "\n"
        }
        let autoModel = CountingModel(embedder), givenModel = CountingModel(embedder)
        let autoVault = try keyedVault(root.appendingPathComponent("auto"))
        let givenVault = try keyedVault(root.appendingPathComponent("given"))
        for vault in [autoVault, givenVault] {
            _ = try vault.importRecords(Array(records.utf8), user: "clara")
            _ = try vault.reindex(full: true, embedder: embedder)
        }
        // A second handle on the automatic vault (its own memo and loaded index) tells the tier
        // the given vault is to get before either add runs, untimed, so that either can go first.
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_RUNTIME_DIR"] = root.appendingPathComponent("auto").path
        let oracle = try Vault(at: root.appendingPathComponent("auto/vault"), environment: environment)
        var disagreements = 0
        let clock = ContinuousClock()
        let loadBefore = EmbedBenchmark.loadAverage()
        // Warm: the index loaded in both, one classification.
        _ = try autoVault.classify(text: probes[0], user: "clara", embedder: embedder)
        _ = embedder.embed([probes[0]])
        var classifyTimes: [Double] = [], embedTimes: [Double] = [], withoutEmbedding: [Double] = [], textOnly: [Double] = []
        for text in probes {
            var t0 = clock.now
            _ = try autoVault.classify(text: text + " ?", user: "clara", embedder: embedder)
            classifyTimes.append((clock.now - t0).milliseconds)
            // The same text again: its vector is in the memo, so this is the look-up and the text signals alone.
            t0 = clock.now
            _ = try autoVault.classify(text: text + " ?", user: "clara", embedder: embedder)
            withoutEmbedding.append((clock.now - t0).milliseconds)
            t0 = clock.now
            _ = embedder.embed([text + " !"])
            embedTimes.append((clock.now - t0).milliseconds)
            t0 = clock.now
            _ = try autoVault.classify(text: text, user: "clara", embedder: nil)
            textOnly.append((clock.now - t0).milliseconds)
        }
        struct Pair { var auto: Double; var given: Double; var encrypted: Bool }
        var pairs: [Pair] = []
        var chosen: [String: Int] = [:]
        let now = Date(timeIntervalSince1970: 1_764_000_000)
        for (i, text) in probes.enumerated() {
            let when = now.addingTimeInterval(Double(i) * 60)
            let tier = try oracle.classify(text: text, user: "clara", embedder: embedder).tier
            var autoTier: Tier?
            func runAuto() throws -> Double {
                let t0 = clock.now
                let added = try autoVault.add(NewMemory(text: text, autoTier: true), user: "clara", now: when, embedder: autoModel)
                _ = try autoVault.reindex(full: false, embedder: autoModel)
                autoTier = added.tier
                return (clock.now - t0).milliseconds
            }
            func runGiven() throws -> Double {
                let t0 = clock.now
                _ = try givenVault.add(NewMemory(text: text, tier: tier), user: "clara", now: when)
                _ = try givenVault.reindex(full: false, embedder: givenModel)
                return (clock.now - t0).milliseconds
            }
            var autoMs = 0.0, givenMs = 0.0
            if i % 2 == 0 {
                autoMs = try runAuto(); givenMs = try runGiven()
            } else {
                givenMs = try runGiven(); autoMs = try runAuto()
            }
            if autoTier != tier { disagreements += 1 }
            chosen[tier.rawValue, default: 0] += 1
            pairs.append(Pair(auto: autoMs, given: givenMs, encrypted: tier.isEncrypted))
        }
        let loadAfter = EmbedBenchmark.loadAverage()
        func p(_ values: [Double], _ q: Double) -> Double { let s = values.sorted(); return s[min(s.count - 1, Int(Double(s.count) * q))] }
        print(String(format: "with the model loaded, %d plain memories indexed, %d probes (load average before %@, after %@):",
                     stored.count, probes.count, loadBefore, loadAfter))
        print(String(format: "  Vault.classify with neighbours: p50 %.2f ms, p90 %.2f ms; of which one embedding alone p50 %.2f ms;",
                     p(classifyTimes, 0.5), p(classifyTimes, 0.9), p(embedTimes, 0.5)))
        print(String(format: "    the same without the embedding (vector in the memo: index look-ups + text signals) p50 %.2f ms; text signals alone p50 %.3f ms",
                     p(withoutEmbedding, 0.5), p(textOnly, 0.5)))
        func report(_ name: String, _ group: [Pair]) {
            guard !group.isEmpty else { return }
            let autoP50 = p(group.map(\.auto), 0.5), givenP50 = p(group.map(\.given), 0.5)
            let diffs = group.map { $0.auto - $0.given }
            print(String(format: "  %@ (%d): whole add + refresh p50 --tier auto %.2f ms, tier given %.2f ms: classification adds %.2f ms (difference of the medians); paired difference p50 %.2f ms, p90 %.2f ms",
                         name, group.count, autoP50, givenP50, autoP50 - givenP50, p(diffs, 0.5), p(diffs, 0.9)))
        }
        report("all probes", pairs)
        report("landing in a plain tier (indexed by the refresh, the classification's vector reused)", pairs.filter { !$0.encrypted })
        report("landing in a locked encrypted tier (not indexed here, the vector not reused)", pairs.filter(\.encrypted))
        print("  texts the model embedded: auto \(autoModel.count), given \(givenModel.count) (for \(probes.count) adds each)")
        if disagreements > 0 { print("  \(disagreements) probes got another tier from the add than from the look-ahead (their pairs compare different tiers)") }
        print("  tiers chosen: " + chosen.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
    }
}

/// The model, counting the texts it embeds (to show which writes ran it).
final class CountingModel: SentenceEmbedding, @unchecked Sendable {
    let base: Embedder
    private let lock = NSLock()
    private var texts = 0

    init(_ base: Embedder) { self.base = base }

    var count: Int { lock.lock(); defer { lock.unlock() }; return texts }

    func embed(_ texts: [String]) -> [[Float]] {
        lock.lock(); self.texts += texts.count; lock.unlock()
        return base.embed(texts)
    }

    func embedMatrix(_ texts: [String]) -> [Float] {
        lock.lock(); self.texts += texts.count; lock.unlock()
        return base.embedMatrix(texts)
    }
}
