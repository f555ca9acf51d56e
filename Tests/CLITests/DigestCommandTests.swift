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

    @Test("unlocked secret and ultrasecret memories go into one block encrypted to ultrasecret; --stdout to a pipe stays encrypted")
    func encryptedSection() throws {
        let cli = try EncryptionTests.vaultWithKeys()
        defer { cli.cleanup() }
        let marker = "Zq\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12))"
        let records = """
            {"text": "plain words of the day", "tier": "general", "date": "2026-11-22 09:00"}
            {"text": "secret \(marker) one", "tier": "secret", "date": "2026-11-22 10:00"}
            {"text": "ultra \(marker) two", "tier": "ultrasecret", "date": "2026-11-22 11:00"}

            """
        #expect(try EncryptionTests.run(cli, ["import", "-"], stdin: Array(records.utf8)).status == 0)
        let unlocked = EncryptionTests.secretEnv("secret").merging(EncryptionTests.secretEnv("ultrasecret")) { $1 }
        let printed = try EncryptionTests.ok(cli, ["digest", "--date", "2026-11-22", "--stdout"], env: unlocked)
        #expect(!printed.contains(marker))
        #expect(printed.contains("- 2 encrypted: quoted in the encrypted section"))
        #expect(printed.contains("encrypted to the key of the highest tier it quotes.\n\n```age\n-----BEGIN AGE ENCRYPTED FILE-----"))

        try EncryptionTests.ok(cli, ["digest", "--date", "2026-11-22"], env: unlocked)
        let file = try cli.read("alice/digests/2026/2026-11-22.md")
        #expect(!file.contains(marker) && file.contains("-----END AGE ENCRYPTED FILE-----\n```\n"))
        let commits = try cli.commitCount()
        try EncryptionTests.ok(cli, ["digest", "--date", "2026-11-22"], env: unlocked)
        #expect(try cli.commitCount() == commits, "an unchanged encrypted section makes no commit")
        #expect(try cli.read("alice/digests/2026/2026-11-22.md") == file)

        // Locked, nothing is quoted; the secret memory is counted (an ultrasecret heading has no date).
        let locked = try EncryptionTests.ok(cli, ["digest", "--date", "2026-11-22", "--stdout"])
        #expect(!locked.contains(marker) && !locked.contains("## Encrypted"))
        #expect(locked.contains("- 1 encrypted: counted, not quoted"))
    }
}
