import Foundation
import Testing

@Suite("digest, end to end through the memvault binary")
struct DigestCommandTests {
    @Test("digest --date writes the day's page, commits it once, and says the same bytes again")
    func writesAndCommits() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok(["init", cli.vault.path, "--user", "alice"])
        try cli.ok(["import", CLI.packageRoot.appendingPathComponent("examples/alice.jsonl").path])
        let printed = try cli.ok(["digest", "--date", "2026-11-22", "--stdout"])
        #expect(printed.hasPrefix("# Digest 2026-11-22"))
        #expect(printed.contains("## Open tasks"))
        #expect(printed.contains("send Maria the Bauhaus book"))
        #expect(printed.contains("## On this day"))
        let commits = try cli.commitCount()
        try cli.ok(["digest", "--date", "2026-11-22"])
        #expect(try cli.commitCount() == commits + 1)
        #expect(try cli.read("alice/digests/2026/2026-11-22.md") == printed)
        #expect(try cli.git(["log", "-1", "--format=%s"]).output.hasPrefix("memvault: digest alice 2026-11-22"))
        try cli.ok(["digest", "--date", "2026-11-22"])
        #expect(try cli.commitCount() == commits + 1, "an unchanged digest makes no commit")
        // Digest pages are not memories.
        let status = try cli.json(try cli.ok(["status", "--json"]))
        #expect((status["users"] as? [String: [String: Int]])?["alice"]?.values.reduce(0, +) == 26)
        let bad = try cli.run(["digest", "--date", "2026-02-30"])
        #expect(bad.status == 1)
        #expect(bad.stderr.hasPrefix("memvault: error: "))
    }
}
