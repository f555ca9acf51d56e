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
