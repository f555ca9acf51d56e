import Testing

@testable import MarkdownCodec
import TestSupport

/// A change parses the file again only from the last heading before it (`EntryFile.reparsed`):
/// the result must be the whole file's parse, byte for byte and problem for problem.
@Suite("Parsing again from the heading before a change")
struct ResumedParseTests {
    /// The property tests' fragments, with link reference and footnote definitions, whose effect
    /// reaches back, and lines that close or open blocks across headings.
    static let fragments = PropertyTests.fragments + [
        "[a]: /url", "[a]", "[#tag]", "[^1]", "[^1]: note", "<div>", "</div>", "<pre>", "</pre>", "<!-- open",
        "\n## 2026-01-02 08:00\n<!-- id: A -->\n", "\n## 2026-01-03 08:00\n<!-- id: C -->\n", "    ```", "```\n",
    ]

    static func document(_ generator: inout SeededGenerator) -> String {
        let count = Int.random(in: 0..<60, using: &generator)
        return (0..<count).map { _ in fragments.randomElement(using: &generator)! }.joined()
    }

    /// Everything a parse yields, in one comparable text.
    static func reading(_ file: EntryFile) -> String {
        "\(file.entries.map { String(describing: $0) })\n\(file.segments)\n\(file.problems)\n\(file.lineEnding)\n"
            + "\(file.entries.compactMap(\.id).map { "\($0)=\(file.entry(id: $0)!.line)" })"
    }

    @Test("any change, anywhere: the same reading as parsing the whole file")
    func anyChange() throws {
        var resumed = 0
        for seed in 0..<1200 where try change(seed: seed) { resumed += 1 }
        // Not only the fallback: about a sixth of these changes (of files with a heading before
        // the change and no `]:`) are parsed from a heading on.
        #expect(resumed >= 150, "only \(resumed) of 1200 changes were parsed from a heading on")
    }

    /// One random change; returns whether it was parsed from a heading on.
    private func change(seed: Int) throws -> Bool {
        var generator = SeededGenerator(rawSeed: UInt64(seed) &+ 7_000)
        let text = Self.document(&generator)
        let file = try EntryFile.parse(Array(text.utf8))
        // Cut at a character boundary, insert a few fragments there, drop a few characters after.
        let characters = Array(text)
        let cut = Int.random(in: 0...characters.count, using: &generator)
        let dropped = min(Int.random(in: 0..<4, using: &generator), characters.count - cut)
        let inserted = (0..<Int.random(in: 0..<4, using: &generator)).map { _ in Self.fragments.randomElement(using: &generator)! }.joined()
        let prefix = String(characters[..<cut])
        let changedText = prefix + inserted + String(characters[(cut + dropped)...])
        let changed = Array(changedText.utf8)
        let changeStart = prefix.utf8.count
        let whole = try EntryFile.parse(changed)
        let resumed = file.reparsed(changed, from: changeStart)
        #expect(resumed.bytes == changed)
        #expect(Self.reading(resumed) == Self.reading(whole), "seed \(seed): change at \(changeStart) of\n\(text.debugDescription)\nto\n\(changedText.debugDescription)")
        return file.resumableSegment(before: changeStart) != nil && !changedText.contains("]:")
    }

    @Test("most changes of generated files resume after the first heading")
    func resumesOften() throws {
        var resumable = 0
        for seed in 0..<400 {
            var generator = SeededGenerator(rawSeed: UInt64(seed) &+ 7_000)
            let text = Self.document(&generator)
            let file = try EntryFile.parse(Array(text.utf8))
            if file.resumableSegment(before: text.utf8.count) != nil { resumable += 1 }
        }
        #expect(resumable >= 200, "only \(resumable) of 400 files had a heading to resume from")
    }

    @Test("an entry added at the end of a month's file: only its last entry is parsed again, and the result is the same")
    func appendToMonth() throws {
        let entries = (1...300).map { day in
            EntryRenderer.render(
                date: EntryDate(year: 2026, month: 1, day: 1 + day % 28, hour: day % 24), title: nil, id: "ID\(1000 + day)", meta: [],
                body: "memory \(day) #tag\(day % 7)")
        }
        var file = try EntryFile.parse(Array(entries.sorted().joined(separator: "\n").utf8))
        let last = file.segments.count - 1
        #expect(file.resumableSegment(before: file.bytes.count) == last)
        let added = file.insert(EntryRenderer.render(
            date: EntryDate(year: 2026, month: 1, day: 31, hour: 23), title: "new", id: "NEW", meta: [], body: "the newest #x"))
        #expect(added)
        #expect(file.entries.count == 301)
        #expect(file.entries.last?.id == "NEW")
        #expect(file.entries.last?.tags == ["x"])
        #expect(Self.reading(file) == Self.reading(try EntryFile.parse(file.bytes)))
    }

    @Test("a heading added after an unclosed fence is code, and the insert is refused")
    func unclosedFence() throws {
        var file = try EntryFile.parse(Array("## 2026-01-01 10:00\n<!-- id: A -->\n\n## 2026-01-02 10:00\n<!-- id: B -->\n\n```\ncode\n".utf8))
        let before = file.bytes
        #expect(file.resumableSegment(before: before.count) == 2)
        let added = file.insert(EntryRenderer.render(
            date: EntryDate(year: 2026, month: 1, day: 3, hour: 10), title: nil, id: "C", meta: [], body: "after the fence"))
        #expect(!added)
        #expect(file.bytes == before)
    }

    @Test("a link reference definition anywhere: the whole file is parsed again")
    func referenceDefinition() throws {
        let text = "## 2026-01-01 10:00\n<!-- id: A -->\nsee [#x] here\n\n## 2026-01-02 10:00\n<!-- id: B -->\nbody\n"
        let file = try EntryFile.parse(Array(text.utf8))
        let changed = Array((text + "\n[#x]: https://example.org\n").utf8)
        #expect(Self.reading(file.reparsed(changed, from: text.utf8.count)) == Self.reading(try EntryFile.parse(changed)))
    }
}
