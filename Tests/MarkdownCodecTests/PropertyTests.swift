import Testing

@testable import MarkdownCodec
import TestSupport

/// Random documents built from Markdown fragments that stress the codec's byte handling.
@Suite("Properties on generated files")
struct PropertyTests {
    static let fragments: [String] = [
        "\n## 2026-01-01 10:00\n", "\n## 2026-03-01 09:00 · t\n", "\n## 2026-01-20\r\n", "\n## 2026-02-30\n",
        "\n## Notes\n", "\n## 01ULTRAID\n", "# Title", "### sub", "<!-- id: A -->", "<!-- id: B src: cli -->", "<!-- src: x", "-->", "<!--", "```", "```age", "~~~", "---", "...", "#tag", "@who",
        "- [ ] task", "- [x] done", "  - nested", "> quote", "| a | b |\n| - | - |\n| #c | d |", "text", "é日本😀",
        "\u{FEFF}", " ", "\t", "\\", "\"", "    indented", "2026-01-01 10:00", "[link](https://x.org/#frag)", "`code`",
        "\n", "\n", "\n", "\n", "\r\n", "\r\n", "\r",
    ]


    static func document(seed: UInt64) -> String {
        var generator = SeededGenerator(rawSeed: seed)
        let count = Int.random(in: 0..<60, using: &generator)
        return (0..<count).map { _ in fragments.randomElement(using: &generator)! }.joined()
    }

    @Test("parse, assign ids, insert, replace and remove keep every other byte", arguments: 0..<300)
    func properties(seed: Int) throws {
        let text = Self.document(seed: UInt64(seed))
        let bytes = Array(text.utf8)
        var file = try EntryFile.parse(bytes)
        #expect(file.bytes == bytes)
        #expect(file.segments.first?.byteRange.lowerBound == 0)
        #expect(file.segments.last?.byteRange.upperBound == bytes.count)
        for (left, right) in zip(file.segments, file.segments.dropFirst()) {
            #expect(left.byteRange.upperBound == right.byteRange.lowerBound)
            #expect(left.endLine + 1 == right.line)
        }
        for entry in file.entries {
            #expect(Array(entry.rawText.utf8) == Array(bytes[entry.byteRange]))
            #expect(entry.line <= entry.endLine)
            for task in entry.tasks { #expect((entry.line...entry.endLine).contains(task.line)) }
        }

        var counter = 0
        let newIDs = file.assignMissingIDs { counter += 1; return "NEW\(counter)" }
        let withIDs = file.bytes
        let reparsed = try EntryFile.parse(withIDs)
        #expect(reparsed.entries.count == file.entries.count)
        for id in newIDs { #expect(file.entry(id: id) != nil) }

        let before = file
        let inserted = file.insert(
            EntryRenderer.render(
                date: EntryDate(year: 2026, month: 1, day: 15, hour: 12), title: "new", id: "INSERTED", meta: [],
                body: "body #x"))
        guard inserted else {
            // Only when the new heading would land inside an unclosed block: nothing changed.
            #expect(file.bytes == before.bytes)
            return
        }
        #expect(file.entry(id: "INSERTED")?.tags == ["x"])
        #expect(file.entries.count == before.entries.count + 1)
        for entry in before.entries {
            // An entry keeps its bytes; the one before the new entry may gain line endings.
            let old = Array(entry.rawText.utf8)
            let after = try #require(file.entries.first { $0.line >= entry.line && $0.rawText.utf8.starts(with: old) })
            let added = Array(after.rawText.utf8.dropFirst(old.count))
            #expect(added.allSatisfy { $0 == 10 || $0 == 13 })
        }
        let replaced = file.replace(id: "INSERTED", with: EntryRenderer.renderEncrypted(date: nil, id: "INSERTED", armored: "X"))
        #expect(replaced)
        #expect(file.entry(id: "INSERTED")?.armoredBlock == "X\n")
        let removed = file.remove(id: "INSERTED")
        #expect(removed)
        #expect(file.entry(id: "INSERTED") == nil)
        #expect(file.entries.count == before.entries.count)
    }
}
