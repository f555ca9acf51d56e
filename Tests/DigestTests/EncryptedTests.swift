import Digest
import Foundation
import Testing
import Vault

/// The encrypted section: quoted only when unlocked, never in the clear in the file.
@Suite struct EncryptedTests {
    static let passphrase = "correct horse battery staple"
    /// Extra environment of the test vaults (TempVault itself lowers the scrypt cost).
    static let fastKeys: [String: String] = [:]
    static let day = DigestDay(year: 2026, month: 11, day: 22)
    /// Text of the encrypted memories: none of it may appear in a digest file in the clear.
    static let markers = ["xyzzy", "Xyzzy", "crown", "bob", "plot", "Quux", "quux", "ledger", "Plugh", "plugh"]

    /// The fixture day, plus a secret and a confidential memory that day and a secret one a year before.
    static func vault() throws -> TempVault {
        let temp = try TempVault(records: fixtureDay, environment: fastKeys)
        for tier in [Tier.confidential, .secret] {
            try temp.vault.setPassphrase(user: "alice", tier: tier, old: nil, new: passphrase)
        }
        let records = [
            record("2026-11-22T10:00", "Xyzzy plan", "xyzzy hidden plan with @bob #plot\n\n- [ ] steal the crown\n- [x] find the map", tier: "secret"),
            record("2026-11-22T11:30", "Quux ledger", "quux ledger balanced #plot", tier: "confidential"),
            record("2025-11-22T08:00", "Plugh", "plugh a year ago", tier: "secret"),
        ]
        _ = try temp.vault.importRecords(Array(records.joined(separator: "\n").utf8), user: "alice")
        return temp
    }

    /// The vault opened again with both tiers unlocked through the environment.
    static func unlocked(_ temp: TempVault) throws -> Vault {
        try Vault(at: temp.root, environment: [
            "HOME": temp.root.path, "MEMVAULT_PASSPHRASE_SECRET": passphrase, "MEMVAULT_PASSPHRASE_CONFIDENTIAL": passphrase,
        ].merging(fastKeys) { $1 })
    }

    /// The armored block of the digest's encrypted section.
    static func block(_ digest: String) throws -> String {
        let body = try #require(section(digest, "Encrypted"))
        let start = try #require(body.range(of: "```age\n"))
        let end = try #require(body.range(of: "\n```\n", range: start.upperBound..<body.endIndex))
        return String(body[start.upperBound..<end.lowerBound]) + "\n"
    }

    @Test func unlockedTiersAreQuotedOnlyInsideTheEncryptedBlock() throws {
        let temp = try Self.vault()
        defer { temp.remove() }
        let vault = try Self.unlocked(temp)
        let path = try #require(try DigestBuilder(vault: vault, user: "alice", embedder: nil).write(Self.day, explicit: true))
        let digest = try String(contentsOf: vault.fileURL(path), encoding: .utf8)
        for marker in Self.markers { #expect(!digest.contains(marker), "\(marker) in the clear") }
        #expect(items(section(digest, "The day at a glance")).prefix(3) == [
            "- 5 memories: 2 chronological, 1 general, 1 confidential, 1 secret", "- 42 words written",
            "- 2 encrypted: quoted in the encrypted section",
        ])
        #expect(section(digest, "Encrypted")?.hasPrefix("\nQuotes the unlocked encrypted tiers; encrypted to the key of the highest tier it quotes.\n\n```age\n-----BEGIN AGE ENCRYPTED FILE-----\n") == true)
        #expect(digest.hasSuffix("-----END AGE ENCRYPTED FILE-----\n```\n"))

        // Decrypted with the secret tier's identity, the block holds the quoted memories.
        let plaintext = try #require(vault.decryptIfUnlocked(try Self.block(digest), user: "alice", tier: .secret))
        let block = try Self.block(digest)
        #expect(vault.decryptIfUnlocked(block, user: "alice", tier: .confidential) == nil)
        let memories = items(subsection(plaintext, "Memories"))
        #expect(memories.count == 2)
        #expect(memories[0].hasPrefix("- 10:00 [Xyzzy plan](../../secret/2026-11.md#2026-11-22-1000) · secret — xyzzy hidden plan"))
        #expect(memories[1].hasPrefix("- 11:30 [Quux ledger](../../confidential/2026-11.md#2026-11-22-1130) · confidential — quux ledger"))
        #expect(items(subsection(plaintext, "Open tasks")) == [
            "- [ ] steal the crown — [Xyzzy plan](../../secret/2026-11.md#2026-11-22-1000)",
        ])
        #expect(items(subsection(plaintext, "People and tags")) == ["- People: @bob (1)", "- Tags: #plot (2)"])
        #expect(items(subsection(plaintext, "On this day")) == [
            "- 2025 · [Plugh](../../secret/2025-11.md#2025-11-22-0800) · secret — plugh a year ago",
        ])
        // Nothing encrypted leaks into the plain sections.
        #expect(!items(section(digest, "Open tasks")).contains { $0.contains("crown") })
    }

    @Test func lockedTiersAreCountedOnly() throws {
        let temp = try Self.vault()
        defer { temp.remove() }
        let path = try #require(try temp.builder().write(Self.day, explicit: true))
        let digest = try String(contentsOf: temp.vault.fileURL(path), encoding: .utf8)
        for marker in Self.markers + ["secret/", "confidential/", "AGE"] { #expect(!digest.contains(marker), "\(marker) leaked") }
        #expect(section(digest, "Encrypted") == nil)
        #expect(items(section(digest, "The day at a glance")).prefix(3) == [
            "- 5 memories: 2 chronological, 1 general, 1 confidential, 1 secret", "- 42 words written",
            "- 2 encrypted: counted, not quoted",
        ])
    }

    @Test func rewritingAnUnchangedDigestLeavesTheFileAlone() throws {
        let temp = try Self.vault()
        defer { temp.remove() }
        let builder = DigestBuilder(vault: try Self.unlocked(temp), user: "alice", embedder: nil)
        let path = try #require(try builder.write(Self.day, explicit: true))
        let first = try Data(contentsOf: temp.vault.fileURL(path))
        // Age is randomized: a fresh encryption differs, so equal bytes mean the file was not rewritten.
        #expect(try builder.render(Self.day, explicit: true).map { Data($0.utf8) } != first)
        let again = DigestBuilder(vault: try Self.unlocked(temp), user: "alice", embedder: nil)
        #expect(try again.write(Self.day, explicit: true) == path)
        #expect(try Data(contentsOf: temp.vault.fileURL(path)) == first)
        // A changed encrypted memory changes the plaintext, so the section is encrypted anew.
        let more = record("2026-11-22T12:00", "Another", "another xyzzy", tier: "secret")
        _ = try temp.vault.importRecords(Array(more.utf8), user: "alice")
        try again.write(Self.day, explicit: true)
        let changed = try String(contentsOf: temp.vault.fileURL(path), encoding: .utf8)
        #expect(Data(changed.utf8) != first)
        let plaintext = again.vault.decryptIfUnlocked(try Self.block(changed), user: "alice", tier: .secret)
        #expect(plaintext?.contains("another xyzzy") == true)
    }

    @Test func clearRenderingIsTheSamePageDecrypted() throws {
        let temp = try Self.vault()
        defer { temp.remove() }
        let builder = DigestBuilder(vault: try Self.unlocked(temp), user: "alice", embedder: nil)
        let encrypted = try #require(try builder.render(Self.day, explicit: true))
        let clear = try #require(try builder.render(Self.day, explicit: true, encryptedSection: .clear))
        #expect(!clear.contains("BEGIN AGE") && clear.contains("xyzzy hidden plan"))
        let plaintext = try #require(builder.vault.decryptIfUnlocked(try Self.block(encrypted), user: "alice", tier: .secret))
        let cut = try #require(encrypted.range(of: "```age\n"))
        #expect(String(encrypted[..<cut.lowerBound]) + plaintext == clear)
    }

    @Test func aDayWithOnlyConfidentialIsEncryptedToConfidential() throws {
        let temp = try TempVault(records: [record("2026-11-22T09:00", "Plain", "plain words")], environment: Self.fastKeys)
        defer { temp.remove() }
        try temp.vault.setPassphrase(user: "alice", tier: .confidential, old: nil, new: Self.passphrase)
        _ = try temp.vault.importRecords(Array(record("2026-11-22T10:00", "Quux", "quux only", tier: "confidential").utf8), user: "alice")
        let vault = try Self.unlocked(temp)
        let digest = try #require(try DigestBuilder(vault: vault, user: "alice", embedder: nil).render(Self.day, explicit: true))
        #expect(section(digest, "Encrypted")?.hasPrefix("\nQuotes the unlocked encrypted tiers; encrypted to the key of the highest tier it quotes.") == true)
        #expect(vault.decryptIfUnlocked(try Self.block(digest), user: "alice", tier: .confidential)?.contains("quux only") == true)
    }
}

/// The body of the `### title` subsection of an encrypted section's plaintext.
func subsection(_ text: String, _ title: String) -> String? {
    for part in ("\n" + text).components(separatedBy: "\n### ").dropFirst() where part.hasPrefix(title + "\n") {
        return String(part.dropFirst(title.count + 1))
    }
    return nil
}
