import Testing

@testable import MarkdownCodec

@Suite("Mutations")
struct MutationTests {
    static let threeEntries = """
        # Journal

        ## 2026-01-01 10:00 · one
        <!-- id: A -->

        first  \n\
        ## 2026-01-03 10:00 · three
        <!-- id: C -->
        third


        ## 2026-01-05 10:00 · five
        <!-- id: E -->

        fifth
        """ + "\n"

    static func rendered(_ day: Int, _ id: String, body: String = "new body") -> String {
        EntryRenderer.render(
            date: EntryDate(year: 2026, month: 1, day: day, hour: 10), title: "t\(day)", id: id,
            meta: [MetaField(key: "src", value: "cli")], body: body)
    }

    /// Each entry's bytes, by id.
    static func rawByID(_ file: EntryFile) -> [String: String] {
        Dictionary(uniqueKeysWithValues: file.entries.map { ($0.id!, $0.rawText) })
    }

    @Test(
        "insert places by date and keeps every other entry's bytes",
        arguments: [(6, ["A", "C", "E", "N"]), (4, ["A", "C", "N", "E"]), (2, ["A", "N", "C", "E"]), (1, ["A", "N", "C", "E"]),
            (0, ["N", "A", "C", "E"])])
    func insert(day: Int, order: [String]) throws {
        let original = EntryFile.parse(Self.threeEntries)
        var file = original
        file.insert(Self.rendered(day == 0 ? 1 : day, day == 0 ? "0" : "N"))
        let newID = day == 0 ? "0" : "N"
        #expect(file.entries.compactMap(\.id) == order.map { $0 == "N" ? newID : $0 })
        #expect(file.problems.map(\.kind) == [.textBeforeFirstEntry])
        let before = Self.rawByID(original)
        let after = Self.rawByID(file)
        for (id, raw) in before {
            // The entry just before the new one may gain line endings, nothing else.
            let now = try #require(after[id])
            #expect(now == raw || (now.hasPrefix(raw) && now.dropFirst(raw.count).allSatisfy(\.isNewline)))
        }
        let inserted = try #require(file.entry(id: newID))
        #expect(inserted.body == "new body")
        #expect(inserted.src == "cli")
        #expect(inserted.rawText.hasSuffix("new body\n") || inserted.rawText.hasSuffix("new body\n\n"))
        // The preamble is untouched.
        #expect(file.bytes.starts(with: Array("# Journal\n\n## 2026-01-01".utf8)) || newID == "0")
    }

    @Test(
        "insert separates with exactly one blank line",
        arguments: [
            ("", "## 2026-01-09 10:00 · t9\n<!-- id: N src: cli -->\n\nnew body\n"),
            ("## 2026-01-01 10:00\nlast", "## 2026-01-01 10:00\nlast\n\n## 2026-01-09 10:00 · t9\n<!-- id: N src: cli -->\n\nnew body\n"),
            ("## 2026-01-01 10:00\nlast\n", "## 2026-01-01 10:00\nlast\n\n## 2026-01-09 10:00 · t9\n<!-- id: N src: cli -->\n\nnew body\n"),
            ("## 2026-01-01 10:00\nlast\n\n", "## 2026-01-01 10:00\nlast\n\n## 2026-01-09 10:00 · t9\n<!-- id: N src: cli -->\n\nnew body\n"),
            ("## 2026-01-01 10:00\nlast\n \t\n", "## 2026-01-01 10:00\nlast\n \t\n## 2026-01-09 10:00 · t9\n<!-- id: N src: cli -->\n\nnew body\n"),
            ("---\na: b\n---\n", "---\na: b\n---\n\n## 2026-01-09 10:00 · t9\n<!-- id: N src: cli -->\n\nnew body\n"),
            ("## 2026-01-01 10:00\r\nlast\r\n", "## 2026-01-01 10:00\r\nlast\r\n\r\n## 2026-01-09 10:00 · t9\r\n<!-- id: N src: cli -->\r\n\r\nnew body\r\n"),
        ])
    func separation(_ before: String, _ after: String) {
        var file = EntryFile.parse(before)
        file.insert(Self.rendered(9, "N"))
        #expect(String(decoding: file.bytes, as: UTF8.self) == after)
    }

    @Test("remove takes out exactly the segment", arguments: ["A", "C", "E"])
    func remove(id: String) throws {
        var file = EntryFile.parse(Self.threeEntries)
        let entry = try #require(file.entry(id: id))
        var expected = Array(Self.threeEntries.utf8)
        expected.removeSubrange(entry.byteRange)
        let removed = file.remove(id: id)
        #expect(removed)
        #expect(file.bytes == expected)
        #expect(file.entry(id: id) == nil)
        #expect(file.entries.count == 2)
        let removedMissing = file.remove(id: "missing")
        #expect(!removedMissing)
    }

    @Test("replace keeps trailing blank lines and other entries", arguments: ["A", "C", "E"])
    func replace(id: String) throws {
        let original = EntryFile.parse(Self.threeEntries)
        var file = original
        let old = try #require(file.entry(id: id))
        let replaced = file.replace(id: id, with: Self.rendered(3, id, body: "replaced\n\n\n"))
        #expect(replaced)
        let new = try #require(file.entry(id: id))
        #expect(new.body == "replaced")
        let oldTrailing = old.rawText.reversed().prefix(while: \.isWhitespace).filter(\.isNewline).count
        let newTrailing = new.rawText.reversed().prefix(while: \.isWhitespace).filter(\.isNewline).count
        #expect(oldTrailing == newTrailing)
        for (otherID, raw) in Self.rawByID(original) where otherID != id {
            #expect(Self.rawByID(file)[otherID] == raw)
        }
        let replacedMissing = file.replace(id: "missing", with: "x")
        #expect(!replacedMissing)
    }

    @Test("replace keeps a missing final newline missing")
    func replaceAtEndWithoutNewline() {
        var file = EntryFile.parse("## 2026-01-01 10:00\n<!-- id: A -->\n\nold")
        let replaced = file.replace(id: "A", with: Self.rendered(1, "A"))
        #expect(replaced)
        #expect(
            String(decoding: file.bytes, as: UTF8.self) == "## 2026-01-01 10:00 · t1\n<!-- id: A src: cli -->\n\nnew body")
    }

    @Test("replace in a CRLF file writes CRLF")
    func replaceCRLF() {
        var file = EntryFile.parse("## 2026-01-01 10:00\r\n<!-- id: A -->\r\n\r\nold\r\n\r\n## 2026-01-02 10:00\r\n")
        let replaced = file.replace(id: "A", with: EntryRenderer.renderEncrypted(date: nil, id: "A", armored: "ARMOR\n"))
        #expect(replaced)
        #expect(
            String(decoding: file.bytes, as: UTF8.self)
                == "## A\r\n<!-- id: A -->\r\n\r\n```age\r\nARMOR\r\n```\r\n\r\n## 2026-01-02 10:00\r\n")
        #expect(file.entries.first?.armoredBlock == "ARMOR\n")
        #expect(file.entries.first?.date == nil)
    }

    @Test("assignMissingIDs touches only the comment lines")
    func assignIDs() {
        let text = "## 2026-01-01 10:00\nbody\n\n## 2026-01-02 10:00 · has\n<!-- id: B -->\n\n## 2026-01-03 10:00\n<!-- src: hand -->\nx\n\n## 2026-01-04 10:00"
        var file = EntryFile.parse(text)
        let ids = IDSequence()
        let newIDs = file.assignMissingIDs(using: ids.make)
        #expect(newIDs == ["01TEST0000000001", "01TEST0000000002", "01TEST0000000003"])
        #expect(
            String(decoding: file.bytes, as: UTF8.self)
                == "## 2026-01-01 10:00\n<!-- id: 01TEST0000000001 -->\nbody\n\n## 2026-01-02 10:00 · has\n<!-- id: B -->\n\n## 2026-01-03 10:00\n<!-- id: 01TEST0000000002 src: hand -->\nx\n\n## 2026-01-04 10:00\n<!-- id: 01TEST0000000003 -->")
        #expect(file.entries.map(\.id) == ["01TEST0000000001", "B", "01TEST0000000002", "01TEST0000000003"])
        #expect(file.entries[2].src == "hand")
    }

    @Test("encrypted entries render and read back")
    func encrypted() throws {
        let armor = "-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n"
        let date = EntryDate(year: 2026, month: 11, day: 22, hour: 14, minute: 3)
        let dated = EntryRenderer.renderEncrypted(date: date, id: "01ENC", armored: armor)
        #expect(dated == "## 2026-11-22 14:03\n<!-- id: 01ENC -->\n\n```age\n" + armor + "```\n")
        let ultra = EntryRenderer.renderEncrypted(date: nil, id: "01ULTRA", armored: armor)
        var file = EntryFile.parse(dated)
        file.insert(ultra)
        #expect(file.problems.isEmpty)
        #expect(file.entries.map(\.id) == ["01ENC", "01ULTRA"])
        #expect(file.entries.map(\.armoredBlock) == [armor, armor])
        #expect(file.entries.map(\.date) == [date, nil])
        #expect(file.entries.allSatisfy { $0.isEncrypted })
    }
}
