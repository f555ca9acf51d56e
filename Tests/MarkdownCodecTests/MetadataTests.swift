import Testing

@testable import MarkdownCodec

@Suite("Metadata comments")
struct MetadataTests {
    static let hostileValues: [String] = [
        "", " ", "plain", "two words", "\"quoted\"", "back\\slash", "line\nbreak", "cr\r\nlf", "tab\there",
        "-->", "a-->b", "--", "<!-- nested -->", "<b>", "ünïcödé", "😀 emoji", "中文", "trailing ", " leading",
        "\u{0}\u{1}\u{1F}\u{7F}", "\u{2028}\u{2029}", "\u{FEFF}bom", "\u{200B}zero-width", "it's", "key: value",
        "id: fake", "#tag @mention", "\\u003e", "\"\\\"", "e\u{301}", "a:b", "-", "->", "x-",
    ]

    @Test("hostile values round-trip through render and parse", arguments: hostileValues)
    func hostileValue(_ value: String) throws {
        let meta = [MetaField(key: "src", value: "cli"), MetaField(key: "note", value: value)]
        let comment = EntryRenderer.metadataComment(id: "01ID", meta: meta)
        #expect(!comment.dropFirst(4).dropLast(3).contains("-->"))
        #expect(!comment.contains("\n"))
        let text = EntryRenderer.render(
            date: EntryDate(year: 2026, month: 1, day: 1), title: "t", id: "01ID", meta: meta, body: "body")
        let file = EntryFile.parse(text)
        #expect(file.problems.isEmpty)
        let entry = try #require(file.entries.first)
        #expect(entry.id == "01ID")
        #expect(entry.meta == meta)
        #expect(entry.src == "cli")
        #expect(entry.body == "body")
    }

    @Test("hostile keys and ids round-trip", arguments: hostileValues.filter { !$0.isEmpty })
    func hostileKeyAndID(_ text: String) throws {
        let meta = [MetaField(key: text, value: "v"), MetaField(key: "id", value: "second id")]
        let rendered = EntryRenderer.render(
            date: EntryDate(year: 2026, month: 1, day: 1), title: nil, id: text, meta: meta, body: "")
        let entry = try #require(EntryFile.parse(rendered).entries.first)
        #expect(entry.id == text)
        #expect(entry.meta == meta)
        #expect(entry.body == "")
    }

    @Test(
        "writes bare values when safe and JSON otherwise",
        arguments: [
            ("cli", "cli"), ("two words", "\"two words\""), ("a-->b", "\"a--\\u003eb\""), ("", "\"\""),
            ("say \"hi\"", "\"say \\\"hi\\\"\""), ("ünï", "ünï"), ("x\ny", "\"x\\ny\""),
        ])
    func quoting(_ value: String, _ written: String) {
        #expect(
            EntryRenderer.metadataComment(id: "01A", meta: [MetaField(key: "k", value: value)])
                == "<!-- id: 01A k: \(written) -->")
    }

    @Test("keys outside [A-Za-z0-9_.-] are quoted")
    func keyQuoting() {
        #expect(
            EntryRenderer.metadataComment(id: "1", meta: [MetaField(key: "my key", value: "v")])
                == "<!-- id: 1 \"my key\": v -->")
        #expect(
            EntryRenderer.metadataComment(id: "1", meta: [MetaField(key: "a.b-c_D9", value: "v")])
                == "<!-- id: 1 a.b-c_D9: v -->")
    }

    @Test(
        "hand-written comments parse",
        arguments: [
            ("<!-- id: 01A -->", "01A", [MetaField]()),
            ("<!--id:01A src:cli-->", "01A", [MetaField(key: "src", value: "cli")]),
            ("  <!--   id:  01A\n  src: cli   -->", "01A", [MetaField(key: "src", value: "cli")]),
            ("<!-- src: cli id: 01A -->", "01A", [MetaField(key: "src", value: "cli")]),
            ("<!-- id: \"01 A\" \"k k\": \"\\u00e9\\ud83d\\ude00\" -->", "01 A", [MetaField(key: "k k", value: "é😀")]),
            ("<!-- id: 01A empty: -->", "01A", [MetaField(key: "empty", value: "")]),
        ])
    func handWritten(_ comment: String, _ id: String, _ meta: [MetaField]) throws {
        let file = EntryFile.parse("## 2026-01-01 10:00\n\(comment)\n\nbody\n")
        #expect(file.problems.isEmpty)
        let entry = try #require(file.entries.first)
        #expect(entry.id == id)
        #expect(entry.meta == meta)
        #expect(entry.body == "body")
    }

    @Test(
        "malformed comments are reported and kept",
        arguments: [
            "<!-- just a note -->", "<!-- id: \"unterminated -->", "<!-- id: 01A --> trailing",
            "<!-- id: \"bad \\q escape\" -->", "<!-- : value -->", "<!-- id: \"\\ud800\" -->",
            "<!-- id: \"a\"b -->", "<!-- id: 01A",
        ])
    func malformed(_ comment: String) throws {
        let text = "## 2026-01-01 10:00\n\(comment)\n\nbody\n"
        var file = EntryFile.parse(text)
        #expect(file.bytes == Array(text.utf8))
        #expect(file.problems.map(\.kind) == [.malformedMetadata])
        #expect(file.problems.first?.line == 2)
        let entry = try #require(file.entries.first)
        #expect(entry.id == nil)
        // A person must fix it: assigning ids leaves it alone.
        let assigned = file.assignMissingIDs(using: { "NEW" })
        #expect(assigned.isEmpty)
        #expect(file.bytes == Array(text.utf8))
    }

    @Test("a comment after a blank line is body, not metadata")
    func notRightUnderHeading() throws {
        let file = EntryFile.parse("## 2026-01-01 10:00\n\n<!-- id: 01A -->\nbody\n")
        let entry = try #require(file.entries.first)
        #expect(entry.id == nil)
        #expect(entry.body == "<!-- id: 01A -->\nbody")
    }
}
