import Foundation
import Testing

/// Obsidian opened on the vault, its daily-notes folder pointed at a tier folder: the files it
/// writes are the tier's files, and what Obsidian relies on (file names, headings it links to,
/// wiki links) stays as the person wrote it. The app itself is not run here; these are the files
/// it writes and reads.
@Suite("Obsidian's daily notes in a tier folder")
struct ObsidianTests {
    @Test("a daily note from a template with entry headings: memories, ids below the headings, links and headings untouched")
    func dailyNoteWithTemplate() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try #require(try cli.run(["init", cli.vault.path, "--user", "alice"]).status == 0)
        // What Obsidian's daily note writes with the template "## {{date}} {{time}}" (date
        // YYYY-MM-DD and time HH:mm are Obsidian's defaults), named by the date, then typed into.
        let note = "alice/chronological/2026-12-05.md"
        let written = """
            ## 2026-12-05 08:30 · Morning run

            Ran along the canal, 6 km, then coffee at the bakery. #running

            ## 2026-12-05 21:10

            Called Mama about Sunday; see [[2026-12-04#2026-12-04 19:00 · Dinner with Jana]] and [[Recipes|the lasagne]].

            """
        try cli.write(note, written)

        let commit = try cli.run(["commit"])
        #expect(commit.status == 0, "\(commit.stderr)")
        let after = try cli.read(note)
        // Every line the person (or Obsidian) wrote is still there, in order; only id lines were added.
        let lines = after.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.filter { $0.hasPrefix("<!-- id: ") }.count == 2, "\(after)")
        #expect(lines.filter { !$0.hasPrefix("<!-- id: ") }.joined(separator: "\n") == written, "\(after)")
        #expect(after.contains("## 2026-12-05 08:30 · Morning run\n"))
        #expect(after.contains("[[2026-12-04#2026-12-04 19:00 · Dinner with Jana]] and [[Recipes|the lasagne]]"))

        let check = try cli.run(["check"])
        #expect(check.status == 0 && !(check.stdout + check.stderr).contains("warning"), "\(check.stdout)\(check.stderr)")
        let memories = try #require(try cli.json(cli.run(["list", "--json"]).stdout)["memories"] as? [[String: Any]])
        #expect(memories.count == 2)
        #expect(memories.allSatisfy { ($0["date"] as? String)?.hasPrefix("2026-12-05") == true }, "\(memories)")
        let found = try cli.run(["search", "canal", "--mode", "lexical", "--json"])
        #expect(found.status == 0 && found.stdout.contains("Morning run"), "\(found.stdout)")
        #expect(try cli.git(["status", "--porcelain"]).output.isEmpty)
    }

    @Test("a daily note without entry headings (Obsidian's empty default) is kept as written, named by check, and holds no memory")
    func dailyNoteWithoutHeadings() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try #require(try cli.run(["init", cli.vault.path, "--user", "alice"]).status == 0)
        let note = "alice/chronological/2026-12-06.md"
        let written = "Walked to the lake with Jonas.\n\n- [ ] buy bread\n"
        try cli.write(note, written)
        let check = try cli.run(["check"])
        #expect(check.status == 0)
        #expect((check.stdout + check.stderr).contains("\(note):1: warning: text but no entry"), "\(check.stdout)\(check.stderr)")
        #expect(try cli.run(["commit"]).status == 0)
        #expect(try cli.read(note) == written)
        let memories = try #require(try cli.json(cli.run(["list", "--json"]).stdout)["memories"] as? [[String: Any]])
        #expect(memories.isEmpty)
    }
}
