import Foundation
import MarkdownCodec
import Testing
import Vault
@testable import Importers

@Suite("Importers: each source's export read into memories")
struct ReaderTests {
    @Test("ChatGPT: the branch ending at current_node, without system, hidden, tool and thought nodes")
    func chatGPTBranchAndNoise() throws {
        let events = try readEvents(.chatgpt, Paths.fixture("chatgpt-conversations.json"))
        #expect(events.count == 3)
        let all = items(events)
        #expect(all.count == 2)
        let cat = try #require(all.first { $0.memory.src == "chatgpt:c1a7e0b2-0000-4000-8000-000000000001" })
        let text = cat.memory.text
        // The edited question and the answer chosen at current_node; not the abandoned branch nor the regenerated answer.
        #expect(text.contains("What is a good name for a black cat?"))
        #expect(!text.contains("ORIGINAL-QUESTION"))
        #expect(!text.contains("ABANDONED-ANSWER"))
        #expect(!text.contains("REGENERATED-AWAY"))
        #expect(text.contains("Famous black cats: Salem and Binx."))
        for noise in ["SECRET PROFILE TEXT", "TOOL-CALL", "TOOL-OUTPUT", "HIDDEN-THOUGHT", "You are ChatGPT"] {
            #expect(!text.contains(noise), "\(noise) leaked into the transcript")
        }
        // Speaker labels, in order.
        let you = try #require(text.range(of: "**You:**"))
        let bot = try #require(text.range(of: "**ChatGPT:**"))
        #expect(you.lowerBound < bot.lowerBound)
        // The image part is noted by its attachment's name and size; null parts are dropped.
        #expect(text.contains("*[image: midnight.jpg (1024×768)]*"))
        #expect(text.contains("**Attachments:** `midnight.jpg`"))
        // Headings inside the answer cannot start a new entry; code stays as it was.
        #expect(text.contains("### Ideas"))
        #expect(!text.contains("\n## Ideas"))
        #expect(text.contains("```\n## not a heading in code\n```"))
        #expect(cat.memory.title == "Naming the new cat")
        #expect(cat.memory.date == EntryDate(year: 2024, month: 3, day: 8, hour: 14, minute: 3))
        #expect(meta(cat, "model") == "gpt-4o")
        #expect(meta(cat, "messages") == "4")
        // The system-only conversation is reported as skipped, with the reason.
        #expect(events.contains { if case .skipped("chatgpt", "no visible messages") = $0 { true } else { false } })
        // Code sent to python and its output are tool traffic.
        let python = try #require(all.first { $0.memory.src == "chatgpt:c1a7e0b2-0000-4000-8000-000000000003" })
        #expect(!python.memory.text.contains("PYTHON-CODE"))
        #expect(!python.memory.text.contains("EXEC-OUTPUT"))
        #expect(python.memory.text.contains("The average is 6."))
    }

    @Test("ChatGPT: without current_node the newest branch is followed")
    func chatGPTWithoutCurrentNode() throws {
        let nodes: [String: [String: Any]] = [
            "r": ["parent": NSNull(), "children": ["a", "b"]],
            "a": ["parent": "r", "children": []],
            "b": ["parent": "r", "children": ["c"]],
            "c": ["parent": "b", "children": []],
        ]
        #expect(ChatGPTReader.branch(nodes: nodes, current: nil) == ["r", "b", "c"])
        #expect(ChatGPTReader.branch(nodes: nodes, current: "a") == ["r", "a"])
        #expect(ChatGPTReader.branch(nodes: nodes, current: "gone") == ["r", "b", "c"])
    }

    @Test("Claude: text blocks in order, thinking and tool blocks left out, files noted")
    func claudeContentBlocks() throws {
        let events = try readEvents(.claude, Paths.fixture("claude-conversations.json"))
        let all = items(events)
        #expect(all.count == 2)
        let sourdough = try #require(all.first)
        #expect(sourdough.memory.src == "claude:5b3e2c1a-1111-4aaa-9bbb-000000000001")
        #expect(sourdough.memory.title == "Sourdough starter schedule")
        #expect(sourdough.memory.date == EntryDate(year: 2024, month: 3, day: 8, hour: 9, minute: 15))
        let text = sourdough.memory.text
        #expect(text.contains("**You:**\n\nMy starter smells like acetone. What now?"))
        #expect(text.contains("**Claude:**\n\n### Hungry starter"))
        #expect(text.contains("Keep it at 24 °C."))
        for noise in ["HIDDEN-THINKING", "TOOL-QUERY", "TOOL-RESULT"] { #expect(!text.contains(noise)) }
        #expect(text.contains("`feeding-log.txt`") && text.contains("`starter.jpg`"))
        #expect(meta(sourdough, "messages") == "2")
        // An older export without content blocks reads its text field; an empty name gets a title.
        let old = all[1]
        #expect(old.memory.text.contains("Old export without content blocks: hello"))
        #expect(old.memory.title == "Untitled conversation")
        #expect(events.contains { if case .skipped("claude", "no visible messages") = $0 { true } else { false } })
    }

    @Test("Day One: local time with its offset, location and weather as meta, photos noted, title from the first line")
    func dayOne() throws {
        let all = items(try readEvents(.dayone, Paths.fixture("dayone-Journal.json")))
        #expect(all.count == 2)
        let dinner = all[0]
        #expect(dinner.memory.src == "dayone:A1B2C3D4E5F60718293A4B5C6D7E8F90")
        // 23:30 UTC on March 8 was 18:30 in New York (EST, -05:00).
        #expect(dinner.memory.date == EntryDate(year: 2024, month: 3, day: 8, hour: 18, minute: 30, utcOffsetMinutes: -300))
        #expect(dinner.memory.title == "Dinner in the West Village")
        #expect(dinner.memory.text.hasPrefix("Pasta at the corner place"))
        #expect(dinner.memory.text.contains("*[photo: 0f1e2d3c4b5a69788796a5b4c3d2e1f0.jpeg]*\n\nWalked home"))
        #expect(dinner.memory.text.contains("*[photo: aa11bb22cc33dd44ee55ff6677889900.heic]*"))
        #expect(!dinner.memory.text.contains("dayone-moment://"))
        #expect(meta(dinner, "location") == "Bleecker Street, New York, NY, United States")
        #expect(meta(dinner, "coordinates") == "40.7336,-74.0027")
        #expect(meta(dinner, "weather") == "Partly Cloudy, 11 °C")
        #expect(meta(dinner, "starred") == "true")
        #expect(meta(dinner, "photos") == "2")
        #expect(meta(dinner, "timezone") == "America/New_York")
        #expect(dinner.memory.tags == ["travel", "New-York"])
        // Berlin in March is +01:00.
        #expect(all[1].memory.date == EntryDate(year: 2024, month: 3, day: 10, hour: 8, minute: 5, utcOffsetMinutes: 60))
    }

    @Test("jrnl: date and time, title, body, tags and starred")
    func jrnl() throws {
        let all = items(try readEvents(.jrnl, Paths.fixture("jrnl.json")))
        #expect(all.count == 2)
        #expect(all[0].memory.title == "Finished the quarterly report.")
        #expect(all[0].memory.text == "Sent it to @work lead before lunch.\nFelt good.")
        #expect(all[0].memory.date == EntryDate(year: 2024, month: 3, day: 8, hour: 17, minute: 45))
        #expect(all[0].memory.tags == ["work"])
        #expect(meta(all[0], "starred") == "true")
        #expect(all[0].memory.src?.hasPrefix("jrnl:2024-03-08T17:45:") == true)
        // An entry that is only a title keeps it as its text.
        #expect(all[1].memory.text == "Ran 10k along the canal.")
    }

    @Test("Markdown folder: daily notes in three naming schemes, front matter, #tags and wiki links kept")
    func markdownFolder() throws {
        let folder = try copyNotes()
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        // The undated note takes its modification time.
        let loose = folder.appendingPathComponent("Projects/Loose idea.md")
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_700_000_000)], ofItemAtPath: loose.path)
        let all = items(try readEvents(.markdown, folder.path))
        #expect(all.count == 5)
        let bySrc = Dictionary(uniqueKeysWithValues: all.map { ($0.memory.src!, $0) })
        #expect(bySrc.keys.allSatisfy { !$0.contains(".obsidian") })
        let friday = try #require(bySrc["markdown:2024-03-08.md"])
        #expect(friday.memory.date == EntryDate(year: 2024, month: 3, day: 8))
        #expect(friday.memory.title == "Friday")
        #expect(friday.memory.tags == ["daily", "work"])
        #expect(friday.memory.text.contains("[[Maria]]") && friday.memory.text.contains("#museum"))
        #expect(friday.memory.text.contains("### Tasks"))
        #expect(meta(friday, "mood") == "tired")
        #expect(meta(friday, "daily-note") == "true")
        let saturday = try #require(bySrc["markdown:2024/03/09.md"])
        #expect(saturday.memory.date == EntryDate(year: 2024, month: 3, day: 9))
        #expect(saturday.memory.text.contains("#garden"))
        let sunday = try #require(bySrc["markdown:Daily/Sunday, March 10th, 2024.md"])
        #expect(sunday.memory.date == EntryDate(year: 2024, month: 3, day: 10))
        #expect(sunday.memory.tags == ["daily", "family"])
        #expect(sunday.memory.text.contains("[[Family Recipes|the recipes]]"))
        let museum = try #require(bySrc["markdown:Projects/Museum.md"])
        #expect(museum.memory.date == EntryDate(year: 2023, month: 11, day: 20))
        #expect(museum.memory.title == "Museum exhibition plan")
        #expect(meta(museum, "aliases") == "Exhibit, Show")
        #expect(museum.memory.text.contains("[[Budget 2024]]"))
        let idea = try #require(bySrc["markdown:Projects/Loose idea.md"])
        #expect(idea.memory.date == EntryDate(year: 2023, month: 11, day: 14, hour: 22, minute: 13))
        #expect(meta(idea, "dated-by") == "modification time")
        #expect(idea.memory.title == "Loose idea")
    }

    @Test("Markdown folder: a note without a date takes the time of the commit that added it")
    func markdownFirstCommit() throws {
        let folder = try copyNotes()
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        var env = ProcessInfo.processInfo.environment
        env["GIT_AUTHOR_DATE"] = "2022-06-01T12:00:00Z"
        env["GIT_COMMITTER_DATE"] = "2022-06-01T12:00:00Z"
        env["GIT_AUTHOR_NAME"] = "t"; env["GIT_AUTHOR_EMAIL"] = "t@example.com"
        env["GIT_COMMITTER_NAME"] = "t"; env["GIT_COMMITTER_EMAIL"] = "t@example.com"
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        #expect(try run("/usr/bin/git", ["init", "-q"], in: folder, environment: env).status == 0)
        #expect(try run("/usr/bin/git", ["add", "Projects/Loose idea.md"], in: folder, environment: env).status == 0)
        #expect(try run("/usr/bin/git", ["commit", "-q", "-m", "first"], in: folder, environment: env).status == 0)
        let all = items(try readEvents(.markdown, folder.path))
        let idea = try #require(all.first { $0.memory.src == "markdown:Projects/Loose idea.md" })
        #expect(idea.memory.date == EntryDate(year: 2022, month: 6, day: 1, hour: 12, minute: 0))
        #expect(meta(idea, "dated-by") == "first commit")
    }

    @Test("daily note names", arguments: [
        ("2024-03-08.md", "2024-03-08"), ("2024-03-08 Friday.md", "2024-03-08"), ("2024_03_08.md", "2024-03-08"),
        ("2024/03/08.md", "2024-03-08"), ("journal/2024/03/2024-03-08.md", "2024-03-08"), ("20240308.md", "2024-03-08"),
        ("March 8th, 2024.md", "2024-03-08"), ("Friday, March 8th, 2024.md", "2024-03-08"), ("8 March 2024.md", "2024-03-08"),
        ("Mar 8, 2024.md", "2024-03-08"), ("Ideas.md", nil), ("2024-02-30.md", nil), ("Meeting 2024.md", nil), ("2024/13/01.md", nil),
    ] as [(String, String?)])
    func dailyNames(name: String, day: String?) {
        #expect(MarkdownFolderReader.dailyDate(name)?.dayKey == day)
    }

    @Test("headings that would end an entry are demoted, outside code only")
    func nestedMarkdown() {
        #expect(MarkdownText.nested("# A\n## B\n### C") == "### A\n### B\n### C")
        #expect(MarkdownText.nested("text\n---\nmore") == "text\n\n---\nmore")
        #expect(MarkdownText.nested("text\n===") == "text\n\n===")
        #expect(MarkdownText.nested("~~~\n## kept\n~~~\n## B") == "~~~\n## kept\n~~~\n### B")
        #expect(MarkdownText.nested("#hashtag and #tag") == "#hashtag and #tag")
    }

    /// The earlier `nested` (Foundation's line splitting and trimming), kept as the reference.
    static func nestedReference(_ text: String) -> String {
        var lines = text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")
        var fence: (char: Character, count: Int)?
        var previousIsText = false
        var index = 0
        while index < lines.count {
            let line = lines[index]
            let stripped = line.drop(while: { $0 == " " })
            let indent = line.count - stripped.count
            if indent <= 3, let first = stripped.first, first == "`" || first == "~" {
                let run = stripped.prefix(while: { $0 == first }).count
                if run >= 3 {
                    if let open = fence {
                        if open.char == first && run >= open.count && stripped.dropFirst(run).allSatisfy(\.isWhitespace) { fence = nil }
                    } else {
                        fence = (first, run)
                    }
                    previousIsText = false
                    index += 1
                    continue
                }
            }
            if fence != nil {
                index += 1
                continue
            }
            if indent <= 3, stripped.first == "#" {
                let hashes = stripped.prefix(while: { $0 == "#" }).count
                let rest = stripped.dropFirst(hashes)
                if hashes <= 2, rest.isEmpty || rest.first == " " || rest.first == "\t" { lines[index] = "###" + rest }
            } else if indent <= 3, previousIsText, let first = stripped.first, first == "=" || first == "-",
                stripped.trimmingCharacters(in: .whitespaces).allSatisfy({ $0 == first })
            {
                lines.insert("", at: index)
                index += 1
            }
            previousIsText = !line.trimmingCharacters(in: .whitespaces).isEmpty
            index += 1
        }
        return lines.joined(separator: "\n")
    }

    @Test("nested() rewrites exactly what the reference rewrites, on generated Markdown")
    func nestedSameAsReference() {
        let lines = ["# A", "## B", "### C", "#tag", "##", "   ## three spaces", "    ## code by indent", "text", "", " ", "\u{A0}", "\u{3000}",
                     "---", "===", "- item", "-- -", "--- \t", "--- \u{301}", "= =", "```", "```swift", "~~~", "````", "  ~~~  ", "``` x",
                     "e\u{301}", "\r", "a\r\nb", "\t## tab", "#\tx", "🙂"]
        var state: UInt64 = 2024
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        for _ in 0..<5_000 {
            let text = (0..<(next() % 10)).map { _ in lines[next() % lines.count] }.joined(separator: next() % 5 == 0 ? "\r\n" : "\n")
            #expect(MarkdownText.nested(text) == Self.nestedReference(text), "\(text.debugDescription)")
        }
    }

    /// A copy of the notes fixture in a temporary folder (tests change it).
    func copyNotes() throws -> URL {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("memvault-notes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        let folder = base.appendingPathComponent("notes")
        try FileManager.default.copyItem(at: Paths.fixtures.appendingPathComponent("notes"), to: folder)
        return folder
    }
}
