import Foundation
import Testing
@testable import Vault

@Suite("Vault: trusted keys and settings, user names")
struct TrustAndNamesTests {
    static let pins = TrustPins(
        users: ["alice"], defaultTier: .secret, ignoredPaths: [".memvault/cache/"],
        recipients: ["alice/secret": "age1old"])

    @Test("a changed, added or removed recipient is a change of that tier only")
    func recipientChanges() {
        var now = Self.pins
        now.recipients["alice/secret"] = "age1new"
        now.recipients["alice/confidential"] = "age1conf"
        let changes = Vault.changes(from: Self.pins, to: now)
        #expect(changes.map(\.kind) == [.recipientAdded, .recipientChanged])
        #expect(changes.allSatisfy { $0.isTierScoped })
        #expect(changes[1].path == ".memvault/keys/alice/secret.pub")
        #expect(changes[1].description.contains("age1old → age1new"))
        now.recipients = [:]
        #expect(Vault.changes(from: Self.pins, to: now).map(\.kind) == [.recipientRemoved])
    }

    @Test("a lowered default tier, a new user and changed ignored paths are vault-wide changes; a raised tier is none")
    func settingChanges() {
        var now = Self.pins
        now.defaultTier = .ultrasecret
        #expect(Vault.changes(from: Self.pins, to: now).isEmpty)
        now.defaultTier = .general
        now.users.append("mallory")
        now.ignoredPaths.append("alice/")
        let changes = Vault.changes(from: Self.pins, to: now)
        #expect(changes.map(\.kind) == [.userAdded, .defaultTierLowered, .ignoredPathsChanged])
        #expect(!changes.contains { $0.isTierScoped })
        #expect(changes[1].description == "default_tier lowered from secret to general (memvault.toml)")
    }

    @Test("pins round-trip through JSON with snake-case keys")
    func pinsJSON() throws {
        let data = try JSONEncoder().encode(Self.pins)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"default_tier\":\"secret\""))
        #expect(try JSONDecoder().decode(TrustPins.self, from: data) == Self.pins)
    }

    @Test("user names are limited in UTF-8 bytes of their NFC form, not characters")
    func byteLimit() throws {
        try UserName.validate(String(repeating: "a", count: 64))
        try UserName.validate(String(repeating: "ë", count: 32))
        #expect { try UserName.validate(String(repeating: "ë", count: 33)) } throws: {
            ($0 as? VaultError)?.message.contains("66 bytes") == true
        }
        #expect(throws: VaultError.self) { try UserName.validate(String(repeating: "e\u{0301}\u{0323}", count: 64)) }
        #expect(UserName.normalized("zoe\u{0308}") == "zo\u{00EB}")
    }

    @Test("names that collide case-folded or by look-alike letters are refused",
          arguments: ["Alice", "ALICE", "аlice", "αlice", "Alicé", "a1ice", "AIice"])
    func collisions(name: String) {
        #expect { try UserName.checkCollision(name, with: ["alice", "bob"]) } throws: {
            ($0 as? VaultError)?.message.contains("looks like the existing user 'alice'") == true
        }
    }

    @Test("distinct names pass", arguments: ["alicia", "bobby", "ali", "lan"])
    func distinct(name: String) throws {
        try UserName.checkCollision(name, with: ["alice", "bob", "ian"])
    }
}
