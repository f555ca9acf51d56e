import Foundation
import Testing
import SearchIndex

@Suite struct VectorIndexTests {
    static let d = 16

    /// Reference: the top-k of the model dictionary by the same fp32 scores, via a fresh store.
    func expected(_ model: [String: [Float]], _ q: [Float], k: Int, dir: TempDir) throws -> [String] {
        let ids = model.keys.sorted()
        let url = dir.file("reference.bin")
        try VectorStore.create(at: url, modelID: "m", dimension: Self.d, ids: ids, vectors: ids.flatMap { model[$0]! })
        let store = try VectorStore(contentsOf: url, expectedModelID: "m", expectedDimension: Self.d)
        return store.search(q, k: k, allowed: nil).map { store.ids[$0.row] }
    }

    @Test(arguments: [1, 2, 3])
    func deltaUpdatesMatchAFreshBuild(seed: UInt64) throws {
        let dir = try TempDir()
        defer { dir.remove() }
        var rng = SeededRandom(seed: seed)
        var model: [String: [Float]] = [:]
        for i in 0..<200 { model["e\(i)"] = TestVectors.random(1, Self.d, &rng) }
        let ids = model.keys.sorted()
        try VectorIndex.rebuild(directory: dir.url, modelID: "m", dimension: Self.d, ids: ids, vectors: ids.flatMap { model[$0]! })
        var sawDelta = false, sawCompaction = false
        for step in 0..<12 {
            var upserts: [String: [Float]] = [:]
            var removals = Set<String>()
            for _ in 0..<3 {
                let id = "e\(Int.random(in: 0..<260, using: &rng))"
                if Bool.random(using: &rng) { upserts[id] = TestVectors.random(1, Self.d, &rng) } else { removals.insert(id) }
            }
            for id in removals { model[id] = nil; upserts[id] = nil }
            for (id, v) in upserts { model[id] = v }
            try VectorIndex.update(directory: dir.url, modelID: "m", dimension: Self.d, upserts: upserts, removals: removals,
                                   compactionRatio: 0.1)
            let deltaExists = FileManager.default.fileExists(atPath: dir.file(VectorIndex.deltaName).path)
            sawDelta = sawDelta || deltaExists
            sawCompaction = sawCompaction || (!deltaExists && step > 0)
            let index = try VectorIndex(directory: dir.url, modelID: "m", dimension: Self.d)
            #expect(index.count == model.count)
            #expect(Set(index.allVectors().ids) == Set(model.keys))
            for _ in 0..<3 {
                let q = TestVectors.random(1, Self.d, &rng)
                #expect(index.search(q, k: 7, allowed: nil).map(\.id) == (try expected(model, q, k: 7, dir: dir)))
                let odd = index.search(q, k: 5, allowed: { $0.hasSuffix("1") })
                #expect(odd.allSatisfy { $0.id.hasSuffix("1") && model[$0.id] != nil })
            }
        }
        #expect(sawDelta && sawCompaction)
    }

    @Test func emptyDirectoryIsAnEmptyIndex() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let index = try VectorIndex(directory: dir.url, modelID: "m", dimension: 4)
        #expect(index.count == 0 && index.search([1, 0, 0, 0], k: 3, allowed: nil).isEmpty)
        try VectorIndex.update(directory: dir.url, modelID: "m", dimension: 4, upserts: ["a": [1, 0, 0, 0]], removals: [])
        #expect(try VectorIndex(directory: dir.url, modelID: "m", dimension: 4).search([1, 0, 0, 0], k: 3, allowed: nil).map(\.id) == ["a"])
    }
}
