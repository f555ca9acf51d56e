import Testing

@testable import MarkdownCodec

@Suite("Tags, mentions and tasks")
struct TagTests {
    static func read(_ body: String) throws -> Entry {
        try #require(EntryFile.parse("## 2026-01-01 10:00\n<!-- id: 01A -->\n\n" + body + "\n").entries.first)
    }

    @Test(
        "tags",
        arguments: [
            ("#friends", ["friends"]), ("a #b c", ["b"]), ("(#paren)", ["paren"]), ("end.#dot", ["dot"]),
            ("#a #b #a", ["a", "b"]), ("#Work #work", ["Work", "work"]), ("#café #naïve", ["café", "naïve"]),
            ("#x-y_z/w", ["x-y_z/w"]), ("#trail- #slash/", ["trail", "slash"]), ("#tag.", ["tag"]),
            ("C# a#b", []), ("#123 #2026-goals", []), ("##double", []), ("https://x.org/#frag", []),
            ("x.org/#frag", []), ("`#code`", []), ("[#linktext](https://x.org)", []), ("<b>#html</b>", ["html"]),
            ("*#emph*", ["emph"]), ("~~#struck~~", ["struck"]), ("\\#escaped", ["escaped"]),
            ("| #cell |\n| --- |\n| #row |", ["cell", "row"]), ("> quoted #inquote", ["inquote"]),
            ("line one\n#second", ["second"]), ("#", []), ("# ", []), ("#日本", ["日本"]),
        ])
    func tags(_ body: String, _ expected: [String]) throws {
        #expect(try Self.read(body).tags == expected)
    }

    @Test(
        "mentions",
        arguments: [
            ("@maria", ["maria"]), ("hi @maria.", ["maria"]), ("@jo-ann @a.b.c", ["jo-ann", "a.b.c"]),
            ("me@example.com", []), ("<me@example.com>", []), ("@_under @9lives", ["_under", "9lives"]),
            ("@ünal", ["ünal"]), ("`@code`", []), ("(@paren)", ["paren"]), ("@", []), ("a.@b", []),
            ("@bob @bob", ["bob"]),
        ])
    func mentions(_ body: String, _ expected: [String]) throws {
        #expect(try Self.read(body).mentions == expected)
    }

    @Test("code blocks hold no tags")
    func codeBlocks() throws {
        let entry = try Self.read("```\n#nope @nope\n```\n\n    #indented\n\n<div>\n#html\n</div>")
        #expect(entry.tags.isEmpty)
        #expect(entry.mentions.isEmpty)
    }

    /// cmark-gfm 0.29's tasklist extension does not mark items inside block quotes.
    @Test("task items with text, state and file line")
    func tasks() throws {
        let entry = try Self.read(
            "- [ ] first *task*\n- [x] second `code`\n  - [X] nested\n    continued\n- not a task\n\n> - [ ] quoted")
        #expect(
            entry.tasks == [
                TaskItem(text: "first task", checked: false, line: 4),
                TaskItem(text: "second code", checked: true, line: 5),
                TaskItem(text: "nested continued", checked: true, line: 6),
            ])
    }

    @Test("task lines count front matter")
    func taskLinesAfterFrontMatter() throws {
        let file = EntryFile.parse("---\na: b\n---\n## 2026-01-01 10:00\n\n- [ ] x\n")
        #expect(file.entries.first?.tasks.first?.line == 6)
        #expect(file.entries.first?.line == 4)
    }
}
