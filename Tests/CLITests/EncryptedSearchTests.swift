import Foundation
import Testing

/// `memvault search` over an encrypted tier through its encrypted index, end to end.
@Suite("Search of encrypted tiers through the encrypted index, end to end")
struct EncryptedSearchTests {
    static func ids(_ cli: CLI, _ query: String, env: [String: String]) throws -> (ids: [String], locked: [String]) {
        let response = try cli.json(try EncryptionTests.ok(cli, ["search", query, "--json", "--mode", "lexical"], env: env))
        let results = try #require(response["results"] as? [[String: Any]])
        return (results.compactMap { $0["id"] as? String }, response["locked"] as? [String] ?? [])
    }

    @Test("found while unlocked, again after an edit and a rotate; the encrypted file is ciphertext and a locked search leaves it alone")
    func encryptedSearch() throws {
        let cli = try EncryptionTests.vaultWithKeys()
        defer { cli.cleanup() }
        let marker = "Zq\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12))"
        let env = EncryptionTests.secretEnv("secret")
        let id = try EncryptionTests.ok(cli, ["add", "The locker code is \(marker) alpha", "--tier", "secret"])
        try EncryptionTests.ok(cli, ["add", "Another secret about the garden shed", "--tier", "secret"])

        #expect(try Self.ids(cli, "locker code", env: env).ids == [id])
        let encryptedIndexPath = ".memvault/cache/sealed/alice.secret.sealed"
        let encrypted = try #require(FileManager.default.contents(atPath: cli.vault.appendingPathComponent(encryptedIndexPath).path))
        #expect(encrypted.starts(with: Data("MVSEALED".utf8)))
        #expect(encrypted.range(of: Data(marker.utf8)) == nil)
        #expect(encrypted.range(of: Data("locker".utf8)) == nil)
        #expect(try Self.ids(cli, "locker code", env: env).ids == [id])

        let locked = try Self.ids(cli, "locker code", env: [:])
        #expect(locked.ids.isEmpty && locked.locked == ["secret"])
        #expect(FileManager.default.contents(atPath: cli.vault.appendingPathComponent(encryptedIndexPath).path) == encrypted)

        let edited = try EncryptionTests.run(cli, ["edit", id], env: env.merging(["EDITOR": "sed -i s/alpha/omega/"]) { $1 })
        #expect(edited.status == 0, "\(edited.stderr)")
        #expect(try Self.ids(cli, "omega", env: env).ids == [id])
        #expect(try Self.ids(cli, "alpha", env: env).ids.isEmpty)

        try EncryptionTests.ok(cli, ["rotate", "secret"], env: env)
        #expect(try Self.ids(cli, "omega locker", env: env).ids == [id])
        let after = try #require(FileManager.default.contents(atPath: cli.vault.appendingPathComponent(encryptedIndexPath).path))
        #expect(after != encrypted && after.range(of: Data(marker.utf8)) == nil)
    }
}
