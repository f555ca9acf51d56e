import Foundation
import MarkdownCodec
import SearchIndex
import SyntheticExports
import Testing
import Vault
@testable import Importers

/// A month with more text than one vault file may hold continues in parts (`2026-11.part2.md`),
/// for every writer; every reader takes them.
@Suite("Heavy months continue in part files: import, add, mv, edit; read, searched, exported, checked")
struct MonthPartTests {
    /// The `.md` files of a tier folder of alice, sorted by name.
    static func files(_ t: TestVault, _ tier: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: t.root.appendingPathComponent("alice/\(tier)").path)
            .filter { $0.hasSuffix(".md") }.sorted()
    }

    static func size(_ t: TestVault, _ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: t.root.appendingPathComponent(path).path)[.size] as? NSNumber).intValue
    }

    @Test("an import with more than the threshold in one month lands in several files: all read, searched, exported; check clean; re-import adds nothing")
    func importFillsParts() throws {
        let t = try TestVault()
        defer { t.cleanup() }
        // About 170 conversations of 58 KB, all created on 2020-01-01: about 10 MB in one month.
        let export = t.home.appendingPathComponent("conversations.json")
        let conversations = try SyntheticExport.writeChatGPT(to: export, bytes: 10_000_000, shape: .init(days: 1))
        let commits = try t.commitCount()
        let summary = try t.importExport(.chatgpt, export.path, tier: .general)
        #expect(summary.added == conversations)
        #expect(try t.commitCount() == commits + 1, "one commit for the whole import")

        // The month file and its parts, numbered without gaps, each under the threshold.
        let names = try Self.files(t, "general")
        #expect(names.count >= 3, "\(names)")
        #expect(names == ["2020-01.md"] + (2...max(2, names.count)).prefix(names.count - 1).map { "2020-01.part\($0).md" })
        var total = 0
        for name in names {
            let size = try Self.size(t, "alice/general/\(name)")
            total += size
            #expect(size <= MonthFiles.partThreshold, "\(name) holds \(size) bytes")
        }
        #expect(total > 2 * MonthFiles.partThreshold)
        // The bytewise order of the names is the order of the parts (2020-01.md first).
        #expect(names.sorted() == names)

        // Every conversation reads back, from the file it is in; each part holds dates of its month only.
        let memories = try t.memories()
        #expect(memories.count == conversations)
        #expect(Set(memories.map(\.path)) == Set(names.map { "alice/general/\($0)" }))
        #expect(memories.allSatisfy { $0.date?.hasPrefix("2020-01-01") == true }, "\(memories.first?.date ?? "")")
        let last = try #require(memories.first { $0.path == "alice/general/\(names.last!)" })
        #expect(try t.vault.show(id: last.id).text == last.text)

        // Searched: a conversation of the last part is found by its title.
        let title = try #require(last.title)
        let found = try t.vault.search(SearchRequest(query: title, k: 3, mode: .lexical), user: "alice", embedder: nil)
        #expect(found.results.map(\.id).contains(last.id), "\(title): \(found.results.map(\.id))")
        // Completed: shell completion of ids (from the index the search built) offers it.
        #expect(t.vault.completions(.id, prefix: String(last.id.prefix(12))).contains(last.id))

        // Exported: all of them, with their text.
        let exported = try t.vault.exportMemories(user: "alice")
        #expect(exported.count == conversations)
        #expect(exported.allSatisfy { $0.text?.isEmpty == false })

        // check: every file read, no problem.
        let report = try t.vault.check(fix: false)
        #expect(report.filesChecked == names.count)
        #expect(report.entriesChecked == conversations)
        #expect(report.problems.isEmpty, "\(report.problems)")

        // The same export again: nothing added, nothing written, no commit.
        let before = try t.snapshot()
        try t.reopen()
        let again = try t.importExport(.chatgpt, export.path, tier: .general)
        #expect(again.added == 0 && again.updated == 0 && again.skipped == conversations)
        #expect(try t.snapshot() == before)
        #expect(try t.commitCount() == commits + 1)
    }

    /// A hand-written month file just over the threshold (five entries of about 850 KB), committed.
    static func fullMonth(_ t: TestVault, tier: String = "general") throws -> String {
        var text = ""
        for n in 1...5 {
            text += "## 2026-11-0\(n) 09:00 · Long notes \(n)\n<!-- id: 01JD3K9X2F7Q8R\(String(format: "%02d", n)) -->\n\n"
            for line in 0..<1600 { text += SyntheticExport.prose(n &* 1000 &+ line, words: 80) + "\n" }
            text += "\n"
        }
        let path = "alice/\(tier)/2026-11.md"
        try Data(text.utf8).write(to: t.root.appendingPathComponent(path))
        try run("/usr/bin/git", ["add", path], in: t.root)
        try run("/usr/bin/git", ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "a long month"], in: t.root)
        return path
    }

    @Test("add, JSON Lines import and mv write to the month's next part once its file is full; edit in place stays; `edit` opens the last part")
    func everyWriterUsesParts() throws {
        let t = try TestVault()
        defer { t.cleanup() }
        let month = try Self.fullMonth(t)
        let fullSize = try Self.size(t, month)
        #expect(fullSize > MonthFiles.partThreshold && fullSize < 16 << 20)
        try t.reopen()
        let vault = t.vault
        let november = EntryDate(year: 2026, month: 11, day: 20, hour: 12, minute: 0)

        // add (what MCP's memory_add calls too): the full file is left alone, part 2 begins.
        let added = try vault.add(NewMemory(text: "Lunch with Maria at the harbour.", tier: .general, date: november), user: "alice")
        #expect(added.path == "alice/general/2026-11.part2.md")
        #expect(try Self.size(t, month) == fullSize)
        let second = try vault.add(NewMemory(text: "Evening at the piano.", tier: .general, date: november), user: "alice")
        #expect(second.path == "alice/general/2026-11.part2.md")

        // import FILE.jsonl: the same rule.
        let ids = try vault.importRecords(Array(#"{"text": "Imported line about the river.", "date": "2026-11-21 10:00", "tier": "general"}"#.utf8), user: "alice")
        #expect(try vault.show(id: ids[0]).path == "alice/general/2026-11.part2.md")

        // mv into the full month's tier: to the part that takes new memories.
        let elsewhere = try vault.add(NewMemory(text: "Train to the coast.", tier: .chronological, date: november), user: "alice")
        #expect(elsewhere.path == "alice/chronological/2026-11.md")
        let moved = try vault.move(id: elsewhere.id, to: .general)
        #expect(moved.path == "alice/general/2026-11.part2.md")

        // An edit in place stays in its file, even the full one.
        let (text, old) = try vault.entryText(id: "01JD3K9X2F7Q8R01")
        #expect(old.path == month)
        let edited = try #require(try vault.replaceEntry(id: "01JD3K9X2F7Q8R01", original: text, newText: text + "\nOne more line.\n"))
        #expect(edited.path == month)

        // `edit` without an id opens where new memories of this month go.
        let inNovember = DateText.instant(november, timeZone: vault.config.timeZone)
        #expect(vault.currentFilePath(user: "alice", tier: .general, now: inNovember) == "alice/general/2026-11.part2.md")
        #expect(vault.currentFilePath(user: "alice", tier: .secret, now: inNovember) == "alice/secret/2026-11.md")

        // Everything reads back; check is clean.
        #expect(try vault.memories(user: "alice").count == 5 + 4)
        let report = try vault.check(fix: false)
        #expect(report.problems.isEmpty, "\(report.problems)")
    }

    @Test("a change that would take a file past the 16 MiB a reader takes is refused, nothing written")
    func neverPastTheFileLimit() throws {
        let t = try TestVault()
        defer { t.cleanup() }
        // A hand-made file just under the limit (entries of about 1 MB): an edit in place that
        // grows one by 600 KB cannot stay in it.
        var text = ""
        var entry = 0
        var line = 0
        while text.utf8.count < (16 << 20) - 300_000 {
            if line % 1800 == 0 {
                entry += 1
                text += "\n## 2026-10-\(String(format: "%02d", entry)) 09:00 · Huge notes \(entry)\n<!-- id: 01JD3K9X2F7Q8S\(String(format: "%02d", entry)) -->\n\n"
            }
            text += SyntheticExport.prose(line, words: 80) + "\n"
            line += 1
        }
        let path = "alice/general/2026-10.md"
        try Data(text.utf8).write(to: t.root.appendingPathComponent(path))
        try run("/usr/bin/git", ["add", path], in: t.root)
        try run("/usr/bin/git", ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "a huge month"], in: t.root)
        let size = try Self.size(t, path)
        #expect(size < 16 << 20 && size > (16 << 20) - 400_000, "\(size)")
        try t.reopen()
        let before = try t.snapshot()
        let (raw, _) = try t.vault.entryText(id: "01JD3K9X2F7Q8S01")
        let growth = String(repeating: SyntheticExport.prose(7, words: 80) + "\n", count: 600_000 / 500)
        #expect {
            try t.vault.replaceEntry(id: "01JD3K9X2F7Q8S01", original: raw, newText: raw + "\n" + growth)
        } throws: { error in
            (error as? VaultError)?.message.contains("over the 16777216 a vault file may hold") == true
        }
        #expect(try t.snapshot() == before)
        // A new memory of that month goes to a part instead.
        let added = try t.vault.add(NewMemory(text: "A short one.", tier: .general, date: EntryDate(year: 2026, month: 10, day: 30)), user: "alice")
        #expect(added.path == "alice/general/2026-10.part2.md")
    }

    @Test("commit refuses to encrypt hand-written entries when that would take the file past 16 MiB; nothing written")
    func commitNeverPastTheFileLimit() throws {
        let t = try TestVault(passphrase: "parts")
        defer { t.cleanup() }
        // 12.6 MB of plain entries written by hand into the confidential tier: armored, a third more.
        var text = ""
        var entry = 0
        var line = 0
        while text.utf8.count < 12_600_000 {
            if line % 1800 == 0 {
                entry += 1
                text += "\n## 2026-10-\(String(format: "%02d", entry)) 09:00 · Private notes \(entry)\n\n"
            }
            text += SyntheticExport.prose(line, words: 80) + "\n"
            line += 1
        }
        let path = "alice/confidential/2026-10.md"
        try Data(text.utf8).write(to: t.root.appendingPathComponent(path))
        let commits = try t.commitCount()
        #expect {
            try t.vault.commitDirectEdits(message: "notes")
        } throws: { error in
            (error as? VaultError)?.message.contains("a vault file may hold") == true && (error as? VaultError)?.location == path
        }
        #expect(try String(contentsOf: t.root.appendingPathComponent(path), encoding: .utf8) == text, "the file is as the person wrote it")
        #expect(try t.commitCount() == commits)
    }
}
