import Embedder
import Foundation
import MarkdownCodec
import MemvaultSupport
import SearchIndex

/// The sidecar index of a vault under `.memvault/cache/index/`.
///
/// Two parts (docs/index.md):
/// - the base, written rarely and memory-mapped: `entries-G.tab` (``EntryTable``),
///   `postings-G.bm25` (``PostingsFile``) and `vectors-G.main` (a `VectorStore` whose row r
///   is the vector of table row r), all of generation G. Opening them deserializes nothing.
/// - the delta, `state.idx` (``IndexState``): file states, hidden base rows, moved lines and
///   the entries added or changed since, plus `vectors-G-S.delta` for their new vectors.
///   An edit rewrites only these small files. When the delta grows past a fraction of the
///   base, everything is folded into a new base generation.
///
/// Every file is replaced crash-safely and `state.idx` goes last, so a crash at any point
/// leaves the previous consistent state. Derived and rebuildable: a damaged, old or
/// foreign-model file means a rebuild with one notice.
final class VaultIndex {
    typealias FileState = IndexState.FileState

    /// What a refresh did, for tests, `reindex` and `status`.
    struct Update {
        var filesRead = 0
        var embedded = 0
        /// Vectors computed for those entries: one per passage (more than one for a long memory).
        var passagesEmbedded = 0
        var removed = 0
        var notices: [String] = []
    }

    /// An entry of the index: a base row or a change.
    enum Ref: Equatable {
        case base(Int)
        case change(Int)
    }

    let directory: URL
    /// How short memories are embedded with the ones before them.
    var embeddingContext = EmbeddingText.Context.standard
    private var state: IndexState
    private var table: EntryTable?
    private var postings: PostingsFile?
    private var main: VectorStore?
    private var delta: VectorStore?
    /// Hidden base rows, one bit each (nil when none).
    private var hidden: RowSet?
    private var changeOfKey: [String: Int] = [:]
    /// The lexical search over base and changes, rebuilt when either changes.
    private var lexical: LexicalSearch?
    /// Where the time of opening went (milliseconds per step), for benchmarks.
    private(set) var openPhases: [(name: String, ms: Double)] = []
    /// Base rows that have a vector, one bit each; computed on first use.
    private var rowsWithVector: RowSet?
    /// The base's extra passages (vector rows after the table's rows): the rows of each base row
    /// that has some, and the owner of each; computed on first use.
    private var basePassages: (rows: [Int: Range<Int>], owner: [Int32])?

    /// See `Vault.indexCompactionLimit`; nil uses the built-in rule.
    var compactionLimit: Int?
    /// The vault's fault injection (tests only), for the instant between vectors and state.
    weak var faults: (any FaultInjection)?

    private init(directory: URL) {
        self.directory = directory
        state = IndexState(modelID: Embedder.modelID)
    }

    static let stateName = "state.idx"
    var stateURL: URL { directory.appendingPathComponent(Self.stateName) }
    func tableURL(_ generation: UInt64) -> URL { directory.appendingPathComponent("entries-\(generation).tab") }
    func postingsURL(_ generation: UInt64) -> URL { directory.appendingPathComponent("postings-\(generation).bm25") }
    func mainURL(_ generation: UInt64) -> URL { directory.appendingPathComponent("vectors-\(generation).main") }
    func deltaURL(_ generation: UInt64, _ sequence: UInt64) -> URL {
        directory.appendingPathComponent("vectors-\(generation)-\(sequence).delta")
    }

    var files: [String: FileState] { state.files }

    /// Inode and modification time of `state.idx` as this index last read or wrote it (every
    /// write renames a new file into place, so another process's update changes the inode).
    private var stateStamp: (inode: UInt64, modified: Int64)?

    private func readStateStamp() -> (inode: UInt64, modified: Int64)? {
        var st = Foundation.stat()
        guard lstat(stateURL.path, &st) == 0 else { return nil }
        return (UInt64(st.st_ino), Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec))
    }

    /// Whether the index files on disk are still the ones this index read or wrote last; false
    /// when another process has updated the index since (the caller then loads it again).
    var isCurrentOnDisk: Bool {
        let now = readStateStamp()
        return now?.inode == stateStamp?.inode && now?.modified == stateStamp?.modified
    }

    /// Loads the index; any damaged, old or foreign file gives an empty index and a notice.
    /// - Complexity: O(1) in the number of base entries (plus the base files' checksums);
    ///   O(size of the delta).
    static func load(directory: URL, notices: inout [String]) -> VaultIndex {
        let index = VaultIndex(directory: directory)
        let fm = FileManager.default
        guard fm.fileExists(atPath: index.stateURL.path) else {
            // An index of the earlier format (files.json and friends) is replaced.
            if fm.fileExists(atPath: directory.appendingPathComponent("files.json").path) {
                notices.append("index rebuilt (an old format in .memvault/cache/index)")
            }
            return index
        }
        do {
            try index.open()
        } catch {
            let reason: String
            switch error.kind {
            case .corrupt: reason = "a damaged file"
            case .versionMismatch: reason = "an old format"
            case .modelMismatch: reason = "another model"
            case .io: reason = "an unreadable file"
            }
            notices.append("index rebuilt (\(reason) in .memvault/cache/index)")
            return VaultIndex(directory: directory)
        }
        return index
    }

    /// Reads `state.idx` and maps the files it names, checking that they belong together.
    private func open() throws(IndexError) {
        var timer = PhaseTimer()
        defer { openPhases = timer.phases }
        let state = try IndexState(contentsOf: stateURL)
        timer.lap("open state.idx")
        let path = stateURL.path
        guard state.modelID == Embedder.modelID else {
            throw IndexError(.modelMismatch, path: path, "index of \(state.modelID), expected \(Embedder.modelID)")
        }
        if state.generation > 0 {
            let table = try EntryTable(contentsOf: tableURL(state.generation))
            let postings = try PostingsFile(contentsOf: postingsURL(state.generation))
            timer.lap("open entry table and postings")
            // The 194 MB of a 100k base are checked chunk by chunk as they are first read
            // (a damaged chunk throws then), not all at open.
            let main = try VectorStore(
                contentsOf: mainURL(state.generation), expectedModelID: Embedder.modelID, expectedDimension: Embedder.dimension,
                verification: .onFirstUse)
            guard table.generation == state.generation, postings.generation == state.generation,
                  postings.documentCount == table.count, main.count >= table.count
            else { throw IndexError(.corrupt, path: path, "base files of another generation") }
            self.table = table
            self.postings = postings
            self.main = main
            timer.lap("open base vectors")
        }
        if state.deltaSequence > 0 {
            delta = try VectorStore(
                contentsOf: deltaURL(state.generation, state.deltaSequence), expectedModelID: Embedder.modelID,
                expectedDimension: Embedder.dimension)
        }
        let baseCount = table?.count ?? 0
        for row in state.hiddenRows where row >= baseCount { throw IndexError(.corrupt, path: path, "hidden row \(row) out of range") }
        for row in state.moves.keys where row >= baseCount { throw IndexError(.corrupt, path: path, "moved row \(row) out of range") }
        for change in state.changes {
            switch change.vector {
            case .none: break
            case .base(let row): guard row < baseCount else { throw IndexError(.corrupt, path: path, "vector row \(row) out of range") }
            case .delta(let row): guard row < delta?.count ?? 0 else { throw IndexError(.corrupt, path: path, "delta row \(row) out of range") }
            }
            for row in change.passages where row >= delta?.count ?? 0 {
                throw IndexError(.corrupt, path: path, "passage row \(row) out of range")
            }
        }
        self.state = state
        stateStamp = readStateStamp()
        rebuildLookups()
    }

    private func rebuildLookups() {
        hidden = nil
        if !state.hiddenRows.isEmpty, let table {
            hidden = RowSet(state.hiddenRows, capacity: table.count)
        }
        changeOfKey = [:]
        changeOfKey.reserveCapacity(state.changes.count)
        for (i, change) in state.changes.enumerated() { changeOfKey[change.record.entry.id] = i }
        lexical = nil
        rowsWithVector = nil
        basePassages = nil
    }

    /// The base's extra passages: which vector rows after the table's rows belong to which row.
    /// - Throws: `.corrupt` when the table's passage counts do not add up to the vector file's rows.
    /// - Complexity: O(n) over the mapped records, once.
    private func loadBasePassages() throws(IndexError) -> (rows: [Int: Range<Int>], owner: [Int32]) {
        if let basePassages { return basePassages }
        var result: (rows: [Int: Range<Int>], owner: [Int32]) = ([:], [])
        if let table, let main, main.count > table.count {
            var next = table.count
            for row in 0..<table.count {
                let n = table.extraPassages(at: row)
                guard n > 0 else { continue }
                guard n <= main.count - next else { break }
                result.rows[row] = next..<next + n
                result.owner += repeatElement(Int32(row), count: n)
                next += n
            }
            guard next == main.count else {
                throw IndexError(.corrupt, path: mainURL(state.generation).path, "\(main.count - table.count) passage rows, the table names \(next - table.count)")
            }
        } else if let table {
            for row in 0..<table.count where table.extraPassages(at: row) > 0 {
                throw IndexError(.corrupt, path: tableURL(state.generation).path, "row \(row) names passages the vector file lacks")
            }
        }
        basePassages = result
        return result
    }

    private func isHidden(_ row: Int) -> Bool {
        hidden?.contains(row) ?? false
    }

    // MARK: Entries

    /// The live entry with id `key`.
    /// - Complexity: O(log n).
    func lookup(_ key: String) -> Ref? {
        if let i = changeOfKey[key] { return .change(i) }
        if let row = table?.row(ofKey: key), !isHidden(row) { return .base(row) }
        return nil
    }

    func entry(_ ref: Ref) -> IndexedEntry { record(ref).entry }

    func record(_ ref: Ref) -> EntryRecord {
        switch ref {
        case .change(let i): return state.changes[i].record
        case .base(let row):
            var record = table!.record(at: row)
            if let move = state.moves[row] {
                record.entry.line = move.line
                record.byteRange = move.byteRange
            }
            return record
        }
    }

    private func key(_ ref: Ref) -> String {
        switch ref {
        case .change(let i): return state.changes[i].record.entry.id
        case .base(let row): return table!.key(at: row)
        }
    }

    private func contentHash(_ ref: Ref) -> String {
        switch ref {
        case .change(let i): return state.changes[i].record.entry.contentHash
        case .base(let row): return table!.contentHash(at: row)
        }
    }

    private func path(_ ref: Ref) -> String {
        switch ref {
        case .change(let i): return state.changes[i].record.entry.path
        case .base(let row): return table!.path(at: row)
        }
    }

    func date(key: String) -> Date? {
        lookup(key).flatMap(date(ref:))
    }

    /// The date of the entry at `ref` (as `date(key:)` gives it, without looking the key up).
    func date(ref: Ref) -> Date? {
        switch ref {
        case .change(let i): return state.changes[i].record.entry.date
        case .base(let row): return table!.date(at: row)
        }
    }

    private func vectorPlace(_ ref: Ref) -> IndexState.VectorPlace {
        switch ref {
        case .change(let i): return state.changes[i].vector
        case .base(let row): return table!.hasVector(at: row) ? .base(row) : .none
        }
    }

    /// The live entries of the file `path`.
    private func refs(inPath path: String) -> [Ref] {
        var refs = (table?.rows(inPath: path) ?? []).filter { !isHidden($0) }.map(Ref.base)
        for (i, change) in state.changes.enumerated() where change.record.entry.path == path { refs.append(.change(i)) }
        return refs
    }

    /// The 1-based line of a live entry in its file.
    private func line(_ ref: Ref) -> Int {
        switch ref {
        case .change(let i): return state.changes[i].record.entry.line
        case .base(let row): return state.moves[row]?.line ?? table!.line(at: row)
        }
    }

    /// What ``neighbours(of:reach:allowed:orders:)`` keeps between the calls of one search: the
    /// files whose entries changed since the base was written (their order is computed from
    /// every live entry) and those files' live entries in line order.
    struct FileOrders {
        var touched: Set<String>?
        var files: [String: [Ref]] = [:]
    }

    /// The live entries next to `ref` in its file: up to `reach` before and after it in line
    /// order (`distance` -reach...reach, never 0), those among the `allowed` only.
    /// - Complexity: for a file unchanged since the base was written, O(log m) in the m entries of
    ///   the file (its rows are in line order in the table); for a changed file, O(m log m) the
    ///   first time it is asked for (kept in `orders`), O(log m + reach) after.
    func neighbours(of ref: Ref, reach: Int, allowed: Allowed, orders: inout FileOrders) -> [(ref: Ref, distance: Int)] {
        guard reach > 0 else { return [] }
        func isAllowed(_ other: Ref) -> Bool {
            switch other {
            case .base(let row): return allowed.base?.contains(row) ?? false
            case .change(let i): return i < allowed.changes.count && allowed.changes[i]
            }
        }
        if orders.touched == nil {
            var touched = Set(state.changes.map(\.record.entry.path))
            if let table { for row in state.moves.keys { touched.insert(table.path(at: row)) } }
            orders.touched = touched
        }
        let path = self.path(ref)
        if case .base(let row) = ref, !orders.touched!.contains(path), let table {
            // Live rows only count; rows another filter leaves out still do (they are entries of the file).
            return table.rows(around: row, reach: reach, skip: isHidden).map { (Ref.base($0.row), $0.distance) }
                .filter { isAllowed($0.0) }
        }
        if orders.files[path] == nil {
            orders.files[path] = refs(inPath: path).map { ($0, line($0)) }.sorted { $0.1 < $1.1 }.map(\.0)
        }
        let order = orders.files[path]!
        let own = line(ref)
        // Binary search by line (lines are distinct within a file).
        var lo = 0, hi = order.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if line(order[mid]) < own { lo = mid + 1 } else { hi = mid }
        }
        guard lo < order.count, order[lo] == ref else { return [] }
        var result: [(ref: Ref, distance: Int)] = []
        for d in -reach...reach where d != 0 && lo + d >= 0 && lo + d < order.count {
            let other = order[lo + d]
            if isAllowed(other) { result.append((other, d)) }
        }
        return result
    }

    /// The id of a live entry.
    func id(_ ref: Ref) -> String { key(ref) }

    /// The weighted number of analyzed terms of a live entry, as BM25 counts them.
    func lexicalLength(_ ref: Ref) -> Float? {
        switch ref {
        case .change(let i): return state.changes[i].document.length
        case .base(let row): return postings?.weightedLength(row)
        }
    }

    /// Number of live entries.
    var count: Int { (table?.count ?? 0) - state.hiddenRows.count + state.changes.count }

    /// Number of live entries with a current vector, leaving out the files `excluded`.
    /// - Complexity: O(n) over the mapped records.
    func countWithVectors(excluding excluded: Set<String> = []) -> Int {
        var n = 0
        if let table {
            var rows = Set<Int>()
            for path in excluded { rows.formUnion(table.rows(inPath: path)) }
            for row in 0..<table.count where !isHidden(row) && !rows.contains(row) && table.hasVector(at: row) { n += 1 }
        }
        for change in state.changes where change.vector != .none && !excluded.contains(change.record.entry.path) { n += 1 }
        return n
    }

    // MARK: Changing

    /// Hides a base row or drops a change.
    private func remove(_ ref: Ref) {
        switch ref {
        case .base(let row):
            state.hiddenRows.append(row)
            state.moves[row] = nil
            if hidden == nil { hidden = RowSet(capacity: table!.count) }
            hidden!.insert(row)
        case .change(let i):
            changeOfKey[state.changes[i].record.entry.id] = nil
            let last = state.changes.removeLast()
            if i < state.changes.count {
                state.changes[i] = last
                changeOfKey[last.record.entry.id] = i
            }
        }
        lexical = nil
    }

    /// Adds or replaces the change of `change.record.entry.id`, hiding its base row.
    private func upsert(_ change: IndexState.Change) {
        let key = change.record.entry.id
        if case .base(let row)? = lookup(key) { remove(.base(row)) }
        if let i = changeOfKey[key] {
            state.changes[i] = change
        } else {
            changeOfKey[key] = state.changes.count
            state.changes.append(change)
        }
        lexical = nil
    }

    /// A date's calendar day as one number, to tell memories of the same day.
    static func day(_ date: EntryDate) -> Int { (date.year * 13 + date.month) * 32 + date.day }

    static func key(_ entry: Entry, path: String) -> String { entry.id ?? "~\(path)#\(entry.contentHash)" }

    // MARK: Refresh

    /// Brings the index up to date with the files: stat every file, re-read changed ones,
    /// re-embed only entries whose text changed, drop entries that are gone.
    ///
    /// - Parameters:
    ///   - sources: the current tier files (vault-relative path → (user, tier)).
    ///   - read: parses a file.
    ///   - embedder: nil when the model is missing; vectors then wait for a later refresh. Asked
    ///     only when an entry needs a vector (a search loads the model meanwhile).
    ///   - full: re-read every file and re-embed every entry.
    /// - Complexity: O(files) stats when nothing changed; otherwise O(changed entries) plus
    ///   small-file rewrites, and O(n) when the delta is folded into a new base.
    func refresh(
        sources: [String: (user: String, tier: Tier)], root: URL, timeZone: TimeZone, full: Bool,
        embedder: @autoclosure () -> (any SentenceEmbedding)?, read: (String) throws(VaultError) -> EntryFile,
        update: inout Update
    ) throws(VaultError) {
        if full {
            let generation = state.generation
            state = IndexState(modelID: Embedder.modelID)
            state.generation = generation
            table = nil
            postings = nil
            main = nil
            delta = nil
            rebuildLookups()
        }
        var changed = false
        let gone = Set(state.files.keys).subtracting(sources.keys)
        var stale: [String: FileState] = [:]
        let rootPath = root.path
        for (path, _) in sources {
            let fileState = Self.stat(path: rootPath + "/" + path)
            if state.files[path] != fileState { stale[path] = fileState }
        }
        var parsed: [String: EntryFile] = [:]
        if !gone.isEmpty || !stale.isEmpty {
            changed = true
            let touched = gone.union(stale.keys)
            var oldByPath: [String: [(key: String, ref: Ref)]] = [:]
            for path in touched {
                oldByPath[path] = refs(inPath: path).map { (key($0), $0) }
            }
            var seenByPath: [String: Set<String>] = [:]
            for path in stale.keys.sorted() {
                let (user, tier) = sources[path]!
                let file = try read(path)
                parsed[path] = file
                update.filesRead += 1
                var seen = Set<String>()
                for entry in file.entries where entry.date != nil || entry.id != nil {
                    let key = Self.key(entry, path: path)
                    guard seen.insert(key).inserted else { continue }
                    let existing = lookup(key)
                    if let existing {
                        let existingPath = self.path(existing)
                        if existingPath != path, sources[existingPath] != nil, !touched.contains(existingPath) {
                            continue  // a duplicate id in another file: the first file keeps it (check reports it)
                        }
                    }
                    let indexed = IndexedEntry(
                        id: key, user: user, tier: tier.rawValue, path: path, line: entry.line,
                        date: entry.date.map { DateText.instant($0, timeZone: timeZone) }, title: entry.title,
                        contentHash: entry.contentHash, tags: entry.tags, mentions: entry.mentions, src: entry.src)
                    let record = EntryRecord(entry: indexed, byteRange: entry.byteRange, hasVector: false)
                    var vector = IndexState.VectorPlace.none
                    var passages: [Int] = []
                    if let existing, contentHash(existing) == entry.contentHash {
                        let old = self.record(existing)
                        if old.entry == indexed && old.byteRange == entry.byteRange { continue }
                        var moved = old.entry
                        moved.line = indexed.line
                        if case .base(let row) = existing, moved == indexed {
                            // Same text, same everything but its place in the file: a move, not a change.
                            state.moves[row] = IndexState.Move(line: entry.line, byteRange: entry.byteRange)
                            continue
                        }
                        vector = vectorPlace(existing)
                        if case .change(let i) = existing { passages = state.changes[i].passages }
                    }
                    var change = IndexState.Change(
                        record: record, vector: vector,
                        document: LexicalDocument(fields: LexicalFields(title: entry.title ?? "", body: entry.body, tags: entry.tags, mentions: entry.mentions)),
                        passages: passages)
                    change.record.hasVector = vector != .none
                    upsert(change)
                }
                seenByPath[path] = seen
                state.files[path] = stale[path]
            }
            // What is no longer where it was goes last, so that an entry moved to another
            // file (a rename, or a cut and paste between two edited files) keeps its vector.
            for path in touched.sorted() {
                for old in oldByPath[path] ?? [] where !(seenByPath[path]?.contains(old.key) ?? false) {
                    if let ref = lookup(old.key), self.path(ref) == path {
                        remove(ref)
                        update.removed += 1
                    }
                }
                if gone.contains(path) { state.files[path] = nil }
            }
        }
        // Vectors for every entry that lacks one for its current text.
        if changed { state.vectorsComplete = false }
        var newVectors: [(key: String, passages: [ArraySlice<Float>])] = []
        if !state.vectorsComplete, let embedder = embedder() {
            var missing: [Ref] = []
            if let table {
                for row in 0..<table.count where !isHidden(row) && !table.hasVector(at: row) { missing.append(.base(row)) }
            }
            for (i, change) in state.changes.enumerated() where change.vector == .none { missing.append(.change(i)) }
            state.vectorsComplete = true
            if !missing.isEmpty {
                var texts: [String: String] = [:]
                var entries: [String: Entry] = [:]
                for path in Set(missing.map { self.path($0) }) {
                    let file: EntryFile
                    if let done = parsed[path] { file = done } else { file = try read(path) }
                    let embedded = EmbeddingText.of(
                        file.entries.map { (title: $0.title, body: $0.body, day: $0.date.map(Self.day)) }, context: embeddingContext)
                    for (entry, text) in zip(file.entries, embedded) {
                        let key = Self.key(entry, path: path)
                        texts[key] = text
                        entries[key] = entry
                    }
                }
                let keys = missing.map { key($0) }
                // A base row without a vector becomes a change, so that its vector has a place.
                for (ref, key) in zip(missing, keys) {
                    guard case .base = ref, let entry = entries[key] else { continue }
                    let record = self.record(ref)
                    upsert(IndexState.Change(
                        record: record, vector: .none,
                        document: LexicalDocument(fields: LexicalFields(title: entry.title ?? "", body: entry.body, tags: entry.tags, mentions: entry.mentions))))
                }
                // A long memory is embedded as passages (Passages), all of them its vectors.
                let (embedded, counts) = embedder.passageMatrix(keys.map { texts[$0] ?? "" })
                update.embedded += keys.count
                update.passagesEmbedded += counts.reduce(0, +)
                let d = Embedder.dimension
                var row = 0
                for (key, n) in zip(keys, counts) {
                    if changeOfKey[key] != nil {
                        newVectors.append((key, (row..<row + n).map { embedded[$0 * d..<($0 + 1) * d] }))
                    }
                    row += n
                }
            }
        }
        if changed || !newVectors.isEmpty || full {
            try save(newVectors: newVectors, full: full)
        }
    }

    /// Whether the delta has grown enough to fold it into a new base.
    private var shouldCompact: Bool {
        let base = table?.count ?? 0
        if let limit = compactionLimit {
            return state.changes.count + state.hiddenRows.count + state.moves.count > limit
        }
        return state.changes.count + state.hiddenRows.count > max(1000, base / 16) || state.moves.count > max(20000, base / 2)
    }

    /// Writes what changed: the new vectors into the delta vector file and then `state.idx`,
    /// or everything into a new base generation when the delta is large.
    private func save(newVectors: [(key: String, passages: [ArraySlice<Float>])], full: Bool) throws(VaultError) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            if full || shouldCompact {
                try compact(newVectors: newVectors)
            } else {
                if !newVectors.isEmpty { try writeDelta(newVectors: newVectors) }
                faults?.reached(.indexBeforeSave)  // tests: killed between the vectors and the rest of the index
                try state.write(to: stateURL)
            }
            stateStamp = readStateStamp()
            removeUnusedFiles()
        } catch let error as IndexError where error.kind == .corrupt {
            throw VaultError.damaged(error)  // a base chunk read while folding turned out damaged
        } catch {
            // A write that fails (no space, a read-only file system) is not damage: exit 1, like every failed write.
            throw VaultError(.badInput, "cannot write the index: \(error)")
        }
    }

    /// Rewrites the delta vector file: the rows changes still use (each entry's passages), then
    /// `newVectors`. Only the new entries' passages are embedded; the others are copied.
    private func writeDelta(newVectors: [(key: String, passages: [ArraySlice<Float>])]) throws(IndexError) {
        let d = Embedder.dimension
        var vectors: [Float] = []
        var renumbered: [Int: Int] = [:]
        var rows = 0
        for change in state.changes {
            guard case .delta(let first) = change.vector, let delta else { continue }
            for row in [first] + change.passages where renumbered[row] == nil {
                renumbered[row] = rows
                vectors += delta.vector(at: row)
                rows += 1
            }
        }
        for i in state.changes.indices {
            if case .delta(let row) = state.changes[i].vector {
                state.changes[i].vector = .delta(renumbered[row]!)
                state.changes[i].passages = state.changes[i].passages.map { renumbered[$0]! }
            }
        }
        for (key, passages) in newVectors {
            guard let i = changeOfKey[key], !passages.isEmpty else { continue }
            for vector in passages { vectors += vector }
            state.changes[i].vector = .delta(rows)
            state.changes[i].passages = Array(rows + 1..<rows + passages.count)
            state.changes[i].record.hasVector = true
            rows += passages.count
        }
        let sequence = state.deltaSequence + 1
        let url = deltaURL(state.generation, sequence)
        try VectorStore.create(at: url, modelID: Embedder.modelID, dimension: d, ids: [String](repeating: "", count: rows), vectors: vectors)
        delta = try VectorStore(contentsOf: url, expectedModelID: Embedder.modelID, expectedDimension: d)
        state.deltaSequence = sequence
    }

    /// Folds base and delta into a new base generation and an empty delta.
    /// - Complexity: O(n·d).
    private func compact(newVectors: [(key: String, passages: [ArraySlice<Float>])]) throws(IndexError) {
        let d = Embedder.dimension
        let generation = state.generation + 1
        var records: [EntryRecord] = []
        var vectors: [Float] = []
        // The extra passages of every record, in record order, after all the records' rows.
        var extraVectors: [Float] = []
        var keep: [Int32] = []
        let baseCount = table?.count ?? 0
        records.reserveCapacity(count)
        vectors.reserveCapacity(count * d)
        let zero = [Float](repeating: 0, count: d)
        let passagesOfBase = try loadBasePassages().rows
        /// Appends the vector at `place` and its extra passages (`passages`: delta rows); false when there is none.
        func appendVector(_ place: IndexState.VectorPlace, passages: [Int] = [], into record: inout EntryRecord) throws(IndexError) -> Bool {
            record.extraPassages = 0
            switch place {
            case .none:
                vectors += zero
                return false
            case .base(let row):
                vectors += try main!.checkedVector(at: row)
                for extra in passagesOfBase[row] ?? 0..<0 { extraVectors += try main!.checkedVector(at: extra) }
                record.extraPassages = passagesOfBase[row]?.count ?? 0
                return true
            case .delta(let row):
                vectors += try delta!.checkedVector(at: row)
                for extra in passages { extraVectors += try delta!.checkedVector(at: extra) }
                record.extraPassages = passages.count
                return true
            }
        }
        keep.reserveCapacity(baseCount)
        for row in 0..<baseCount {
            guard !isHidden(row) else {
                keep.append(-1)
                continue
            }
            keep.append(Int32(records.count))
            var record = self.record(.base(row))
            record.hasVector = try appendVector(record.hasVector ? .base(row) : .none, into: &record)
            records.append(record)
        }
        var fresh: [String: [ArraySlice<Float>]] = [:]
        for (key, passages) in newVectors where !passages.isEmpty { fresh[key] = passages }
        for change in state.changes {
            var record = change.record
            if let passages = fresh[record.entry.id] {
                vectors += passages[0]
                for extra in passages.dropFirst() { extraVectors += extra }
                record.hasVector = true
                record.extraPassages = passages.count - 1
            } else {
                record.hasVector = try appendVector(change.vector, passages: change.passages, into: &record)
            }
            records.append(record)
        }
        vectors += extraVectors
        let rowCount = vectors.count / d
        try PostingsFile.write(to: postingsURL(generation), generation: generation, base: postings, keep: keep, appended: state.changes.map(\.document))
        try VectorStore.create(at: mainURL(generation), modelID: Embedder.modelID, dimension: d, ids: [String](repeating: "", count: rowCount), vectors: vectors)
        try EntryTable.write(to: tableURL(generation), generation: generation, records: records)
        faults?.reached(.indexBeforeSave)  // tests: killed after writing the new base, before committing it
        var next = IndexState(modelID: Embedder.modelID)
        next.generation = generation
        next.files = state.files
        next.vectorsComplete = state.vectorsComplete
        try next.write(to: stateURL)
        state = next
        table = try EntryTable(contentsOf: tableURL(generation))
        postings = try PostingsFile(contentsOf: postingsURL(generation))
        main = try VectorStore(contentsOf: mainURL(generation), expectedModelID: Embedder.modelID, expectedDimension: d)
        delta = nil
        rebuildLookups()
    }

    /// Deletes index files the current state does not name (earlier generations, the
    /// earlier format, temporary files of killed writers).
    private func removeUnusedFiles() {
        var current: Set<String> = [Self.stateName]
        if state.generation > 0 {
            current.formUnion([tableURL(state.generation), postingsURL(state.generation), mainURL(state.generation)].map(\.lastPathComponent))
        }
        if state.deltaSequence > 0 { current.insert(deltaURL(state.generation, state.deltaSequence).lastPathComponent) }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
        for name in names where !current.contains(name) {
            // A temporary file younger than a minute may belong to a writer still running.
            let url = directory.appendingPathComponent(name)
            if name.contains(".tmp-"), let state = Self.stat(url),
               Int64(Date().timeIntervalSince1970 * 1e9) - state.modified < 60_000_000_000 { continue }
            try? FileManager.default.removeItem(at: url)
        }
    }

    static func stat(_ url: URL) -> FileState? { stat(path: url.path) }

    static func stat(path: String) -> FileState? {
        var st = Foundation.stat()
        guard lstat(path, &st) == 0 else { return nil }
        return FileState(size: Int(st.st_size), modified: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec))
    }

    // MARK: Search

    /// The current (unit-length) vector of the entry `key`, if it has one.
    /// - Throws: `IndexError` when the chunk of the vector file holding it is damaged.
    func vector(key: String) throws(IndexError) -> [Float]? {
        guard let ref = lookup(key) else { return nil }
        return try vector(ref: ref)
    }

    func vector(ref: Ref) throws(IndexError) -> [Float]? {
        switch vectorPlace(ref) {
        case .none: return nil
        case .base(let row): return try main?.checkedVector(at: row)
        case .delta(let row): return try delta?.checkedVector(at: row)
        }
    }

    /// Checks every chunk of the vector files not checked yet, so that later reads cannot fail.
    /// - Throws: `IndexError` of kind `.corrupt` for a damaged chunk.
    /// - Complexity: O(unchecked bytes), on every core.
    func verifyVectors() throws(IndexError) {
        try main?.verifyAll()
        try delta?.verifyAll()
    }

    /// Checks the parts of the vector files a semantic search scans for as long as `keepGoing`
    /// says so (``VectorStore/prepareScan(while:)``): work for a thread that waits for the query's vector.
    func prepareVectorScan(while keepGoing: () -> Bool) {
        main?.prepareScan(while: keepGoing)
    }

    /// The vectors of every passage of the entry `key` (one for an entry that fits the model's
    /// window), first passage first; empty when it has none.
    /// - Throws: `IndexError` when the chunk of a vector file holding one is damaged.
    func passageVectors(key: String) throws(IndexError) -> [[Float]] {
        guard let ref = lookup(key) else { return [] }
        return try passageVectors(ref: ref)
    }

    /// `passageVectors(key:)` of the entry at `ref`.
    func passageVectors(ref: Ref) throws(IndexError) -> [[Float]] {
        switch vectorPlace(ref) {
        case .none: return []
        case .base(let row):
            guard let main else { return [] }
            var vectors = [try main.checkedVector(at: row)]
            for extra in try loadBasePassages().rows[row] ?? 0..<0 { vectors.append(try main.checkedVector(at: extra)) }
            return vectors
        case .delta(let row):
            guard let delta, case .change(let i) = ref else { return [] }
            var vectors = [try delta.checkedVector(at: row)]
            for extra in state.changes[i].passages { vectors.append(try delta.checkedVector(at: extra)) }
            return vectors
        }
    }

    /// The cosine of `query` with the entry `key`'s best passage, and that passage's number
    /// (0: the first), if it has a vector.
    func bestCosine(_ query: [Float], key: String) throws(IndexError) -> (score: Float, passage: Int)? {
        guard let ref = lookup(key) else { return nil }
        return try bestCosine(query, ref: ref)
    }

    /// The cosine of `query` with the entry `key`'s best passage, if it has a vector.
    func cosine(_ query: [Float], key: String) throws(IndexError) -> Float? {
        try bestCosine(query, key: key)?.score
    }

    /// `bestCosine(_:key:)` of the entry at `ref`, a place a search of this index just returned.
    func bestCosine(_ query: [Float], ref: Ref) throws(IndexError) -> (score: Float, passage: Int)? {
        var best: (score: Float, passage: Int)?
        for (i, vector) in try passageVectors(ref: ref).enumerated() {
            let score = Vectors.dot(vector, query)
            if best == nil || score > best!.score { best = (score, i) }
        }
        return best
    }

    /// The live entries a search may return: base rows (one bit each) and changes.
    struct Allowed {
        var base: RowSet?
        var changes: [Bool]
    }

    /// The live entries that pass `filter`, for ``lexicalSearch(_:k:allowed:)`` and
    /// ``semanticSearch(_:k:allowed:)``.
    /// - Complexity: O(n) over the mapped records, no string decoded per row.
    func allowed(_ filter: SearchFilter) -> Allowed {
        Allowed(base: table?.mask(filter, hidden: hidden, requireVector: false), changes: state.changes.map { filter.matches($0.record.entry) })
    }

    /// Lexical (BM25) top-k over the `allowed` entries and the `extra` documents, scored as one
    /// collection (the encrypted tiers' entries join the plain ones this way).
    /// - Complexity: the postings of the query's terms, plus O(extra) dictionary look-ups.
    func lexicalSearch(
        _ query: String, k: Int, allowed: Allowed, extra: [(id: String, document: LexicalDocument)] = []
    ) -> [(id: String, score: Float, matchedTerms: [String])] {
        lexicalHits(query, k: k, allowed: allowed, extra: extra).map { ($0.id, $0.score, $0.matchedTerms) }
    }

    /// `lexicalSearch` with the place of each hit in this index (nil for the `extra` documents),
    /// so that the caller need not look its id up again.
    func lexicalHits(
        _ query: String, k: Int, allowed: Allowed, extra: [(id: String, document: LexicalDocument)] = []
    ) -> [(id: String, ref: Ref?, score: Float, matchedTerms: [String])] {
        if lexical == nil {
            lexical = LexicalSearch(base: postings, hidden: hidden, delta: state.changes.map(\.document))
        }
        let baseCount = table?.count ?? 0
        let changeCount = state.changes.count
        return lexical!.search(
            query, k: k, allowedBase: allowed.base, allowedDelta: allowed.changes, extra: extra.map(\.document)
        ).map { hit in
            if hit.document >= baseCount + changeCount { return (extra[hit.document - baseCount - changeCount].id, nil, hit.score, hit.matchedTerms) }
            let ref: Ref = hit.document < baseCount ? .base(hit.document) : .change(hit.document - baseCount)
            return (key(ref), ref, hit.score, hit.matchedTerms)
        }
    }

    /// Semantic top-k entries over both vector stores, restricted to the `allowed` entries: an
    /// entry scores its best passage's cosine (``Passages``), and `passage` is that passage's
    /// number (0: the first). Exact: the k entries whose best passages score highest, ties by id.
    /// - Throws: `IndexError` when a chunk of the base vector file that the scan reads is damaged.
    /// - Complexity: O(n/64) to combine the row masks, then the stores' exact int8-bounded scans
    ///   (repeated with twice the rows while passages of the same entries fill the top rows).
    func semanticSearch(_ query: [Float], k: Int, allowed: Allowed) throws(IndexError) -> [(id: String, score: Float, passage: Int)] {
        try semanticHits(query, k: k, allowed: allowed).map { ($0.id, $0.score, $0.passage) }
    }

    /// `semanticSearch` with the place of each hit in this index.
    func semanticHits(_ query: [Float], k: Int, allowed: Allowed) throws(IndexError)
        -> [(id: String, ref: Ref, score: Float, passage: Int)]
    {
        var hits: [(id: String, score: Float, passage: Int)] = []
        var places: [String: Ref] = [:]
        // Changes whose vector is a base row (an entry that moved to another file) own that row.
        var baseOwner: [Int: Int] = [:]
        var deltaOwner: [Int: (change: Int, passage: Int)] = [:]
        for (i, change) in state.changes.enumerated() where allowed.changes[i] {
            switch change.vector {
            case .none: break
            case .base(let row): baseOwner[row] = i
            case .delta(let row):
                deltaOwner[row] = (i, 0)
                for (p, extra) in change.passages.enumerated() { deltaOwner[extra] = (i, p + 1) }
            }
        }
        if let main, let table {
            let passages = try loadBasePassages()
            if rowsWithVector == nil {
                rowsWithVector = RowSet(capacity: main.count) { $0 < table.count && table.hasVector(at: $0) }
            }
            var rows = rowsWithVector!
            if let base = allowed.base { rows.formIntersection(base) }
            for row in baseOwner.keys { rows.insert(row) }
            for (p, owner) in passages.owner.enumerated() where rows.contains(Int(owner)) { rows.insert(table.count + p) }
            hits += try Self.topEntries(k: k, rowsPerEntry: passages.owner.isEmpty ? 1 : 2) { (kk) throws(IndexError) in
                try main.search(query, k: kk, rowMask: rows).map { hit in
                    var row = hit.row
                    var passage = 0
                    if row >= table.count {
                        row = Int(passages.owner[row - table.count])
                        passage = hit.row - passages.rows[row]!.lowerBound + 1
                    }
                    let key = baseOwner[row].map { state.changes[$0].record.entry.id } ?? table.key(at: row)
                    places[key] = baseOwner[row].map { Ref.change($0) } ?? .base(row)
                    return (key, hit.score, passage)
                }
            }
        }
        if let delta, !deltaOwner.isEmpty {
            let passages = deltaOwner.count > state.changes.count
            hits += try Self.topEntries(k: k, rowsPerEntry: passages ? 2 : 1) { (kk) throws(IndexError) in
                delta.search(query, k: kk, allowed: { deltaOwner[$0] != nil }).map { hit in
                    let owner = deltaOwner[hit.row]!
                    let key = state.changes[owner.change].record.entry.id
                    places[key] = .change(owner.change)
                    return (key, hit.score, owner.passage)
                }
            }
        }
        return hits.sorted { $0.score > $1.score || ($0.score == $1.score && $0.id < $1.id) }.prefix(k)
            .map { ($0.id, places[$0.id]!, $0.score, $0.passage) }
    }

    /// The exact top-k entries of one vector store whose entries may own several rows: `search(kk)`
    /// gives the kk best rows (best first, ties by row) as (entry, score, passage); asked again
    /// with twice kk while the rows found name fewer than k entries and more rows may exist.
    /// Every entry missing from kk rows scores at most the kk-th row, so the first k distinct
    /// entries of the rows are the top k.
    static func topEntries(
        k: Int, rowsPerEntry: Int, _ search: (Int) throws(IndexError) -> [(id: String, score: Float, passage: Int)]
    ) throws(IndexError) -> [(id: String, score: Float, passage: Int)] {
        var kk = k * rowsPerEntry
        while true {
            let rows = try search(kk)
            let best = Passages.bestPerOwner(rows.map { (owner: $0.id, passage: $0.passage, score: $0.score) }, k: k)
            if best.count >= k || rows.count < kk { return best.map { (id: $0.owner, score: $0.score, passage: $0.passage) } }
            kk *= 2
        }
    }
}
