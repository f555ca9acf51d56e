import Foundation
import Testing
@testable import Classifier
import TestSupport

extension TierClassifierTests {
    // MARK: The learned scorer

    @Test("the learned scorer loads its shipped weights and is deterministic")
    func learnedScorerLoadsAndIsDeterministic() throws {
        let scorer = LearnedScorer.shared
        #expect(scorer.dimension == 1 << LearnedWeights.dimensionBits)
        #expect(LearnedWeights.dimensionBits >= 12)
        #expect(scorer.weights.contains { $0 != 0 }, "trained weights, not a placeholder")
        #expect(LearnedWeights.raiseThreshold > 0 && LearnedWeights.raiseThreshold < 1)
        #expect(LearnedWeights.vetoThreshold >= 0 && LearnedWeights.vetoThreshold < LearnedWeights.raiseThreshold)
        // A second decoding of the same bytes gives the same model, and the same text the same score.
        let again = try #require(LearnedScorer(base64: LearnedWeights.weights, dimensionBits: LearnedWeights.dimensionBits,
                                               scale: LearnedWeights.scale, bias: LearnedWeights.bias))
        #expect(again.weights == scorer.weights)
        for text in ["Walked to the lake with Jonas", "Die Biopsie war gutartig", "", "ça va ? 🙂"] {
            let p = scorer.probability(text)
            #expect(p > 0 && p < 1)
            #expect(p == again.probability(text))
            #expect(p == scorer.probability(text))
        }
        // Hashing is FNV-1a, fixed: not Swift's per-process seeded Hasher.
        #expect(LearnedScorer.fnv(prefix: 0x77, Array("a".utf8)) == 0x6047_B5F5)
        // Wrong sizes are refused.
        #expect(LearnedScorer(base64: "AAAA", dimensionBits: 4, scale: 1, bias: 0) == nil)
    }

    @Test("features: words, word pairs and character n-grams, accents folded and digits alike")
    func learnedFeatures() {
        let a = LearnedScorer.featureHashes(text: "Médecin à 9h")
        let b = LearnedScorer.featureHashes(text: "medecin A 7H")
        #expect(a == b)
        #expect(a == a.sorted() && Set(a).count == a.count)
        // "<ab>" has two 3-grams and one 4-gram; with the word: 4 features.
        #expect(LearnedScorer.featureHashes(text: "ab").count == 4)
        #expect(LearnedScorer.featureHashes(text: "").isEmpty)
    }

    @Test("the learned score tells sensitive from plain in the four languages")
    func learnedScoreOrders() {
        let scorer = LearnedScorer.shared
        let pairs = [
            ("The oncologist called about the biopsy", "Walked to the lake with Jonas after lunch"),
            ("Meine Therapeutin meint, die Angststörung wird besser", "Wir waren gestern im Kino, der Film war lang"),
            ("Le notaire a lu le testament de mon père", "On a mangé une crêpe au marché ce matin"),
            ("El abogado dice que el divorcio va para largo", "Hoy fuimos a la playa con los primos"),
        ]
        for (sensitive, plain) in pairs {
            #expect(scorer.probability(sensitive) > scorer.probability(plain), "\(sensitive) / \(plain)")
        }
    }

    @Test("an indirect sensitive memory that no word list matches is moved up by the learned score", arguments: [
        // Sentences of my own, not from any labelled set (docs/classification.md lists the ones it misses).
        "en: Sam doesn't know I moved the savings into my sister's name before we split",
        "de: Seit dem Gespräch mit der Personalabteilung weiß ich, dass meine Stelle wegfällt",
        "fr: Depuis l'entretien avec les RH je sais que mon poste va être supprimé",
        "es: Volvió a beber anoche y rompió la puerta, esta noche duermo en casa de mi hermana",
    ])
    func indirectSensitiveMovedUp(line: String) {
        let text = String(line.dropFirst(4))
        let evidence = classifier.evidence(text)
        #expect(evidence.categories.isEmpty && evidence.credentials.isEmpty, "a rule matched: \(evidence.categories)")
        #expect(TierClassifier(scorer: nil).classify(text).tier < .confidential, "the rules alone leave it plain")
        let result = classifier.classify(text)
        #expect(result.tier == .confidential, "\(result)")
        #expect(result.reasons.contains { $0.hasPrefix("learned score: sensitive") })
    }

    @Test("strong evidence is never discounted: a harmless text with a strong scary word stays confidential", arguments: [
        "Watched a documentary about cancer research in penguins, oddly relaxing",
        "Der Krimi heute Abend handelte von einer Scheidung, ziemlich langweilig",
    ])
    func strongWordStaysUp(text: String) {
        let evidence = classifier.evidence(text)
        #expect(evidence.rulesFindSensitive && !evidence.sensitiveIsWeak, "\(evidence)")
        let call = classifier.sensitiveCall(evidence)
        #expect(call.atLeastConfidential && !call.discounted)
        #expect(classifier.classify(text).tier >= .confidential)
    }

    @Test("a single weak word goes where the combined rule says: plain when the learned score is sure, up otherwise", arguments: [
        "We met at the bank on the corner and walked to the river",
        "Die Polizei hat heute die Straße zum Markt gesperrt",
    ])
    func weakWordFollowsCombinedRule(text: String) {
        let evidence = classifier.evidence(text)
        #expect(evidence.sensitiveIsWeak, "\(evidence)")
        let p = try! #require(evidence.learned)
        let result = classifier.classify(text)
        if p < classifier.vetoThreshold {
            #expect(result.tier < .confidential, "\(result)")
            #expect(result.reasons.contains { $0.contains("single weak word discounted") })
            #expect(result.tags.isEmpty)
        } else {
            #expect(result.tier >= .confidential, "\(result)")
        }
        // With the discount threshold at 0 the rule alone decides: up.
        #expect(TierClassifier(scorer: .shared, vetoThreshold: 0).classify(text).tier >= .confidential)
        // With a threshold above the score, the weak word is discounted: plain, no tag, the reason says so.
        let discounting = TierClassifier(scorer: .shared, raiseThreshold: 1, vetoThreshold: min(1, p + 0.01))
        let discounted = discounting.classify(text)
        #expect(discounted.tier <= .general, "\(discounted)")
        #expect(discounted.tags.isEmpty)
        #expect(discounted.reasons.contains { $0.contains("single weak word discounted") })
        // The same threshold never discounts strong evidence.
        #expect(discounting.classify("Die Scheidung ist seit gestern durch").tier >= .confidential)
    }

    @Test("with the learned score, doubt still only moves up: the threshold law on random evidence and scores")
    func thresholdLawWithLearnedScore() {
        var generator = SeededGenerator(rawSeed: 23)
        let weights = [0, CompiledLexicon.weak, CompiledLexicon.medium, CompiledLexicon.strong]
        for _ in 0..<5_000 {
            var evidence = Evidence()
            for category in SensitiveCategory.allCases where generator.next() % 4 == 0 {
                let w = weights[Int(generator.next() % 4)]
                evidence.categories[category] = w
                evidence.strongestSensitive = max(evidence.strongestSensitive, w)
            }
            if generator.next() % 10 == 0 { evidence.credentials = [SecretScanner.Hit(kind: .password, line: 1)] }
            evidence.timeAnchor = generator.unit()
            evidence.eventVerb = generator.unit()
            evidence.fact = generator.unit()
            let p = generator.unit()
            evidence.learned = evidence.credentials.isEmpty ? p : nil
            let raise = generator.unit()
            let classifier = TierClassifier(scorer: nil, raiseThreshold: raise, vetoThreshold: raise * generator.unit())
            let result = classifier.classify(evidence: evidence, neighbours: nil)
            #expect(result.tier != .ultrasecret)
            for tier in TierLabel.automatic where tier < .secret {
                if result.atMost[tier.rawValue]! < tier.threshold { #expect(result.tier > tier) }
            }
            // Credentials and strong evidence are never lowered by the learned score.
            if !evidence.credentials.isEmpty { #expect(result.tier == .secret) }
            if evidence.rulesFindSensitive && !evidence.sensitiveIsWeak { #expect(result.tier >= .confidential) }
            // Without weak evidence to discount, the learned score never lowers the rules' tier.
            var rulesOnly = evidence
            rulesOnly.learned = nil
            let rules = classifier.classify(evidence: rulesOnly, neighbours: nil)
            if !evidence.sensitiveIsWeak { #expect(result.tier >= rules.tier, "\(evidence) \(result) \(rules)") }
            if p >= classifier.raiseThreshold && evidence.credentials.isEmpty { #expect(result.tier >= .confidential) }
        }
    }
}
