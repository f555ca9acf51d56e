import Foundation
import Testing

/// watch records hand edits of a month's part file like those of any file of a tier folder.
@Suite("watch commits and indexes hand edits of a month's part file")
struct MonthPartWatchTests {
    @Test("a part file written by hand while watching: committed with ids, message naming it, searchable")
    func partFileEdited() throws {
        let cli = try WatchTests.vault()
        defer { cli.cleanup() }
        let before = try cli.commitCount()
        let watch = try WatchProcess(cli: cli, args: ["--quiet-period", "200ms"])
        #expect(watch.waitFor("watching"))
        try cli.write("alice/general/2026-11.part2.md", WatchTests.twoEntries)
        #expect(watch.waitForCommits(), "stdout: \(watch.stdout) stderr: \(watch.stderr)")
        #expect(watch.stop() == 0)
        #expect(try cli.commitCount() == before + 1)
        let message = try cli.git(["log", "-1", "--format=%s"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(message == "memvault: edit by hand: alice/general/2026-11.part2.md (+2 ~0 -0)")
        #expect(try cli.read("alice/general/2026-11.part2.md").components(separatedBy: "<!-- id: ").count == 3)
        let found = try cli.json(try cli.ok(["search", "porridge", "--mode", "lexical", "--json"]))
        let results = try #require(found["results"] as? [[String: Any]])
        #expect(results.first?["path"] as? String == "alice/general/2026-11.part2.md", "\(results)")
    }
}
