import Digest
import Foundation
import Testing
import Vault

/// A day in Berlin with known memories, tasks, mentions and tags, plus neighbours that must stay out.
let fixtureDay = [
    record("2026-11-22T09:15", "Coffee with Maria",
        "Had coffee with @maria near the museum. She talked about the textile archive. #friends\n\n- [ ] send Maria the Bauhaus book\n- [x] buy flowers"),
    record("2026-11-22T14:00", "Museum visit",
        "Visited @maria and @jonas at the museum; the textile archive is reorganised. #friends #art", tier: "general"),
    record("2026-11-22T20:30", "Groceries", "Bought bread. #errands\n\n- [ ] pay the electricity bill"),
    record("2026-03-08T10:00", "Dentist", "Teeth hurt.\n\n- [ ] call the dentist\n- [x] find a dentist"),
    record("2025-11-22T10:00", "Last year at the museum", "First visit to the textile museum with @maria."),
    record("2026-11-21T23:59", "Late night", "Still awake @night #late"),
    record("2026-11-23T00:01", "Early morning", "Up early @dawn #early"),
]

@Suite struct DigestTests {
    @Test func sectionsHoldExactlyTheDay() throws {
        let temp = try TempVault(records: fixtureDay)
        defer { temp.remove() }
        let digest = try #require(try temp.builder().render(DigestDay(year: 2026, month: 11, day: 22), explicit: true))
        #expect(digest.hasPrefix("# Digest 2026-11-22 · Sunday\n"))
        let titles = digest.split(separator: "\n").filter { $0.hasPrefix("## ") }
        #expect(titles == [
            "## The day at a glance", "## Highlights", "## Themes", "## Open tasks", "## People and tags",
            "## Connections", "## On this day",
        ])
        #expect(items(section(digest, "The day at a glance")) == [
            "- 3 memories: 2 chronological, 1 general",
            "- 42 words written",
            "- Busiest hours: 09:00 (1), 14:00 (1), 20:00 (1)",
        ])
        let highlights = items(section(digest, "Highlights"))
        #expect(highlights.count == 3)
        #expect(highlights.first?.hasPrefix("- 09:15 [Coffee with Maria](../../chronological/2026-11.md#2026-11-22-0915--coffee-with-maria) — Had coffee") == true)
        let themes = items(section(digest, "Themes"))
        #expect(themes.count == 1)
        #expect(themes.first?.contains("[Coffee with Maria]") == true && themes.first?.contains("[Museum visit]") == true)
        #expect(themes.first?.contains("Groceries") == false)
        let tasks = items(section(digest, "Open tasks"))
        #expect(tasks.count == 3)
        #expect(tasks[0].hasPrefix("- [ ] send Maria the Bauhaus book — [Coffee with Maria]("))
        #expect(tasks[1].hasPrefix("- [ ] pay the electricity bill — [Groceries]("))
        #expect(tasks[2].hasPrefix("- [ ] call the dentist — [Dentist](") && tasks[2].hasSuffix("(2026-03-08)"))
        #expect(!digest.contains("find a dentist"))
        #expect(items(section(digest, "People and tags")) == [
            "- People: @maria (2), @jonas (1)", "- Tags: #friends (2), #art (1), #errands (1)",
        ])
        let onThisDay = items(section(digest, "On this day"))
        #expect(onThisDay.count == 1)
        #expect(onThisDay.first?.hasPrefix("- 2025 · [Last year at the museum](") == true)
        let connections = items(section(digest, "Connections"))
        #expect(connections.contains { $0.contains("[Last year at the museum]") })
        #expect(!digest.contains("Late night") && !digest.contains("Early morning"))
    }

    @Test func encryptedTiersAreCountedNeverQuoted() throws {
        let temp = try TempVault(records: fixtureDay)
        defer { temp.remove() }
        let secret = """
            ## 2026-11-22 10:00 · Xyzzy plan
            <!-- id: 01M85T4CE7C4KK9Z -->

            -----BEGIN AGE ENCRYPTED FILE-----
            xyzzy hidden plan @bob #plot
            - [ ] steal the crown
            -----END AGE ENCRYPTED FILE-----

            """
        let url = temp.vault.fileURL("alice/secret/2026-11.md")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try secret.write(to: url, atomically: true, encoding: .utf8)
        #expect(try temp.vault.memories(user: "alice").contains { $0.tier == .secret })
        let digest = try #require(try temp.builder().render(DigestDay(year: 2026, month: 11, day: 22), explicit: true))
        #expect(items(section(digest, "The day at a glance")).prefix(3) == [
            "- 4 memories: 2 chronological, 1 general, 1 secret", "- 42 words written", "- 1 encrypted: counted, not quoted",
        ])
        for word in ["xyzzy", "Xyzzy", "crown", "bob", "plot", "AGE", "secret/"] { #expect(!digest.contains(word), "\(word) leaked") }
    }

    @Test func twoRunsGiveIdenticalBytes() throws {
        let temp = try TempVault(records: fixtureDay)
        defer { temp.remove() }
        let day = DigestDay(year: 2026, month: 11, day: 22)
        let path = try #require(try temp.builder().write(day, explicit: true))
        #expect(path == "alice/digests/2026/2026-11-22.md")
        let first = try Data(contentsOf: temp.vault.fileURL(path))
        let reopened = try Vault(at: temp.root, environment: ["HOME": temp.root.path])
        try DigestBuilder(vault: reopened, user: "alice", embedder: nil).write(day, explicit: true)
        #expect(try Data(contentsOf: temp.vault.fileURL(path)) == first)
        #expect(try temp.builder().render(day, explicit: true) == String(decoding: first, as: UTF8.self))
    }

    @Test func timeZoneEdgesLandOnTheirDays() throws {
        let temp = try TempVault(records: fixtureDay)
        defer { temp.remove() }
        let builder = temp.builder()
        let before = try #require(try builder.render(DigestDay(year: 2026, month: 11, day: 21), explicit: false))
        #expect(before.contains("[Late night]") && before.contains("- Busiest hours: 23:00 (1)"))
        #expect(!before.contains("Early morning") && !before.contains("Coffee"))
        let after = try #require(try builder.render(DigestDay(year: 2026, month: 11, day: 23), explicit: false))
        #expect(after.contains("[Early morning]") && after.contains("- Busiest hours: 00:00 (1)"))
        #expect(!after.contains("Late night"))
        // 23:30 UTC on the 22nd is 00:30 on the 23rd in Berlin.
        let utc = try TempVault(records: [record("2026-11-22T23:30:00Z", "Past midnight", "Berlin is a day ahead.")])
        defer { utc.remove() }
        #expect(try utc.builder().render(DigestDay(year: 2026, month: 11, day: 22), explicit: false) == nil)
        #expect(try utc.builder().render(DigestDay(year: 2026, month: 11, day: 23), explicit: false)?.contains("Past midnight") == true)
    }

    @Test func emptyDayOnlyWhenAskedFor() throws {
        let temp = try TempVault(records: fixtureDay)
        defer { temp.remove() }
        let day = DigestDay(year: 2026, month: 11, day: 10)
        #expect(try temp.builder().render(day, explicit: false) == nil)
        #expect(try temp.builder().render(day, explicit: true) == "# Digest 2026-11-10 · Tuesday\n\nNothing recorded on this day.\n")
    }

    @Test func sinceLastFillsEachMissingDay() throws {
        let temp = try TempVault(records: [
            record("2026-11-10T10:00", "Ten", "Day ten."),
            record("2026-11-12T10:00", "Twelve", "Day twelve."),
            record("2026-11-13T10:00", "Thirteen", "Day thirteen."),
            record("2026-11-15T10:00", "Fifteen", "Day fifteen."),
            record("2026-11-16T08:00", "Today", "Not yet digested."),
        ])
        defer { temp.remove() }
        let builder = temp.builder()
        try builder.write(DigestDay(year: 2026, month: 11, day: 11), explicit: true)
        // A hand-written file that is not a month file counts too.
        let notes = temp.vault.fileURL("alice/general/notes.md")
        try FileManager.default.createDirectory(at: notes.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "## 2026-11-14 10:00 · Fourteen\n\nWritten by hand.\n".write(to: notes, atomically: true, encoding: .utf8)
        let now = try DateBound.parse("2026-11-16 12:00", timeZone: temp.vault.config.timeZone, end: false)
        let written = try builder.writeSinceLast(now: now)
        #expect(written == [
            "alice/digests/2026/2026-11-12.md", "alice/digests/2026/2026-11-13.md", "alice/digests/2026/2026-11-14.md",
            "alice/digests/2026/2026-11-15.md",
        ])
        for path in written { #expect(FileManager.default.fileExists(atPath: temp.vault.fileURL(path).path)) }
        #expect(try builder.writeSinceLast(now: now).isEmpty)
        // The digests are not memories: they are neither listed nor flagged by check.
        #expect(try temp.vault.memories(user: "alice").count == 6)
    }

    @Test func everyLinkResolvesToAFileAndHeading() throws {
        let temp = try TempVault(records: fixtureDay)
        defer { temp.remove() }
        let path = try #require(try temp.builder().write(DigestDay(year: 2026, month: 11, day: 22), explicit: true))
        let digest = try String(contentsOf: temp.vault.fileURL(path), encoding: .utf8)
        let regex = try NSRegularExpression(pattern: #"\]\(([^)]+)\)"#)
        let matches = regex.matches(in: digest, range: NSRange(digest.startIndex..., in: digest))
        #expect(matches.count >= 10)
        let folder = temp.vault.fileURL(path).deletingLastPathComponent()
        for match in matches {
            let target = String(digest[Range(match.range(at: 1), in: digest)!])
            let parts = target.split(separator: "#", maxSplits: 1).map(String.init)
            let file = folder.appendingPathComponent(parts[0]).standardizedFileURL
            let text = try #require(try? String(contentsOf: file, encoding: .utf8), "missing file for \(target)")
            #expect(parts.count == 2, "no anchor in \(target)")
            #expect(Set(HeadingAnchors.anchors(of: text).values).contains(parts.last!), "no heading for \(target)")
        }
    }

    @Test func daysAreParsedStrictly() throws {
        #expect(try DigestDay(parsing: "2028-02-29") == DigestDay(year: 2028, month: 2, day: 29))
        for text in ["2026-02-29", "2026-13-01", "2026-11-2", "yesterday"] {
            #expect(throws: VaultError.self) { try DigestDay(parsing: text) }
        }
    }

    @Test func anchorsFollowGitHub() {
        #expect(HeadingAnchors.slug("2026-11-22 09:15 · Coffee with Maria") == "2026-11-22-0915--coffee-with-maria")
        #expect(HeadingAnchors.slug("Café: Ünter_den Linden!") == "café-ünter_den-linden")
        let anchors = HeadingAnchors.anchors(of: "# Notes\n\n## Same\ntext\n```\n## not a heading\n```\n## Same\n## Same ##\n")
        #expect(anchors == [1: "notes", 3: "same", 8: "same-1", 9: "same-2"])
        #expect(HeadingAnchors.relativePath(from: "alice/digests/2026/2026-11-22.md", to: "alice/general/2026-11.md")
            == "../../general/2026-11.md")
    }
}

@Suite struct ScanTests {
    /// A hand-written file with the cases a line scan could get wrong: a preamble, fenced code
    /// holding a heading and a task, a setext heading, tasks in nested lists and quotes, CRLF.
    static let handWritten = """
        Preamble mentioning 2026-11-22 and [ ] outside any entry.

        ## 2026-11-22 09:00 · Plain day entry

        Text of the day.

        ## 2026-05-01 10:00 · Fenced

        ```
        ## 2026-11-22 10:00 · not a heading, inside a fence
        - [ ] not a task, inside a fence
        ```

        ## 2026-03-01 10:00 · Nested open task
        - item
          - [ ] nested open task\r
        ## 2026-03-02 10:00 · Quoted task
        > - [ ] quoted task

        2026-11-22 11:00 · Setext
        ---

        Setext body.

        ## 2025-11-22 08:00 · Last year
        ~~~~
        ```
        ## 2026-11-23 00:00 · still inside the tilde fence
        ~~~~
        ## 2026-04-04 04:04 · Unrelated
        Nothing to see.

        """

    @Test func scanningFindsWhatAFullParseFinds() throws {
        let temp = try TempVault(records: fixtureDay)
        defer { temp.remove() }
        let url = temp.vault.fileURL("alice/general/notes.md")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Self.handWritten.write(to: url, atomically: true, encoding: .utf8)
        let needles = ["-11-21", "-11-22", "-11-23"]
        let scanned = try temp.vault.digestMemories(user: "alice", dateNeedles: needles) { date, _, open in
            open || (date.map { needles.contains(String(format: "-%02d-%02d", $0.month, $0.day)) } ?? false)
        }
        let parsed = try temp.vault.memories(user: "alice") { date, _, open in
            open || (date.map { needles.contains(String(format: "-%02d-%02d", $0.month, $0.day)) } ?? false)
        }
        #expect(scanned == parsed)
        let titles = scanned.filter { $0.path == "alice/general/notes.md" }.map { $0.title ?? "" }
        #expect(titles == ["Plain day entry", "Nested open task", "Last year"])
    }
}
