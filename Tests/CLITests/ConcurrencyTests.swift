import Foundation
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
}

/// Exit codes gathered from several threads.
final class LockedResults: @unchecked Sendable {  // @unchecked: every access goes through `lock`.
    private let lock = NSLock()
    private var storage: [Int32] = []
    func append(_ value: Int32) { lock.withLock { storage.append(value) } }
    var values: [Int32] { lock.withLock { storage } }
}
