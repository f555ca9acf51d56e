import MarkdownCodec
import Testing
@testable import Vault

@Suite("Entry-level three-way merge of memory files")
struct EntryMergeTests {
    static func entry(_ day: Int, _ id: String, _ body: String, meta: String = "") -> String {
        "## 2026-11-\(String(format: "%02d", day)) 10:00\n<!-- id: \(id)\(meta) -->\n\n\(body)\n"
    }

    static func file(_ entries: String...) -> [UInt8] {
        Array(entries.joined(separator: "\n").utf8)
    }

    static func merge(_ base: [UInt8]?, _ ours: [UInt8], _ theirs: [UInt8]) throws -> (text: String, conflicts: [String]) {
        let result = try EntryMerge.merge(base: base, ours: ours, theirs: theirs)
        return (String(decoding: result.bytes, as: UTF8.self), result.conflicts)
    }

    static func ids(_ text: String) -> [String] {
        EntryFile.parse(text).entries.compactMap(\.id)
    }

    static let a = entry(1, "01AAAAAAAAAAAAAA", "alpha")
    static let b = entry(2, "01BBBBBBBBBBBBBB", "bravo")
    static let c = entry(3, "01CCCCCCCCCCCCCC", "charlie")
    static let d = entry(4, "01DDDDDDDDDDDDDD", "delta")

    @Test("entries added on both sides: the union, sorted by date then id, whichever side is ours")
    func unionOfAdditions() throws {
        let base = Self.file(Self.a)
        let ours = Self.file(Self.a, Self.c)
        let theirs = Self.file(Self.a, Self.b, Self.d)
        let one = try Self.merge(base, ours, theirs)
        let other = try Self.merge(base, theirs, ours)
        #expect(Self.ids(one.text) == ["01AAAAAAAAAAAAAA", "01BBBBBBBBBBBBBB", "01CCCCCCCCCCCCCC", "01DDDDDDDDDDDDDD"])
        #expect(one.text == other.text)
        #expect(one.text == String(decoding: Self.file(Self.a, Self.b, Self.c, Self.d), as: UTF8.self))
        #expect(one.conflicts.isEmpty)
    }

    @Test("a change on one side wins over the unchanged other side")
    func oneSidedChange() throws {
        let edited = Self.entry(2, "01BBBBBBBBBBBBBB", "bravo, edited")
        let result = try Self.merge(Self.file(Self.a, Self.b), Self.file(Self.a, Self.b, Self.c), Self.file(Self.a, edited))
        #expect(result.text.contains("bravo, edited"))
        #expect(!result.text.contains("bravo\n"))
        #expect(Self.ids(result.text).count == 3)
    }

    @Test("the same entry changed on both sides: ours keeps the id, theirs becomes a marked conflict copy")
    func bothChanged() throws {
        let ours = Self.file(Self.a, Self.entry(2, "01BBBBBBBBBBBBBB", "bravo, our way"))
        let theirs = Self.file(Self.a, Self.entry(2, "01BBBBBBBBBBBBBB", "bravo, their way"))
        let result = try Self.merge(Self.file(Self.a, Self.b), ours, theirs)
        #expect(result.conflicts == ["01BBBBBBBBBBBBBB"])
        let parsed = EntryFile.parse(result.text)
        #expect(parsed.entries.count == 3)
        #expect(parsed.entry(id: "01BBBBBBBBBBBBBB")?.body == "bravo, our way")
        let copy = try #require(parsed.entries.first { $0.meta.contains(MetaField(key: "conflict-of", value: "01BBBBBBBBBBBBBB")) })
        #expect(copy.body == "bravo, their way")
        #expect(copy.id != "01BBBBBBBBBBBBBB")
        #expect(parsed.problems.isEmpty)
        // Merging the same versions again gives the same copy id (an interrupted sync redone).
        #expect(try Self.merge(Self.file(Self.a, Self.b), ours, theirs).text == result.text)
        // Identical changes on both sides are no conflict.
        #expect(try Self.merge(Self.file(Self.a, Self.b), ours, ours).conflicts.isEmpty)
    }

    @Test("deleted on one side, changed on the other: the change survives, either way round")
    func deleteVersusChange() throws {
        let base = Self.file(Self.a, Self.b)
        let changed = Self.file(Self.a, Self.entry(2, "01BBBBBBBBBBBBBB", "bravo, kept"))
        let deleted = Self.file(Self.a)
        #expect(try Self.merge(base, changed, deleted).text.contains("bravo, kept"))
        #expect(try Self.merge(base, deleted, changed).text.contains("bravo, kept"))
        // Deleted on one side and unchanged on the other: gone.
        #expect(try Self.ids(Self.merge(base, deleted, Self.file(Self.a, Self.b, Self.c)).text)
            == ["01AAAAAAAAAAAAAA", "01CCCCCCCCCCCCCC"])
    }

    @Test("entries without ids match by text; the preamble is kept")
    func idlessAndPreamble() throws {
        let loose = "## 2026-11-05 09:00\n\nwritten by hand\n"
        let base = Array(("# November\n\n" + Self.a).utf8)
        let ours = Array(("# November, mine\n\n" + Self.a + "\n" + loose).utf8)
        let theirs = Array(("# November\n\n" + Self.a + "\n" + Self.b).utf8)
        let result = try Self.merge(base, ours, theirs)
        #expect(result.text.hasPrefix("# November, mine\n\n## 2026-11-01"))
        #expect(result.text.contains("written by hand"))
        #expect(EntryFile.parse(result.text).entries.count == 3)
        // The same id-less entry added on both sides is one entry.
        #expect(try EntryFile.parse(Self.merge(base, ours, ours).text).entries.count == 2)
    }

    @Test("encrypted entries are opaque blocks: a conflict copy keeps the ciphertext byte for byte")
    func encryptedEntries() throws {
        let armor = "-----BEGIN AGE ENCRYPTED FILE-----\nYWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBvdXJz\n-----END AGE ENCRYPTED FILE-----"
        let other = "-----BEGIN AGE ENCRYPTED FILE-----\nYWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSB0aGVp\n-----END AGE ENCRYPTED FILE-----"
        let base = EntryRenderer.renderEncrypted(date: nil, id: "01EEEEEEEEEEEEEE", armored: armor)
        let ours = EntryRenderer.renderEncrypted(date: nil, id: "01EEEEEEEEEEEEEE", armored: armor.replacingOccurrences(of: "SBvdXJz", with: "SBvdXJZ"))
        let theirs = EntryRenderer.renderEncrypted(date: nil, id: "01EEEEEEEEEEEEEE", armored: other)
        let result = try Self.merge(Array(base.utf8), Array(ours.utf8), Array(theirs.utf8))
        #expect(result.conflicts == ["01EEEEEEEEEEEEEE"])
        let parsed = EntryFile.parse(result.text)
        #expect(parsed.entries.count == 2)
        let copy = try #require(parsed.entries.first { $0.id != "01EEEEEEEEEEEEEE" })
        #expect(copy.armoredBlock == other + "\n")
        #expect(copy.meta.contains(MetaField(key: "conflict-of", value: "01EEEEEEEEEEEEEE")))
    }

    @Test(
        "an indented entry heading placed after a list stays an entry: it loses its indentation, nothing else",
        arguments: [("- item", "  "), ("- item", "   "), ("1. item", "   "), ("- outer\n  - inner", "   "), ("* item\n\n  more", "  ")],
        ["\n", "\r\n"])
    func indentedHeadingAfterList(list: (text: String, indent: String), lineEnding: String) throws {
        func crlf(_ text: String) -> [UInt8] { Array(text.replacingOccurrences(of: "\n", with: lineEnding).utf8) }
        // Ours starts with the indented heading, which reads as an entry there; theirs has an
        // earlier entry ending in a list, which the merge places first.
        let indented = "\(list.indent)## 2026-11-02 10:00 · Indented\n<!-- id: 01IIIIIIIIIIIIII -->\n\nindented body\n"
        let listed = "## 2026-11-01 10:00 · Listed\n<!-- id: 01LLLLLLLLLLLLLL -->\n\n\(list.text)\n"
        let ours = crlf("\n\n" + indented), theirs = crlf(listed)
        // Placed there as it is, the heading is text of the list item (the fuzz finding).
        let naive = EntryFile.parse(String(decoding: crlf(listed + "\n" + indented), as: UTF8.self))
        #expect(naive.entry(id: "01IIIIIIIIIIIIII") == nil)
        for (one, other) in [(ours, theirs), (theirs, ours)] {
            let merged = try Self.merge(nil, one, other)
            let parsed = EntryFile.parse(merged.text)
            #expect(Self.ids(merged.text) == ["01LLLLLLLLLLLLLL", "01IIIIIIIIIIIIII"], "\(merged.text.debugDescription)")
            let entry = try #require(parsed.entry(id: "01IIIIIIIIIIIIII"))
            #expect(entry.title == "Indented" && entry.body == "indented body")
            #expect(parsed.entry(id: "01LLLLLLLLLLLLLL")?.body == list.text)
            #expect(merged.text.contains(lineEnding + "## 2026-11-02 10:00 · Indented" + lineEnding))
            #expect(parsed.problems.isEmpty, "\(parsed.problems)")
            #expect(try Self.merge(nil, one, other).text == merged.text)
        }
    }

    @Test("an indented entry heading that reads as one where the merge puts it keeps its bytes")
    func indentedHeadingKept() throws {
        let indented = "   ## 2026-11-02 10:00 · Indented\n<!-- id: 01IIIIIIIIIIIIII -->\n\nindented body\n"
        let ours = Self.file(Self.a, indented)
        let theirs = Self.file(Self.a, Self.c)
        let merged = try Self.merge(Self.file(Self.a), ours, theirs)
        #expect(Self.ids(merged.text) == ["01AAAAAAAAAAAAAA", "01IIIIIIIIIIIIII", "01CCCCCCCCCCCCCC"])
        #expect(merged.text.contains("\n\n" + indented))
    }

    @Test("a merged file whose blocks would not read back as themselves is refused, not written")
    func misreadRefused() throws {
        // Their preamble `---` (a thematic break in their file, where an entry follows) before our
        // first block, a heading with a `---` line, would open front matter that swallows that
        // block: no change of indentation helps, so the entry merge refuses the file.
        let ours = Array(("## Notes\n\n---\n\n" + Self.a).utf8)
        let theirs = Array(("---\n\n" + Self.a).utf8)
        #expect(EntryFile.parse(String(decoding: theirs, as: UTF8.self)).entries.count == 1)
        #expect(EntryFile.parse("---\n\n## Notes\n\n---\n\n" + Self.a).segments.filter { $0.kind == .invalidHeading }.isEmpty)
        #expect(throws: CodecError.self) { try EntryMerge.merge(base: nil, ours: ours, theirs: theirs) }
    }

    @Test("a body ending in Unicode white space keeps it: the merge trims only what the parser trims",
        arguments: ["\u{0B}", "\u{0C}", "\u{A0}", "\u{2028}", "\u{85}", "\u{3000}"])
    func trailingUnicodeSpaceKept(_ space: String) throws {
        let ours = Self.file(Self.a, Self.entry(2, "01SSSSSSSSSSSSSS", "ends in a space" + space))
        let theirs = Self.file(Self.a, Self.c)
        for (one, other) in [(ours, theirs), (theirs, ours)] {
            let merged = try Self.merge(Self.file(Self.a), one, other)
            #expect(EntryFile.parse(merged.text).entry(id: "01SSSSSSSSSSSSSS")?.body == "ends in a space" + space)
            #expect(Self.ids(merged.text) == ["01AAAAAAAAAAAAAA", "01SSSSSSSSSSSSSS", "01CCCCCCCCCCCCCC"])
        }
    }

    @Test("other files merge line by line like git; overlapping changes are a conflict")
    func lineMerge() {
        func merge(_ base: String, _ ours: String, _ theirs: String) -> String? {
            EntryMerge.mergeLines(base: Array(base.utf8), ours: Array(ours.utf8), theirs: Array(theirs.utf8))
                .map { String(decoding: $0, as: UTF8.self) }
        }
        let base = "one\ntwo\nthree\nfour\n"
        #expect(merge(base, "ONE\ntwo\nthree\nfour\n", "one\ntwo\nthree\nFOUR\n") == "ONE\ntwo\nthree\nFOUR\n")
        #expect(merge(base, "one\ntwo\nthree\nfour\nfive\n", "zero\none\ntwo\nthree\nfour\n") == "zero\none\ntwo\nthree\nfour\nfive\n")
        #expect(merge(base, "one\nthree\nfour\n", base) == "one\nthree\nfour\n")
        #expect(merge(base, "one\nTWO\nthree\nfour\n", "one\nTWO\nthree\nfour\n") == "one\nTWO\nthree\nfour\n")
        #expect(merge(base, "one\n2\nthree\nfour\n", "one\nzwei\nthree\nfour\n") == nil)
        #expect(merge("", "mine\n", "theirs\n") == nil)
        #expect(EntryMerge.mergeLines(base: [1, 0], ours: [1, 0, 2], theirs: [3, 1, 0]) == nil)
    }

    @Test("invalid UTF-8 is refused so the caller can fall back to a file merge")
    func invalidUTF8() {
        #expect(throws: CodecError.self) {
            try EntryMerge.merge(base: nil, ours: [0xFF, 0x0A], theirs: Self.file(Self.a))
        }
    }
}
