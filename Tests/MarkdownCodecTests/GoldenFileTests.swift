import Foundation
import Testing

@testable import MarkdownCodec

/// Golden files: each `Tests/Fixtures/codec/NAME.md` has `NAME.summary.txt`, the dump of
/// what the codec reads from it. Set `MEMVAULT_UPDATE_GOLDEN=1` to rewrite the dumps
/// (then review the diff).
@Suite("Golden files")
struct GoldenFileTests {
    @Test("parse → bytes is the identity", arguments: codecFixtureNames())
    func roundTrip(name: String) throws {
        let bytes = try fixtureBytes(name)
        let file = try EntryFile.parse(bytes)
        #expect(file.bytes == bytes)
        let covered = file.segments.map(\.byteRange)
        #expect(covered.first?.lowerBound == 0)
        #expect(covered.last?.upperBound == bytes.count)
        for (left, right) in zip(covered, covered.dropFirst()) { #expect(left.upperBound == right.lowerBound) }
        for entry in file.entries {
            #expect(Array(entry.rawText.utf8) == Array(bytes[entry.byteRange]))
        }
    }

    @Test("what is read matches the summary", arguments: codecFixtureNames())
    func matchesSummary(name: String) throws {
        let file = try EntryFile.parse(try fixtureBytes(name))
        let actual = summary(of: file)
        let summaryURL = codecFixturesDirectory().appendingPathComponent(
            name.replacingOccurrences(of: ".md", with: ".summary.txt"))
        if ProcessInfo.processInfo.environment["MEMVAULT_UPDATE_GOLDEN"] == "1" {
            try actual.write(to: summaryURL, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: summaryURL, encoding: .utf8)
        #expect(actual == expected)
    }

    @Test("assignMissingIDs inserts only comment lines", arguments: codecFixtureNames())
    func assignIDs(name: String) throws {
        let bytes = try fixtureBytes(name)
        var file = try EntryFile.parse(bytes)
        let missing = file.entries.filter { $0.id == nil && $0.date != nil }
        let ids = IDSequence()
        let newIDs = file.assignMissingIDs(using: ids.make)
        #expect(newIDs.count <= missing.count)
        let lineEnding = Array(file.lineEnding.utf8)
        var insertions: [[UInt8]] = []
        for id in newIDs {
            let comment = Array("<!-- id: \(id) -->".utf8)
            let inline = Array(" id: \(id)".utf8)
            let candidates = [comment + lineEnding, lineEnding + comment, inline]
            let text = String(decoding: file.bytes, as: UTF8.self)
            let match = try #require(candidates.first { text.contains(String(decoding: $0, as: UTF8.self)) })
            insertions.append(match)
            let entry = try #require(file.entry(id: id))
            #expect(entry.date != nil)
        }
        #expect(onlyInserted(insertions, before: bytes, after: file.bytes))
        let originalCount = try EntryFile.parse(bytes).entries.count
        #expect(file.entries.count == originalCount)
        // Nothing left to do: a second pass changes nothing.
        let again = file.bytes
        let second = file.assignMissingIDs(using: ids.make)
        #expect(second.isEmpty)
        #expect(file.bytes == again)
    }
}

@Suite("Concurrency")
struct ConcurrencyTests {
    /// Each thread parses into its own cmark arena; results must not depend on interleaving.
    @Test("files parsed on many threads at once read the same")
    func concurrentParses() async throws {
        let inputs = try codecFixtureNames().map { try fixtureBytes($0) }
        let expected = try inputs.map { summary(of: try EntryFile.parse($0)) }
        try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for round in 0..<8 {
                for (index, input) in inputs.enumerated() {
                    group.addTask {
                        _ = round
                        return (index, summary(of: try EntryFile.parse(input)))
                    }
                }
            }
            for try await (index, actual) in group {
                #expect(actual == expected[index])
            }
        }
    }
}

@Suite("Large files")
struct LargeFileTests {
    /// Many entries and one huge body: the parse arena spans many chunks and large blocks.
    @Test("a large file round-trips and reads every entry")
    func largeFile() throws {
        var text = ""
        for index in 0..<3000 {
            let date = EntryDate(year: 2026, month: 1 + index % 12, day: 1 + index % 28, hour: index % 24)
            text += EntryRenderer.render(
                date: date, title: "entry \(index)", id: "ID\(index)", meta: [],
                body: "text #tag\(index % 7) @who\(index % 3)\n- [ ] task \(index)") + "\n"
        }
        let huge = String(repeating: "a long line of words #big\n", count: 40_000)
        text += EntryRenderer.render(
            date: EntryDate(year: 2027, month: 1, day: 1), title: "huge", id: "HUGE", meta: [], body: huge)
        for _ in 0..<3 {
            let file = EntryFile.parse(text)
            #expect(file.bytes == Array(text.utf8))
            #expect(file.entries.count == 3001)
            #expect(file.problems.isEmpty)
            #expect(file.entry(id: "ID2999")?.tasks == [TaskItem(text: "task 2999", checked: false, line: 2999 * 6 + 5)])
            #expect(file.entry(id: "ID10")?.tags == ["tag3"])
            #expect(file.entry(id: "HUGE")?.tags == ["big"])
            #expect(file.entry(id: "HUGE")?.body.utf8.count == huge.utf8.count - 1)
        }
    }
}
