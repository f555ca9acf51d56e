import Foundation
import Testing

/// `memvault export > backup.jsonl`, then `memvault import backup.jsonl` into a new vault.
@Suite("Backup: export imports back")
struct BackupTests {
    static let env = ["MEMVAULT_DEBUG_SCRYPT_WORK_FACTOR": "10"]
    static let unlocked = env.merging(["MEMVAULT_PASSPHRASE_SECRET": "backup secret"]) { $1 }

    static func records(_ jsonl: String) throws -> [String] {
        try jsonl.split(separator: "\n").map { line in
            var object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            object["path"] = nil
            object["line"] = nil  // path and line numbers (also of tasks) are where the import put it
            object["tasks"] = (object["tasks"] as? [[String: Any]])?.map { $0.filter { $0.key != "line" } }
            return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }.sorted()
    }

    @Test("title-only, task-only and fence-only entries and an unlocked secret tier round-trip; a locked tier is named")
    func roundTrip() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let second = CLI(home: cli.home, vault: cli.home.appendingPathComponent("restored"))
        for target in [cli, second] {
            let made = try target.run(["init", target.vault.path, "--user", "alice"], in: cli.home, env: Self.unlocked)
            #expect(made.status == 0, "\(made.stderr)")
        }
        try cli.write("alice/general/2026-11.md", """
            ## 2026-11-02 10:00 · A title and nothing else

            ## 2026-11-03 10:00
            - [ ] only a task

            ## 2026-11-04 10:00 · Fence
            ```sh
            echo only a fence
            ```

            """)
        try cli.ok(["commit"])
        #expect(try cli.run(["add", "a secret note", "--tier", "secret"], env: Self.env).status == 0)

        let locked = try cli.run(["export"], env: Self.env)
        #expect(locked.status == 0)
        #expect(locked.stderr.contains("1 memories of locked tiers (secret) exported without their text"))
        let backup = try cli.run(["export"], env: Self.unlocked)
        #expect(backup.status == 0 && backup.stderr.isEmpty, "\(backup.stderr)")
        let imported = try second.run(["import", "-"], stdin: Array(backup.stdout.utf8), env: Self.unlocked)
        #expect(imported.status == 0, "\(imported.stderr)")
        let again = try second.run(["export"], env: Self.unlocked)
        #expect(try Self.records(again.stdout) == (try Self.records(backup.stdout)))
        #expect(try Self.records(backup.stdout).count == 4)
        // The locked export names why it does not import back.
        let third = CLI(home: cli.home, vault: cli.home.appendingPathComponent("third"))
        _ = try third.run(["init", third.vault.path, "--user", "alice"], in: cli.home, env: Self.unlocked)
        let refused = try third.run(["import", "-"], stdin: Array(locked.stdout.utf8), env: Self.unlocked)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("missing \"text\"") && refused.stderr.contains("unlock the tier"))
    }
}
