import Foundation
import ProcessTimer
import SearchIndex
import TestSupport

/// Index benchmarks: exact vector top-10 and the in-memory BM25 (the encrypted indexes' lexical search) at 100k.
///
/// `memvault-bench index [--n 100000] [--queries 200] [--peer DIR] [--vectors-only]`, release build.
/// `--peer DIR` searches the vectors saved by
/// `vector-baseline.py N --save DIR` and checks recall against its exact top-10.
/// `--vectors-only` skips the clustered vectors and the lexical index.
/// `--open FILE` (used by the benchmark itself) times opening a vector file in a fresh
/// process and its first query.
enum IndexBench {
    static func run(arguments: [String]) {
        var n = 100_000, queries = 200, peer: String? = nil, vectorsOnly = false
        var i = 0
        while i < arguments.count {
            switch arguments[i] {
            case "--n": n = Int(arguments[i + 1]) ?? n; i += 1
            case "--queries": queries = Int(arguments[i + 1]) ?? queries; i += 1
            case "--peer": peer = arguments[i + 1]; i += 1
            case "--vectors-only": vectorsOnly = true
            case "--open": openBench(path: arguments[i + 1], verification: arguments.dropFirst(i + 2).first ?? "first-use"); return
            default: break
            }
            i += 1
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("memvault-indexbench-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let d = 384
        if let peer {
            let x = readFloats("\(peer)/vectors.f32")
            let q = readFloats("\(peer)/queries.f32")
            var expected: [[Int]]? = nil
            if let data = FileManager.default.contents(atPath: "\(peer)/exact-top10.json") {
                expected = try? JSONDecoder().decode([[Int]].self, from: data)
            }
            vectorBench(name: "peer vectors", vectors: x, queries: q, dimension: d, expected: expected, dir: dir)
        } else {
            var rng = SeededGenerator(seed: 1)
            vectorBench(name: "random unit", vectors: unitVectors(n, d, &rng), queries: unitVectors(queries, d, &rng),
                        dimension: d, expected: nil, dir: dir)
        }
        if vectorsOnly { return }
        var rng = SeededGenerator(seed: 2)
        let (cx, cq) = clustered(n, queries, d, &rng)
        vectorBench(name: "clustered", vectors: cx, queries: cq, dimension: d, expected: nil, dir: dir)
        lexicalBench(n: n, queries: queries)
        print("peak RSS: \(peakRSSMB()) MB")
    }

    static func vectorBench(name: String, vectors: [Float], queries: [Float], dimension d: Int, expected: [[Int]]?, dir: URL) {
        let n = vectors.count / d
        let url = dir.appendingPathComponent("vectors-\(name.replacingOccurrences(of: " ", with: "-")).bin")
        let ids = (0..<n).map { String($0) }
        let t0 = now()
        do {
            try VectorStore.create(at: url, modelID: "bench", dimension: d, ids: ids, vectors: vectors)
        } catch { print("create failed: \(error)"); return }
        let build = now() - t0
        let t1 = now()
        guard let store = try? VectorStore(contentsOf: url, expectedModelID: "bench", expectedDimension: d) else {
            print("load failed"); return
        }
        let load = now() - t1
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        let nq = queries.count / d
        var times: [Double] = [], cpuTimes: [Double] = [], bruteTimes: [Double] = []
        var exact = 0, hits = 0
        // Back to back, as a warm process answers them (and as the peer's queries run)...
        var answers: [[(row: Int, score: Float)]] = []
        for qi in 0..<nq {
            let q = Array(queries[qi * d..<(qi + 1) * d])
            let t = now(), c = cpuNow()
            answers.append((try? store.search(q, k: 10, rowMask: nil)) ?? [])
            times.append(now() - t)
            cpuTimes.append(cpuNow() - c)
        }
        // ...then each checked against a full fp32 scan.
        for qi in 0..<nq {
            let got = answers[qi]
            let tb = now()
            let want = store.bruteForceSearch(Array(queries[qi * d..<(qi + 1) * d]), k: 10, allowed: nil)
            bruteTimes.append(now() - tb)
            if got.map(\.row) == want.map(\.row) && got.map(\.score) == want.map(\.score) { exact += 1 }
            if let expected { hits += Set(got.map(\.row)).intersection(expected[qi]).count }
        }
        // A filter that keeps about a third of the rows, as a row mask.
        let mask = RowSet(Swift.stride(from: 0, to: n, by: 3), capacity: n)
        var filtered: [Double] = []
        for qi in 0..<min(nq, 50) {
            let q = Array(queries[qi * d..<(qi + 1) * d])
            let t = now()
            _ = try? store.search(q, k: 10, rowMask: mask)
            filtered.append(now() - t)
        }
        filtered.sort()
        times.sort()
        cpuTimes.sort()
        bruteTimes.sort()
        let recall = expected == nil ? "" : String(format: ", recall@10 vs numpy %.4f", Double(hits) / Double(10 * nq))
        print(String(format: "vectors (%@, n=%d, d=%d): build %.0f ms (%.0f vectors/s), load+verify all %.1f ms, file %.1f MB",
                     name, n, d, build, Double(n) / build * 1000, load, Double(size) / 1e6))
        print(String(format: "  exact top-10 p50 %.3f ms, p95 %.3f ms over %d queries; identical to fp32 brute force: %d/%d%@; brute force p50 %.2f ms",
                     times[nq / 2], times[nq * 95 / 100], nq, exact, nq, recall, bruteTimes[nq / 2]))
        print(String(format: "  CPU time per query (both threads, immune to other processes' load): p50 %.3f ms", cpuTimes[nq / 2]))
        print(String(format: "  with a row mask keeping 1/3 of rows: p50 %.3f ms", filtered[filtered.count / 2]))
        fflush(nil)
        for mode in ["first-use", "load"] {
            _ = try? ProcessTimer.run(CommandLine.arguments[0], ["index", "--open", url.path, mode], quiet: false)
        }
    }

    /// In a fresh process: open `path`, run one query, parse the ids.
    static func openBench(path: String, verification: String) {
        let t0 = now()
        guard let store = try? VectorStore(contentsOf: URL(fileURLWithPath: path), expectedModelID: "bench", expectedDimension: 384,
                                           verification: verification == "load" ? .atLoad : .onFirstUse)
        else { print("open failed"); return }
        let open = now() - t0
        var rng = SeededGenerator(seed: 9)
        let q = unitVectors(1, 384, &rng), q2 = unitVectors(1, 384, &rng)
        let t1 = now()
        _ = try? store.search(q, k: 10, rowMask: nil)
        let first = now() - t1
        let t2 = now()
        _ = try? store.search(q2, k: 10, rowMask: nil)
        let second = now() - t2
        let t3 = now()
        let ids = (try? store.loadIDs())?.count ?? 0
        let parse = now() - t3
        print(String(format: "  fresh process, verification %@: open %.2f ms, first query %.2f ms, second %.2f ms, parse %d ids %.1f ms",
                     verification, open, first, second, ids, parse))
    }

    static func lexicalBench(n: Int, queries: Int) {
        var rng = SeededGenerator(seed: 3)
        let vocabulary = (0..<20_000).map { i in syllables(i) }
        func word() -> String {
            // Zipf-like: small indices are common.
            let u = Double(rng.next() >> 11) / Double(1 << 53)
            return vocabulary[min(vocabulary.count - 1, Int(pow(Double(vocabulary.count), u)) - 1)]
        }
        var documents: [LexicalDocument] = []
        let t0 = now()
        for _ in 0..<n {
            let body = (0..<40).map { _ in word() }.joined(separator: " ")
            let title = (0..<4).map { _ in word() }.joined(separator: " ")
            documents.append(LexicalDocument(fields: LexicalFields(title: title, body: body, tags: [word()], mentions: [])))
        }
        var index = LexicalSearch(base: nil, hidden: nil, delta: [])
        let build = now() - t0
        var times: [Double] = []
        for _ in 0..<queries {
            let q = (0..<3).map { _ in word() }.joined(separator: " ")
            let t = now()
            _ = index.search(q, k: 10, allowedBase: nil, allowedDelta: [], extra: documents)
            times.append(now() - t)
        }
        times.sort()
        print(String(format: "lexical in memory (n=%d, 40-word bodies; the encrypted tiers' documents as extra documents of one search): build %.0f ms, 3-term query p50 %.3f ms, p95 %.3f ms",
                     n, build, times[queries / 2], times[queries * 95 / 100]))
    }

    // MARK: Data

    static func unitVectors(_ n: Int, _ d: Int, _ rng: inout SeededGenerator) -> [Float] {
        var out = [Float](repeating: 0, count: n * d)
        for r in 0..<n {
            var s: Float = 0
            for j in 0..<d { let g = rng.gaussian(); out[r * d + j] = g; s += g * g }
            let inv = 1 / s.squareRoot()
            for j in 0..<d { out[r * d + j] *= inv }
        }
        return out
    }

    /// 100 cluster centres, points at noise 0.3 around them: many near-ties, like real embeddings.
    static func clustered(_ n: Int, _ nq: Int, _ d: Int, _ rng: inout SeededGenerator) -> ([Float], [Float]) {
        let centres = unitVectors(100, d, &rng)
        func around(_ count: Int) -> [Float] {
            var out = unitVectors(count, d, &rng)
            for r in 0..<count {
                let c = Int(rng.next() % 100)
                var s: Float = 0
                for j in 0..<d { out[r * d + j] = centres[c * d + j] + 0.3 * out[r * d + j]; s += out[r * d + j] * out[r * d + j] }
                let inv = 1 / s.squareRoot()
                for j in 0..<d { out[r * d + j] *= inv }
            }
            return out
        }
        return (around(n), around(nq))
    }

    static func syllables(_ i: Int) -> String {
        let parts = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "si", "pe", "da", "go", "bu", "fe", "hi", "jo", "zu"]
        var i = i, s = ""
        repeat { s += parts[i % 16]; i /= 16 } while i > 0
        return s + "x"
    }

    static func readFloats(_ path: String) -> [Float] {
        guard let data = FileManager.default.contents(atPath: path) else { print("cannot read \(path)"); return [] }
        return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e6 }

    /// CPU time of the whole process (all threads), in ms.
    static func cpuNow() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) * 1e3 + Double(ts.tv_nsec) / 1e6
    }

    static func peakRSSMB() -> Int {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
        return (Int(line.split(separator: " ")[1]) ?? 0) / 1024
    }
}
