import Foundation
import AgeCrypto
import Testing

/// Modified, truncated and mislabelled files fail with a clear error, never a
/// crash and never wrong plaintext; errors never carry plaintext or secrets.
@Suite("tampering and malformed input")
struct TamperTests {
    static let marker = "MARKER-7f3a9c-do-not-leak"

    static func entry(size: Int) -> [UInt8] {
        var text = Array("## 2026-11-22 14:03 · \(marker)\n<!-- id: 01JD3K9X2F7Q8R -->\n\n".utf8)
        while text.count < size { text += Array("\(marker) body line\n".utf8) }
        return text
    }

    /// Decrypts `file`, requiring an error or (for `allowUnchanged`) the
    /// original plaintext; returns the error description if there was one.
    private func expectRejected(
        _ file: [UInt8], original: [UInt8], identities: [any AgeIdentity], position: Int, allowUnchanged: Bool = false
    ) -> String? {
        do {
            let plaintext = try Age.decrypt(file, with: identities)
            #expect(allowUnchanged && plaintext == original, "modification at byte \(position) went undetected")
            return nil
        } catch {
            return error.description
        }
    }

    @Test("every byte of a small armored entry, flipped in turn, is detected")
    func flipEveryByteOfSmallEntry() throws {
        let identity = X25519Identity.generate()
        let plaintext = Self.entry(size: 200)
        let armored = try Age.encrypt(plaintext, to: [identity.recipient])
        var messages: [String] = []
        for position in armored.indices {
            var tampered = armored
            tampered[position] ^= 0x01
            if let message = expectRejected(tampered, original: plaintext, identities: [identity], position: position) {
                messages.append(message)
            }
        }
        #expect(messages.count == armored.count)
        for message in messages {
            #expect(!message.contains(Self.marker))
            #expect(!message.contains(identity.encoded))
        }
    }

    @Test("about 200 sampled bytes of a multi-chunk armored block, flipped or replaced, are detected")
    func flipSampledBytesOfLargeBlock() throws {
        let identity = X25519Identity.generate()
        let plaintext = Self.entry(size: 70_000)
        let armored = try Age.encrypt(plaintext, to: [identity.recipient])
        var generator = SystemRandomNumberGenerator()
        // The whole header region, then evenly spaced positions through the payload and the END line.
        let positions = Array(0..<120) + stride(from: 120, to: armored.count, by: (armored.count - 120) / 80)
            + Array(armored.count - 40..<armored.count)
        #expect(positions.count >= 200)
        for position in positions {
            var flipped = armored
            flipped[position] ^= 0x01
            let message = expectRejected(flipped, original: plaintext, identities: [identity], position: position)
            #expect(message != nil)
            #expect(message?.contains(Self.marker) != true)
            // Any other byte: an error, or harmless whitespace after the END line giving the same plaintext.
            var replaced = armored
            replaced[position] = UInt8.random(in: 0...255, using: &generator)
            _ = expectRejected(
                replaced, original: plaintext, identities: [identity], position: position,
                allowUnchanged: true)
        }
    }

    @Test("every byte of a binary file, flipped in turn, is detected")
    func flipEveryByteOfBinary() throws {
        let identity = X25519Identity.generate()
        let plaintext = Self.entry(size: 300)
        let binary = try Age.encrypt(plaintext, to: [identity.recipient], armor: false)
        for position in binary.indices {
            var tampered = binary
            tampered[position] ^= 0x80
            let message = expectRejected(tampered, original: plaintext, identities: [identity], position: position)
            #expect(message != nil)
        }
    }

    @Test("truncated armor and binary files fail cleanly")
    func truncation() throws {
        let identity = X25519Identity.generate()
        let plaintext = Self.entry(size: 70_000)
        for armor in [true, false] {
            let file = try Age.encrypt(plaintext, to: [identity.recipient], armor: armor)
            for length in Set(stride(from: 0, to: file.count, by: 997)).union([file.count - 2, file.count - 17]) {
                let error = #expect(throws: AgeError.self) { try Age.decrypt(Array(file[..<length]), with: [identity]) }
                #expect(error?.message.contains(Self.marker) == false)
                if armor, length > 40 {
                    #expect(error?.kind == .armorFailure, "truncated at \(length): \(String(describing: error))")
                }
            }
        }
    }

    @Test("wrong armor headers are armor failures", arguments: [
        "-----BEGIN PGP MESSAGE-----", "-----BEGIN AGE ENCRYPTED FILE----", "-----BEGIN age encrypted file-----",
        " -----BEGIN AGE ENCRYPTED FILE-----x",
    ])
    func wrongArmorHeader(header: String) throws {
        let identity = X25519Identity.generate()
        let armored = String(decoding: try Age.encrypt([1, 2, 3], to: [identity.recipient]), as: UTF8.self)
        let changed = armored.replacingOccurrences(of: "-----BEGIN AGE ENCRYPTED FILE-----", with: header)
        let error = #expect(throws: AgeError.self) { try Age.decrypt(Array(changed.utf8), with: [identity]) }
        #expect(error?.kind == .armorFailure)
        #expect(error?.message.contains("line 1") == true)
    }

    @Test("wrong binary headers are header failures")
    func wrongBinaryHeader() throws {
        let identity = X25519Identity.generate()
        let binary = try Age.encrypt([1, 2, 3], to: [identity.recipient], armor: false)
        for (from, to) in [("age-encryption.org/v1", "age-encryption.org/v2"), ("-> X25519", "->  X25519"), ("---", "--:")] {
            let bytes = replacing(Array(from.utf8), with: Array(to.utf8), in: binary)
            let error = #expect(throws: AgeError.self) { try Age.decrypt(bytes, with: [identity]) }
            #expect(error?.kind == .headerFailure, "\(from) → \(to): \(String(describing: error))")
        }
        let garbage = #expect(throws: AgeError.self) { try Age.decrypt(Array("hello, world\n".utf8), with: [identity]) }
        #expect(garbage?.kind == .headerFailure)
        #expect(garbage?.message.contains("not an age file") == true)
    }

    /// `bytes` with the first occurrence of `pattern` replaced.
    private func replacing(_ pattern: [UInt8], with replacement: [UInt8], in bytes: [UInt8]) -> [UInt8] {
        guard let start = bytes.indices.first(where: { bytes[$0...].starts(with: pattern) }) else { return bytes }
        return Array(bytes[..<start]) + replacement + bytes[(start + pattern.count)...]
    }

    @Test("a stanza of the wrong kind is a clear noMatch naming the stanza type")
    func wrongStanzaKind() throws {
        let identity = X25519Identity.generate()
        let passphraseFile = try Age.encrypt(Self.entry(size: 10), to: [ScryptRecipient(passphrase: "pw", workFactor: 10)])
        let error = #expect(throws: AgeError.self) { try Age.decrypt(passphraseFile, with: [identity]) }
        #expect(error?.kind == .noMatch)
        #expect(error?.message.contains("scrypt") == true)

        let x25519File = try Age.encrypt(Self.entry(size: 10), to: [identity.recipient])
        let reverse = #expect(throws: AgeError.self) {
            try Age.decrypt(x25519File, with: [ScryptIdentity(passphrase: "pw")])
        }
        #expect(reverse?.kind == .noMatch)
        #expect(reverse?.message.contains("X25519") == true)
        let keyFile = #expect(throws: AgeError.self) { try AgeKeyFile.unwrap(x25519File, passphrase: "pw") }
        #expect(keyFile?.kind == .noMatch)
    }

    @Test("errors carry no plaintext, identity or passphrase")
    func errorsCarryNoSecrets() throws {
        let identity = X25519Identity.generate()
        let passphrase = "passphrase-\(Self.marker)"
        let wrappedKey = try AgeKeyFile.wrap(identity: identity, passphrase: passphrase, workFactor: 10)
        var descriptions: [String] = []
        do { _ = try AgeKeyFile.unwrap(wrappedKey, passphrase: "wrong") } catch { descriptions.append(error.description) }
        do { _ = try X25519Identity(parsing: Self.marker) } catch { descriptions.append(error.description) }
        do { _ = try X25519Recipient(parsing: Self.marker) } catch { descriptions.append(error.description) }
        do { _ = try AgeKeyFile.parseIdentityFile(Array("\(Self.marker)\n".utf8)) } catch {
            descriptions.append(error.description)
        }
        // A key file whose plaintext is not an identity file.
        let notAKey = try Age.encrypt(Self.entry(size: 100), to: [ScryptRecipient(passphrase: passphrase, workFactor: 10)])
        do { _ = try AgeKeyFile.unwrap(notAKey, passphrase: passphrase) } catch {
            #expect(error.kind == .invalidKey)
            descriptions.append(error.description)
        }
        #expect(descriptions.count == 5)
        for description in descriptions {
            #expect(!description.contains(Self.marker), "\(description)")
            #expect(!description.contains(identity.encoded))
        }
        #expect(!String(describing: identity).contains(identity.encoded))
        #expect(!String(describing: ScryptIdentity(passphrase: passphrase)).contains(passphrase))
    }
}
