import AgeCrypto
import Foundation
import Testing

/// Decryption split in two, as the key agent does it: stanzas → file key (with the identity),
/// then file key → plaintext (without it).
@Suite("file keys: unwrap from stanzas, decrypt with a given file key")
struct FileKeyTests {
    static let plaintext = Array("split decryption".utf8) + [UInt8](repeating: 0x61, count: 70_000)

    @Test("the key unwrapped from a file's stanzas decrypts it, armored and binary, with several recipients")
    func splitDecryption() throws {
        let first = X25519Identity.generate(), second = X25519Identity.generate()
        for armor in [true, false] {
            let file = try Age.encrypt(Self.plaintext, to: [first.recipient, second.recipient], armor: armor)
            let stanzas = try Age.recipientStanzas(of: file)
            #expect(stanzas.map(\.type) == ["X25519", "X25519"])
            #expect(stanzas.allSatisfy { $0.body.count == 32 && $0.arguments.count == 2 })
            for identity in [first, second] {
                let key = try Age.unwrapFileKey(from: stanzas, with: [identity])
                #expect(key.bytes.count == 16)
                #expect(try Age.decrypt(file, fileKey: key) == Self.plaintext)
                #expect(try AgeFileKey(bytes: key.bytes).bytes == key.bytes)
            }
            // A grease stanza in front changes nothing.
            let greased = [AgeStanza(arguments: ["grease-type", "x"], body: [1, 2, 3])] + stanzas
            #expect(try Age.decrypt(file, fileKey: Age.unwrapFileKey(from: greased, with: [second])) == Self.plaintext)
        }
    }

    @Test("another identity gets noMatch; a key of another file fails the header MAC; malformed stanzas are header failures")
    func failures() throws {
        let identity = X25519Identity.generate(), stranger = X25519Identity.generate()
        let file = try Age.encrypt(Self.plaintext, to: [identity.recipient])
        let other = try Age.encrypt(Self.plaintext, to: [identity.recipient])
        let stanzas = try Age.recipientStanzas(of: file)
        #expect(throws: AgeError.self) { try Age.unwrapFileKey(from: stanzas, with: [stranger]) }
        do {
            _ = try Age.unwrapFileKey(from: stanzas, with: [stranger])
        } catch {
            #expect(error.kind == .noMatch)
        }
        let otherKey = try Age.unwrapFileKey(from: Age.recipientStanzas(of: other), with: [identity])
        do {
            _ = try Age.decrypt(file, fileKey: otherKey)
            Issue.record("a key of another file decrypted")
        } catch {
            #expect(error.kind == .hmacFailure)
        }
        for bad in [
            AgeStanza(arguments: ["X25519"], body: stanzas[0].body),  // no share
            AgeStanza(arguments: ["X25519", "c2hvcnQ"], body: stanzas[0].body),  // a 5-byte share
            AgeStanza(arguments: stanzas[0].arguments, body: Array(stanzas[0].body.prefix(31))),  // short body
        ] {
            do {
                _ = try Age.unwrapFileKey(from: [bad], with: [identity])
                Issue.record("a malformed stanza was accepted")
            } catch {
                #expect(error.kind == .headerFailure)
            }
        }
        #expect(throws: AgeError.self) { try AgeFileKey(bytes: [1, 2, 3]) }
        #expect(throws: AgeError.self) { try Age.recipientStanzas(of: Array("not age".utf8)) }
        // A passphrase file: its one scrypt stanza opens with the passphrase, mixed with another it is refused.
        let sealed = try Age.encrypt([1, 2, 3], to: [ScryptRecipient(passphrase: "pw", workFactor: 4)])
        let scrypt = try Age.recipientStanzas(of: sealed)
        #expect(try Age.decrypt(sealed, fileKey: Age.unwrapFileKey(from: scrypt, with: [ScryptIdentity(passphrase: "pw")])) == [1, 2, 3])
        #expect(throws: AgeError.self) { try Age.unwrapFileKey(from: scrypt + stanzas, with: [identity]) }
    }
}
