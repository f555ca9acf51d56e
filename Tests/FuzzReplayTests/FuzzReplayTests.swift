import Foundation
import FuzzTargets
import Testing

/// Every file of the committed fuzz corpus (`Tests/Fuzz/<target>/`: seeds and the reproducers of
/// every crash found) through its target's entry function, without mutation: a crash the fuzzer
/// once found, once fixed, stays fixed. A broken law stops the test process.
@Suite struct FuzzReplayTests {
    static let corpusRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    static func corpus(of target: FuzzTarget) -> [URL] {
        let dir = corpusRoot.appendingPathComponent(target.rawValue)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.sorted().map { dir.appendingPathComponent($0) }
    }

    @Test(arguments: FuzzTarget.allCases)
    func replaysCorpus(_ target: FuzzTarget) throws {
        let files = Self.corpus(of: target)
        #expect(files.count >= 3, "the corpus of \(target.rawValue) holds \(files.count) files")
        for file in files {
            let bytes = try [UInt8](Data(contentsOf: file))
            target.run(bytes)
        }
    }

    /// The seeds made by the real writers still match what the writers make (a format change
    /// must refresh them with `memvault-fuzz --write-seeds Tests/Fuzz`); checked by name.
    @Test func generatedSeedsAreCommitted() throws {
        for (target, seeds) in try SeedCorpus.generated() {
            let names = Set(Self.corpus(of: target).map(\.lastPathComponent))
            for seed in seeds {
                #expect(names.contains(seed.name), "Tests/Fuzz/\(target.rawValue)/\(seed.name) is missing")
                target.run(seed.bytes)
            }
        }
    }
}
