import Testing

@testable import MarkdownCodec

@Suite("Entry tags: set, add and remove tags in a body")
struct EntryTagsTests {
    @Test("a trailing tag goes whole, a tag inside a sentence keeps its word, a new tag joins the tag line",
          arguments: [
            // (body, wanted tags, expected body)
            ("Had coffee with Maria. #friends", [String](), "Had coffee with Maria."),
            ("Had coffee with Maria. #friends #work", ["work"], "Had coffee with Maria. #work"),
            ("She starts at the #museum in January.", [], "She starts at the museum in January."),
            ("Text\n\n#friends #work", ["friends"], "Text\n\n#friends"),
            ("Text\n\n#friends\n\nMore text", [], "Text\n\nMore text"),
            ("Text\n\n#friends", [], "Text"),
            ("Text\n\n#friends", ["friends", "travel"], "Text\n\n#friends #travel"),
            ("Text without tags", ["travel"], "Text without tags\n\n#travel"),
            ("#work meeting with Tom", [], "work meeting with Tom"),
            ("Plans #trip/alps and #trip", ["trip"], "Plans trip/alps and #trip"),
            ("Same #tag twice, #tag", [], "Same tag twice,"),
          ])
    func setting(body: String, wanted: [String], expected: String) throws {
        let result = try #require(EntryTags.setting(wanted, in: body))
        #expect(result == expected)
        #expect(Set(EntryTags.tags(of: result)) == Set(wanted))
    }

    @Test("a #name in code, a link or a longer tag is not the tag and stays as it is")
    func leavesNonTagsAlone() throws {
        let body = "Run `grep #friends` and see [#friends](https://example.com/#friends); #friends-club met. #friends"
        let result = try #require(EntryTags.setting(["friends-club"], in: body))
        #expect(result == "Run `grep #friends` and see [#friends](https://example.com/#friends); #friends-club met.")
        let fenced = "Notes\n\n```\n#friends\n```\n\n#friends"
        #expect(EntryTags.setting([], in: fenced) == "Notes\n\n```\n#friends\n```")
    }

    @Test("the tags already there and nothing asked: the body is unchanged")
    func unchanged() {
        let body = "Text with #one and\n\n- [ ] a task #two"
        #expect(EntryTags.setting(["two", "one"], in: body) == body)
    }
}
