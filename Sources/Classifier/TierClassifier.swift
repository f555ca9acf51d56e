import Foundation

/// A sensitive category the classifier recognises; each is at least `confidential`.
public enum SensitiveCategory: String, Sendable, Codable, CaseIterable {
    case health, finances, identity, legal, intimate, address, children
    case passwordHint = "password-hint"
    /// Told in confidence: "nobody knows", "personne ne le sait", "nadie lo sabe".
    case secrecy

    /// The tag suggested for a memory of this category.
    public var tag: String {
        switch self {
        case .health: "health"
        case .finances: "finances"
        case .identity: "identity"
        case .legal: "legal"
        case .intimate: "private"
        case .address: "address"
        case .children: "children"
        case .passwordHint: "credentials"
        case .secrecy: "private"
        }
    }

    /// Readable name for reasons: "health", "identity documents".
    public var label: String {
        switch self {
        case .health: "health"
        case .finances: "finances"
        case .identity: "identity documents"
        case .legal: "legal matters"
        case .intimate: "intimate life"
        case .address: "home address"
        case .children: "children"
        case .passwordHint: "password hint"
        case .secrecy: "told in confidence"
        }
    }
}

/// An already-tiered memory near the text being classified (its tier and cosine similarity).
public struct Neighbour: Sendable, Equatable {
    public var tier: TierLabel
    public var similarity: Float

    public init(tier: TierLabel, similarity: Float) {
        self.tier = tier
        self.similarity = similarity
    }
}

/// What each signal found in a text, before the decision.
public struct Evidence: Sendable, Equatable {
    /// Credentials found by ``SecretScanner`` (kind and line, never the text).
    public var credentials: [SecretScanner.Hit] = []
    /// Per sensitive category, the strength of its evidence in [0, 1].
    public var categories: [SensitiveCategory: Double] = [:]
    /// Strength in [0, 1] of a time anchor ("yesterday", "am Montag", "14:30").
    public var timeAnchor = 0.0
    /// Strength in [0, 1] of event language ("went", "hatte", "on a vu", "fuimos").
    public var eventVerb = 0.0
    /// Strength in [0, 1] of timeless fact or preference language ("I prefer", "toujours").
    public var fact = 0.0
    /// The largest weight of a single sensitive word found (strong 0.9, medium 0.45, weak 0.15;
    /// 0 when none), a phrase or a pattern counting as strong: tells decisive evidence from a
    /// weak word.
    public var strongestSensitive = 0.0
    /// P(sensitive) from ``LearnedScorer``, or nil when it was not run (no scorer, or a credential).
    public var learned: Double?

    public init() {}

    /// The sensitive categories combined (noisy-or), in [0, 1].
    public var sensitiveStrength: Double { 1 - categories.values.reduce(1.0) { $0 * (1 - $1) } }

    /// Whether the rules find a sensitive category (strength 0.4 or more).
    public var rulesFindSensitive: Bool { categories.values.contains { $0 >= 0.4 } }

    /// Whether the rules' sensitive evidence is weak: no strong word, no phrase and no pattern,
    /// only about one medium word (all categories together below 0.6: one medium word, perhaps
    /// with one weak one, or a handful of weak ones). Such evidence is what a word used
    /// harmlessly gives ("the bank on the corner"); strong evidence always forces a memory up.
    public var sensitiveIsWeak: Bool {
        rulesFindSensitive && strongestSensitive <= CompiledLexicon.medium + 1e-9 && sensitiveStrength < 0.6
    }
}

/// The classifier's answer: the tier, how sure it is, why, and tags to suggest.
public struct Classification: Sendable, Codable, Equatable {
    /// The tier chosen.
    public var tier: TierLabel
    /// The probability that `tier` is the memory's tier.
    public var confidence: Double
    /// Per automatic tier, the probability that the memory needs no tier above it: the number
    /// compared with the tier's threshold.
    public var atMost: [String: Double]
    /// Per automatic tier, the probability of that label.
    public var scores: [String: Double]
    /// The signals that fired, readable; never the matched text.
    public var reasons: [String]
    /// Tags to suggest (the sensitive categories found).
    public var tags: [String]
    /// Whether doubt moved the memory above the most likely tier.
    public var escalated: Bool
}

/// Sorts a memory into a tier, locally, offline and deterministically.
///
/// Five signals: the ``SecretScanner`` (a credential makes a memory at least `secret`); the
/// sensitive categories (``SensitiveCategory``, from curated lexicons in English, German,
/// French and Spanish and from patterns; one makes it at least `confidential`); the person's
/// habits (the tiers of the nearest already-tiered memories, weighted by how consistent they
/// are; optional); event language with a time anchor (`chronological`) against timeless
/// facts and preferences (`general`); and the learned score (``LearnedScorer``), which makes a
/// memory no rule flags at least `confidential` when P(sensitive) reaches ``raiseThreshold``.
/// ``decide(_:floor:)`` turns the resulting probabilities into a tier so that doubt always moves
/// a memory up, never down.
public struct TierClassifier: Sendable {
    /// How far the neighbours can move the probabilities, at most (when they all agree and are close).
    public static let neighbourWeight = 0.4
    /// Neighbours less similar than this are ignored.
    public static let neighbourMinimumSimilarity: Float = 0.45

    /// The learned scorer, or nil for the rules alone.
    public var scorer: LearnedScorer?
    /// P(sensitive) at or above which the learned scorer alone makes a memory at least
    /// `confidential` (when no rule finds a sensitive category).
    public var raiseThreshold: Double
    /// P(sensitive) below which the learned scorer keeps a memory whose only sensitive evidence is
    /// weak (``Evidence/sensitiveIsWeak``) from being moved up by it. Strong evidence and
    /// credentials are never discounted.
    public var vetoThreshold: Double

    /// The shipped classifier: the rules and the learned scorer with the thresholds chosen by
    /// cross-validation (``LearnedWeights``).
    public init() {
        self.init(scorer: .shared)
    }

    /// A classifier with another scorer (nil: the rules alone) or other thresholds.
    public init(scorer: LearnedScorer?, raiseThreshold: Double = LearnedWeights.raiseThreshold, vetoThreshold: Double = LearnedWeights.vetoThreshold) {
        self.scorer = scorer
        self.raiseThreshold = raiseThreshold
        self.vetoThreshold = vetoThreshold
    }

    /// Classifies `text`.
    /// - Parameters:
    ///   - neighbours: the nearest already-tiered memories, or nil to skip that signal (import).
    /// - Complexity: O(n) in the text's length.
    public func classify(_ text: String, neighbours: [Neighbour]? = nil) -> Classification {
        classify(evidence: evidence(text), neighbours: neighbours)
    }

    /// Classifies `text`, asking for the neighbours only when they could change the tier.
    ///
    /// Two cases cannot: a credential already makes the memory `secret`, the highest automatic
    /// tier, which habits can neither raise nor lower; and a memory the text alone puts in the
    /// encrypted tier its evidence requires (the floor) when no neighbour could come from a tier
    /// above it. A vote from tiers at or below the floor only adds to the share at or below every
    /// tier from the floor up (flooring moves it into the floor), so every threshold the text
    /// alone met stays met and the tier is the same (only its confidence would rise). So a
    /// write the text puts in a locked `confidential` tier is never embedded for its habits.
    /// - Parameters:
    ///   - highestNeighbourTier: the highest tier a neighbour could have (the plain tiers, and the
    ///     encrypted tiers whose indexes can be read now); asked only when the answer matters.
    ///   - neighbours: gives the nearest already-tiered memories, or nil to skip that signal.
    public func classify<E: Error>(
        _ text: String, highestNeighbourTier: () throws(E) -> TierLabel, neighbours: () throws(E) -> [Neighbour]?
    ) throws(E) -> Classification {
        let evidence = self.evidence(text)
        guard evidence.credentials.isEmpty else { return classify(evidence: evidence, neighbours: nil) }
        let call = sensitiveCall(evidence)
        let floor = Self.floor(evidence, call: call)
        let textScores = Self.probabilities(evidence, call: call)
        let textAlone = Self.decide(textScores, floor: floor)
        if floor >= .confidential, textAlone.tier == floor, min(try highestNeighbourTier(), .secret) <= floor {
            return classification(evidence, call: call, vote: nil, decision: textAlone)
        }
        return classify(evidence: evidence, call: call, textScores: textScores, neighbours: try neighbours())
    }

    /// The lowest tier the text's evidence allows: `secret` with a credential, `confidential`
    /// when the rules and the learned score call it sensitive, else `chronological`.
    static func floor(_ evidence: Evidence, call: SensitiveCall) -> TierLabel {
        if !evidence.credentials.isEmpty { return .secret }
        return call.atLeastConfidential ? .confidential : .chronological
    }

    /// What the rules and the learned score together say about sensitivity: whether the memory is
    /// at least confidential, and whether the learned score raised it or discounted weak evidence.
    public struct SensitiveCall: Sendable, Equatable {
        public var atLeastConfidential: Bool
        public var raised = false
        public var discounted = false
    }

    /// Doubt moves up: a credential or strong rule evidence always decides; the learned score can
    /// raise a memory no rule flags, and can discount only weak rule evidence (one medium word)
    /// when it is confident the text is plain.
    public func sensitiveCall(_ evidence: Evidence) -> SensitiveCall {
        guard evidence.credentials.isEmpty, let p = evidence.learned else {
            return SensitiveCall(atLeastConfidential: !evidence.credentials.isEmpty || evidence.rulesFindSensitive)
        }
        if evidence.rulesFindSensitive {
            if evidence.sensitiveIsWeak && p < vetoThreshold { return SensitiveCall(atLeastConfidential: false, discounted: true) }
            return SensitiveCall(atLeastConfidential: true)
        }
        if p >= raiseThreshold { return SensitiveCall(atLeastConfidential: true, raised: true) }
        return SensitiveCall(atLeastConfidential: false)
    }

    package func classify(evidence: Evidence, neighbours: [Neighbour]?) -> Classification {
        let call = sensitiveCall(evidence)
        return classify(evidence: evidence, call: call, textScores: Self.probabilities(evidence, call: call), neighbours: neighbours)
    }

    /// The text's own label probabilities (`textScores`), moved towards the neighbours' vote, decided.
    private func classify(evidence: Evidence, call: SensitiveCall, textScores: [TierLabel: Double], neighbours: [Neighbour]?) -> Classification {
        var scores = textScores
        let vote = neighbours.flatMap(Self.neighbourVote)
        if let vote {
            let w = vote.weight
            for tier in TierLabel.automatic { scores[tier] = (1 - w) * scores[tier, default: 0] + w * vote.distribution[tier, default: 0] }
        }
        let decision = Self.decide(scores, floor: Self.floor(evidence, call: call))
        return classification(evidence, call: call, vote: vote, decision: decision)
    }

    /// The classification `decision` makes, with the reasons of every signal that fired.
    private func classification(_ evidence: Evidence, call: SensitiveCall, vote: NeighbourVote?, decision: Decision) -> Classification {
        var reasons = Self.reasons(evidence)
        if call.raised, let p = evidence.learned {
            reasons.append("learned score: sensitive \(Self.format(p)) (raises from \(Self.format(raiseThreshold)))")
        } else if call.discounted, let p = evidence.learned {
            reasons.append("learned score: sensitive only \(Self.format(p)) (below \(Self.format(vetoThreshold))), a single weak word discounted")
        }
        if let vote, let top = vote.distribution.max(by: { ($0.value, $0.key) < ($1.value, $1.key) }) {
            reasons.append("neighbours: \(vote.count) similar \(vote.count == 1 ? "memory" : "memories"), \(Int((top.value * 100).rounded())) % in \(top.key.rawValue) (weight \(Self.format(vote.weight)))")
        }
        if decision.escalated {
            let failing = TierLabel.automatic.filter { $0 < decision.tier && decision.atMost[$0, default: 0] < $0.threshold }
            if let highest = failing.last {
                reasons.append("doubt: \(highest.rawValue) only \(Self.format(decision.atMost[highest, default: 0])) sure (needs \(Self.format(highest.threshold))), moved up")
            }
        }
        if reasons.isEmpty { reasons.append("no sensitive signal") }
        var tags = call.discounted ? [] : evidence.categories.filter { $0.value >= 0.4 }.keys.map(\.tag)
        if !evidence.credentials.isEmpty { tags.append("credentials") }
        return Classification(
            tier: decision.tier, confidence: Self.round(decision.scores[decision.tier, default: 0]),
            atMost: Dictionary(uniqueKeysWithValues: decision.atMost.map { ($0.key.rawValue, Self.round($0.value)) }),
            scores: Dictionary(uniqueKeysWithValues: decision.scores.map { ($0.key.rawValue, Self.round($0.value)) }),
            reasons: reasons, tags: Array(Set(tags)).sorted(), escalated: decision.escalated)
    }

    // MARK: Signals

    /// Runs the scanner, the lexicons and the patterns over `text`.
    public func evidence(_ text: String) -> Evidence {
        var evidence = Evidence()
        evidence.credentials = SecretScanner.scan(text)
        let tokens = TextFeatures.tokens(text)
        var remaining: [Cue: Double] = [:]  // product of (1 - weight) per cue
        func add(_ cue: Cue, _ weight: Double) { remaining[cue] = remaining[cue, default: 1] * (1 - weight) }
        func sensitive(_ cue: Cue, _ weight: Double) {
            if cue.category != nil { evidence.strongestSensitive = max(evidence.strongestSensitive, weight) }
        }
        // A phrase or a pattern (a kind of meaning or a shape) counts as strong evidence whatever its
        // weight: only single words can be weak.
        for term in CompiledLexicon.shared.matches(tokens) {
            add(term.cue, term.weight)
            sensitive(term.cue, term.isPhrase ? CompiledLexicon.strong : term.weight)
        }
        for pattern in Patterns.matches(text, tokens: Set(tokens)) { add(pattern.cue, pattern.weight); sensitive(pattern.cue, CompiledLexicon.strong) }
        if evidence.credentials.isEmpty, let scorer { evidence.learned = scorer.probability(tokens: tokens) }
        // English simple past: "walked", "cooked" (not "need", "bed", "tired", "married").
        let pastTense = tokens.filter { $0.count >= 5 && $0.hasSuffix("ed") && !Self.notPastTense.contains($0) }.prefix(2)
        for _ in pastTense { add(.eventVerb, CompiledLexicon.medium) }
        for (cue, rest) in remaining {
            let strength = 1 - rest
            if let category = cue.category {
                evidence.categories[category] = strength
            } else {
                switch cue {
                case .timeAnchor: evidence.timeAnchor = strength
                case .eventVerb: evidence.eventVerb = strength
                case .fact: evidence.fact = strength
                default: break
                }
            }
        }
        return evidence
    }

    private static let notPastTense: Set<String> = [
        "need", "indeed", "speed", "seed", "feed", "tired", "married", "scared", "interested", "excited", "based",
        "supposed", "used", "bored", "worried", "embarrassed", "exhausted", "stressed", "relaxed", "annoyed",
        "hundred", "sacred", "naked", "wicked", "beloved", "bleed", "breed", "greed", "shed", "proceed", "succeed",
        "exceed", "weed", "steed", "freed", "unrelated", "required", "detailed", "talented", "limited", "united",
    ]

    /// Per automatic tier, the probability of that label from the text's own evidence.
    ///
    /// A credential gives `secret` 0.97. The sensitive categories combine (noisy-or) into the
    /// probability of `confidential`; once it reaches 0.4 (one strong word, one medium word, or
    /// several weak ones) it is raised to at least 0.8, because a found category is decisive.
    /// The plain rest splits between `chronological` (an event with a time anchor: 0.9; a time
    /// anchor alone: 0.78) and `general` (everything else, facts and preferences: 0.9 or more),
    /// so that the plain tiers are never left in doubt between themselves.
    /// With the learned score: evidence it discounts gives way to the learned probability, and a
    /// memory it raises gets at least that probability.
    static func probabilities(_ evidence: Evidence, call: SensitiveCall? = nil) -> [TierLabel: Double] {
        let secret = evidence.credentials.isEmpty ? 0.0 : 0.97
        var sensitive = evidence.sensitiveStrength
        if let call, let p = evidence.learned {
            if call.discounted { sensitive = p } else if call.raised { sensitive = max(sensitive, p) }
        }
        let calibrated = sensitive < 0.4 ? sensitive : min(0.98, 0.8 + (sensitive - 0.4) * 0.3)
        let confidential = (1 - secret) * calibrated
        let plain = 1 - secret - confidential
        let anchor = evidence.timeAnchor >= 0.5
        let event = evidence.eventVerb >= 0.5
        let fact = evidence.fact >= 0.5
        let chronologicalShare: Double
        switch (anchor, event, fact) {
        case (true, true, _): chronologicalShare = 0.92
        case (true, false, false): chronologicalShare = 0.8
        case (false, true, false): chronologicalShare = 0.2
        default: chronologicalShare = 0.05
        }
        return [
            .chronological: plain * chronologicalShare, .general: plain * (1 - chronologicalShare),
            .confidential: confidential, .secret: secret,
        ]
    }

    struct NeighbourVote {
        var distribution: [TierLabel: Double]
        var weight: Double
        var count: Int
    }

    /// The neighbours' tiers as a distribution (weighted by similarity above the minimum) and
    /// the weight it gets: ``neighbourWeight`` × consistency (the share of the most common tier)
    /// × closeness (how far the best similarity is above the minimum, up to 1 at 0.8).
    /// Ultrasecret neighbours vote `secret`: the classifier never chooses ultrasecret.
    static func neighbourVote(_ neighbours: [Neighbour]) -> NeighbourVote? {
        let near = neighbours.filter { $0.similarity >= neighbourMinimumSimilarity && $0.similarity.isFinite }
        guard let best = near.map(\.similarity).max() else { return nil }
        var distribution: [TierLabel: Double] = [:]
        var total = 0.0
        for neighbour in near {
            let w = Double(neighbour.similarity - neighbourMinimumSimilarity) + 0.05
            distribution[min(neighbour.tier, .secret), default: 0] += w
            total += w
        }
        for tier in distribution.keys { distribution[tier]! /= total }
        let consistency = distribution.values.max() ?? 0
        let closeness = min(1, Double(best - neighbourMinimumSimilarity) / 0.35)
        return NeighbourVote(distribution: distribution, weight: neighbourWeight * consistency * closeness, count: near.count)
    }

    // MARK: Decision

    /// The outcome of ``decide(_:floor:)``.
    public struct Decision: Sendable, Equatable {
        public var tier: TierLabel
        /// The label probabilities after the floor (mass below it moved into it).
        public var scores: [TierLabel: Double]
        /// Per automatic tier, the probability that no higher tier is needed.
        public var atMost: [TierLabel: Double]
        /// Whether the tier is above the most likely label.
        public var escalated: Bool
    }

    /// The fail-safe law: a tier is taken only when the confidence that it is enough (the
    /// probability that the memory needs no higher tier) reaches its threshold, and no tier at
    /// or below one whose confidence misses its threshold is ever chosen. The result is the tier
    /// just above the highest tier that misses, so doubt always moves a memory up. `secret` is
    /// the top: ultrasecret is never chosen automatically (its mass counts as secret).
    ///
    /// - Parameters:
    ///   - scores: label probabilities of the automatic tiers (need not sum to 1; normalised).
    ///   - floor: the lowest tier allowed (a credential: secret; a sensitive category:
    ///     confidential); the probability of tiers below it is moved into it.
    public static func decide(_ scores: [TierLabel: Double], floor: TierLabel = .chronological) -> Decision {
        let floor = min(floor, .secret)
        var p: [TierLabel: Double] = [:]
        for (tier, value) in scores where value.isFinite && value > 0 { p[min(tier, .secret), default: 0] += value }
        let total = p.values.reduce(0, +)
        if total > 0 {
            for tier in p.keys { p[tier]! /= total }
        } else {
            p = [.general: 1]
        }
        for tier in TierLabel.automatic where tier < floor {
            p[floor, default: 0] += p[tier] ?? 0
            p[tier] = 0
        }
        var atMost: [TierLabel: Double] = [:]
        var cumulative = 0.0
        for tier in TierLabel.automatic {
            cumulative += p[tier] ?? 0
            atMost[tier] = min(1, cumulative)
        }
        atMost[.secret] = 1
        var tier = floor
        for candidate in TierLabel.automatic where candidate >= floor && candidate < .secret && atMost[candidate]! < candidate.threshold {
            tier = TierLabel.automatic[TierLabel.automatic.firstIndex(of: candidate)! + 1]
        }
        var scoresOut: [TierLabel: Double] = [:]
        for t in TierLabel.automatic { scoresOut[t] = p[t] ?? 0 }
        let likeliest = TierLabel.automatic.max { (scoresOut[$0]!, $0) < (scoresOut[$1]!, $1) }!
        return Decision(tier: tier, scores: scoresOut, atMost: atMost, escalated: tier > likeliest)
    }

    // MARK: Reasons

    static func reasons(_ evidence: Evidence) -> [String] {
        var reasons: [String] = []
        var kinds: [String] = []
        for hit in evidence.credentials {
            let text = "credential: \(hit.kind.label) (line \(hit.line))"
            if !kinds.contains(text) { kinds.append(text) }
        }
        reasons += kinds
        for category in SensitiveCategory.allCases {
            guard let strength = evidence.categories[category], strength > 0 else { continue }
            reasons.append("\(category.label) (\(format(strength)))")
        }
        let anchor = evidence.timeAnchor >= 0.5
        let event = evidence.eventVerb >= 0.5
        if anchor && event {
            reasons.append("event with a time anchor")
        } else if anchor {
            reasons.append("time anchor")
        } else if event {
            reasons.append("event language without a time anchor")
        }
        if evidence.fact >= 0.5 { reasons.append("fact or preference") }
        return reasons
    }

    static func format(_ value: Double) -> String { String(format: "%.2f", value) }
    static func round(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}
