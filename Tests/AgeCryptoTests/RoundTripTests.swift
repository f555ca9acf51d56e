import Foundation
import AgeCrypto
import Testing

@Suite("encrypt and decrypt round trips")
struct RoundTripTests {
    static let sizes = [0, 1, 65_535, 65_536, 65_537, 2 * 65_536, 1 << 20]

    static func pattern(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
    }

    @Test("X25519, armored and binary", arguments: sizes)
    func x25519(size: Int) throws {
        let identity = X25519Identity.generate()
        let plaintext = Self.pattern(size)
        for armor in [true, false] {
            let encrypted = try Age.encrypt(plaintext, to: [identity.recipient], armor: armor)
            #expect(encrypted.starts(with: Array((armor ? "-----BEGIN AGE ENCRYPTED FILE-----\n" : "age-encryption.org/v1\n").utf8)))
            #expect(try Age.decrypt(encrypted, with: [identity]) == plaintext)
        }
    }

    @Test("binary size is header + nonce + plaintext + one tag per 64 KiB chunk", arguments: sizes)
    func binarySize(size: Int) throws {
        let identity = X25519Identity.generate()
        let encrypted = try Age.encrypt(Self.pattern(size), to: [identity.recipient], armor: false)
        let headerEnd = try #require(encrypted.indices.first { encrypted[$0...].starts(with: Array("\n--- ".utf8)) })
        let chunks = max(1, (size + 65_535) / 65_536)
        #expect(encrypted.count == headerEnd + 5 + 43 + 1 + 16 + size + 16 * chunks)
    }

    @Test("several recipients: each identity decrypts; a stranger gets noMatch")
    func severalRecipients() throws {
        let identities = (0..<4).map { _ in X25519Identity.generate() }
        let plaintext = Array("several people can read this".utf8)
        let encrypted = try Age.encrypt(plaintext, to: identities.map(\.recipient))
        for identity in identities {
            #expect(try Age.decrypt(encrypted, with: [identity]) == plaintext)
        }
        #expect(try Age.decrypt(encrypted, with: [X25519Identity.generate(), identities[3]]) == plaintext)
        let error = #expect(throws: AgeError.self) { try Age.decrypt(encrypted, with: [X25519Identity.generate()]) }
        #expect(error?.kind == .noMatch)
    }

    @Test("scrypt: right passphrase decrypts, wrong one is wrongPassphrase, too costly is rejected at once")
    func scrypt() throws {
        let plaintext = Array("under a passphrase".utf8)
        let encrypted = try Age.encrypt(plaintext, to: [ScryptRecipient(passphrase: "correct horse", workFactor: 10)])
        #expect(try Age.decrypt(encrypted, with: [ScryptIdentity(passphrase: "correct horse")]) == plaintext)
        let wrong = #expect(throws: AgeError.self) {
            try Age.decrypt(encrypted, with: [ScryptIdentity(passphrase: "battery staple")])
        }
        #expect(wrong?.kind == .wrongPassphrase)
        let costly = #expect(throws: AgeError.self) {
            try Age.decrypt(encrypted, with: [ScryptIdentity(passphrase: "correct horse", maxWorkFactor: 9)])
        }
        #expect(costly?.kind == .headerFailure)
        #expect(costly?.message.contains("work factor 10") == true)
        let x25519 = #expect(throws: AgeError.self) { try Age.decrypt(encrypted, with: [X25519Identity.generate()]) }
        #expect(x25519?.kind == .noMatch)
    }

    @Test("invalid recipient sets are refused")
    func invalidRecipients() throws {
        let none = #expect(throws: AgeError.self) { try Age.encrypt([1], to: []) }
        #expect(none?.kind == .unsupported)
        let mixed = #expect(throws: AgeError.self) {
            try Age.encrypt([1], to: [ScryptRecipient(passphrase: "p", workFactor: 10), X25519Identity.generate().recipient])
        }
        #expect(mixed?.kind == .unsupported)
        let huge = #expect(throws: AgeError.self) {
            try Age.encrypt([1], to: [ScryptRecipient(passphrase: "p", workFactor: 64)])
        }
        #expect(huge?.kind == .unsupported)
    }

    @Test("armor round trip at every length modulo the line width", arguments: 0..<100)
    func armor(length: Int) throws {
        let bytes = Self.pattern(length * 7)
        let text = Age.armor(bytes)
        #expect(text.split(separator: "\n").allSatisfy { $0.count <= 64 })
        #expect(try Age.dearmor(Array(text.utf8)) == bytes)
        #expect(try Age.dearmor(Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)) == bytes)
    }

    @Test("streaming decryption delivers 64 KiB chunks in order")
    func streaming() throws {
        let identity = X25519Identity.generate()
        let plaintext = Self.pattern(3 * 65_536 + 5)
        let encrypted = try Age.encrypt(plaintext, to: [identity.recipient], armor: false)
        var sizes: [Int] = []
        var joined: [UInt8] = []
        try Age.decrypt(encrypted, with: [identity]) { chunk in
            sizes.append(chunk.count)
            joined += chunk
        }
        #expect(sizes == [65_536, 65_536, 65_536, 5])
        #expect(joined == plaintext)
    }
}
