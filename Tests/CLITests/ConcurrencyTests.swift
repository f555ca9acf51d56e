import Foundation
import Synchronization
import Testing

@Suite("Several processes on one vault")
struct ConcurrencyTests {
    @Test("two imports of 500 memories each, at once: all 1000 land, history linear, fsck clean")
    func parallelImports() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok(["init", cli.vault.path, "--user", "alice"])
        @Sendable func records(_ who: String) -> [UInt8] {
            Array((0..<500).map { i in
                "{\"text\": \"\(who) memory \(i)\", \"tier\": \"general\", \"date\": \"2026-11-\(String(format: "%02d", i % 28 + 1)) 10:00\"}\n"
            }.joined().utf8)
        }
        let group = DispatchGroup()
        let results = LockedResults()
        for who in ["left", "right"] {
            group.enter()
            DispatchQueue.global().async {
                let result = try? cli.run(["import", "-"], stdin: records(who))
                results.append(result?.status ?? -1)
                group.leave()
            }
        }
        group.wait()
        #expect(results.values == [0, 0])
        let list = try #require(try cli.json(try cli.ok(["list", "--json"]))["memories"] as? [[String: Any]])
        #expect(list.count == 1000)
        #expect(Set(list.compactMap { $0["id"] as? String }).count == 1000)
        #expect(try cli.commitCount() == 3)
        let merges = try cli.git(["rev-list", "--merges", "--count", "HEAD"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(merges == "0")
        let fsck = try cli.git(["fsck", "--strict"])
        #expect(fsck.status == 0, "\(fsck.output)")
        #expect(try cli.git(["status", "--porcelain"]).output.isEmpty)
    }

    @Test("four searches at once, after an import and after a hand edit: one index update, no rebuild, equal answers")
    func parallelSearches() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok(["init", cli.vault.path, "--user", "alice"])
        let records = (0..<120).map { i in
            "{\"text\": \"walked the dog number \(i) along the river\", \"tier\": \"general\", \"date\": \"2026-10-\(String(format: "%02d", i % 28 + 1)) 10:00\"}\n"
        }.joined()
        try cli.ok(["import", "-"], stdin: Array(records.utf8))

        func searchAtOnce() throws -> [String] {
            let group = DispatchGroup()
            let outputs = LockedOutputs()
            for _ in 0..<4 {
                group.enter()
                DispatchQueue.global().async {
                    let result = try? cli.run(["search", "dog by the river", "--json", "-k", "5"])
                    outputs.append(result)
                    group.leave()
                }
            }
            group.wait()
            let results = outputs.values
            #expect(results.count == 4)
            for result in results {
                #expect(result?.status == 0, "\(result?.stderr ?? "did not run")")
                #expect(result?.stderr.contains("rebuilt") == false, "\(result?.stderr ?? "")")
            }
            return try results.map { result in
                let json = try cli.json(try #require(result).stdout)
                let hits = try #require(json["results"] as? [[String: Any]])
                return hits.compactMap { $0["id"] as? String }.joined(separator: ",")
            }
        }
        let first = try searchAtOnce()
        #expect(Set(first).count == 1)
        let report = try cli.json(try cli.ok(["reindex", "--json"]))
        #expect(report["embedded"] as? Int == 0)
        #expect(report["entries"] as? Int == 120)

        // A hand edit: the four searches race to index it; exactly one does, the others see its work.
        let path = cli.vault.appendingPathComponent("alice/general/2026-10.md")
        let handle = try FileHandle(forWritingTo: path)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("\n## 2026-10-30 09:00\n\nThe dog swam across the river today.\n".utf8))
        try handle.close()
        let second = try searchAtOnce()
        #expect(Set(second).count == 1)
        let after = try cli.json(try cli.ok(["reindex", "--json"]))
        #expect(after["embedded"] as? Int == 0)
        #expect(after["entries"] as? Int == 121)
    }
}

/// Results of CLI runs gathered from several threads.
final class LockedOutputs: Sendable {
    private let storage = Mutex<[CLI.Result?]>([])
    func append(_ value: CLI.Result?) { storage.withLock { $0.append(value) } }
    var values: [CLI.Result?] { storage.withLock { $0 } }
}

/// Exit codes gathered from several threads.
final class LockedResults: Sendable {
    private let storage = Mutex<[Int32]>([])
    func append(_ value: Int32) { storage.withLock { $0.append(value) } }
    var values: [Int32] { storage.withLock { $0 } }
}
