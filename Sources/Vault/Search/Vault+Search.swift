import Embedder
import Foundation
import MarkdownCodec
import MemvaultSupport
import SearchIndex

/// A search as the command line asks for it.
public struct SearchRequest: Sendable {
    public var query: String
    public var k: Int
    public var mode: SearchMode
    /// Which memories may be found: tiers, dates, tags and mentions, as `list` takes them.
    public var filter = MemoryFilter()
    /// Whose memories; nil means the current user's.
    public var users: Set<String>?
    /// Also return each result's whole memory (`SearchResponse.memories`), read in the same
    /// pass as the snippets, so that a caller needing the texts does not read the files again.
    public var includeMemories = false

    // The filter's conditions, one by one.
    public var tiers: Set<Tier>? { get { filter.tiers } set { filter.tiers = newValue } }
    public var since: Date? { get { filter.since } set { filter.since = newValue } }
    public var until: Date? { get { filter.until } set { filter.until = newValue } }
    public var tags: Set<String>? { get { filter.tags } set { filter.tags = newValue } }
    public var mentions: Set<String>? { get { filter.mentions } set { filter.mentions = newValue } }

    public init(query: String, k: Int = 10, mode: SearchMode = .hybrid) {
        self.query = query
        self.k = k
        self.mode = mode
    }
}

/// What `search --json` prints: the query, the mode, the time taken, the tiers left out because
/// they are locked, and the results (field names in docs/cli.md, `search`).
public struct SearchResponse: Sendable, Codable {
    public var query: String
    public var mode: String
    public var tookMs: Double
    public var locked: [String]
    public var results: [SearchResult]
    /// One-line notices for stderr (index rebuilt, model missing); not part of the JSON.
    public var notices: [String] = []
    /// Where the time went, in order (milliseconds per phase), for benchmarks; not part of the JSON.
    public var phases: [(name: String, ms: Double)] = []
    /// The results' whole memories by id when `SearchRequest.includeMemories` asked for them
    /// (as `show` gives them, with the whole text); not part of the JSON.
    public var memories: [String: Memory] = [:]

    enum CodingKeys: String, CodingKey {
        case query, mode, tookMs = "took_ms", locked, results
    }
}

public struct SearchResult: Sendable, Codable {
    public var id: String
    public var score: Float
    public var user: String
    public var tier: String
    public var date: String?
    public var path: String
    public var line: Int
    public var title: String?
    public var snippet: String
    public var tags: [String]
    public var src: String?
}

/// What `reindex` and `status` report about the index.
public struct IndexReport: Sendable, Codable {
    public var filesRead: Int
    public var embedded: Int
    public var removed: Int
    public var entries: Int
    public var withVectors: Int
    public var notices: [String]
}

extension Vault {
    var indexDirectory: URL { cacheDirectory.appendingPathComponent("index", isDirectory: true) }
    /// The index lock, relative to the vault (opened without following links).
    static let indexLockPath = ".memvault/cache/index.lock"

    /// The plain-text tier files of every user, the ones this index covers (the encrypted
    /// tiers have their encrypted indexes, EncryptedIndex.swift).
    func indexedSources() -> [String: (user: String, tier: Tier)] {
        var sources: [String: (user: String, tier: Tier)] = [:]
        for user in config.users {
            for tier in Tier.allCases where !tier.isEncrypted {
                for path in tierFilesIgnoringScope(user: user, tier: tier) { sources[path] = (user, tier) }
            }
        }
        return sources
    }

    /// Loads the index and brings it up to date with the files.
    func refreshedIndex(
        embedder: @autoclosure () -> (any SentenceEmbedding)?, full: Bool, update: inout VaultIndex.Update
    ) throws(VaultError) -> VaultIndex {
        var timer = PhaseTimer()
        return try refreshedIndex(embedder: embedder(), full: full, update: &update, timer: &timer)
    }

    /// Loads the index (or keeps the one loaded earlier while nobody else has changed it) and
    /// brings it up to date with the files, holding the index lock throughout: two processes
    /// never write the index files at once, and none reads them half-replaced. `embedder` is
    /// asked only when an entry needs a vector.
    /// - Throws: `VaultError` when the lock cannot be had in time, a file cannot be read, or the
    ///   index cannot be written.
    func refreshedIndex(
        embedder: @autoclosure () -> (any SentenceEmbedding)?, full: Bool, update: inout VaultIndex.Update, timer: inout PhaseTimer,
        verifyVectors: Bool = false
    ) throws(VaultError) -> VaultIndex {
        let lock: VaultLock
        do {
            lock = try VaultLock(Self.indexLockPath, in: root)
            // The index folders (plain and encrypted) are real folders, never links out of the vault.
            try AtomicFile.createDirectory(".memvault/cache/index", in: root)
            try AtomicFile.createDirectory(".memvault/cache/sealed", in: root)
        } catch where error.exitStatus == .integrity {
            throw VaultError(error)
        } catch where error.message != VaultLock.heldMessage {
            // The lock file cannot be opened or the folders made (a read-only file system, no space):
            // say so, not that another process is busy.
            throw VaultError(error)
        } catch {
            throw VaultError(.badInput, "another memvault process is updating the search index", at: error.path,
                hint: "try again when it has finished")
        }
        defer { lock.unlock() }
        let index: VaultIndex
        if !full, let loaded = loadedIndex, loaded.isCurrentOnDisk {
            index = loaded
        } else {
            index = VaultIndex.load(directory: indexDirectory, notices: &update.notices)
            timer.lap("index open")
            timer.replaceLast(with: index.openPhases)
        }
        index.embeddingContext = embeddingContext
        index.compactionLimit = indexCompactionLimit
        index.faults = faults
        loadedIndex = index
        let sources = indexedSources()
        timer.lap("list files")
        var rebuild = full
        if verifyVectors && !full {
            do {
                try index.verifyVectors()
            } catch {
                update.notices.append(Self.damagedIndexNotice)
                rebuild = true
            }
        }
        // A memory classified in this process a moment ago is indexed with the vector it got then.
        do {
            try index.refresh(
                sources: sources, root: root, timeZone: config.timeZone, full: rebuild, embedder: embeddingMemo.serving(embedder()),
                read: { (path) throws(VaultError) in try readEntryFile(path) }, update: &update)
        } catch where error.damagedIndex && !rebuild {
            // A chunk read while folding the delta was damaged: rebuild everything from the files.
            update.notices.append(Self.damagedIndexNotice)
            try index.refresh(
                sources: sources, root: root, timeZone: config.timeZone, full: true, embedder: embeddingMemo.serving(embedder()),
                read: { (path) throws(VaultError) in try readEntryFile(path) }, update: &update)
        }
        timer.lap("freshness check")
        return index
    }

    static let damagedIndexNotice = "index rebuilt (a damaged file in .memvault/cache/index)"

    /// Updates the index (only what changed, or everything with `full`).
    public func reindex(full: Bool, embedder: (any SentenceEmbedding)?) throws(VaultError) -> IndexReport {
        var update = VaultIndex.Update()
        let index = try refreshedIndex(embedder: embedder, full: full, update: &update)
        if embedder == nil { update.notices.append("embedding model missing: only the lexical index was updated") }
        // The encrypted indexes of the encrypted tiers that are unlocked now (locked ones are left alone).
        let encrypted = try reindexEncrypted(users: config.users, embedder: embedder, full: full)
        return IndexReport(
            filesRead: update.filesRead + encrypted.update.filesRead, embedded: update.embedded + encrypted.update.embedded,
            removed: update.removed + encrypted.update.removed, entries: index.count,
            withVectors: index.countWithVectors(), notices: update.notices + encrypted.update.notices)
    }

    /// Index coverage without changing anything: entries indexed with vectors, total memories, stale files.
    /// - Parameter located: every entry of the vault, when the caller has them already.
    func indexCoverage(located: [Located]? = nil) throws(VaultError) -> VaultStatus.Index {
        var notices: [String] = []
        // Under the index lock, so an update by another process is never seen half-replaced.
        let lock: VaultLock?
        do {
            lock = try VaultLock(Self.indexLockPath, in: root, timeout: 10)
        } catch where error.exitStatus == .integrity {
            throw VaultError(error)  // a link in place of the cache: nothing is read through it
        } catch {
            lock = nil
        }
        defer { lock?.unlock() }
        let index = VaultIndex.load(directory: indexDirectory, notices: &notices)
        let sources = indexedSources()
        var stale: [String] = []
        for path in sources.keys.sorted() where index.files[path] != VaultIndex.stat(url(path)) { stale.append(path) }
        stale += index.files.keys.filter { sources[$0] == nil }.sorted()
        let all: [Located]
        if let located { all = located } else { all = try allLocated() }
        let total = all.filter { !$0.tier.isEncrypted && ($0.entry.date != nil || $0.entry.id != nil) }.count
        let indexed = index.countWithVectors(excluding: Set(stale))
        return VaultStatus.Index(indexed: indexed, total: total, staleFiles: stale)
    }

    /// Ranked memories for a query: lexical (BM25), semantic (cosine) or both fused.
    ///
    /// The index is brought up to date first, so results are never stale. The unlocked
    /// encrypted tiers are searched with the plain ones, as one collection ranked once;
    /// `locked` names the encrypted tiers that hold memories but stayed locked.
    /// - Parameter embedder: nil when the model is missing: hybrid falls back to lexical with a
    ///   notice, semantic is an error.
    public func search(_ request: SearchRequest, user: String, embedder: (any SentenceEmbedding)?) throws(VaultError) -> SearchResponse {
        try search(request, user: user, model: ModelLoad(loaded: embedder))
    }

    /// The same search for a process that has not loaded the model yet: `loadModel` runs (at most
    /// once) on another core while this thread brings the index up to date, and is waited for
    /// where the search needs the model: an entry without a vector, the query's vector. It
    /// returns nil when the model is missing. A lexical search asks for it only for an entry
    /// without a vector.
    public func search(
        _ request: SearchRequest, user: String, loadingModel loadModel: @escaping @Sendable () -> (any SentenceEmbedding)?
    ) throws(VaultError) -> SearchResponse {
        try search(request, user: user, model: ModelLoad(loadModel))
    }

    /// The same search with the model's load and the query's embedding begun before the vault
    /// was opened (``QueryPreparation``); the search waits for them where it needs them. A
    /// request whose query is not the prepared one embeds its own.
    public func search(_ request: SearchRequest, user: String, prepared: QueryPreparation) throws(VaultError) -> SearchResponse {
        try search(request, user: user, model: prepared.model, prepared: prepared)
    }

    private func search(
        _ request: SearchRequest, user: String, model: ModelLoad, prepared: QueryPreparation? = nil
    ) throws(VaultError) -> SearchResponse {
        var request = request
        // A scoped vault (an assistant's session) searches only the tiers it may read.
        if let scope = tierScope { request.tiers = (request.tiers ?? Set(Tier.allCases)).intersection(scope) }
        var encryptedUpdate = EncryptedIndexUpdate()
        do {
            return try searchOnce(request, user: user, model: model, prepared: prepared, encryptedUpdate: &encryptedUpdate)
        } catch where error.damagedIndex {
            // The vector files are checked chunk by chunk as a search reads them: a damaged one
            // means a rebuild from the files and the same search again, never a wrong answer.
            var update = VaultIndex.Update()
            var timer = PhaseTimer()
            loadedIndex = nil
            _ = try refreshedIndex(embedder: model.model(), full: true, update: &update, timer: &timer)
            var response = try searchOnce(request, user: user, model: model, prepared: prepared, encryptedUpdate: &encryptedUpdate)
            response.notices.insert(Self.damagedIndexNotice, at: 0)
            return response
        }
    }

    /// What both halves of a search found, before ranking: the candidates of every tier.
    package struct Candidates {
        /// The union of the lexical and the semantic candidate lists, with both scores.
        package var all: [FusionCandidate] = []
        /// Ids in lexical order (BM25, best first) and in semantic order (cosine, best first).
        package var lexical: [String] = []
        package var semantic: [String] = []
        /// Distinct analyzed terms of the query.
        package var queryTerms = 0
        /// The number of the passage whose cosine a candidate has (0: the first), for a long
        /// memory embedded as several (``Passages``).
        package var passages: [String: Int] = [:]
    }

    /// How many candidates each half contributes to a search for `k` results.
    static func candidateCount(k: Int) -> Int { max(k * 4, 40) }

    /// The candidates of a search without ranking them (for `memvault-bench eval --tune`), with
    /// the neighbours of each up to `neighbourReach` memories away.
    package func candidates(
        _ request: SearchRequest, user: String, embedder: (any SentenceEmbedding)?, neighbourReach: Int = 3
    ) throws(VaultError) -> Candidates {
        var encryptedUpdate = EncryptedIndexUpdate()
        return try gather(
            request, user: user, model: ModelLoad(loaded: embedder), neighbourReach: neighbourReach, encryptedUpdate: &encryptedUpdate
        ).candidates
    }

    /// The fusion of hybrid searches (its parameters are in ``Fusion/standard``).
    static let fusion = Fusion.standard

    private struct Gathered {
        var candidates: Candidates
        var index: VaultIndex
        var encrypted: EncryptedCollection
        var mode: SearchMode
        var notices: [String]
        var timer: PhaseTimer
        /// The model the search used (nil: lexical, or the model is missing).
        var embedder: (any SentenceEmbedding)?
    }

    private func gather(
        _ request: SearchRequest, user: String, model: ModelLoad, prepared: QueryPreparation? = nil,
        neighbourReach: Int = Vault.fusion.neighbourReach, encryptedUpdate: inout EncryptedIndexUpdate
    ) throws(VaultError) -> Gathered {
        let query = request.query.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !query.isEmpty else { throw VaultError(.badInput, "empty query") }
        guard request.k > 0 else { throw VaultError(.badInput, "-k must be at least 1") }
        // The model loads on another core from here on (or from before the vault was opened, when
        // prepared), and the query's embedding follows at once; this thread waits for them only
        // where it needs them.
        let early = request.mode == .lexical ? nil
            : prepared.flatMap { $0.query == query ? $0.embedding : nil } ?? QueryEmbedding(query, loading: model)
        // It never outlives the search, used or not, thrown out of or not: the process may exit
        // right after, and exit's clean-up (OpenBLAS's destructor) must not run under a worker
        // still inside sgemm (a long query's embedding).
        defer { _ = early?.vector() }
        if request.mode == .semantic && model.model() == nil {
            throw VaultError(.badInput, "semantic search needs the embedding model, which is missing",
                hint: "fetch it with scripts/fetch-model, or use --mode lexical")
        }
        var timer = PhaseTimer()
        var update = VaultIndex.Update()
        let index = try refreshedIndex(embedder: model.model(), full: false, update: &update, timer: &timer)
        var notices = update.notices
        var mode = request.mode
        let filter = SearchFilter(
            users: request.users ?? [user], tiers: request.tiers.map { Set($0.map(\.rawValue)) }, since: request.since,
            until: request.until, tags: request.tags, mentions: request.mentions)
        let count = Self.candidateCount(k: request.k)
        // Unlocked encrypted tiers join the collection; the others are reported locked. The model
        // is waited for here only when a tier is unlocked (its index is brought up to date).
        let encrypted = try encryptedCollection(request, user: user, filter: filter, mode: mode, embedder: model.model(), update: &encryptedUpdate)
        notices += encryptedUpdate.notices
        timer.lap("encrypted tiers")
        let allowed = index.allowed(filter)
        timer.lap("filter")

        var candidates = Candidates()
        candidates.queryTerms = Set(Analyzer.terms(query)).count
        var lexicalScore: [String: (score: Float, matched: Int)] = [:]
        // Where each hit is in the index, so that its date and vector are read without a look-up by id.
        var places: [String: VaultIndex.Ref] = [:]
        if mode != .semantic {
            for hit in index.lexicalHits(query, k: count, allowed: allowed, extra: encrypted.documents) {
                candidates.lexical.append(hit.id)
                lexicalScore[hit.id] = (hit.score, hit.matchedTerms.count)
                if let ref = hit.ref { places[hit.id] = ref }
            }
            timer.lap("lexical")
        }
        // While the query's vector is still being made on the other core, this thread checks the
        // vector file's parts that the scan will read, so that the scan finds them checked and mapped.
        if mode != .lexical, let early { index.prepareVectorScan(while: { !early.isReady }) }
        // Only now does this thread wait for the model, which has been loading on the other core.
        let embedder = mode == .lexical ? nil : model.model()
        if mode == .hybrid && embedder == nil {
            notices.insert("embedding model missing: lexical results only (fetch it with scripts/fetch-model)", at: update.notices.count)
            mode = .lexical
        }
        // Nothing to compare with (an empty vault, or only locked tiers): the query's vector is not
        // used. Otherwise it has been embedded on the other core meanwhile.
        var pendingVector: QueryEmbedding?
        if mode != .lexical, embedder != nil, index.count > 0 || !encrypted.entries.isEmpty {
            pendingVector = early
        }
        timer.lap("model")
        var cosine: [String: Float] = [:]
        var encryptedBest: [String: (score: Float, passage: Int)] = [:]
        if let pendingVector {
            let queryVector = pendingVector.vector()
            timer.lap("embed query (rest)")
            var hits: [(id: String, score: Float, passage: Int)]
            do {
                let found = try index.semanticHits(queryVector, k: count, allowed: allowed)
                for hit in found { places[hit.id] = hit.ref }
                hits = found.map { ($0.id, $0.score, $0.passage) }
            } catch {
                throw VaultError.damaged(error)
            }
            encryptedBest = encrypted.bestPassages(queryVector)
            if !encryptedBest.isEmpty {
                hits += encryptedBest.map { (id: $0.key, score: $0.value.score, passage: $0.value.passage) }
                hits.sort { $0.score != $1.score ? $0.score > $1.score : $0.id < $1.id }
                hits = Array(hits.prefix(count))
            }
            for hit in hits {
                cosine[hit.id] = hit.score
                if hit.passage > 0 { candidates.passages[hit.id] = hit.passage }
            }
            candidates.semantic = hits.map(\.id)
            // A lexical candidate the semantic list missed still has a cosine, for the fusion.
            if mode == .hybrid {
                for id in candidates.lexical where cosine[id] == nil {
                    if let value = encryptedBest[id] {
                        cosine[id] = value.score
                        if value.passage > 0 { candidates.passages[id] = value.passage }
                    } else {
                        do {
                            let best: (score: Float, passage: Int)?
                            if let ref = places[id] {
                                best = try index.bestCosine(queryVector, ref: ref)
                            } else {
                                best = try index.bestCosine(queryVector, key: id)
                            }
                            cosine[id] = best?.score
                            if let best, best.passage > 0 { candidates.passages[id] = best.passage }
                        } catch {
                            throw VaultError.damaged(error)
                        }
                    }
                }
            }
            timer.lap("semantic")
        }
        var seen = Set<String>()
        for id in candidates.lexical + candidates.semantic where seen.insert(id).inserted {
            candidates.all.append(FusionCandidate(
                id: id, lexical: lexicalScore[id]?.score, cosine: cosine[id], matchedTerms: lexicalScore[id]?.matched ?? 0,
                date: encrypted.entries[id]?.indexed.date ?? (places[id].map { index.date(ref: $0) } ?? index.date(key: id))))
        }
        if mode == .hybrid, neighbourReach > 0, let pendingVector {
            var encryptedLength: [String: Float] = [:]
            for (id, document) in encrypted.documents { encryptedLength[id] = document.length }
            for i in candidates.all.indices {
                let id = candidates.all[i].id
                candidates.all[i].length = encryptedLength[id] ?? (places[id] ?? index.lookup(id)).flatMap { index.lexicalLength($0) }
            }
            do {
                try addNeighbours(
                    &candidates, reach: neighbourReach, query: pendingVector.vector(), index: index, allowed: allowed,
                    places: places, encrypted: encrypted, encryptedBest: encryptedBest, encryptedLength: encryptedLength)
            } catch {
                throw VaultError.damaged(error)
            }
            timer.lap("neighbours")
        }
        return Gathered(
            candidates: candidates, index: index, encrypted: encrypted, mode: mode, notices: notices, timer: timer, embedder: embedder)
    }

    /// Links each candidate to its neighbours: the memories next to it in its file, up to `reach`
    /// before and after, dated the same day (a conversation's turns, a day's entries). A
    /// neighbour that neither half listed joins as a pulled candidate with its cosine, linked back
    /// to the candidates next to it, so the fusion can lend scores both ways (``Fusion/Context``).
    /// - Complexity: O(c·reach) look-ups for c candidates, plus one sort of each file's entries
    ///   the candidates are in, and one dot product per passage of each pulled neighbour.
    private func addNeighbours(
        _ candidates: inout Candidates, reach: Int, query: [Float], index: VaultIndex, allowed: VaultIndex.Allowed,
        places: [String: VaultIndex.Ref], encrypted: EncryptedCollection,
        encryptedBest: [String: (score: Float, passage: Int)], encryptedLength: [String: Float]
    ) throws(IndexError) {
        // Day numbers in the vault's time zone (Calendar's same-day test costs microseconds a call);
        // the zone's offset is looked up once per quarter hour of time (offsets change on those).
        let timeZone = config.timeZone
        var offsets: [Int: Int] = [:]
        func day(_ date: Date) -> Int {
            let t = date.timeIntervalSince1970
            let quarter = Int((t / 900).rounded(.down))
            let offset: Int
            if let known = offsets[quarter] {
                offset = known
            } else {
                offset = timeZone.secondsFromGMT(for: date)
                offsets[quarter] = offset
            }
            return Int(((t + Double(offset)) / 86_400).rounded(.down))
        }
        var orders = VaultIndex.FileOrders()
        // The encrypted entries of each file in line order (they are all in memory).
        var encryptedOrder: [String: [String]] = [:]
        var encryptedPlace: [String: (path: String, position: Int)] = [:]
        if !encrypted.entries.isEmpty {
            for (id, entry) in encrypted.entries { encryptedOrder[entry.indexed.path, default: []].append(id) }
            for (path, ids) in encryptedOrder {
                let sorted = ids.sorted { encrypted.entries[$0]!.indexed.line < encrypted.entries[$1]!.indexed.line }
                encryptedOrder[path] = sorted
                for (i, id) in sorted.enumerated() { encryptedPlace[id] = (path, i) }
            }
        }
        var position: [String: Int] = [:]
        for (i, c) in candidates.all.enumerated() { position[c.id] = i }
        let listedCount = candidates.all.count
        for i in 0..<listedCount {
            let c = candidates.all[i]
            guard let date = c.date else { continue }
            let today = day(date)
            var found: [(id: String, distance: Int, date: Date?, ref: VaultIndex.Ref?)] = []
            if let place = encryptedPlace[c.id] {
                let order = encryptedOrder[place.path]!
                for d in -reach...reach where d != 0 && place.position + d >= 0 && place.position + d < order.count {
                    let id = order[place.position + d]
                    found.append((id, d, encrypted.entries[id]!.indexed.date, nil))
                }
            } else if let ref = places[c.id] ?? index.lookup(c.id) {
                for n in index.neighbours(of: ref, reach: reach, allowed: allowed, orders: &orders) {
                    found.append((index.id(n.ref), n.distance, index.date(ref: n.ref), n.ref))
                }
            }
            for n in found {
                guard let theirDate = n.date, day(theirDate) == today else { continue }
                let seconds = abs(theirDate.timeIntervalSince(date))
                candidates.all[i].neighbours.append(FusionNeighbour(id: n.id, distance: n.distance, seconds: seconds))
                if let j = position[n.id] {
                    // A pulled neighbour learns of every listed candidate next to it.
                    if j >= listedCount {
                        candidates.all[j].neighbours.append(FusionNeighbour(id: c.id, distance: -n.distance, seconds: seconds))
                    }
                    continue
                }
                var best: (score: Float, passage: Int)?
                if let value = encryptedBest[n.id] {
                    best = value
                } else if let ref = n.ref {
                    best = try index.bestCosine(query, ref: ref)
                }
                if let best, best.passage > 0 { candidates.passages[n.id] = best.passage }
                position[n.id] = candidates.all.count
                candidates.all.append(FusionCandidate(
                    id: n.id, lexical: nil, cosine: best?.score, date: theirDate,
                    neighbours: [FusionNeighbour(id: c.id, distance: -n.distance, seconds: seconds)], pulled: true,
                    length: encryptedLength[n.id] ?? n.ref.flatMap { index.lexicalLength($0) }))
            }
        }
    }

    func searchOnce(
        _ request: SearchRequest, user: String, model: ModelLoad, prepared: QueryPreparation? = nil,
        encryptedUpdate: inout EncryptedIndexUpdate
    ) throws(VaultError) -> SearchResponse {
        let clock = ContinuousClock()
        let start = clock.now
        var gathered = try gather(request, user: user, model: model, prepared: prepared, encryptedUpdate: &encryptedUpdate)
        let candidates = gathered.candidates
        let score = Dictionary(uniqueKeysWithValues: candidates.all.map { ($0.id, $0) })
        let ranked: [(id: String, score: Float)]
        switch gathered.mode {
        case .lexical: ranked = candidates.lexical.prefix(request.k).map { ($0, score[$0]!.lexical ?? 0) }
        case .semantic: ranked = candidates.semantic.prefix(request.k).map { ($0, score[$0]!.cosine ?? 0) }
        case .hybrid: ranked = Self.fusion.rank(candidates.all, queryTerms: candidates.queryTerms, k: request.k)
        }
        gathered.timer.lap("fuse")
        let query = request.query.trimmingCharacters(in: .whitespacesAndNewlines)
        var memories: [String: Memory]? = request.includeMemories ? [:] : nil
        // A memory found by a later passage shows that passage (a lexical match keeps its own snippet).
        let passages = gathered.mode == .lexical ? [:] : candidates.passages
        let results = try searchResults(
            ranked, index: gathered.index, encrypted: gathered.encrypted, query: query, memories: &memories,
            passages: passages, semantic: gathered.mode == .semantic, embedder: gathered.embedder)
        gathered.timer.lap("snippets")
        let ms = PhaseTimer.milliseconds(clock.now - start)
        var response = SearchResponse(
            query: request.query, mode: request.mode.rawValue, tookMs: (ms * 10).rounded() / 10,
            locked: gathered.encrypted.locked.map(\.rawValue), results: results, notices: gathered.notices)
        response.phases = gathered.timer.phases
        response.memories = memories ?? [:]
        return response
    }

    /// The query's words a snippet is centred on: lower-cased, three letters or more.
    static func snippetWords(_ query: String) -> Set<String> {
        Set(query.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init).filter { $0.count >= 3 })
    }

    /// Results with snippets read from the files themselves: only each entry's own bytes are
    /// parsed (the index keeps where they are); the whole file only if they no longer match.
    /// - Parameter memories: when not nil, receives the whole memory of each result with an id.
    /// - Parameters:
    ///   - passages: the passage (after the first) that gave a result its cosine; its snippet comes
    ///     from that passage when `semantic`, or when the memory holds none of the query's words.
    private func searchResults(
        _ ranked: [(id: String, score: Float)], index: VaultIndex, encrypted: EncryptedCollection, query: String,
        memories: inout [String: Memory]?, passages: [String: Int] = [:], semantic: Bool = false,
        embedder: (any SentenceEmbedding)? = nil
    ) throws(VaultError) -> [SearchResult] {
        var bytesOfFile: [String: [UInt8]] = [:]
        var results: [SearchResult] = []
        let words = Self.snippetWords(query)
        func snippet(_ key: String, title: String?, body: String) -> String {
            if let passage = passages[key], let embedder,
               semantic || !words.contains(where: { body.lowercased().contains($0) }) {
                let texts = embedder.passages(EmbeddingText.of(title: title, body: body))
                if passage < texts.count { return Self.snippet(texts[passage], words: words, passage: true) }
            }
            return Self.snippet(body, words: words)
        }
        for (key, score) in ranked {
            if let (indexed, record) = encrypted.entries[key] {
                results.append(SearchResult(
                    id: key, score: score, user: indexed.user, tier: indexed.tier,
                    date: record.date.map { config.iso8601($0) }, path: indexed.path,
                    line: indexed.line, title: record.title, snippet: snippet(key, title: record.title, body: record.body), tags: record.tags,
                    src: record.src))
                if memories != nil, let tier = Tier(rawValue: indexed.tier) {
                    memories![key] = Memory(
                        id: key, user: indexed.user, tier: tier, date: results.last!.date, path: indexed.path, line: indexed.line,
                        title: record.title, text: record.body, tags: record.tags, mentions: record.mentions, tasks: [],
                        src: record.src, meta: [:], entryDate: record.date)
                }
                continue
            }
            guard let ref = index.lookup(key) else { continue }
            let record = index.record(ref)
            let indexed = record.entry
            var entry: Entry?
            if let bytes = bytesOfFile[indexed.path] {
                if record.byteRange.upperBound <= bytes.count {
                    entry = (try? EntryFile.parse(Array(bytes[record.byteRange])))?.entries.first { $0.contentHash == indexed.contentHash }
                }
            } else {
                // Only the entry's own bytes: a month file holds hundreds of entries.
                let slice: [UInt8]
                do {
                    slice = try AtomicFile.read(indexed.path, in: root, range: record.byteRange) ?? []
                } catch {
                    throw VaultError(.badInput, error.message, at: indexed.path)
                }
                if slice.count == record.byteRange.count {
                    entry = (try? EntryFile.parse(slice))?.entries.first { $0.contentHash == indexed.contentHash }
                }
            }
            if entry == nil {
                // The bytes no longer match what the index recorded: the whole file, parsed.
                if bytesOfFile[indexed.path] == nil {
                    do {
                        bytesOfFile[indexed.path] = try AtomicFile.read(indexed.path, in: root) ?? []
                    } catch {
                        throw VaultError(.badInput, error.message, at: indexed.path)
                    }
                }
                entry = try parseEntryFile(bytesOfFile[indexed.path]!, path: indexed.path).entries.first { VaultIndex.key($0, path: indexed.path) == key }
            }
            let date = entry?.date.map { config.iso8601($0) }
            results.append(SearchResult(
                id: key.hasPrefix("~") ? "" : key, score: score, user: indexed.user, tier: indexed.tier, date: date,
                path: indexed.path, line: indexed.line, title: entry?.title,
                snippet: snippet(key, title: entry?.title, body: entry?.body ?? ""), tags: entry?.tags ?? indexed.tags, src: entry?.src))
            if memories != nil, let entry, !key.hasPrefix("~"), let tier = Tier(rawValue: indexed.tier) {
                // Lines of the file, not of the entry's bytes that were parsed alone.
                var memory = Memory(entry: entry, id: key, user: indexed.user, tier: tier, path: indexed.path, config: config)
                let offset = indexed.line - entry.line
                memory.line = indexed.line
                for i in memory.tasks.indices { memory.tasks[i].line += offset }
                memories![key] = memory
            }
        }
        return results
    }

    /// About 160 characters of the body on one line, around the first query word it contains.
    /// - Parameter passage: `body` is a passage from within a memory: marked `…` at its start.
    static func snippet(_ body: String, words: Set<String>, passage: Bool = false) -> String {
        let flat = oneLine(body)
        if passage {
            // Centred on a query word that carries meaning ("for" and "the" are in every passage).
            let inner = snippet(flat, words: words.filter { !Analyzer.terms($0).isEmpty })
            return inner.hasPrefix("…") ? inner : "…" + inner
        }
        guard flat.count > 160 else { return flat }
        let lower = flat.lowercased()
        var start = lower.startIndex
        if let hit = words.compactMap({ lower.range(of: $0)?.lowerBound }).min() {
            start = lower.index(hit, offsetBy: -40, limitedBy: lower.startIndex) ?? lower.startIndex
        }
        let offset = lower.distance(from: lower.startIndex, to: start)
        let from = flat.index(flat.startIndex, offsetBy: min(offset, flat.count))
        let to = flat.index(from, offsetBy: 160, limitedBy: flat.endIndex) ?? flat.endIndex
        return (from > flat.startIndex ? "…" : "") + flat[from..<to] + (to < flat.endIndex ? "…" : "")
    }
}

extension Vault {
    /// The text on one line: whitespace runs (`Character.isWhitespace`) become one space, and
    /// none is left at either end.
    public static func oneLine(_ text: String) -> String {
        if let ascii = asciiOneLine(text) { return ascii }
        return text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// `oneLine` of an ASCII text, byte by byte (nil for any other text): the same result
    /// without breaking the text into characters, which dominated the call for long texts.
    private static func asciiOneLine(_ text: String) -> String? {
        var text = text
        return text.withUTF8 { bytes -> String? in
            var output: [UInt8] = []
            output.reserveCapacity(bytes.count)
            var pendingSpace = false
            for byte in bytes {
                guard byte < 0x80 else { return nil }
                // The ASCII characters `Character.isWhitespace` accepts: tab to carriage return, space.
                if byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) {
                    pendingSpace = !output.isEmpty
                    continue
                }
                if pendingSpace {
                    output.append(0x20)
                    pendingSpace = false
                }
                output.append(byte)
            }
            return String(decoding: output, as: UTF8.self)
        }
    }
}

/// Wall time per phase of one search.
struct PhaseTimer {
    private let clock = ContinuousClock()
    private var last: ContinuousClock.Instant
    private(set) var phases: [(name: String, ms: Double)] = []

    init() { last = clock.now }

    /// Records the time since the previous lap as `name`.
    mutating func lap(_ name: String) {
        let now = clock.now
        phases.append((name, Self.milliseconds(now - last)))
        last = now
    }

    /// Replaces the last lap by finer ones that add up to (at most) it; the rest keeps the last lap's name.
    mutating func replaceLast(with finer: [(name: String, ms: Double)]) {
        guard let last = phases.popLast() else { return }
        let total = finer.reduce(0) { $0 + $1.ms }
        phases += finer
        if last.ms > total { phases.append((last.name + " (rest)", last.ms - total)) }
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
}
