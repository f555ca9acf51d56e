import Foundation

/// The vectors of a vault as a large base file plus a small delta file, so that an
/// edit rewrites only the delta, not 190 MB.
///
/// Files in `directory`: `vectors.bin` (the base) and `vectors-delta.bin` (rows
/// added or changed since, plus the ids of base rows deleted since). A delta row
/// shadows the base row with the same id. ``update(directory:modelID:dimension:upserts:removals:compactionRatio:)``
/// folds everything into a new base when the delta grows past a fraction of the
/// base. Each file is replaced atomically; a crash between writing a new base and
/// deleting the old delta leaves a delta that repeats what the base already says,
/// which reads the same.
///
/// `@unchecked Sendable`: immutable after init; the stores are themselves safe to share.
public final class VectorIndex: @unchecked Sendable {
    public static let baseName = "vectors.bin"
    public static let deltaName = "vectors-delta.bin"

    /// The directory of the files.
    public let directory: URL
    /// The embedding model.
    public let modelID: String
    /// The vector length.
    public let dimension: Int

    /// The base store, if the file exists.
    public let base: VectorStore?
    /// The delta store, if the file exists.
    public let delta: VectorStore?
    /// Base rows hidden by the delta (changed or deleted), one bit per row.
    private let hiddenBaseRows: [UInt64]?
    private let hiddenCount: Int

    /// Loads the base and delta files in `directory`; absent files count as empty.
    /// - Throws: `IndexError` from either file (`.corrupt`, `.versionMismatch`, `.modelMismatch`, `.io`).
    public init(directory: URL, modelID: String, dimension: Int) throws(IndexError) {
        func load(_ name: String) throws(IndexError) -> VectorStore? {
            let url = directory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else { return nil }
            return try VectorStore(contentsOf: url, expectedModelID: modelID, expectedDimension: dimension)
        }
        self.directory = directory
        self.modelID = modelID
        self.dimension = dimension
        base = try load(Self.baseName)
        delta = try load(Self.deltaName)
        if let base, let delta {
            let hidden = Set(delta.ids).union(delta.removedIDs)
            var bits = [UInt64](repeating: 0, count: (base.count + 63) / 64)
            var n = 0
            for (row, id) in base.ids.enumerated() where hidden.contains(id) {
                bits[row >> 6] |= 1 << UInt64(row & 63)
                n += 1
            }
            hiddenBaseRows = n > 0 ? bits : nil
            hiddenCount = n
        } else {
            hiddenBaseRows = nil
            hiddenCount = 0
        }
    }

    /// Number of live vectors.
    public var count: Int { (base?.count ?? 0) - hiddenCount + (delta?.count ?? 0) }

    private func isHidden(_ row: Int) -> Bool {
        guard let hiddenBaseRows else { return false }
        return hiddenBaseRows[row >> 6] & (1 << UInt64(row & 63)) != 0
    }

    /// Exact top-k by cosine over the live vectors, restricted to ids where
    /// `allowed(id)` is true (nil: all).
    /// - Returns: best first; equal scores by id.
    /// - Complexity: that of ``VectorStore/search(_:k:allowed:)`` on both files.
    public func search(_ query: [Float], k: Int, allowed: ((String) -> Bool)?) -> [(id: String, score: Float)] {
        var hits: [(id: String, score: Float)] = []
        if let base {
            let filter: ((Int) -> Bool)?
            switch (allowed, hiddenBaseRows) {
            case (nil, nil): filter = nil
            case (nil, _): filter = { !self.isHidden($0) }
            case let (allowed?, _): filter = { !self.isHidden($0) && allowed(base.ids[$0]) }
            }
            hits += base.search(query, k: k, allowed: filter).map { (base.ids[$0.row], $0.score) }
        }
        if let delta {
            hits += delta.search(query, k: k, allowed: allowed.map { allowed in { allowed(delta.ids[$0]) } })
                .map { (delta.ids[$0.row], $0.score) }
        }
        hits.sort { $0.score != $1.score ? $0.score > $1.score : $0.id < $1.id }
        return Array(hits.prefix(k))
    }

    /// The live vectors as (ids, row-major floats).
    /// - Complexity: O(n·d).
    public func allVectors() -> (ids: [String], vectors: [Float]) {
        var ids: [String] = [], vectors: [Float] = []
        if let base {
            for row in 0..<base.count where !isHidden(row) {
                ids.append(base.ids[row])
                vectors += base.vector(at: row)
            }
        }
        if let delta {
            for row in 0..<delta.count {
                ids.append(delta.ids[row])
                vectors += delta.vector(at: row)
            }
        }
        return (ids, vectors)
    }

    /// Applies changes by rewriting the delta file, or, when the delta would exceed
    /// `compactionRatio` of the base, by writing a new base and deleting the delta.
    ///
    /// - Parameters:
    ///   - directory: where the files live (must exist).
    ///   - modelID: the embedding model.
    ///   - dimension: the vector length.
    ///   - upserts: new or changed vectors by id.
    ///   - removals: ids to delete.
    ///   - compactionRatio: delta size (rows + removals) / base rows above which to compact.
    /// - Throws: `IndexError` from reading the current files or writing the new ones. A
    ///   damaged current file throws; the caller rebuilds with
    ///   ``rebuild(directory:modelID:dimension:ids:vectors:)``.
    /// - Complexity: O(delta) usually; O(n·d) when compacting.
    public static func update(
        directory: URL, modelID: String, dimension: Int, upserts: [String: [Float]], removals: Set<String>,
        compactionRatio: Double = 0.05
    ) throws(IndexError) {
        let current = try VectorIndex(directory: directory, modelID: modelID, dimension: dimension)
        try current.update(upserts: upserts, removals: removals, compactionRatio: compactionRatio)
    }

    /// Applies changes to the files this index was loaded from, without reading them
    /// again; see ``update(directory:modelID:dimension:upserts:removals:compactionRatio:)``.
    /// This instance keeps answering from the old files; load a new one to see the change.
    /// - Throws: `IndexError` of kind `.io`.
    public func update(upserts: [String: [Float]], removals: Set<String>, compactionRatio: Double = 0.05) throws(IndexError) {
        let current = self
        var ids: [String] = [], vectors: [Float] = []
        if let delta = current.delta {
            for row in 0..<delta.count where upserts[delta.ids[row]] == nil && !removals.contains(delta.ids[row]) {
                ids.append(delta.ids[row])
                vectors += delta.vector(at: row)
            }
        }
        for (id, vector) in upserts.sorted(by: { $0.key < $1.key }) where !removals.contains(id) {
            precondition(vector.count == dimension, "vector of \(id) has \(vector.count) components, expected \(dimension)")
            ids.append(id)
            vectors += vector
        }
        let baseIDs = Set(current.base?.ids ?? [])
        let removed = Set(current.delta?.removedIDs ?? []).union(removals).intersection(baseIDs).subtracting(ids)
        let baseCount = current.base?.count ?? 0
        if Double(ids.count + removed.count) > compactionRatio * Double(baseCount) {
            // Fold into a new base: the live rows after this change.
            let removedAll = removed.union(ids)
            var allIDs: [String] = [], all: [Float] = []
            if let base = current.base {
                for row in 0..<base.count where !removedAll.contains(base.ids[row]) {
                    allIDs.append(base.ids[row])
                    all += base.vector(at: row)
                }
            }
            try Self.rebuild(directory: directory, modelID: modelID, dimension: dimension, ids: allIDs + ids, vectors: all + vectors)
        } else {
            try VectorStore.create(
                at: directory.appendingPathComponent(Self.deltaName), modelID: modelID, dimension: dimension,
                ids: ids, vectors: vectors, removedIDs: removed.sorted())
        }
    }

    /// Writes all vectors as a new base and deletes the delta.
    /// - Throws: `IndexError` of kind `.io`.
    public static func rebuild(directory: URL, modelID: String, dimension: Int, ids: [String], vectors: [Float]) throws(IndexError) {
        try VectorStore.create(at: directory.appendingPathComponent(baseName), modelID: modelID, dimension: dimension, ids: ids, vectors: vectors)
        let delta = directory.appendingPathComponent(deltaName)
        if FileManager.default.fileExists(atPath: delta.path) {
            do { try FileManager.default.removeItem(at: delta) } catch {
                throw IndexError(.io, path: delta.path, "cannot delete: \(error)")
            }
        }
    }
}
