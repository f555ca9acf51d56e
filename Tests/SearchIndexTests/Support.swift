import Foundation
import SearchIndex
import TestSupport

/// A unique temporary directory; call `remove()` in a `defer`.
struct TempDir {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("SearchIndexTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }
}

typealias SeededRandom = SeededGenerator

enum TestVectors {
    static func normalize(_ v: inout [Float], _ d: Int) {
        for r in 0..<(v.count / d) {
            var s: Float = 0
            for j in 0..<d { s += v[r * d + j] * v[r * d + j] }
            let inv = s > 0 ? 1 / s.squareRoot() : 0
            for j in 0..<d { v[r * d + j] *= inv }
        }
    }

    static func random(_ n: Int, _ d: Int, _ rng: inout SeededRandom) -> [Float] {
        var v = (0..<(n * d)).map { _ in rng.gaussian() }
        normalize(&v, d)
        return v
    }

    /// Points near a few centres: many close scores, the hard case for bounds.
    static func clustered(_ n: Int, _ d: Int, centres: Int, noise: Float, _ rng: inout SeededRandom) -> [Float] {
        let c = random(centres, d, &rng)
        var v = [Float](repeating: 0, count: n * d)
        for r in 0..<n {
            let k = Int.random(in: 0..<centres, using: &rng)
            for j in 0..<d { v[r * d + j] = c[k * d + j] + noise * rng.gaussian() }
        }
        normalize(&v, d)
        return v
    }
}
