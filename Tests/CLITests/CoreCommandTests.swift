import Foundation
import Testing

@Suite("Core commands, end to end through the memvault binary")
struct CoreCommandTests {
    @Test("init, add, list, show, rm: one commit per change, stock git accepts the result")
    func everydayFlow() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok(["init", cli.vault.path, "--user", "alice"])
        #expect(FileManager.default.fileExists(atPath: cli.vault.appendingPathComponent("memvault.toml").path))
        #expect(try cli.read(".gitignore").contains(".memvault/cache/"))
        #expect(try cli.commitCount() == 1)

        let id = try cli.ok(["add", "Had coffee with Maria; she starts at the museum in January. #friends @maria",
                             "--date", "2026-11-22 14:03", "--title", "Coffee with Maria"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(id.count == 16)
        let file = try cli.read("alice/chronological/2026-11.md")
        #expect(file.hasPrefix("## 2026-11-22 14:03 · Coffee with Maria\n<!-- id: \(id) src: cli -->\n\nHad coffee with Maria"))
        #expect(try cli.commitCount() == 2)
        #expect(try cli.git(["log", "-1", "--format=%s"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
            == "memvault: add chronological \(id)")

        let health = try cli.ok(["add", "-", "--tier", "general", "--title", "Health", "--date", "2026-11-23"],
                                stdin: Array("Allergic to penicillin\n".utf8)).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try cli.read("alice/general/2026-11.md").contains("Allergic to penicillin"))

        let list = try cli.json(try cli.ok(["list", "--since", "2026-11-01", "--json"]))
        let memories = try #require(list["memories"] as? [[String: Any]])
        #expect(memories.map { $0["id"] as? String } == [health, id])  // newest first

        let shown = try cli.json(try cli.ok(["show", id, "--json"]))
        #expect(shown["tier"] as? String == "chronological")
        #expect(shown["title"] as? String == "Coffee with Maria")
        #expect(shown["date"] as? String == "2026-11-22T14:03:00+01:00")
        #expect(shown["path"] as? String == "alice/chronological/2026-11.md")
        #expect(shown["line"] as? Int == 1)
        #expect(shown["tags"] as? [String] == ["friends"])
        #expect(shown["mentions"] as? [String] == ["maria"])
        #expect(shown["src"] as? String == "cli")

        try cli.ok(["rm", health])
        #expect(try !cli.read("alice/general/2026-11.md").contains("penicillin"))
        #expect(try cli.commitCount() == 4)
        #expect(try cli.run(["show", health]).status == 1)
        let fsck = try cli.git(["fsck", "--strict"])
        #expect(fsck.status == 0, "\(fsck.output)")
        #expect(try cli.git(["status", "--porcelain"]).output.isEmpty)
    }

    @Test("import keeps src and meta through show and export; export re-imports with the same ids")
    func importExportRoundTrip() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok(["init", cli.vault.path, "--user", "alice"])
        let records = """
            {"text": "Had coffee with Maria", "tier": "general", "date": "2023-05-08T13:56:00Z", "title": "Coffee", "tags": ["friends"], "src": "chat:D1:3", "meta": {"any": "string", "odd key": "quotes \\" and --> and\\nnewline"}}

            {"text": "Second memory", "date": "2023-05-09"}
            {"text": "Third, with a task\\n- [ ] call Bob", "tier": "chronological", "date": "2023-06-01 09:30"}
            """
        let before = try cli.commitCount()
        try cli.ok(["import", "-"], stdin: Array(records.utf8))
        #expect(try cli.commitCount() == before + 1)
        let list = try #require(try cli.json(try cli.ok(["list", "--json"]))["memories"] as? [[String: Any]])
        #expect(list.count == 3)
        let coffee = try #require(list.first { $0["title"] as? String == "Coffee" })
        let id = try #require(coffee["id"] as? String)
        let shown = try cli.json(try cli.ok(["show", id, "--json"]))
        #expect(shown["src"] as? String == "chat:D1:3")
        #expect(shown["meta"] as? [String: String] == ["any": "string", "odd key": "quotes \" and --> and\nnewline"])
        #expect(shown["date"] as? String == "2023-05-08T15:56:00+02:00")
        #expect(shown["tags"] as? [String] == ["friends"])
        let third = try #require(list.first { ($0["text"] as? String)?.hasPrefix("Third") == true })
        let tasks = try #require(third["tasks"] as? [[String: Any]])
        #expect(tasks.count == 1 && tasks[0]["text"] as? String == "call Bob" && tasks[0]["checked"] as? Bool == false)

        let export = try cli.ok(["export", "--format", "jsonl"])
        let lines = export.split(separator: "\n")
        #expect(lines.count == 3)

        // A second vault imports the export: same ids, same src and meta.
        let second = cli.home.appendingPathComponent("second")
        try cli.ok(["init", second.path, "--user", "alice"])
        let result = try cli.run(["import", "--vault", second.path, "-"], stdin: Array(export.utf8))
        #expect(result.status == 0, "\(result.stderr)")
        let again = try cli.run(["export", "--vault", second.path])
        #expect(again.stdout == export)
    }

    @Test("check --fix inserts only id lines; commit records direct edits")
    func handEditedFiles() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok(["init", cli.vault.path, "--user", "alice"])
        let handWritten = "## 2026-11-20 09:00 · Hand written\r\nNo id here, CRLF lines.\r\n\r\n##   2026-11-21 10:15   odd spacing\r\n- [x] done\r\n- [ ] open task\r\n"
        try cli.write("alice/general/2026-11.md", handWritten)
        let check = try cli.run(["check"])
        #expect(check.stdout.contains("has no id"))
        try cli.ok(["check", "--fix"])
        let fixed = try cli.read("alice/general/2026-11.md")
        // Removing the inserted id lines gives back the exact original bytes.
        let lines = fixed.components(separatedBy: "\r\n")
        let idLines = lines.filter { $0.hasPrefix("<!-- id: ") }
        #expect(idLines.count == 2)
        #expect(lines.filter { !$0.hasPrefix("<!-- id: ") }.joined(separator: "\r\n") == handWritten)
        let before = try cli.commitCount()
        #expect(try cli.ok(["commit"]).contains("committed 1 file"))
        #expect(try cli.commitCount() == before + 1)
        #expect(try cli.ok(["commit"]).contains("nothing to commit"))
        #expect(try cli.git(["status", "--porcelain"]).output.isEmpty)
        // A second check --fix changes nothing.
        try cli.ok(["check", "--fix"])
        #expect(try cli.read("alice/general/2026-11.md") == fixed)
    }

    @Test("edit ID replaces only that memory and commits")
    func editWithEditor() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok(["init", cli.vault.path, "--user", "alice"])
        let first = try cli.ok(["add", "first memory", "--tier", "general", "--date", "2026-11-01 08:00"]).trimmingCharacters(in: .newlines)
        let second = try cli.ok(["add", "second memory", "--tier", "general", "--date", "2026-11-02 08:00"]).trimmingCharacters(in: .newlines)
        let before = try cli.read("alice/general/2026-11.md")
        let script = cli.home.appendingPathComponent("editor.sh")
        try Data("#!/bin/sh\nsed -i 's/second memory/second memory, edited/' \"$1\"\n".utf8).write(to: script)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        let result = try cli.run(["edit", second], env: ["EDITOR": script.path, "VISUAL": ""])
        #expect(result.status == 0, "\(result.stderr)")
        let after = try cli.read("alice/general/2026-11.md")
        #expect(after == before.replacingOccurrences(of: "second memory", with: "second memory, edited"))
        #expect(try cli.git(["log", "-1", "--format=%s"]).output.contains("memvault: edit general \(second)"))
        _ = first
    }

    @Test("status summarizes counts, locked tiers and git state")
    func status() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok(["init", cli.vault.path, "--user", "alice"])
        try cli.ok(["add", "one", "--tier", "general"])
        try cli.ok(["add", "two"])
        let status = try cli.json(try cli.ok(["status", "--json"]))
        let users = try #require(status["users"] as? [String: [String: Int]])
        #expect(users["alice"] == ["general": 1, "chronological": 1])
        // A fresh vault has no tier keys yet: those tiers are keyless, not locked.
        #expect(status["locked"] as? [String] == [])
        #expect(status["no_key"] as? [String] == ["confidential", "secret", "ultrasecret"])
        let git = try #require(status["git"] as? [String: Any])
        #expect(git["branch"] as? String == "main")
        #expect((git["uncommitted"] as? [String])?.isEmpty == true)
    }

    @Test("status counts the errors check reports, not its warnings (a credential in a plain tier is one)")
    func statusCountsCheckErrors() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok(["init", cli.vault.path, "--user", "alice"])
        let id = try cli.ok(["add", "one", "--tier", "general"]).trimmingCharacters(in: .whitespacesAndNewlines)
        // A hand-edited file: the same id again (an error), conflict markers (errors), a password (a warning).
        try cli.write("alice/chronological/2026-01.md", """
            ## 2026-01-02 10:00
            <!-- id: \(id) -->
            copied by hand

            ## 2026-01-03 10:00
            <<<<<<< HEAD
            mine
            =======
            theirs
            >>>>>>> other

            ## 2026-01-04 10:00
            my password: Tr0ub4dor&3xyz

            """)
        let report = try cli.json(try cli.run(["check", "--json"]).stdout)
        let problems = (report["problems"] as? [[String: Any]]) ?? []
        let errors = problems.filter { $0["severity"] as? String == "error" }.count
        #expect(errors >= 4 && problems.count > errors, "\(problems)")
        let status = try cli.json(try cli.ok(["status", "--json"]))
        #expect(status["problems"] as? Int == errors)
        #expect((status["users"] as? [String: [String: Int]])?["alice"] == ["general": 1, "chronological": 3])
        #expect((status["index"] as? [String: Any])?["total"] as? Int == 4)
    }

    @Test("the vault is found from a subfolder, from MEMVAULT_DIR, and from --vault")
    func vaultDiscovery() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok(["init", cli.vault.path, "--user", "alice"])
        let sub = cli.vault.appendingPathComponent("alice/general")
        #expect(try cli.run(["status"], in: sub).status == 0)
        #expect(try cli.run(["status"], in: cli.home, env: ["MEMVAULT_DIR": cli.vault.path]).status == 0)
        #expect(try cli.run(["status", "--vault", cli.vault.path], in: cli.home).status == 0)
        let missing = try cli.run(["status"], in: cli.home)
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("memvault: error: no vault here or above"))
    }

    /// `add` stamps a memory with the machine's clock as the C library reads the zone (`TZ`), and
    /// `--json` gives its offset; the same minute and offset Foundation gives for that zone.
    @Test("add without --date writes the machine zone's wall clock, and its offset in the JSON", arguments: [
        "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "UTC",
    ])
    func machineZone(zone: String) throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok(["init", cli.vault.path, "--user", "alice"])
        let before = Date()
        let result = try cli.run(["add", "Stamped by the clock", "--tier", "general", "--json"], env: ["TZ": zone])
        let after = Date()
        #expect(result.status == 0, "\(result.stderr)")
        let memory = try cli.json(result.stdout)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: zone))
        // The minute of either end of the run (the add may cross a minute's edge).
        let expected = [before, after].map { instant -> String in
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: instant)
            let offset = calendar.timeZone.secondsFromGMT(for: instant) / 60
            return String(format: "%04d-%02d-%02dT%02d:%02d:00%@%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!,
                offset < 0 ? "-" : "+", abs(offset) / 60, abs(offset) % 60)
        }
        let date = try #require(memory["date"] as? String)
        #expect(expected.contains(date), "\(date) not in \(expected)")
        // The heading holds the same wall clock.
        let path = try #require(memory["path"] as? String)
        let heading = "## " + date.prefix(10) + " " + date.dropFirst(11).prefix(5)
        #expect(try cli.read(path).contains(heading))
    }

    /// The offset of a heading's wall clock in the machine's zone, read through the C library, is
    /// the one Foundation's calendar gives it, also for the hour a summer time begins (skipped)
    /// or ends (repeated).
    @Test("a heading's offset in the machine zone matches Foundation's around summer-time changes", arguments: [
        ("Europe/Berlin", ["2026-03-29 02:30", "2026-10-25 02:30", "2026-10-25 01:59", "2026-10-25 03:00", "2026-07-01 12:00"]),
        ("America/New_York", ["2026-03-08 02:30", "2026-11-01 01:30", "2026-01-15 23:59"]),
        ("Australia/Lord_Howe", ["2026-04-05 01:45", "2026-10-04 02:15"]),
    ])
    func machineZoneTransitions(zone: String, times: [String]) throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok(["init", cli.vault.path, "--user", "alice"])
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: zone))
        for time in times {
            let result = try cli.run(["add", "At \(time)", "--tier", "general", "--date", time, "--json"], env: ["TZ": zone])
            #expect(result.status == 0, "\(result.stderr)")
            let numbers = time.split(whereSeparator: { !$0.isNumber }).map { Int($0)! }
            var wall = DateComponents(year: numbers[0], month: numbers[1], day: numbers[2], hour: numbers[3], minute: numbers[4])
            wall.calendar = calendar
            let offset = calendar.timeZone.secondsFromGMT(for: try #require(calendar.date(from: wall))) / 60
            let expected = time.prefix(10) + "T" + time.suffix(5) + ":00" + String(format: "%@%02d:%02d", offset < 0 ? "-" : "+", abs(offset) / 60, abs(offset) % 60)
            #expect(try cli.json(result.stdout)["date"] as? String == expected, "\(zone) \(time)")
        }
    }
}
