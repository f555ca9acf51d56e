import AgeCrypto
import Foundation
import Testing

/// Interoperability with the reference implementation: the Debian `age` package (1.1.1).
@Suite("interop with the age command-line tool")
struct InteropTests {
    static let sizes = [0, 1, 65_536, 65_537, 1 << 20]

    private func write(_ bytes: [UInt8], to url: URL) throws {
        try Data(bytes).write(to: url)
    }

    private func read(_ url: URL) throws -> [UInt8] {
        Array(try Data(contentsOf: url))
    }

    @Test("we encrypt to an X25519 recipient, age -d -i decrypts", arguments: sizes)
    func ageDecryptsOurs(size: Int) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let identity = X25519Identity.generate()
        try write(Array("# test key\n\(identity.encoded)\n".utf8), to: directory.file("key.txt"))
        let plaintext = RoundTripTests.pattern(size)
        for armor in [true, false] {
            try write(try Age.encrypt(plaintext, to: [identity.recipient], armor: armor), to: directory.file("entry.age"))
            let result = try Tool.run("age", ["-d", "-i", directory.file("key.txt").path, directory.file("entry.age").path])
            #expect(result.status == 0, "age -d: \(result.stderr)")
            #expect(result.stdout == plaintext)
        }
    }

    @Test("age -e -r and age -e -a -r encrypt, we decrypt", arguments: sizes)
    func weDecryptAges(size: Int) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let identity = X25519Identity.generate()
        let other = X25519Identity.generate()
        let plaintext = RoundTripTests.pattern(size)
        try write(plaintext, to: directory.file("plain"))
        for flags in [["-e"], ["-e", "-a"]] {
            let result = try Tool.run(
                "age",
                flags + ["-r", other.recipient.encoded, "-r", identity.recipient.encoded, directory.file("plain").path])
            #expect(result.status == 0, "age -e: \(result.stderr)")
            #expect(result.stdout.starts(with: Array((flags.count == 2 ? "-----BEGIN" : "age-encryption.org/v1").utf8)))
            #expect(try Age.decrypt(result.stdout, with: [identity]) == plaintext)
            #expect(try Age.decrypt(result.stdout, with: [other]) == plaintext)
        }
    }

    @Test("keys from age-keygen parse, and their recipient matches")
    func ageKeygen() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result = try Tool.run("age-keygen", ["-o", directory.file("key.txt").path])
        #expect(result.status == 0, "age-keygen: \(result.stderr)")
        let text = try read(directory.file("key.txt"))
        let identity = try AgeKeyFile.parseIdentityFile(text)
        let publicLine = try #require(
            String(decoding: text, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("# public key: ") })
        #expect(identity.recipient.encoded == publicLine.dropFirst("# public key: ".count).description)
        #expect(String(decoding: text, as: UTF8.self).contains(identity.encoded))
        let converted = try Tool.run("age-keygen", ["-y", directory.file("key.txt").path])
        #expect(String(decoding: converted.stdout, as: UTF8.self) == identity.recipient.encoded + "\n")
        #expect(try X25519Recipient(parsing: identity.recipient.encoded) == identity.recipient)
    }

    @Test("a wrapped key file opens with age -d on a terminal, and the identity decrypts with age -d -i")
    func wrappedKeyFileThroughTerminal() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let identity = X25519Identity.generate()
        let passphrase = "tier passphrase 🔐 with spaces"
        try write(try AgeKeyFile.wrap(identity: identity, passphrase: passphrase, workFactor: 12), to: directory.file("secret.key.age"))
        let entry = Array("## 2026-11-22 14:03 · Bank\nPIN is in the blue notebook\n".utf8)
        try write(try Age.encrypt(entry, to: [identity.recipient]), to: directory.file("entry.age"))

        // 1. age -d asks for the passphrase on the terminal and writes the identity file.
        let unwrapped = try Tool.runOnTerminal(
            "age", ["-d", "-o", directory.file("key.txt").path, directory.file("secret.key.age").path],
            prompt: "passphrase", answer: passphrase)
        #expect(unwrapped.status == 0, "age -d: \(unwrapped.transcript)")
        let keyText = String(decoding: try read(directory.file("key.txt")), as: UTF8.self)
        #expect(keyText.hasPrefix("# created: "))
        #expect(keyText.contains("# public key: \(identity.recipient.encoded)\n"))
        #expect(keyText.hasSuffix("\(identity.encoded)\n"))

        // 2. The identity file decrypts the entry.
        let decrypted = try Tool.run("age", ["-d", "-i", directory.file("key.txt").path, directory.file("entry.age").path])
        #expect(decrypted.status == 0, "age -d -i: \(decrypted.stderr)")
        #expect(decrypted.stdout == entry)

        // 3. age also takes the passphrase-protected key file directly as an identity.
        let direct = try Tool.runOnTerminal(
            "age",
            ["-d", "-i", directory.file("secret.key.age").path, "-o", directory.file("entry.txt").path,
             directory.file("entry.age").path],
            prompt: "passphrase", answer: passphrase)
        #expect(direct.status == 0, "age -d -i key.age: \(direct.transcript)")
        #expect(try read(directory.file("entry.txt")) == entry)

        // 4. A wrong passphrase fails in age too.
        let wrong = try Tool.runOnTerminal(
            "age", ["-d", "-o", directory.file("wrong.txt").path, directory.file("secret.key.age").path],
            prompt: "passphrase", answer: "not it")
        #expect(wrong.status != 0)
    }

    @Test("age -e -p (passphrase on a terminal) writes a file whose scrypt stanza we parse and bound")
    func agePassphraseEncryption() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try write(Array("encrypted by age with a passphrase".utf8), to: directory.file("plain"))
        // age asks twice (enter and confirm).
        let result = try Tool.runOnTerminal(
            "age", ["-e", "-p", "-a", "-o", directory.file("out.age").path, directory.file("plain").path],
            prompt: "passphrase", answer: "hunter2 hunter2", repeatAnswers: true)
        #expect(result.status == 0, "age -e -p: \(result.transcript)")
        let encrypted = try read(directory.file("out.age"))
        // age uses work factor 18, about 20 s of scrypt in a debug build; the
        // derivation itself is covered by the testkit's scrypt vectors (made by
        // the reference implementation), so here the real stanza is parsed and
        // its work factor checked against the limit, which fails before any scrypt work.
        let error = #expect(throws: AgeError.self) {
            try Age.decrypt(encrypted, with: [ScryptIdentity(passphrase: "hunter2 hunter2", maxWorkFactor: 17)])
        }
        #expect(error?.kind == .headerFailure)
        #expect(error?.message.contains("work factor 18") == true)
    }
}
