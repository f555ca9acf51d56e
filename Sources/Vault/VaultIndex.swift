import Embedder
import Foundation
import MarkdownCodec
import MemvaultSupport
import SearchIndex

/// The sidecar index of a vault under `.memvault/cache/index/`: the entry map, the state of
/// every indexed file, the lexical index, and the vectors (a large main store plus a small
/// delta of what changed since, so an edit rewrites only the delta).
///
/// Derived and rebuildable: a damaged, old or foreign-model file means a rebuild with one notice.
/// A vector row's id is `key|contentHash`, so a vector is used only for the exact text it was
/// computed from; a changed entry never meets a stale vector.
final class VaultIndex {
    struct FileState: Codable, Equatable {
        var size: Int
        var modified: Int64  // nanoseconds since 1970
    }

    /// What a refresh did, for tests, `reindex` and `status`.
    struct Update {
        var filesRead = 0
        var embedded = 0
        var removed = 0
        var notices: [String] = []
    }

    static let formatVersion = 1
    let directory: URL
    var map: EntryMap
    var files: [String: FileState]
    var lexical: LexicalIndex
    var main: VectorStore?
    var delta: VectorStore?

    /// Whether every entry has been checked for a current vector since this index was loaded
    /// (and nothing changed since), so an unchanged refresh skips that O(n) pass.
    private var vectorsChecked = false

    /// Where each vector id is: (store 0 = main, 1 = delta, row).
    private var vectorRows: [String: (store: Int, row: Int)] = [:]

    private init(directory: URL) {
        self.directory = directory
        map = EntryMap()
        files = [:]
        lexical = LexicalIndex()
    }

    var mapURL: URL { directory.appendingPathComponent("entries.map") }
    var filesURL: URL { directory.appendingPathComponent("files.json") }
    var lexicalURL: URL { directory.appendingPathComponent("lexical.idx") }
    var mainURL: URL { directory.appendingPathComponent("vectors.main") }
    var deltaURL: URL { directory.appendingPathComponent("vectors.delta") }

    /// Loads the index; any damaged, old or foreign file gives an empty index and a notice.
    static func load(directory: URL, notices: inout [String]) -> VaultIndex {
        let index = VaultIndex(directory: directory)
        let fm = FileManager.default
        guard fm.fileExists(atPath: index.filesURL.path) else { return index }
        do {
            let data = try SidecarFile.read(index.filesURL)
            let state = try JSONDecoder().decode(FilesFile.self, from: Data(data))
            guard state.version == formatVersion, state.model == Embedder.modelID else {
                throw IndexError(.versionMismatch, path: index.filesURL.path, "format \(state.version), model \(state.model)")
            }
            index.files = state.files
            index.vectorsChecked = state.vectorsComplete ?? false
            index.map = try EntryMap(contentsOf: index.mapURL)
            index.lexical = try LexicalIndex(serialized: try SidecarFile.read(index.lexicalURL), path: index.lexicalURL.path)
            if fm.fileExists(atPath: index.mainURL.path) {
                index.main = try VectorStore(contentsOf: index.mainURL, expectedModelID: Embedder.modelID, expectedDimension: Embedder.dimension)
            }
            if fm.fileExists(atPath: index.deltaURL.path) {
                index.delta = try VectorStore(contentsOf: index.deltaURL, expectedModelID: Embedder.modelID, expectedDimension: Embedder.dimension)
            }
            index.rebuildVectorRows()
        } catch {
            let reason: String
            if let error = error as? IndexError {
                switch error.kind {
                case .corrupt: reason = "a damaged file"
                case .versionMismatch: reason = "an old format"
                case .modelMismatch: reason = "another model"
                case .io: reason = "an unreadable file"
                }
            } else {
                reason = "an unreadable file"
            }
            notices.append("index rebuilt (\(reason) in .memvault/cache/index)")
            return VaultIndex(directory: directory)
        }
        return index
    }

    private struct FilesFile: Codable {
        var version: Int
        var model: String
        var files: [String: FileState]
        /// Every entry had its current vector when this was written.
        var vectorsComplete: Bool?
    }

    private func rebuildVectorRows() {
        liveRows = nil
        vectorRows = [:]
        if let main {
            vectorRows.reserveCapacity(main.count + (delta?.count ?? 0))
            for (row, id) in main.ids.enumerated() { vectorRows[id] = (0, row) }
        }
        if let delta {
            for (row, id) in delta.ids.enumerated() { vectorRows[id] = (1, row) }
        }
    }

    static func vectorID(_ entry: IndexedEntry) -> String { entry.id + "|" + entry.contentHash }

    /// Whether `entry` has a vector for its current text.
    func hasVector(_ entry: IndexedEntry) -> Bool { vectorRows[Self.vectorID(entry)] != nil }

    // MARK: Refresh

    /// Brings the index up to date with the files: stat every file, re-read changed ones,
    /// re-embed only entries whose text changed, drop entries that are gone.
    ///
    /// - Parameters:
    ///   - sources: the current tier files (vault-relative path → (user, tier)).
    ///   - read: parses a file.
    ///   - embedder: nil when the model is missing; vectors then wait for a later refresh.
    ///   - full: re-read every file and re-embed every entry.
    func refresh(
        sources: [String: (user: String, tier: Tier)], root: URL, timeZone: TimeZone, full: Bool,
        embedder: (any SentenceEmbedding)?, read: (String) throws(VaultError) -> EntryFile, update: inout Update
    ) throws(VaultError) {
        if full {
            vectorsChecked = false
            map = EntryMap()
            files = [:]
            lexical = LexicalIndex()
            main = nil
            delta = nil
            vectorRows = [:]
        }
        var changed = false
        // Files that are gone.
        let gone = Set(files.keys).subtracting(sources.keys)
        var stale: [String: FileState] = [:]
        for (path, _) in sources {
            let state = Self.stat(root.appendingPathComponent(path))
            if files[path] != state { stale[path] = state }
        }
        if !gone.isEmpty || !stale.isEmpty {
            changed = true
            let touched = gone.union(stale.keys)
            var oldByPath: [String: [IndexedEntry]] = [:]
            for entry in map.entries where touched.contains(entry.path) {
                oldByPath[entry.path, default: []].append(entry)
            }
            for path in gone {
                for entry in oldByPath[path] ?? [] {
                    map.remove(id: entry.id)
                    lexical.remove(id: entry.id)
                    update.removed += 1
                }
                files[path] = nil
            }
            for path in stale.keys.sorted() {
                let (user, tier) = sources[path]!
                let file = try read(path)
                update.filesRead += 1
                var seen = Set<String>()
                for entry in file.entries where entry.date != nil || entry.id != nil {
                    let key = entry.id ?? "~\(path)#\(entry.contentHash)"
                    guard seen.insert(key).inserted else { continue }
                    if let existing = map[key], existing.path != path, sources[existing.path] != nil, !touched.contains(existing.path) {
                        continue  // a duplicate id in another file: the first file keeps it (check reports it)
                    }
                    let indexed = IndexedEntry(
                        id: key, user: user, tier: tier.rawValue, path: path, line: entry.line,
                        date: entry.date.map { DateText.instant($0, timeZone: timeZone) }, title: entry.title,
                        contentHash: entry.contentHash, tags: entry.tags, mentions: entry.mentions, src: entry.src)
                    if let old = map[key], old.contentHash == indexed.contentHash, old.path == path {
                        if old != indexed { map.upsert(indexed) }
                        continue
                    }
                    map.upsert(indexed)
                    lexical.remove(id: key)
                    lexical.add(id: key, fields: LexicalFields(title: entry.title ?? "", body: entry.body, tags: entry.tags, mentions: entry.mentions))
                }
                for old in oldByPath[path] ?? [] where !seen.contains(old.id) && map[old.id]?.path == path {
                    map.remove(id: old.id)
                    lexical.remove(id: old.id)
                    update.removed += 1
                }
                files[path] = stale[path]
            }
        }
        // Vectors for every entry that lacks one for its current text.
        var vectorsChanged = false
        if changed { vectorsChecked = false }
        if let embedder, !vectorsChecked {
            let missing = map.entries.filter { !hasVector($0) }
            vectorsChecked = true
            if !missing.isEmpty {
                var texts: [String] = []
                texts.reserveCapacity(missing.count)
                var bodies: [String: String] = [:]
                for path in Set(missing.map(\.path)) {
                    for entry in try read(path).entries {
                        bodies[entry.id ?? "~\(path)#\(entry.contentHash)"] = Self.embeddingText(entry)
                    }
                }
                for entry in missing { texts.append(bodies[entry.id] ?? entry.title ?? "") }
                let vectors = embedder.embedMatrix(texts)
                update.embedded += missing.count
                try writeVectors(newIDs: missing.map(Self.vectorID), newVectors: vectors)
                vectorsChanged = true
            }
        }
        if ProcessInfo.processInfo.environment["MEMVAULT_TEST_CRASH"] == "index-before-save" {
            exit(9)  // test hook: a process killed between writing vectors and the rest of the index
        }
        if changed || vectorsChanged || full {
            liveRows = nil
            try save()
        }
    }

    /// The text embedded for an entry: its title and body.
    static func embeddingText(_ entry: Entry) -> String {
        if let title = entry.title, !title.isEmpty { return title + ". " + entry.body }
        return entry.body
    }

    /// Adds vectors to the delta, or folds everything into a new main store when the delta grows large.
    private func writeVectors(newIDs: [String], newVectors: [Float]) throws(VaultError) {
        let d = Embedder.dimension
        let live = Set(map.entries.map(Self.vectorID))
        let deltaLive = (delta?.ids ?? []).enumerated().filter { live.contains($0.element) && !newIDs.contains($0.element) }
        let mainLive = main.map { $0.count } ?? 0
        var ids: [String] = []
        var vectors: [Float] = []
        if main == nil || deltaLive.count + newIDs.count > max(1000, mainLive / 8) {
            // Compact: every live vector into a new main store, delta emptied.
            var newSet = Set(newIDs)
            for store in [main, delta].compactMap({ $0 }) {
                for (row, id) in store.ids.enumerated() where live.contains(id) && newSet.insert(id).inserted {
                    ids.append(id)
                    vectors += store.vector(at: row)
                }
            }
            ids += newIDs
            vectors += newVectors
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                try VectorStore.create(at: mainURL, modelID: Embedder.modelID, dimension: d, ids: ids, vectors: vectors)
                try? FileManager.default.removeItem(at: deltaURL)
                main = try VectorStore(contentsOf: mainURL, expectedModelID: Embedder.modelID, expectedDimension: d)
                delta = nil
            } catch {
                throw VaultError(.integrity, "cannot write the vector index: \(error)")
            }
        } else {
            for (row, id) in deltaLive {
                ids.append(id)
                vectors += delta!.vector(at: row)
            }
            ids += newIDs
            vectors += newVectors
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                try VectorStore.create(at: deltaURL, modelID: Embedder.modelID, dimension: d, ids: ids, vectors: vectors)
                delta = try VectorStore(contentsOf: deltaURL, expectedModelID: Embedder.modelID, expectedDimension: d)
            } catch {
                throw VaultError(.integrity, "cannot write the vector index: \(error)")
            }
        }
        rebuildVectorRows()
    }

    /// Writes the map, lexical index and file states (vectors are written as they change).
    /// The file states go last: a crash before them means the next refresh re-reads those files.
    private func save() throws(VaultError) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try map.write(to: mapURL)
            try SidecarFile.write(lexical.serialized(), to: lexicalURL)
            let state = FilesFile(version: Self.formatVersion, model: Embedder.modelID, files: files, vectorsComplete: vectorsChecked)
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            try SidecarFile.write(Array(try encoder.encode(state)), to: filesURL)
        } catch {
            throw VaultError(.integrity, "cannot write the index: \(error)")
        }
    }

    static func stat(_ url: URL) -> FileState? {
        var st = Foundation.stat()
        guard lstat(url.path, &st) == 0 else { return nil }
        return FileState(size: Int(st.st_size), modified: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec))
    }

    // MARK: Search

    /// For each store, each row's entry (its index in `map.entries`), or -1 when the row's
    /// vector is not the current one of a live entry. Computed once per process after a refresh.
    private var liveRows: [[Int32]]?

    private func computeLiveRows() -> [[Int32]] {
        var rowOfKey: [String: Int32] = [:]
        rowOfKey.reserveCapacity(map.count)
        for (i, entry) in map.entries.enumerated() { rowOfKey[Self.vectorID(entry)] = Int32(i) }
        return [main, delta].enumerated().map { storeIndex, store in
            guard let store else { return [] }
            return store.ids.enumerated().map { row, vectorID in
                guard let location = vectorRows[vectorID], location.store == storeIndex, location.row == row else { return -1 }
                return rowOfKey[vectorID] ?? -1
            }
        }
    }

    /// The current (unit-length) vector of the entry `key`, if it has one.
    func vector(key: String) -> [Float]? {
        guard let entry = map[key], let location = vectorRows[Self.vectorID(entry)],
            let store = location.store == 0 ? main : delta
        else { return nil }
        return store.vector(at: location.row)
    }

    /// The cosine of `query` with the current vector of the entry `key`, if it has one.
    func cosine(_ query: [Float], key: String) -> Float? {
        guard let entry = map[key], let location = vectorRows[Self.vectorID(entry)],
            let store = location.store == 0 ? main : delta
        else { return nil }
        let vector = store.vector(at: location.row)
        var sum: Float = 0
        for i in 0..<min(vector.count, query.count) { sum += vector[i] * query[i] }
        return sum
    }

    /// Semantic top-k over both vector stores, restricted to live entries that pass `allowed`.
    /// - Complexity: O(n) to build the row mask, then the store's exact int8-bounded scan.
    func semanticSearch(_ query: [Float], k: Int, allowed: (IndexedEntry) -> Bool) -> [(id: String, score: Float)] {
        if liveRows == nil { liveRows = computeLiveRows() }
        let live = liveRows!
        let entries = map.entries
        var hits: [(id: String, score: Float)] = []
        for (storeIndex, store) in [main, delta].enumerated() {
            guard let store else { continue }
            let rows = live[storeIndex]
            let mask = rows.map { $0 >= 0 && allowed(entries[Int($0)]) }
            for hit in store.search(query, k: k, allowed: { mask[$0] }) {
                hits.append((entries[Int(rows[hit.row])].id, hit.score))
            }
        }
        return Array(hits.sorted { $0.score > $1.score || ($0.score == $1.score && $0.id < $1.id) }.prefix(k))
    }
}
