import AgeCrypto
import Embedder
import Foundation
import MarkdownCodec
import MemvaultSupport
import SearchIndex

/// Rendering of encrypted entries: the heading keeps the date (confidential, secret) or shows
/// only the id (ultrasecret); title, metadata and body are inside the armored block.
enum EncryptedEntry {
    static func render(tier: Tier, date: EntryDate?, id: String, armored: String) -> String {
        EntryRenderer.renderEncrypted(date: tier == .ultrasecret ? nil : date, id: id, armored: armored)
    }
}

extension Vault {
    /// Encrypts a plaintext entry to one armored age block.
    func encrypt(_ plaintext: String, to recipient: X25519Recipient) throws(VaultError) -> String {
        do {
            return String(decoding: try Age.encrypt(Array(plaintext.utf8), to: [recipient], armor: true), as: UTF8.self)
        } catch {
            throw VaultError(.badInput, "cannot encrypt: \(error.message)")
        }
    }

    /// The line of `entry`'s armor, for error messages: `alice/secret/2026-11.md:14`.
    func armorLocation(_ entry: Entry, path: String) -> String {
        let lines = entry.rawText.split(separator: "\n", omittingEmptySubsequences: false)
        let offset = lines.firstIndex { $0.hasPrefix("-----BEGIN") } ?? 0
        return "\(path):\(entry.line + offset)"
    }

    /// Decrypts an encrypted entry's block to the plaintext entry inside.
    /// - Throws: `.locked` (exit 3) when `identity` is not the block's key; `.integrity` (exit 5)
    ///   for a tampered or damaged block, naming the file and line.
    func decrypt(_ entry: Entry, path: String, with identity: X25519Identity) throws(VaultError) -> String {
        try decrypt(entry, path: path, with: [identity])
    }

    /// `decrypt(_:path:with:)` with any of several identities (a tier's current and earlier keys).
    func decrypt(_ entry: Entry, path: String, with identities: [X25519Identity]) throws(VaultError) -> String {
        try decrypt(entry, path: path) { (block) throws(AgeError) in try Age.decrypt(Array(block.utf8), with: identities) }
    }

    /// `decrypt(_:path:with:)` with a tier's key: the identity here, or the agent's file key.
    /// - Throws: also `.locked` when the agent stopped or no longer holds the key.
    func decrypt(_ entry: Entry, path: String, with key: TierKey) throws(VaultError) -> String {
        var agentError: VaultError?
        do {
            return try decrypt(entry, path: path) { (block) throws(AgeError) in
                do {
                    return try key.open(block)
                } catch let error as AgeError {
                    throw error
                } catch {
                    agentError = error as? VaultError ?? VaultError.wrap(error)
                    throw AgeError(.unsupported, "the key agent did not answer")
                }
            }
        } catch {
            throw agentError ?? error
        }
    }

    private func decrypt(_ entry: Entry, path: String, opening: (String) throws(AgeError) -> [UInt8]) throws(VaultError) -> String {
        guard let block = entry.armoredBlock else { return entry.rawText }
        let where_ = armorLocation(entry, path: path)
        let plaintext: [UInt8]
        do {
            plaintext = try opening(block)
        } catch {
            switch error.kind {
            case .noMatch, .wrongPassphrase:
                var failure = VaultError(.locked, "this memory is not encrypted to the tier's current key", at: where_,
                    hint: "it was written with an older key of the tier; memvault rotate re-encrypts it when that key opens with the tier's passphrase")
                failure.otherKey = true
                throw failure
            default:
                throw VaultError(.integrity, "encrypted block is damaged or was tampered with (\(error))", at: where_)
            }
        }
        guard let text = String(validating: plaintext, as: UTF8.self) else {
            throw VaultError(.integrity, "decrypted memory is not valid UTF-8", at: where_)
        }
        return text
    }

    /// Asks the key agent, once per tier it holds, for the file keys of the encrypted entries among
    /// `located`, so that reading them one by one costs no round trip each. Tiers that are locked,
    /// or unlocked in this process, are left alone; nobody is asked for a passphrase.
    /// - Throws: `.locked` when the agent stopped or no longer holds a key it held a moment ago.
    func prefetchFileKeys<Places: Sequence<Located>>(_ located: Places) throws(VaultError) {
        var blocks: [String: [String]] = [:]
        for place in located where place.tier.isCacheable {
            if let block = place.entry.armoredBlock { blocks["\(place.user)/\(place.tier.rawValue)", default: []].append(block) }
        }
        for (slot, tierBlocks) in blocks.sorted(by: { $0.key < $1.key }) {
            let parts = slot.split(separator: "/", maxSplits: 1)
            guard parts.count == 2, let tier = Tier(rawValue: String(parts[1])),
                let key = try? tierKey(user: String(parts[0]), tier: tier, ask: false)
            else { continue }
            try key.prefetch(tierBlocks)
        }
    }

    /// The plaintext entry inside an encrypted entry, when its tier is unlocked.
    /// - Returns: nil when the tier is locked.
    func decrypted(_ located: Located) throws(VaultError) -> (text: String, entry: Entry)? {
        guard located.entry.isEncrypted,
            let key = try tierKey(user: located.user, tier: located.tier)
        else { return nil }
        let text = try decrypt(located.entry, path: located.path, with: key)
        try checkLimits(Array(text.utf8), at: armorLocation(located.entry, path: located.path))
        let parsed = EntryFile.parse(text)
        guard let inner = parsed.entries.first else {
            throw VaultError(.integrity, "decrypted memory is not an entry", at: armorLocation(located.entry, path: located.path))
        }
        try checkBinding(inner, of: located)
        return (text, inner)
    }

    /// Encrypts a rendered plaintext entry of an encrypted tier for writing, bound to its place
    /// (`bind(_:user:tier:)`).
    func encryptedEntry(_ rendered: String, tier: Tier, user: String, date: EntryDate?, id: String) throws(VaultError) -> String {
        let armored = try encrypt(bind(rendered, user: user, tier: tier), to: try recipient(user: user, tier: tier))
        return EncryptedEntry.render(tier: tier, date: date, id: id, armored: armored)
    }
}

/// The memories of the unlocked encrypted tiers that a search may return, decrypted in memory:
/// they join the plain index's candidates, so one ranking covers every tier.
struct EncryptedCollection {
    var entries: [String: (indexed: IndexedEntry, record: EncryptedIndex.Record)] = [:]
    /// Their lexical documents, by id (sorted, so the numbering is deterministic).
    var documents: [(id: String, document: LexicalDocument)] = []
    /// Encrypted tiers that hold memories but stayed locked.
    var locked: [Tier] = []

    /// Cosines of `query` with every entry that has a vector: its best passage's (``Passages``).
    func cosines(_ query: [Float]) -> [String: Float] {
        bestPassages(query).mapValues(\.score)
    }

    /// The cosine of `query` with each entry's best passage, and that passage's number (0: the first).
    func bestPassages(_ query: [Float]) -> [String: (score: Float, passage: Int)] {
        var best: [String: (score: Float, passage: Int)] = [:]
        for (id, entry) in entries {
            for (i, vector) in entry.record.allVectors.enumerated() {
                let score = Vectors.dot(vector, query)
                if best[id] == nil || score > best[id]!.score { best[id] = (score, i) }
            }
        }
        return best
    }
}

extension Vault {
    /// The unlocked encrypted tiers' entries that pass `filter`, through their encrypted indexes
    /// (EncryptedIndex.swift): each is opened with a key derived from the tier's identity, brought
    /// up to date with the tier's files (decrypting and embedding only what changed) and saved
    /// encrypted again. A locked tier's encrypted file is neither read nor changed.
    ///
    /// - Parameter embedder: asked for only when a tier is unlocked (a search waits for the model
    ///   no earlier than it must).
    /// - Complexity: O(entries of the unlocked tiers); decrypts and embeds only entries changed
    ///   since the last search.
    func encryptedCollection(
        _ request: SearchRequest, user: String, filter: SearchFilter, mode: SearchMode,
        embedder: @autoclosure () -> (any SentenceEmbedding)?, update: inout EncryptedIndexUpdate
    ) throws(VaultError) -> EncryptedCollection {
        var collection = EncryptedCollection()
        for tier in Tier.allCases where tier.isEncrypted && (request.tiers?.contains(tier) ?? true) {
            for name in (request.users ?? [user]).sorted() {
                let paths = tierFiles(user: name, tier: tier)
                if paths.isEmpty { continue }
                // Only a search naming the tier asks for a passphrase (ultrasecret at a terminal).
                guard let key = try tierKey(user: name, tier: tier, ask: request.tiers?.contains(tier) == true) else {
                    if !collection.locked.contains(tier) { collection.locked.append(tier) }
                    continue
                }
                // A lexical search leaves missing vectors to the next search that needs them.
                let index = try refreshedEncryptedIndex(
                    user: name, tier: tier, paths: paths, key: key, embedder: mode == .lexical ? nil : embedder(),
                    update: &update)
                for path in paths {
                    for record in index.files[path]?.records ?? [] {
                        let indexed = IndexedEntry(
                            id: record.id, user: name, tier: tier.rawValue, path: path, line: record.line,
                            date: record.date.map { DateText.instant($0, timeZone: config.timeZone) }, title: record.title,
                            contentHash: record.contentHash, tags: record.tags, mentions: record.mentions, src: record.src)
                        guard filter.matches(indexed) else { continue }
                        // A duplicate id: the later file keeps it.
                        collection.entries[record.id] = (indexed, record)
                    }
                }
            }
        }
        collection.documents = collection.entries.keys.sorted().map { id in
            let record = collection.entries[id]!.record
            return (id, LexicalDocument(fields: LexicalFields(
                title: record.title ?? "", body: record.body, tags: record.tags, mentions: record.mentions)))
        }
        return collection
    }

    /// Whether a search of `request` could read an encrypted tier in this process: one it covers
    /// holds memories and has a key here (unlocked in the agent, a passphrase in the environment,
    /// or typed now where the search names the tier), or asking for one fails. The same tiers
    /// and the same questions as `encryptedCollection`, whose keys it leaves cached for it.
    func searchMayDecrypt(_ request: SearchRequest, user: String) -> Bool {
        var tiers = request.tiers
        if let scope = tierScope { tiers = (tiers ?? Set(Tier.allCases)).intersection(scope) }
        for tier in Tier.allCases where tier.isEncrypted && (tiers?.contains(tier) ?? true) {
            for name in (request.users ?? [user]).sorted() where !tierFiles(user: name, tier: tier).isEmpty {
                do {
                    if try tierKey(user: name, tier: tier, ask: tiers?.contains(tier) == true) != nil { return true }
                } catch {
                    return true  // the search itself reports it
                }
            }
        }
        return false
    }

    /// The encrypted tiers alone, ranked as `search` ranks them among the others, reporting what
    /// the encrypted indexes' refresh did.
    func searchEncrypted(
        _ request: SearchRequest, user: String, filter: SearchFilter, mode: SearchMode, embedder: (any SentenceEmbedding)?,
        update: inout EncryptedIndexUpdate
    ) throws(VaultError) -> (results: [SearchResult], locked: [Tier]) {
        var request = request
        request.mode = mode
        request.users = filter.users ?? [user]
        request.tiers = Set(Tier.allCases.filter { $0.isEncrypted && (request.tiers?.contains($0) ?? true) })
        let response = try searchOnce(request, user: user, model: ModelLoad(loaded: embedder), encryptedUpdate: &update)
        return (response.results, response.locked.compactMap(Tier.init(rawValue:)))
    }
}
