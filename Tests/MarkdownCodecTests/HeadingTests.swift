import Testing

@testable import MarkdownCodec

@Suite("Entry headings")
struct HeadingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var heading: String
        var date: EntryDate?
        var title: String?
        var testDescription: String { heading }
    }

    /// 2026-11-22 at `hour:minute`.
    static func nov22(_ hour: Int = 0, _ minute: Int = 0, offset: Int? = nil) -> EntryDate {
        EntryDate(year: 2026, month: 11, day: 22, hour: hour, minute: minute, utcOffsetMinutes: offset)
    }

    static let acceptedCases: [Case] = [
        Case(heading: "## 2026-11-22 14:03", date: nov22(14, 3)),
        Case(heading: "## 2026-11-22 14:03 · Coffee with Maria", date: nov22(14, 3), title: "Coffee with Maria"),
        Case(heading: "## 2026-11-22 14:03 - dash", date: nov22(14, 3), title: "dash"),
        Case(heading: "## 2026-11-22 14:03 — em", date: nov22(14, 3), title: "em"),
        Case(heading: "## 2026-11-22 14:03 | bar", date: nov22(14, 3), title: "bar"),
        Case(heading: "## 2026-11-22 14:03: colon", date: nov22(14, 3), title: "colon"),
        Case(heading: "## 2026-11-22 14:03 plain words", date: nov22(14, 3), title: "plain words"),
        Case(heading: "## 2026-11-22 14:03 Z", date: nov22(14, 3, offset: 0)),
        Case(heading: "## 2026-11-22 14:03Z · zulu", date: nov22(14, 3, offset: 0), title: "zulu"),
        Case(heading: "## 2026-11-22 14:03 +01:00 · Berlin", date: nov22(14, 3, offset: 60), title: "Berlin"),
        Case(heading: "## 2026-11-22 14:03 -0530", date: nov22(14, 3, offset: -330)),
        Case(heading: "## 2026-11-22 14:03 Zoo trip", date: nov22(14, 3), title: "Zoo trip"),
        Case(heading: "## 2026-11-22 14:03 -12 people", date: nov22(14, 3), title: "-12 people"),
        Case(heading: "## 2026-11-22", date: nov22()),
        Case(heading: "## 2026-11-22 Title", date: nov22(), title: "Title"),
        Case(heading: "## 2026-11-22 7:05 · early", date: nov22(7, 5), title: "early"),
        Case(heading: "## 2026-11-22T14:03:59 · seconds", date: nov22(14, 3), title: "seconds"),
        Case(heading: "   ##    2026-11-22   14:03 ·   spaced   ##  ", date: nov22(14, 3), title: "spaced"),
        Case(heading: "## 2026-11-22 14:03 · Learn C#", date: nov22(14, 3), title: "Learn C#"),
        Case(heading: "## 2026-11-22 14:03 · - starts with a dash", date: nov22(14, 3), title: "- starts with a dash"),
        Case(heading: "## 2026-11-22 14:03 · **bold** `raw`", date: nov22(14, 3), title: "**bold** `raw`"),
        Case(heading: "## 2026-11-22 14:03 · 日本語 🎉", date: nov22(14, 3), title: "日本語 🎉"),
        Case(
            heading: "## 2024-02-29 12:00 · leap day", date: EntryDate(year: 2024, month: 2, day: 29, hour: 12),
            title: "leap day"),
    ]

    @Test("accepted headings", arguments: acceptedCases)
    func accepted(_ item: Case) throws {
        let file = EntryFile.parse(item.heading + "\n<!-- id: 01X -->\n\nbody\n")
        let entry = try #require(file.entries.first)
        #expect(file.problems.isEmpty)
        #expect(entry.date == item.date)
        #expect(entry.title == item.title)
        #expect(entry.id == "01X")
        #expect(entry.body == "body")
    }

    static let rejectedCases: [(String, FormatProblem.Kind)] = [
        ("## 2026-02-30 10:00", .invalidDate),
        ("## 2025-02-29", .invalidDate),
        ("## 2026-13-01 10:00", .invalidDate),
        ("## 2026-11-22 24:00", .invalidDate),
        ("## 2026-11-22 14:60", .invalidDate),
        ("## 2026-11-22 14:03 +25:00", .invalidDate),
        ("## Shopping list", .headingWithoutDate),
        ("## Notes", .headingWithoutDate),
        ("## 26-11-22 10:00", .headingWithoutDate),
        ("## 2026-11-2 10:00", .headingWithoutDate),
        ("## 2026-11-22abc", .headingWithoutDate),
        ("## ", .headingWithoutDate),
    ]

    @Test("rejected headings keep their bytes and are reported", arguments: rejectedCases)
    func rejected(_ heading: String, _ kind: FormatProblem.Kind) throws {
        let text = "## 2026-01-01 10:00\n<!-- id: A -->\n\n" + heading + "\n<!-- id: B -->\nbody\n"
        let file = EntryFile.parse(text)
        #expect(file.bytes == Array(text.utf8))
        #expect(file.entries.map(\.id) == ["A"])
        let problem = try #require(file.problems.first)
        #expect(problem.kind == kind)
        #expect(problem.line == 4)
        #expect(problem.isError)
        #expect(file.segments.map(\.kind) == [.preamble, .entry, .invalidHeading])
    }

    @Test("setext level-2 headings are body text, with a warning")
    func setext() throws {
        let file = EntryFile.parse("## 2026-01-01 10:00\n\nSome words\n---\n\nmore\n")
        #expect(file.entries.count == 1)
        #expect(file.entries[0].body == "Some words\n---\n\nmore")
        #expect(file.problems.map(\.kind) == [.otherHeadingLevel])
        #expect(file.problems.first?.isError == false)
        #expect(file.problems.first?.line == 3)
    }

    @Test("heading text and keys of EntryDate")
    func dateText() {
        let date = EntryDate(year: 2026, month: 3, day: 7, hour: 9, minute: 5)
        #expect(date.headingText == "2026-03-07 09:05")
        #expect(date.monthKey == "2026-03")
        #expect(date.dayKey == "2026-03-07")
        var offset = date
        offset.utcOffsetMinutes = -330
        #expect(offset.headingText == "2026-03-07 09:05 -05:30")
        offset.utcOffsetMinutes = 0
        #expect(offset.headingText == "2026-03-07 09:05 +00:00")
        #expect(date < offset)
        #expect(EntryDate(year: 2026, month: 3, day: 7) < date)
    }

    @Test("rendered headings read back", arguments: [nil, "", "Title", "Ends in #", "#", "a · b", "line\nbreak"])
    func renderRoundTrip(title: String?) throws {
        let date = EntryDate(year: 2026, month: 11, day: 22, hour: 14, minute: 3, utcOffsetMinutes: 60)
        let text = EntryRenderer.render(date: date, title: title, id: "01ID", meta: [], body: "text")
        let entry = try #require(EntryFile.parse(text).entries.first)
        #expect(entry.date == date)
        let expected: String? =
            switch title {
            case nil, "": nil
            case "line\nbreak": "line break"
            default: title
            }
        #expect(entry.title == expected)
    }

    @Test("a leading rule with a dated heading before the next rule is not front matter")
    func ruleIsNotFrontMatter() {
        let file = EntryFile.parse("---\n## 2026-01-01 10:00\ntext\n\n---\n## 2026-01-02 10:00\n")
        #expect(file.entries.count == 2)
        #expect(file.entries.first?.line == 2)
    }
}
