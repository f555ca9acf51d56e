import Classifier
import Embedder
import Foundation
import MarkdownCodec
import MemvaultSupport
import SearchIndex

/// The credential scanner lives in the Classifier target (which both the classifier and the
/// vault's write paths use); this name keeps `Vault.SecretScanner` for existing callers.
public typealias SecretScanner = Classifier.SecretScanner

/// Why a memory goes to the tier it goes to: the answer of ``Vault/classify(text:user:embedder:excluding:)``
/// and of every write with an automatic tier.
public struct TierClassification: Sendable, Equatable, Codable {
    /// The tier chosen (never ultrasecret).
    public var tier: Tier
    /// How likely `tier` is the memory's tier; when `escalated`, how likely no higher tier is needed.
    public var confidence: Double
    /// The signals that fired, readable ("health (0.90)", "credential: PIN (line 1)"); never the matched text.
    public var reasons: [String]
    /// Tags to suggest: the sensitive categories found.
    public var tags: [String]
    /// Whether doubt moved the memory above its most likely tier.
    public var escalated: Bool
    /// Per automatic tier, the probability of that label.
    public var scores: [String: Double]
    /// Per automatic tier, the probability that no higher tier is needed (compared with the thresholds).
    public var atMost: [String: Double]
    /// How many already-tiered memories were close enough to count (0 when that signal was skipped).
    public var neighbours: Int

    enum CodingKeys: String, CodingKey {
        case tier, confidence, reasons, tags, escalated, scores
        case atMost = "at_most"
        case neighbours
    }

    init(_ classification: Classification, neighbours: Int) {
        tier = Tier(rawValue: classification.tier.rawValue) ?? .secret
        confidence = classification.escalated
            ? classification.atMost[classification.tier.rawValue] ?? classification.confidence : classification.confidence
        reasons = classification.reasons
        tags = classification.tags
        escalated = classification.escalated
        scores = classification.scores
        atMost = classification.atMost
        self.neighbours = neighbours
    }

    /// One line for stderr: "classified as confidential (health 0.90; 0.95)".
    public var summary: String {
        let why = reasons.prefix(2).joined(separator: "; ")
        return "classified as \(tier.rawValue) (\(why); confidence \(String(format: "%.2f", confidence)))"
    }
}

/// A plain-tier memory the classifier would place in an encrypted tier (`classify --review`).
public struct ReviewItem: Sendable, Codable, Equatable {
    public var id: String
    public var tier: Tier
    public var path: String
    public var line: Int
    public var title: String?
    public var classification: TierClassification
}

extension Vault {
    /// How many neighbours the habit signal looks at.
    static let classifierNeighbours = 8

    /// Classifies a text for `user` without writing anything: the tier an automatic write
    /// (`add --tier auto`, an import record with `"tier": "auto"`, `default_tier = "auto"`, a
    /// write from another program without a tier) would choose, and why.
    ///
    /// - Parameters:
    ///   - embedder: the loaded model, for the neighbour signal (the nearest already-tiered
    ///     memories of `user` in the index and in the unlocked encrypted tiers); nil skips that signal.
    ///   - excluding: a memory id to leave out of the neighbours (the memory itself, on review).
    /// - Throws: `.badInput` for an empty or oversized text.
    public func classify(
        text: String, user: String, embedder: (any SentenceEmbedding)? = nil, excluding: String? = nil
    ) throws(VaultError) -> TierClassification {
        let body = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !body.isEmpty else { throw VaultError(.badInput, "empty memory") }
        guard body.utf8.count <= Self.maximumMemorySize else {
            throw VaultError(.badInput, "memory too large (\(body.utf8.count) bytes; the limit is \(Self.maximumMemorySize))")
        }
        var neighbours: [Neighbour]?
        if let embedder {
            neighbours = try self.neighbours(of: body, user: user, embedder: embedder, excluding: excluding)
        }
        let result = TierClassifier().classify(body, neighbours: neighbours)
        let counted = neighbours?.filter { $0.similarity >= TierClassifier.neighbourMinimumSimilarity }.count ?? 0
        return TierClassification(result, neighbours: counted)
    }

    /// The tiers and similarities of the memories nearest to `text`: the plain tiers through the
    /// index, the unlocked encrypted tiers through their encrypted indexes (locked ones are skipped).
    func neighbours(of text: String, user: String, embedder: any SentenceEmbedding, excluding: String?) throws(VaultError) -> [Neighbour] {
        var update = VaultIndex.Update()
        let index = try refreshedIndex(embedder: embedder, full: false, update: &update)
        let vector = embedder.embed([text])[0]
        let k = Self.classifierNeighbours
        var found: [(id: String, tier: Tier, score: Float)] = []
        let filter = SearchFilter(users: [user])
        do {
            for hit in try index.semanticSearch(vector, k: k + 1, allowed: index.allowed(filter)) where hit.id != excluding {
                guard let ref = index.lookup(hit.id), let tier = Tier(rawValue: index.entry(ref).tier) else { continue }
                found.append((hit.id, tier, hit.score))
            }
        } catch {
            throw VaultError.damaged(error)
        }
        var request = SearchRequest(query: text, k: k + 1, mode: .semantic)
        request.users = [user]
        var encryptedUpdate = EncryptedIndexUpdate()
        let encrypted = try searchEncrypted(request, user: user, filter: filter, mode: .semantic, embedder: embedder, update: &encryptedUpdate)
        for result in encrypted.results where result.id != excluding {
            if let tier = Tier(rawValue: result.tier) { found.append((result.id, tier, result.score)) }
        }
        return found.sorted { $0.score > $1.score }.prefix(k).compactMap { hit in
            TierLabel(rawValue: hit.tier.rawValue).map { Neighbour(tier: $0, similarity: hit.score) }
        }
    }

    /// The privacy audit of the plain tiers: the memories of `user` in `tiers` (default both plain
    /// tiers) that the classifier would place in an encrypted tier, most sensitive first (secret
    /// before confidential, then by confidence, then by path and line).
    ///
    /// Judged by each memory's own text: the habit signal is left out, because the neighbours of
    /// a plain memory are mostly the plain memories under review.
    public func reviewPlainTiers(user: String, tiers: Set<Tier>? = nil) throws(VaultError) -> [ReviewItem] {
        let wanted = (tiers ?? [.chronological, .general]).filter { !$0.isEncrypted }
        let classifier = TierClassifier()
        var items: [ReviewItem] = []
        for located in try allLocated(user: user, tiers: Set(wanted)) {
            let entry = located.entry
            let text = [entry.title, entry.body].compactMap { $0 }.joined(separator: "\n")
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { continue }
            let result = TierClassification(classifier.classify(text), neighbours: 0)
            guard result.tier.isEncrypted else { continue }
            items.append(ReviewItem(
                id: entry.id ?? "", tier: located.tier, path: located.path, line: entry.line, title: entry.title,
                classification: result))
        }
        return items.sorted {
            ($1.classification.tier, $1.classification.confidence, $0.path, $0.line)
                < ($0.classification.tier, $0.classification.confidence, $1.path, $1.line)
        }
    }
}
