import Foundation
import Testing
@testable import SearchIndex
import TestSupport

@Suite struct VectorStoreTests {
    static let model = "test-model"

    func makeStore(
        _ dir: TempDir, vectors: [Float], d: Int, name: String = "vectors.bin", verification: VectorStore.Verification = .atLoad
    ) throws -> VectorStore {
        let n = vectors.count / d
        let url = dir.file(name)
        try VectorStore.create(at: url, modelID: Self.model, dimension: d, ids: (0..<n).map { "id\($0)" }, vectors: vectors)
        return try VectorStore(contentsOf: url, expectedModelID: Self.model, expectedDimension: d, verification: verification)
    }

    /// The row mask of `allowed` (nil: nil).
    func mask(_ n: Int, _ allowed: ((Int) -> Bool)?) -> RowSet? {
        guard let allowed else { return nil }
        var words = [UInt64](repeating: 0, count: (n + 63) / 64)
        for row in 0..<n where allowed(row) { words[row >> 6] |= 1 << UInt64(row & 63) }
        return RowSet(words: words)
    }

    /// Scores in Double, independent of the store's code.
    func reference(_ vectors: [Float], _ q: [Float], _ d: Int, allowed: (Int) -> Bool) -> [(row: Int, score: Double)] {
        (0..<(vectors.count / d)).filter(allowed).map { r in
            (r, (0..<d).reduce(0.0) { $0 + Double(vectors[r * d + $1]) * Double(q[$1]) })
        }.sorted { $0.score != $1.score ? $0.score > $1.score : $0.row < $1.row }
    }

    func checkExact(_ store: VectorStore, _ vectors: [Float], _ q: [Float], d: Int, k: Int, allowed: ((Int) -> Bool)?) {
        let got = store.search(q, k: k, allowed: allowed)
        let brute = store.bruteForceSearch(q, k: k, allowed: allowed)
        // The row-mask form answers the same.
        let masked = try? store.search(q, k: k, rowMask: mask(store.count, allowed))
        #expect(masked?.map(\.row) == got.map(\.row) && masked?.map(\.score) == got.map(\.score))
        // The same rows and the same fp32 scores as a full scan...
        #expect(got.map(\.row) == brute.map(\.row))
        #expect(got.map(\.score) == brute.map(\.score))
        // ...and the true top-k up to float rounding, by an independent Double computation.
        let ref = reference(vectors, q, d, allowed: allowed ?? { _ in true })
        #expect(got.count == min(k, ref.count))
        for (i, hit) in got.enumerated() where i < ref.count {
            #expect(abs(Double(hit.score) - ref[i].score) < 1e-5)
        }
    }

    @Test(arguments: [0, 1, 2, 3, 4, 5], [0, 1, 7, 300, 3000])
    func exactOnRandomVectors(seed: UInt64, n: Int) throws {
        let dir = try TempDir()
        defer { dir.remove() }
        var rng = SeededRandom(seed: seed)
        let d = seed % 2 == 0 ? 128 : 37
        let vectors = TestVectors.random(n, d, &rng)
        let store = try makeStore(dir, vectors: vectors, d: d, verification: seed % 3 == 0 ? .onFirstUse : .atLoad)
        #expect(store.count == n)
        for k in [1, 10, n + 3] {
            let q = TestVectors.random(1, d, &rng)
            checkExact(store, vectors, q, d: d, k: k, allowed: nil)
            checkExact(store, vectors, q, d: d, k: k, allowed: { $0 % 3 == 1 })
        }
    }

    @Test(arguments: [10, 11, 12, 13, 14, 15])
    func exactOnClusteredVectors(seed: UInt64) throws {
        let dir = try TempDir()
        defer { dir.remove() }
        var rng = SeededRandom(seed: seed)
        let d = 96
        let vectors = TestVectors.clustered(3000, d, centres: 5, noise: seed % 2 == 0 ? 0.02 : 0.005, &rng)
        let store = try makeStore(dir, vectors: vectors, d: d)
        for i in 0..<5 {
            // Queries near the data: the top scores are packed closely together.
            let q = Array(vectors[(i * 97) * d..<(i * 97 + 1) * d])
            checkExact(store, vectors, q, d: d, k: 10, allowed: nil)
            checkExact(store, vectors, q, d: d, k: 50, allowed: { $0 % 2 == 0 })
        }
    }

    @Test func exactWithDuplicatesAndZeroVectors() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        var rng = SeededRandom(seed: 99)
        let d = 64
        var vectors = TestVectors.random(50, d, &rng)
        vectors += vectors  // every vector twice: exact ties
        vectors += [Float](repeating: 0, count: d * 3)
        let store = try makeStore(dir, vectors: vectors, d: d)
        let q = Array(vectors[0..<d])
        checkExact(store, vectors, q, d: d, k: 10, allowed: nil)
        let top = store.search(q, k: 2, allowed: nil)
        #expect(top.map(\.row) == [0, 50])
        checkExact(store, vectors, [Float](repeating: 0, count: d), d: d, k: 5, allowed: nil)
    }

    /// Above 8192 rows the scan runs in blocks on both cores; every block boundary and
    /// a filter that empties whole mask words must still give the exact answer.
    @Test func exactAcrossScanBlocks() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        var rng = SeededRandom(seed: 21)
        let d = 32, n = 9000
        var vectors = TestVectors.random(n, d, &rng)
        // The same vector at rows on both sides of the first block boundary: a tie across blocks.
        for j in 0..<d { vectors[4095 * d + j] = vectors[j]; vectors[4096 * d + j] = vectors[j] }
        let store = try makeStore(dir, vectors: vectors, d: d, verification: .onFirstUse)
        for i in 0..<3 {
            let q = i == 0 ? Array(vectors[0..<d]) : TestVectors.random(1, d, &rng)
            checkExact(store, vectors, q, d: d, k: 10, allowed: nil)
            checkExact(store, vectors, q, d: d, k: 7, allowed: { ($0 / 64) % 5 == 2 || $0 == 8999 })
            checkExact(store, vectors, q, d: d, k: 3, allowed: { $0 >= 8990 })
        }
        let top = store.search(Array(vectors[0..<d]), k: 3, allowed: nil).map(\.row)
        #expect(top == [0, 4095, 4096])
    }

    @Test func emptyStoreGivesNothing() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try makeStore(dir, vectors: [], d: 8)
        #expect(store.count == 0 && store.ids.isEmpty)
        #expect(store.search([Float](repeating: 0.5, count: 8), k: 5, allowed: nil).isEmpty)
        #expect(try store.search([Float](repeating: 0.5, count: 8), k: 5, rowMask: RowSet(words: [])).isEmpty)
    }

    @Test func filterExcludingEverythingGivesNothing() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        var rng = SeededRandom(seed: 5)
        let vectors = TestVectors.random(200, 16, &rng)
        let store = try makeStore(dir, vectors: vectors, d: 16)
        #expect(store.search(Array(vectors[0..<16]), k: 10, allowed: { _ in false }).isEmpty)
        #expect(store.search(Array(vectors[0..<16]), k: 0, allowed: nil).isEmpty)
        #expect(try store.search(Array(vectors[0..<16]), k: 10, rowMask: RowSet(words: [0, 0, 0, 0])).isEmpty)
    }

    @Test func roundTripKeepsIdsAndVectors() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        var rng = SeededRandom(seed: 3)
        let d = 20
        let vectors = TestVectors.random(30, d, &rng)
        let store = try makeStore(dir, vectors: vectors, d: d)
        #expect(store.ids == (0..<30).map { "id\($0)" })
        #expect(store.modelID == Self.model && store.dimension == d)
        #expect(store.vector(at: 7) == Array(vectors[7 * d..<8 * d]))
        let lazy = try makeStore(dir, vectors: vectors, d: d, name: "lazy.bin", verification: .onFirstUse)
        #expect(try lazy.checkedVector(at: 29) == Array(vectors[29 * d..<30 * d]))
        #expect(try lazy.loadIDs() == (0..<30).map { "id\($0)" })
        try lazy.verifyAll()
    }

    // MARK: Damage

    func writeSmallStore(_ dir: TempDir) throws -> URL {
        var rng = SeededRandom(seed: 1)
        let url = dir.file("v.bin")
        try VectorStore.create(at: url, modelID: Self.model, dimension: 24, ids: (0..<40).map { "entry-\($0)" },
                               vectors: TestVectors.random(40, 24, &rng))
        return url
    }

    func loadError(_ url: URL, model: String = model, dimension: Int = 24) -> IndexError? {
        do {
            _ = try VectorStore(contentsOf: url, expectedModelID: model, expectedDimension: dimension)
            return nil
        } catch {
            return error
        }
    }

    @Test func truncatedFileIsCorrupt() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let url = try writeSmallStore(dir)
        let bytes = try Data(contentsOf: url)
        for length in [0, 7, 31, 32, 100, bytes.count / 2, bytes.count - 1] {
            try bytes.prefix(length).write(to: url)
            #expect(loadError(url)?.kind == .corrupt, "truncated to \(length)")
        }
    }

    @Test func everyBitFlipIsDetected() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let url = try writeSmallStore(dir)
        let original = try Data(contentsOf: url)
        for offset in Swift.stride(from: 0, to: original.count, by: max(1, original.count / 300)) {
            var damaged = original
            damaged[offset] ^= UInt8(1 << (offset % 8))
            try damaged.write(to: url)
            let error = try #require(loadError(url), "flip at \(offset)")
            #expect(error.kind == ((16..<20).contains(offset) ? .versionMismatch : .corrupt), "flip at \(offset)")
            #expect(error.description.contains(url.path))
        }
    }

    /// `prepareScan(while:)` checks the chunks a scan reads, in its order, only while asked to
    /// go on, and never throws: damage it finds is what the next search reports.
    @Test func prepareScanChecksWhileAskedAndLeavesDamageToTheSearch() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        var rng = SeededRandom(seed: 31)
        let d = 32, n = 9000
        let vectors = TestVectors.random(n, d, &rng)
        let q = TestVectors.random(1, d, &rng)
        let store = try makeStore(dir, vectors: vectors, d: d, verification: .onFirstUse)
        // Asked for one block: it stops after it.
        var asked = 0
        store.prepareScan(while: { asked += 1; return asked == 1 })
        #expect(asked == 2)
        // Asked for all: three blocks of 4096 rows, and the result is the exact one.
        asked = 0
        store.prepareScan(while: { asked += 1; return true })
        #expect(asked == 3)
        checkExact(store, vectors, q, d: d, k: 10, allowed: nil)

        // A flipped int8 code in the second block: prepare stays quiet, the search reports it.
        let url = dir.file("vectors.bin")
        var bytes = try Data(contentsOf: url)
        // The file ends with the int8 codes (padded rows of d bytes) and then 16 bytes of bounds a padded row.
        let padded = (n + 15) / 16 * 16
        let flip = bytes.count - 16 * padded - (padded - 5000) * d
        bytes[flip] ^= 0x10
        try bytes.write(to: url)
        let damaged = try VectorStore(contentsOf: url, expectedModelID: Self.model, expectedDimension: d, verification: .onFirstUse)
        damaged.prepareScan(while: { true })
        #expect(throws: IndexError.self) { try damaged.search(q, k: 5, rowMask: nil) }
        #expect(throws: IndexError.self) { try damaged.verifyAll() }
    }

    /// Opened with verification on first use, a flipped bit anywhere is reported by the
    /// open or by the first member that reads it; a search never returns a wrong answer.
    @Test func everyBitFlipIsDetectedOnFirstUse() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let url = try writeSmallStore(dir)
        let original = try Data(contentsOf: url)
        var rng = SeededRandom(seed: 8)
        let q = TestVectors.random(1, 24, &rng)
        let clean = try VectorStore(contentsOf: url, expectedModelID: Self.model, expectedDimension: 24, verification: .onFirstUse)
        let want = try clean.search(q, k: 5, rowMask: nil)
        let wantIDs = try clean.loadIDs()
        for offset in Swift.stride(from: 0, to: original.count, by: max(1, original.count / 300)) {
            var damaged = original
            damaged[offset] ^= UInt8(1 << (offset % 8))
            try damaged.write(to: url)
            let store: VectorStore
            do {
                store = try VectorStore(contentsOf: url, expectedModelID: Self.model, expectedDimension: 24, verification: .onFirstUse)
            } catch {
                #expect(error.kind == ((16..<20).contains(offset) ? .versionMismatch : .corrupt), "flip at \(offset)")
                continue
            }
            var reported = false
            do {
                let got = try store.search(q, k: 5, rowMask: nil)
                #expect(got.map(\.row) == want.map(\.row) && got.map(\.score) == want.map(\.score), "flip at \(offset)")
            } catch {
                #expect(error.kind == .corrupt)
                reported = true
            }
            do {
                #expect(try store.loadIDs() == wantIDs, "flip at \(offset)")
                for row in 0..<store.count { _ = try store.checkedVector(at: row) }
            } catch {
                #expect(error.kind == .corrupt && error.description.contains(url.path))
                reported = true
            }
            #expect(reported, "flip at \(offset) went unnoticed")
            #expect(throws: IndexError.self) { try store.verifyAll() }
        }
    }

    @Test func otherVersionIsAVersionMismatch() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let url = try writeSmallStore(dir)
        var bytes = try Data(contentsOf: url)
        bytes[16] = 9
        try bytes.write(to: url)
        #expect(loadError(url)?.kind == .versionMismatch)
    }

    @Test func otherModelOrDimensionIsAModelMismatch() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let url = try writeSmallStore(dir)
        #expect(loadError(url, model: "other-model")?.kind == .modelMismatch)
        #expect(loadError(url, dimension: 384)?.kind == .modelMismatch)
        #expect(loadError(url) == nil)
    }

    @Test func missingFileIsAnIOError() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        #expect(loadError(dir.file("absent.bin"))?.kind == .io)
    }

    @Test func writeLeavesNoTemporaryFiles() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let url = dir.file("x.bin")
        try SidecarFile.write([1, 2, 3], to: url)
        try SidecarFile.write([4, 5], to: url)
        #expect(try SidecarFile.read(url) == [4, 5])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == ["x.bin"])
        #expect(throws: IndexError.self) { try SidecarFile.write([1], to: dir.file("no/such/dir/x.bin")) }
    }

    @Test func xxh64KnownAnswers() {
        func h(_ s: String) -> UInt64 { Array(s.utf8).withUnsafeBytes { XXH64.hash($0) } }
        #expect(h("") == 0xEF46_DB37_51D8_E999)
        #expect(h("a") == 0xD24E_C4F1_A98C_6E5B)
        #expect(h("abc") == 0x44BC_2CF5_AD77_0999)
    }
}

@Suite struct ScanKernelTests {
    /// The four-row kernel equals a scalar dot product, including all-±127 rows against
    /// the largest query codes allowed for that length, where the sums are largest.
    @Test(arguments: [1, 24, 33, 263])
    func kernelMatchesScalar(chunks: Int) {
        var rng = SeededRandom(seed: UInt64(chunks))
        let stride = chunks * 16
        let levels = Int16(ScanKernel.queryLevels(stride: stride))
        func random() -> [Int8] { (0..<stride).map { _ in Int8.random(in: -127...127, using: &rng) } }
        let rows: [Int8] = random() + [Int8](repeating: 127, count: stride) + [Int8](repeating: -127, count: stride) + random()
        let queries: [[Int16]] = [
            (0..<stride).map { _ in Int16.random(in: -levels...levels, using: &rng) },
            [Int16](repeating: levels, count: stride),
        ]
        for q in queries {
            let codes = q
            let expected = (0..<4).map { r in (0..<stride).reduce(0) { $0 + Int(rows[r * stride + $1]) * Int(q[$1]) } }
            let zeros = [Float](repeating: 0, count: 4)
            rows.withUnsafeBufferPointer { x in
                codes.withUnsafeBufferPointer { codes in
                    zeros.withUnsafeBufferPointer { z in
                        let z = z.baseAddress!
                        let kernel = ScanKernel(
                            int8: x.baseAddress!, scales: z, residuals: z, codeNorms: z, slacks: z, stride: stride, count: 4,
                            query: codes.baseAddress!, qScale: 1, qNorm: 0, qResidual: 0, qSlack: 0)
                        var got = [Int32](repeating: 0, count: 4)
                        kernel.dots(0, groups: 1, allowed: 0xF, into: &got)
                        #expect(got.map { Int($0) } == expected)
                    }
                }
            }
        }
    }

    @Test func exactBeyondTheFastKernelLength() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        var rng = SeededRandom(seed: 77)
        let d = 4200
        let vectors = TestVectors.random(40, d, &rng)
        let url = dir.file("wide.bin")
        try VectorStore.create(at: url, modelID: "m", dimension: d, ids: (0..<40).map { "\($0)" }, vectors: vectors)
        let store = try VectorStore(contentsOf: url, expectedModelID: "m", expectedDimension: d)
        let q = TestVectors.random(1, d, &rng)
        let got = store.search(q, k: 5, allowed: nil), brute = store.bruteForceSearch(q, k: 5, allowed: nil)
        #expect(got.map(\.row) == brute.map(\.row) && got.map(\.score) == brute.map(\.score))
    }
}
