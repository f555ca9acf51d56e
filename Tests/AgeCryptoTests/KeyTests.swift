import AgeCrypto
import Testing

@Suite("keys and key files")
struct KeyTests {
    @Test("the spec's example identity gives the spec's example recipient")
    func specExample() throws {
        let identity = try X25519Identity(
            parsing: "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX")
        #expect(identity.recipient.encoded == "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj")
        #expect(identity.encoded == "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX")
    }

    @Test("generated keys round-trip through their encodings")
    func roundTrip() throws {
        let identity = X25519Identity.generate()
        #expect(identity.encoded.hasPrefix("AGE-SECRET-KEY-1"))
        #expect(identity.recipient.encoded.hasPrefix("age1"))
        #expect(try X25519Identity(parsing: " \(identity.encoded)\n").encoded == identity.encoded)
        #expect(try X25519Recipient(parsing: identity.recipient.encoded) == identity.recipient)
        #expect(Set([identity.recipient, identity.recipient, X25519Identity.generate().recipient]).count == 2)
    }

    @Test("malformed keys are invalidKey; other key types are unsupported")
    func malformed() throws {
        let identity = X25519Identity.generate()
        let encoded = identity.encoded
        let flippedChecksum = String(encoded.dropLast()) + (encoded.last == "Q" ? "P" : "Q")
        let invalid = [
            "", "AGE-SECRET-KEY-1", flippedChecksum, encoded.lowercased(),
            String(encoded.prefix(20)) + String(encoded.dropFirst(20)).lowercased(),
            identity.recipient.encoded,
        ]
        for text in invalid {
            let error = #expect(throws: AgeError.self) { try X25519Identity(parsing: text) }
            #expect(error?.kind == .invalidKey, "\(text.prefix(20))")
        }
        let recipients = [encoded, identity.recipient.encoded.uppercased(), "age1", String(identity.recipient.encoded.dropLast())]
        for text in recipients {
            let error = #expect(throws: AgeError.self) { try X25519Recipient(parsing: text) }
            #expect(error?.kind == .invalidKey)
        }
        let pq = #expect(throws: AgeError.self) {
            try X25519Identity(parsing: "AGE-SECRET-KEY-PQ-1XX76JRALNLXDMEW0CRK45QMCCH4X06SE84UN3VPM33W6HWDX0H3SK3ZQFR")
        }
        #expect(pq?.kind == .unsupported)
        let tag = #expect(throws: AgeError.self) {
            try X25519Recipient(parsing: "age1tag1qt8lw0ual6avlwmwatk888yqnmdamm7xfd0wak53ut6elz5c4swx2yqdj4e")
        }
        #expect(tag?.kind == .unsupported)
    }

    @Test("wrap and unwrap a key file; the plaintext is a standard identity file")
    func keyFile() throws {
        let identity = X25519Identity.generate()
        let wrapped = try AgeKeyFile.wrap(identity: identity, passphrase: "tier passphrase", workFactor: 10)
        let text = String(decoding: wrapped, as: UTF8.self)
        #expect(text.hasPrefix("-----BEGIN AGE ENCRYPTED FILE-----\n"))
        #expect(text.hasSuffix("-----END AGE ENCRYPTED FILE-----\n"))
        #expect(try AgeKeyFile.unwrap(wrapped, passphrase: "tier passphrase").encoded == identity.encoded)

        let plaintext = String(
            decoding: try Age.decrypt(wrapped, with: [ScryptIdentity(passphrase: "tier passphrase")]), as: UTF8.self)
        let lines = plaintext.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("# created: 20"))
        #expect(lines[1] == "# public key: \(identity.recipient.encoded)")
        #expect(lines[2] == identity.encoded)
        #expect(lines[3] == "")

        let wrong = #expect(throws: AgeError.self) { try AgeKeyFile.unwrap(wrapped, passphrase: "Tier passphrase") }
        #expect(wrong?.kind == .wrongPassphrase)
        let costly = #expect(throws: AgeError.self) {
            try AgeKeyFile.unwrap(wrapped, passphrase: "tier passphrase", maxWorkFactor: 8)
        }
        #expect(costly?.kind == .headerFailure)
    }

    @Test("identity files: comments and blank lines skipped, exactly one key required")
    func identityFiles() throws {
        let identity = X25519Identity.generate()
        let parsed = try AgeKeyFile.parseIdentityFile(Array("# c\n\n  \(identity.encoded)  \r\n\n".utf8))
        #expect(parsed.encoded == identity.encoded)
        for text in ["# only a comment\n", "\(identity.encoded)\n\(X25519Identity.generate().encoded)\n"] {
            let error = #expect(throws: AgeError.self) { try AgeKeyFile.parseIdentityFile(Array(text.utf8)) }
            #expect(error?.kind == .invalidKey)
        }
    }
}
