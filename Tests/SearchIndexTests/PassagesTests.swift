import Foundation
import SearchIndex
import Testing

/// One token per word, as a stand-in tokenizer.
private func words(_ text: Substring) -> Int { text.split(whereSeparator: \.isWhitespace).count }

/// The word indexes `passage` covers in `text`, whose words are `w0 w1 ...`.
private func wordNumbers(_ passage: Substring) -> [Int] {
    passage.split(whereSeparator: { $0.isWhitespace }).map { Int($0.dropFirst().filter(\.isNumber))! }
}

@Suite("Passages: long texts cut into overlapping windows")
struct PassagesTests {
    @Test("a text that fits the window is one passage, itself")
    func shortTextIsWhole() {
        let text = "Coffee with Maria at the lake."
        #expect(Passages.split(text, window: 6, tokenCount: words) == [text[...]])
        #expect(Passages.split(text, window: 254, tokenCount: words) == [text[...]])
        #expect(Passages.split("", window: 10, tokenCount: words) == [""])
    }

    @Test("windows fit, cover every word in order, overlap by at least a quarter, and end at the text's end", arguments: [40, 64, 254])
    func windowsCoverAndOverlap(window: Int) {
        let text = (0..<1000).map { "w\($0)" }.joined(separator: " ")
        let passages = Passages.split(text, window: window, tokenCount: words)
        #expect(passages.count > 1000 / window)
        var covered = Set<Int>()
        var previous: [Int] = []
        for passage in passages {
            let numbers = wordNumbers(passage)
            #expect(numbers.count <= window)
            #expect(numbers == Array(numbers[0]...numbers.last!), "contiguous words")
            if let last = previous.last {
                // Overlap: the next passage starts inside the previous one, at least a quarter of a window back.
                #expect(numbers[0] > previous[0])
                #expect(last - numbers[0] + 1 >= window / 4, "overlap \(last - numbers[0] + 1) of \(window)")
            }
            covered.formUnion(numbers)
            previous = numbers
        }
        #expect(covered == Set(0..<1000))
        #expect(wordNumbers(passages[0]).first == 0)
        #expect(passages.last!.hasSuffix("w999"))
        #expect(wordNumbers(passages.last!).count == window, "the last passage is a full window")
        // Passages are slices of the text (the snippet shows them as they are).
        #expect(passages.allSatisfy { text.contains($0) })
    }

    @Test("a passage after the first starts at a sentence when one starts near the stride")
    func startsAtSentences() {
        // Sentences of 7 words: "s0w0 s0w1 ... s0w6."
        let text = (0..<60).map { s in (0..<7).map { "s\(s)w\($0)" }.joined(separator: " ") + "." }.joined(separator: " ")
        let passages = Passages.split(text, window: 40, tokenCount: words)
        #expect(passages.count > 5)
        for passage in passages.dropFirst().dropLast() {
            #expect(passage.split(separator: " ").first!.hasSuffix("w0"), "\(passage.prefix(20))")
        }
        #expect(passages.allSatisfy { $0.split(separator: " ").count <= 40 })
    }

    @Test("token counts, not words, decide: a word of many tokens fills a window faster, and a huge word is a passage of its own")
    func tokenCountsDecide() {
        let text = (0..<100).map { $0 == 50 ? "huge" : "w\($0)" }.joined(separator: " ")
        let passages = Passages.split(text, window: 20) { $0 == "huge" ? 30 : 1 }
        #expect(passages.contains("huge"))
        for passage in passages where passage != "huge" {
            #expect(!passage.contains("huge"))
            #expect(passage.split(separator: " ").count <= 20)
        }
        #expect(Set(passages.flatMap { $0.split(separator: " ") }).count == 100)
    }

    @Test("a text within the model's limit stays whole; a longer one is cut into passages of the shorter window")
    func limitAndWindow() {
        let within = (0..<200).map { "w\($0)" }.joined(separator: " ")
        #expect(Passages.split(within, limit: 254, window: 128, tokenCount: words) == [within[...]])
        let longer = (0..<300).map { "w\($0)" }.joined(separator: " ")
        let passages = Passages.split(longer, limit: 254, window: 128, tokenCount: words)
        #expect(passages.count == 3)
        #expect(passages.allSatisfy { $0.split(separator: " ").count <= 128 })
        #expect(Passages.window(forLimit: 254) == 128 && Passages.window(forLimit: 40) == 40)
    }

    @Test("paragraphs are passages of their own: a short one joins the next, a long one is cut into overlapping windows")
    func paragraphs() {
        func paragraph(_ p: Int, _ n: Int) -> String { (0..<n).map { "p\(p)x\($0)" }.joined(separator: " ") }
        let text = [paragraph(0, 30), paragraph(1, 5), paragraph(2, 30), paragraph(3, 100), paragraph(4, 20)].joined(separator: "\n\n")
        let passages = Passages.split(text, limit: 60, window: 40, tokenCount: words)
        #expect(passages.first == paragraph(0, 30)[...])
        #expect(passages[1].hasPrefix("p1x0") && passages[1].hasSuffix("p2x29"), "a short paragraph joins the next")
        let third = passages.filter { $0.hasPrefix("p3") }
        #expect(third.count >= 3 && third.allSatisfy { !$0.contains("p2") && !$0.contains("p4") && $0.split(separator: " ").count <= 40 })
        #expect(Set(third.flatMap { $0.split(separator: " ") }).count == 100)
        #expect(passages.last == paragraph(4, 20)[...])
        // A blank line with spaces in it still parts paragraphs; one newline does not.
        let spaced = paragraph(0, 50) + "\n  \n" + paragraph(1, 50)
        #expect(Passages.split(spaced, limit: 60, window: 60, tokenCount: words).count == 2)
        let lines = paragraph(0, 50) + "\n" + paragraph(1, 50)
        #expect(Passages.split(lines, limit: 60, window: 60, tokenCount: words).allSatisfy { $0.split(separator: " ").count <= 60 })
        #expect(Passages.split(lines, limit: 60, window: 60, tokenCount: words).count == 2)
    }

    @Test("the best passage of each owner: deduplicated to owners before taking k")
    func bestPerOwner() {
        let hits: [(owner: String, passage: Int, score: Float)] = [
            ("a", 3, 0.9), ("a", 0, 0.8), ("b", 1, 0.7), ("a", 2, 0.6), ("c", 0, 0.5), ("b", 0, 0.4),
        ]
        let best = Passages.bestPerOwner(hits, k: 2)
        #expect(best.map(\.owner) == ["a", "b"])
        #expect(best.map(\.passage) == [3, 1])
        #expect(best.map(\.score) == [0.9, 0.7])
        #expect(Passages.bestPerOwner(hits, k: 10).map(\.owner) == ["a", "b", "c"])
    }

    @Test("the entry table keeps each row's passage count, and the state each change's passage rows")
    func filesKeepPassages() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let records = (0..<3).map { i in
            EntryRecord(
                entry: IndexedEntry(
                    id: "id\(i)", user: "ana", tier: "general", path: "ana/general/2026-11.md", line: 1 + 5 * i, date: nil,
                    title: nil, contentHash: "h\(i)", tags: [], mentions: [], src: nil),
                byteRange: 0..<10, hasVector: true, extraPassages: [0, 7, 2][i])
        }
        try EntryTable.write(to: dir.file("t"), generation: 1, records: records)
        let table = try EntryTable(contentsOf: dir.file("t"))
        #expect((0..<3).map(table.extraPassages(at:)) == [0, 7, 2])
        #expect((0..<3).map(table.record(at:)) == records)

        var state = IndexState(modelID: "m")
        // A change's passages are its delta rows; its record's count applies to a base row only.
        var changed = records[1]
        changed.extraPassages = 0
        state.changes = [
            IndexState.Change(record: changed, vector: .delta(4), document: LexicalDocument(fields: LexicalFields(title: "", body: "words", tags: [], mentions: [])), passages: [5, 6, 9]),
            IndexState.Change(record: records[0], vector: .base(0), document: LexicalDocument(fields: LexicalFields(title: "", body: "words", tags: [], mentions: []))),
        ]
        try state.write(to: dir.file("s"))
        #expect(try IndexState(contentsOf: dir.file("s")) == state)
    }
}
