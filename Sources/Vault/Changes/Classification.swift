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
    ///   - embedder: the model, for the neighbour signal (the nearest already-tiered memories of
    ///     `user` in the index and in the unlocked encrypted tiers); nil skips that signal. It is
    ///     evaluated only when that signal could change the tier and an index can be read, so
    ///     `Embedder(...)` written here loads the model only then.
    ///   - excluding: a memory id to leave out of the neighbours (the memory itself, on review).
    /// - Throws: `.badInput` for an empty or oversized text.
    public func classify(
        text: String, user: String, embedder: @autoclosure () -> (any SentenceEmbedding)? = nil, excluding: String? = nil
    ) throws(VaultError) -> TierClassification {
        try classify(text: text, user: user, embedder: embedder, excluding: excluding, embeddingText: nil)
    }

    /// ``classify(text:user:embedder:excluding:)`` for a write: `embeddingText` is what the index
    /// will embed for the new memory, so that its refresh reuses the vector (nil: `text`).
    /// `loadEmbedder` is called at most once, and only when the neighbours are needed.
    func classify(
        text: String, user: String, embedder loadEmbedder: () -> (any SentenceEmbedding)?, excluding: String?, embeddingText: String?
    ) throws(VaultError) -> TierClassification {
        let body = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !body.isEmpty else { throw VaultError(.badInput, "empty memory") }
        guard body.utf8.count <= Self.maximumMemorySize else {
            throw VaultError(.badInput, "memory too large (\(body.utf8.count) bytes; the limit is \(Self.maximumMemorySize))")
        }
        // The habit signal (one embedding and the index look-ups) runs only when it could change
        // the tier: never for a text holding a credential, which is secret whatever its neighbours,
        // nor for one the text puts in the encrypted tier it requires when no readable index holds
        // a higher tier (a write to a locked tier then costs no embedding).
        var loaded: (any SentenceEmbedding)??
        func embedder() -> (any SentenceEmbedding)? {
            if loaded == nil { loaded = .some(loadEmbedder()) }
            return loaded ?? nil
        }
        var neighbours: [Neighbour]?
        let result = try TierClassifier().classify(
            body,
            highestNeighbourTier: { () throws(VaultError) -> TierLabel in
                try highestReadableTier(user: user, modelAvailable: { embedder() != nil })
            },
            neighbours: { () throws(VaultError) -> [Neighbour]? in
                neighbours = try self.neighbours(of: body, user: user, embedder: embedder, excluding: excluding, embeddingText: embeddingText)
                return neighbours
            })
        let counted = neighbours?.filter { $0.similarity >= TierClassifier.neighbourMinimumSimilarity }.count ?? 0
        return TierClassification(result, neighbours: counted)
    }

    /// The tiers and similarities of the memories nearest to `text`: the plain tiers through the
    /// search index, the unlocked encrypted tiers through their encrypted indexes (locked ones are
    /// skipped; a passphrase is never asked for).
    ///
    /// The indexes are taken as they were last brought up to date (by a search, `reindex`,
    /// `watch` or the MCP server), without walking the tier files for changes and without
    /// embedding what changed since: the habit signal is the person's memories as indexed, and
    /// a memory written a moment ago joins it at the next refresh. With no index yet the signal
    /// is skipped (nothing is embedded). The text is embedded once; the vector is kept in
    /// ``EmbeddingMemo`` so that the refresh indexing the new memory does not embed it again.
    /// - Parameter embeddingText: what the index will embed for this memory (title and body as
    ///   written); nil embeds `text`.
    func neighbours(
        of text: String, user: String, embedder: () -> (any SentenceEmbedding)?, excluding: String?, embeddingText: String? = nil
    ) throws(VaultError) -> [Neighbour] {
        let index = try indexAsLastRefreshed()
        let encrypted = try encryptedIndexesAsStored(user: user)
        let hasPlain = (index?.count ?? 0) > 0
        guard hasPlain || encrypted.contains(where: { !$0.index.files.isEmpty }) else { return [] }
        guard let embedder = embedder() else { return [] }
        let vector = embeddingMemo.embed(embeddingText ?? text, with: embedder)
        let k = Self.classifierNeighbours
        var found: [(tier: Tier, score: Float)] = []
        if let index, hasPlain {
            do {
                for hit in try index.semanticSearch(vector, k: k + 1, allowed: index.allowed(SearchFilter(users: [user]))) where hit.id != excluding {
                    guard let ref = index.lookup(hit.id), let tier = Tier(rawValue: index.entry(ref).tier) else { continue }
                    found.append((tier, hit.score))
                }
            } catch {
                throw VaultError.damaged(error)
            }
        }
        for (tier, encryptedIndex) in encrypted {
            for file in encryptedIndex.files.values {
                for record in file.records where record.id != excluding {
                    if let stored = record.vector, stored.count == vector.count { found.append((tier, Vectors.dot(stored, vector))) }
                }
            }
        }
        found.sort { $0.score > $1.score }
        return found.prefix(k).compactMap { hit in
            TierLabel(rawValue: hit.tier.rawValue).map { Neighbour(tier: $0, similarity: hit.score) }
        }
    }

    /// The search index as it was last written (loaded under the index lock, or kept from earlier
    /// in this process while nobody has changed it), without bringing it up to date; nil when
    /// there is none yet or it cannot be opened (the next refresh rebuilds it and says so).
    func indexAsLastRefreshed() throws(VaultError) -> VaultIndex? {
        if let loaded = loadedIndex, loaded.isCurrentOnDisk { return loaded }
        guard FileManager.default.fileExists(atPath: indexDirectory.path) else { return nil }
        let lock: VaultLock
        do {
            // A short wait: while another process rebuilds the index, classify without habits
            // rather than hold up the write.
            lock = try VaultLock(Self.indexLockPath, in: root, timeout: 2)
        } catch where error.exitStatus == .integrity {
            throw VaultError(error)
        } catch {
            return nil
        }
        defer { lock.unlock() }
        var notices: [String] = []
        let index = VaultIndex.load(directory: indexDirectory, notices: &notices)
        guard notices.isEmpty, index.count > 0 else { return nil }
        index.embeddingContext = embeddingContext
        index.compactionLimit = indexCompactionLimit
        index.faults = faults
        loadedIndex = index
        return index
    }

    /// The highest tier a neighbour of `user`'s could come from: the highest encrypted tier with an
    /// encrypted index that is unlocked now (as ``encryptedIndexesAsStored(user:)`` would read it),
    /// else `general` (the search index holds the plain tiers). Never asks for a passphrase.
    /// - Parameter modelAvailable: whether there is a model at all, asked only when a sealed index
    ///   exists: without one there are no neighbours, and no key is opened to find that out.
    func highestReadableTier(user: String, modelAvailable: () -> Bool = { true }) throws(VaultError) -> TierLabel {
        for tier in Tier.allCases.reversed() where tier.isEncrypted {
            guard FileManager.default.fileExists(atPath: root.appendingPathComponent(encryptedIndexPath(user: user, tier: tier)).path)
            else { continue }
            guard modelAvailable() else { return .chronological }
            guard try tierKey(user: user, tier: tier, ask: false) != nil else { continue }
            return TierLabel(rawValue: tier.rawValue) ?? .secret
        }
        return .general
    }

    /// The encrypted indexes of `user`'s encrypted tiers that are unlocked now, as last saved (not
    /// refreshed); a tier that is locked, has no encrypted index yet or whose file does not open is
    /// left out. Never asks for a passphrase.
    func encryptedIndexesAsStored(user: String) throws(VaultError) -> [(tier: Tier, index: EncryptedIndex)] {
        var result: [(tier: Tier, index: EncryptedIndex)] = []
        for tier in Tier.allCases where tier.isEncrypted {
            let path = encryptedIndexPath(user: user, tier: tier)
            guard let stored = try? AtomicFile.read(path, in: root) else { continue }
            guard let held = try tierKey(user: user, tier: tier, ask: false),
                let key = try? held.derivedKey(for: .sealedIndex(user: user, tier: tier))
            else { continue }
            guard let index = try? EncryptedIndex.open(stored, with: key, modelID: Embedder.modelID, dimension: Embedder.dimension) else { continue }
            result.append((tier, index))
        }
        return result
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
