import Foundation
import Testing

/// Encrypted tiers end to end: keys, add without a passphrase, unlock and the agent, edit in
/// memory-backed storage, tampering, and no plaintext anywhere on disk.
@Suite("Encrypted tiers, end to end through the memvault binary")
struct EncryptionTests {
    static let passphrases = [
        "MEMVAULT_PASSPHRASE_CONFIDENTIAL": "conf pass 1", "MEMVAULT_PASSPHRASE_SECRET": "secret pass 2",
        "MEMVAULT_PASSPHRASE_ULTRASECRET": "ultra pass 3",
    ]

    /// The suite's environment: cheap scrypt, and an agent socket inside the test's folder.
    static func base(_ cli: CLI) -> [String: String] {
        ["MEMVAULT_DEBUG_SCRYPT_WORK_FACTOR": "10", "XDG_RUNTIME_DIR": cli.home.path]
    }

    @discardableResult
    static func run(_ cli: CLI, _ args: [String], stdin: [UInt8]? = nil, env: [String: String] = [:]) throws -> CLI.Result {
        var all = base(cli)
        for (k, v) in env { all[k] = v }
        return try cli.run(args, stdin: stdin, env: all)
    }

    @discardableResult
    static func ok(_ cli: CLI, _ args: [String], env: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try run(cli, args, env: env)
        #expect(result.status == 0, "memvault \(args.joined(separator: " ")) failed: \(result.stderr)", sourceLocation: sourceLocation)
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A vault for alice with keys for the three encrypted tiers.
    static func vaultWithKeys() throws -> CLI {
        let cli = try CLI()
        try ok(cli, ["init", cli.vault.path, "--user", "alice"], env: passphrases)
        return cli
    }

    static func secretEnv(_ tier: String) -> [String: String] {
        let name = "MEMVAULT_PASSPHRASE_\(tier.uppercased())"
        return [name: passphrases[name]!]
    }

    @Test("each encrypted tier: added without a passphrase, stored as one age block, read back when unlocked",
          arguments: ["confidential", "secret", "ultrasecret"])
    func roundTrip(tier: String) throws {
        let cli = try Self.vaultWithKeys()
        defer { cli.cleanup() }
        for name in ["confidential", "secret", "ultrasecret"] {
            #expect(FileManager.default.fileExists(atPath: cli.vault.appendingPathComponent(".memvault/keys/alice/\(name).pub").path))
            #expect(try cli.read(".memvault/keys/alice/\(name).key.age").hasPrefix("-----BEGIN AGE ENCRYPTED FILE-----"))
        }
        let marker = "Marker\(UUID().uuidString.prefix(8))"
        let id = try Self.ok(cli, ["add", "Bank PIN is in the blue notebook \(marker) #bank", "--tier", tier,
                                   "--date", "2026-11-22 14:03", "--title", "Bank \(marker)"])
        let file = try cli.read("alice/\(tier)/2026-11.md")
        #expect(!file.contains(marker))
        #expect(!file.contains("Bank"))
        #expect(file.contains("```age\n-----BEGIN AGE ENCRYPTED FILE-----"))
        #expect(file.hasPrefix(tier == "ultrasecret" ? "## \(id)\n<!-- id: \(id) -->\n" : "## 2026-11-22 14:03\n<!-- id: \(id) -->\n"))

        let locked = try cli.json(try Self.ok(cli, ["show", id, "--json"]))
        #expect(locked["text"] == nil)
        #expect(locked["title"] is NSNull)

        let shown = try cli.json(try Self.ok(cli, ["show", id, "--json"], env: Self.secretEnv(tier)))
        #expect(shown["text"] as? String == "Bank PIN is in the blue notebook \(marker) #bank")
        #expect(shown["title"] as? String == "Bank \(marker)")
        #expect(shown["tags"] as? [String] == ["bank"])
        #expect(shown["date"] as? String == "2026-11-22T14:03:00+01:00")
        #expect(shown["line"] as? Int == 1)

        let all = ["confidential", "secret", "ultrasecret"]
        let lockedStatus = try cli.json(try Self.ok(cli, ["status", "--json"]))
        #expect(lockedStatus["locked"] as? [String] == all)
        #expect(lockedStatus["no_key"] as? [String] == [])
        let status = try cli.json(try Self.ok(cli, ["status", "--json"], env: Self.secretEnv(tier)))
        #expect(status["locked"] as? [String] == all.filter { $0 != tier })
    }

    @Test("a tier without a key: add refuses with the passwd hint and writes nothing")
    func noKey() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try Self.ok(cli, ["init", cli.vault.path, "--user", "alice"])
        let before = try cli.snapshot()
        let result = try Self.run(cli, ["add", "something private", "--tier", "secret"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("memvault passwd secret"))
        #expect(!result.stderr.contains("something private"))
        #expect(try cli.snapshot() == before)
    }

    @Test("memvault encrypts, stock age decrypts: an entry with the identity, the key file through a pseudo-terminal")
    func stockAgeDecrypts() throws {
        let cli = try Self.vaultWithKeys()
        defer { cli.cleanup() }
        let id = try Self.ok(cli, ["add", "Decrypt me with age", "--tier", "secret", "--date", "2026-11-22 14:03"])
        let file = try cli.read("alice/secret/2026-11.md")
        let start = try #require(file.range(of: "-----BEGIN AGE ENCRYPTED FILE-----"))
        let end = try #require(file.range(of: "-----END AGE ENCRYPTED FILE-----"))
        let block = cli.home.appendingPathComponent("entry.age")
        try Data((String(file[start.lowerBound..<end.upperBound]) + "\n").utf8).write(to: block)

        // age reads a passphrase only from a terminal: drive it through a pty.
        let identity = cli.home.appendingPathComponent("secret.key")
        let script = """
            import os, pty, sys, time
            pid, fd = pty.fork()
            if pid == 0:
                os.execvp("age", ["age", "-d", "-o", sys.argv[2], sys.argv[1]])
            output = b""
            sent = False
            while True:
                try:
                    data = os.read(fd, 1024)
                except OSError:
                    break
                if not data:
                    break
                output += data
                if not sent and b"passphrase" in output.lower():
                    os.write(fd, sys.argv[3].encode() + b"\\n")
                    sent = True
            _, status = os.waitpid(pid, 0)
            sys.exit(os.waitstatus_to_exitcode(status))
            """
        let py = try CLI.process("/usr/bin/python3", ["-c", script, cli.vault.appendingPathComponent(".memvault/keys/alice/secret.key.age").path,
                                                        identity.path, Self.passphrases["MEMVAULT_PASSPHRASE_SECRET"]!])
        #expect(py.status == 0, "age -d on the key file: \(py.output)")
        let decrypted = try CLI.process("/usr/bin/age", ["-d", "-i", identity.path, block.path])
        #expect(decrypted.status == 0, "age -d on the entry: \(decrypted.output)")
        #expect(decrypted.output.hasPrefix("## 2026-11-22 14:03\n<!-- id: \(id) src: cli bound: alice/secret -->\n\nDecrypt me with age"))
    }

    @Test("wrong passphrase exits 3; a tampered block exits 5 naming file and line; nothing is written")
    func wrongPassphraseAndTampering() throws {
        let cli = try Self.vaultWithKeys()
        defer { cli.cleanup() }
        let first = try Self.ok(cli, ["add", "first one", "--tier", "secret", "--date", "2026-11-01 10:00"])
        let id = try Self.ok(cli, ["add", "second one", "--tier", "secret", "--date", "2026-11-22 14:03"])
        let wrong = ["MEMVAULT_PASSPHRASE_SECRET": "not it"]
        let unlock = try Self.run(cli, ["unlock", "secret"], env: wrong)
        #expect(unlock.status == 3)
        #expect(unlock.stderr.contains("wrong passphrase"))
        #expect(try Self.run(cli, ["show", id], env: wrong).status == 3)

        let path = "alice/secret/2026-11.md"
        var lines = try cli.read(path).components(separatedBy: "\n")
        let begin = try #require(lines.lastIndex { $0.hasPrefix("-----BEGIN AGE") })
        // The last base64 line carries the payload's tag: a flipped bit there is tampering, not a wrong key.
        let target = try #require(lines.lastIndex { $0.hasPrefix("-----END AGE") }) - 1
        var chars = Array(lines[target])
        chars[2] = chars[2] == "A" ? "B" : "A"
        lines[target] = String(chars)
        try cli.write(path, lines.joined(separator: "\n"))
        let before = try cli.snapshot()
        let tampered = try Self.run(cli, ["show", id], env: Self.secretEnv("secret"))
        #expect(tampered.status == 5)
        #expect(tampered.stderr.contains("\(path):\(begin + 1)"), "\(tampered.stderr)")
        #expect(try Self.run(cli, ["show", first], env: Self.secretEnv("secret")).status == 0)
        #expect(try cli.snapshot() == before)
    }

    @Test("after add, list, show, search (found while unlocked), edit and digest of secret memories, the marker is in no file of the vault, .git or /tmp")
    func noPlaintextOnDisk() throws {
        let cli = try Self.vaultWithKeys()
        defer { cli.cleanup() }
        let marker = "Zq\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12))"
        let env = Self.secretEnv("secret")
        let id = try Self.ok(cli, ["add", "The vault code is \(marker) alpha", "--tier", "secret"])
        let sibling = try Self.ok(cli, ["add", "Sibling \(marker)", "--tier", "secret"])
        let records = "{\"text\": \"Imported \(marker)\", \"tier\": \"secret\"}\n"
        #expect(try Self.run(cli, ["import", "-"], stdin: Array(records.utf8)).status == 0)
        let path = try #require(try cli.json(try Self.ok(cli, ["show", sibling, "--json"]))["path"] as? String)
        let siblingBlock = try Self.block(of: sibling, in: try cli.read(path))

        #expect(try Self.ok(cli, ["list", "--json"], env: env).contains(marker))
        #expect(try Self.ok(cli, ["show", id], env: env).contains(marker))
        let found = try cli.json(try Self.ok(cli, ["search", "vault code \(marker)", "--json"], env: env))
        #expect(found["locked"] as? [String] == [])
        let hits = try #require(found["results"] as? [[String: Any]])
        #expect(hits.first?["id"] as? String == id)
        #expect(hits.first?["tier"] as? String == "secret")
        let lockedSearch = try cli.json(try Self.ok(cli, ["search", marker, "--json"]))
        #expect(lockedSearch["locked"] as? [String] == ["secret"])
        #expect((lockedSearch["results"] as? [[String: Any]])?.contains { $0["tier"] as? String == "secret" } == false)
        _ = try Self.run(cli, ["export"], env: env)
        let edited = try Self.run(cli, ["edit", id], env: env.merging(["EDITOR": "sed -i s/alpha/beta/"]) { $1 })
        #expect(edited.status == 0, "\(edited.stderr)")
        let shown = try cli.json(try Self.ok(cli, ["show", id, "--json"], env: env))
        #expect(shown["text"] as? String == "The vault code is \(marker) beta")
        // The sibling's ciphertext is byte for byte the same.
        #expect(try Self.block(of: sibling, in: try cli.read(path)) == siblingBlock)
        // A digest of the day, written and committed while the tier is unlocked, quotes none of it.
        let day = String(try #require(shown["date"] as? String).prefix(10))
        let digest = try Self.run(cli, ["digest", "--date", day], env: env)
        #expect(digest.status == 0, "\(digest.stderr)")
        #expect(try !cli.read("alice/digests/\(day.prefix(4))/\(day).md").contains(marker))

        let objects = try cli.git(["cat-file", "--batch-all-objects", "--batch"])
        #expect(objects.status == 0)
        #expect(!objects.output.contains(marker))
        #expect(objects.output.contains("memvault: edit"))
        let log = try cli.git(["log", "-p", "--all"])
        #expect(!log.output.contains(marker))
        for folder in [cli.vault.path, "/tmp", "/dev/shm"] {
            #expect(Self.filesContaining(marker, under: folder).isEmpty, "plaintext found under \(folder)")
        }
    }

    @Test("the agent: unlock caches for the TTL, lock forgets, expiry forgets")
    func agent() throws {
        let cli = try Self.vaultWithKeys()
        defer {
            _ = try? Self.run(cli, ["lock"])
            cli.cleanup()
        }
        let id = try Self.ok(cli, ["add", "agent test", "--tier", "secret"])
        func text() throws -> String? { try cli.json(try Self.ok(cli, ["show", id, "--json"]))["text"] as? String }
        #expect(try text() == nil)
        let unlocked = try Self.run(cli, ["unlock", "secret", "--ttl", "60"], env: Self.secretEnv("secret"))
        #expect(unlocked.status == 0, "\(unlocked.stderr)")
        let socket = cli.home.appendingPathComponent("memvault/agent.sock").path
        let attributes = try FileManager.default.attributesOfItem(atPath: socket)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let folder = try FileManager.default.attributesOfItem(atPath: cli.home.appendingPathComponent("memvault").path)
        #expect((folder[.posixPermissions] as? Int) == 0o700)
        #expect(try text() == "agent test")
        #expect(try Self.ok(cli, ["lock"]).contains("forgot"))
        #expect(try text() == nil)

        let unlockedAt = Date()
        #expect(try Self.run(cli, ["unlock", "secret", "--ttl", "1s"], env: Self.secretEnv("secret")).status == 0)
        #expect(try text() == "agent test")
        // The agent forgets the key once its time to live has passed: wait for that, not for a
        // fixed time, and check it was not forgotten early.
        var forgotten = false
        while !forgotten && Date().timeIntervalSince(unlockedAt) < 30 {
            forgotten = try text() == nil
        }
        #expect(forgotten)
        #expect(Date().timeIntervalSince(unlockedAt) >= 1)

        // Ultrasecret is never cached.
        let ultra = try Self.ok(cli, ["add", "ultra", "--tier", "ultrasecret"])
        #expect(try Self.run(cli, ["unlock", "ultrasecret"], env: Self.secretEnv("ultrasecret")).status == 0)
        #expect(try cli.json(try Self.ok(cli, ["show", ultra, "--json"]))["text"] == nil)
    }

    @Test("passwd re-wraps without touching entries; rotate re-encrypts the tier in one commit")
    func passwdAndRotate() throws {
        let cli = try Self.vaultWithKeys()
        defer { cli.cleanup() }
        let id = try Self.ok(cli, ["add", "rotating", "--tier", "confidential", "--date", "2026-11-22 14:03"])
        let entries = try cli.read("alice/confidential/2026-11.md")
        let newPass = ["MEMVAULT_PASSPHRASE_CONFIDENTIAL": "conf pass 1", "MEMVAULT_NEW_PASSPHRASE_CONFIDENTIAL": "brand new"]
        #expect(try Self.ok(cli, ["passwd", "confidential"], env: newPass).contains("changed"))
        #expect(try cli.read("alice/confidential/2026-11.md") == entries)
        #expect(try Self.run(cli, ["show", id], env: Self.secretEnv("confidential")).status == 3)
        let fresh = ["MEMVAULT_PASSPHRASE_CONFIDENTIAL": "brand new"]
        #expect(try Self.ok(cli, ["show", id], env: fresh).contains("rotating"))

        let recipient = try cli.read(".memvault/keys/alice/confidential.pub")
        let commits = try cli.commitCount()
        #expect(try Self.ok(cli, ["rotate", "confidential"], env: fresh).contains("1 memory re-encrypted"))
        #expect(try cli.commitCount() == commits + 1)
        #expect(try cli.read(".memvault/keys/alice/confidential.pub") != recipient)
        #expect(try cli.read("alice/confidential/2026-11.md") != entries)
        #expect(try Self.ok(cli, ["show", id], env: fresh).contains("rotating"))
    }

    @Test("ultrasecret with a key file as second factor: the passphrase alone does not open it")
    func keyFileSecondFactor() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try Self.ok(cli, ["init", cli.vault.path, "--user", "alice"])
        let keyFile = cli.home.appendingPathComponent("usb.key").path
        let created = try Self.ok(cli, ["passwd", "ultrasecret", "--key-file", keyFile], env: Self.secretEnv("ultrasecret"))
        #expect(created.contains("created the ultrasecret key"))
        let mode = try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let id = try Self.ok(cli, ["add", "two factors", "--tier", "ultrasecret"])
        let passphraseOnly = try Self.run(cli, ["show", id], env: Self.secretEnv("ultrasecret"))
        #expect(passphraseOnly.status == 3)
        #expect(passphraseOnly.stderr.contains("key file"))
        let both = Self.secretEnv("ultrasecret").merging(["MEMVAULT_KEY_FILE_ULTRASECRET": keyFile]) { $1 }
        #expect(try Self.ok(cli, ["show", id], env: both).contains("two factors"))
        // passwd keeps the second factor.
        let change = both.merging(["MEMVAULT_NEW_PASSPHRASE_ULTRASECRET": "another ultra"]) { $1 }
        try Self.ok(cli, ["passwd", "ultrasecret"], env: change)
        #expect(try Self.run(cli, ["show", id], env: ["MEMVAULT_PASSPHRASE_ULTRASECRET": "another ultra"]).status == 3)
        #expect(try Self.ok(cli, ["show", id], env: ["MEMVAULT_PASSPHRASE_ULTRASECRET": "another ultra", "MEMVAULT_KEY_FILE_ULTRASECRET": keyFile])
            .contains("two factors"))
    }

    @Test("credentials in plain-text tiers: add refuses with exit 1 without echoing them, --allow-secret writes, check reports")
    func plainTextSecrets() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try Self.ok(cli, ["init", cli.vault.path, "--user", "alice"])
        let before = try cli.snapshot()
        let refused = try Self.run(cli, ["add", "wifi password: hunter2xyz", "--tier", "general"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("--tier secret"))
        #expect(!refused.stderr.contains("hunter2xyz"))
        let key = try Self.run(cli, ["add", "deploy with AKIAIOSFODNN7EXAMPLE"])
        #expect(key.status == 1)
        #expect(!key.stderr.contains("AKIAIOSFODNN7EXAMPLE"))
        #expect(try cli.snapshot() == before)
        #expect(try Self.run(cli, ["add", "Call me at 0151 2345 6789, order 4711"]).status == 0)
        try Self.ok(cli, ["add", "wifi password: hunter2xyz", "--tier", "general", "--allow-secret", "--date", "2026-11-22 14:03"])
        let check = try Self.run(cli, ["check"])
        #expect(check.stdout.contains("alice/general/2026-11.md:4"), "\(check.stdout)")
        #expect(check.stdout.contains("password"))
        #expect(!check.stdout.contains("hunter2xyz"))

        try cli.write("alice/general/notes.md", "## 2026-11-23 10:00\n\ncard 4111 1111 1111 1111\n")
        let commit = try Self.run(cli, ["commit"])
        #expect(commit.status == 1)
        #expect(commit.stderr.contains("alice/general/notes.md:3"))
        #expect(try Self.run(cli, ["commit", "--allow-secret"]).status == 0)
    }

    // MARK: Helpers

    /// The armored block of entry `id` in a file's text.
    static func block(of id: String, in text: String) throws -> String {
        let start = try #require(text.range(of: "<!-- id: \(id) -->"))
        let rest = text[start.upperBound...]
        let end = try #require(rest.range(of: "```\n", range: rest.index(after: rest.firstRange(of: "```age")!.lowerBound)..<rest.endIndex))
        return String(rest[..<end.upperBound])
    }

    /// Regular files under `folder` (not following links, skipping unreadable ones and files over 64 MiB)
    /// whose bytes contain `marker`.
    static func filesContaining(_ marker: String, under folder: String) -> [String] {
        let needle = Data(marker.utf8)
        var found: [String] = []
        guard let e = FileManager.default.enumerator(atPath: folder) else { return [] }
        while let relative = e.nextObject() as? String {
            let path = folder + "/" + relative
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                attributes[.type] as? FileAttributeType == .typeRegular,
                let size = attributes[.size] as? Int, size < 64 << 20,
                let data = FileManager.default.contents(atPath: path)
            else { continue }
            if data.range(of: needle) != nil { found.append(path) }
        }
        return found
    }
}
