import Foundation
import Testing
import Vault
@testable import Digest

/// The digest reads well: memories as prose, named by their words, nothing escaped that need not be.
@Suite struct ProseTests {
    @Test("Markdown bodies become one line of prose", arguments: [
        ("Had coffee with @maria. #friends\n\n- [ ] send her the book\n- [x] buy flowers",
         "Had coffee with @maria. #friends; send her the book; buy flowers"),
        ("- milk\n- eggs\n- bread", "milk; eggs; bread"),
        ("1. first\n2) second", "first; second"),
        ("Called the plumber.\n- [ ] clear the sink", "Called the plumber. Clear the sink"),
        ("> quoted *words* and **bold** and `code`", "quoted words and bold and code"),
        ("See [the docs](https://example.com) and ![a cat](cat.png).", "See the docs and a cat."),
        ("### A heading\nbody text", "A heading; body text"),
        ("snake_case stays and 5 * 3 = 15", "snake_case stays and 5 * 3 = 15"),
        ("| a | b |\n|---|---|\n| 1 | 2 |", "a, b; 1, 2"),
        ("<!-- a comment -->\nvisible <br> text", "visible text"),
        ("```\nlet x = 1\n```\nafter", "let x = 1; after"),
    ])
    func prose(markdown: String, expected: String) {
        #expect(Prose.of(markdown) == expected)
    }

    @Test("escaping keeps ordinary text as it is")
    func escaping() {
        #expect(Prose.escape("send her the book; 3 [optional] items") == "send her the book; 3 [optional] items")
        #expect(Prose.escape("a [link](x) lookalike") == "a \\[link](x) lookalike")
        #expect(Prose.escape("*starred* and <tag>") == "\\*starred\\* and \\<tag>")
        #expect(Prose.escape("snake_case and 5 * 3") == "snake_case and 5 * 3")
    }

    @Test("a title-less memory is named by its first words, and the snippet does not repeat them")
    func titleLess() throws {
        let temp = try TempVault(records: [
            record("2026-11-22T09:15", "", "Called the landlord about the broken heating in the flat; he comes on Monday with a plumber."),
            record("2026-11-22T10:00", "Garden", "Garden"),
            record("2026-11-22T11:00", "Books", "Books: returned three to the library.\n\n- [ ] renew the card"),
        ])
        defer { temp.remove() }
        let digest = try #require(try temp.builder().render(DigestDay(year: 2026, month: 11, day: 22), explicit: true))
        let highlights = items(section(digest, "Highlights"))
        let landlord = try #require(highlights.first { $0.contains("landlord") })
        #expect(landlord.hasPrefix("- 09:15 [Called the landlord about the broken heating in…]("), "\(landlord)")
        #expect(landlord.hasSuffix(" — …the flat; he comes on Monday with a plumber."), "\(landlord)")
        let garden = try #require(highlights.first { $0.contains("[Garden]") })
        #expect(!garden.contains(" — "), "a body that is only the title is not repeated: \(garden)")
        let books = try #require(highlights.first { $0.contains("[Books]") })
        #expect(books.hasSuffix(" — returned three to the library. Renew the card"), "\(books)")
        #expect(!digest.contains("\\["), "no escaped brackets: \(digest)")
        #expect(!digest.contains("[2026-11-22]"), "no memory named by its date")
        #expect(try temp.builder().render(DigestDay(year: 2026, month: 11, day: 22), explicit: true) == digest)
    }

    @Test("empty sections are left out")
    func emptySections() throws {
        let temp = try TempVault(records: [record("2026-11-22T09:15", "Alone", "Nothing else happened.")])
        defer { temp.remove() }
        let digest = try #require(try temp.builder().render(DigestDay(year: 2026, month: 11, day: 22), explicit: true))
        let titles = digest.split(separator: "\n").filter { $0.hasPrefix("## ") }
        #expect(titles == ["## The day at a glance", "## Highlights"])
    }
}
