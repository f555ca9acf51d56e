import Foundation
import Testing

/// Classification on write, `classify`, `classify --review`, `mv`, and the secret scanner on
/// every path into a plain tier, end to end through the memvault binary.
@Suite("Classification and tier moves, end to end")
struct ClassifyCommandTests {
    static let env = EncryptionTests.base
    static func run(_ cli: CLI, _ args: [String], stdin: [UInt8]? = nil, env extra: [String: String] = [:]) throws -> CLI.Result {
        var all = EncryptionTests.base(cli)
        for (k, v) in extra { all[k] = v }
        return try cli.run(args, stdin: stdin, env: all)
    }

    /// Exactly one `memvault: error:` line on stderr.
    static func oneErrorLine(_ result: CLI.Result) -> Bool {
        result.stderr.split(separator: "\n").filter { $0.hasPrefix("memvault: error:") }.count == 1
    }

    // MARK: add, import and default_tier with an automatic tier

    @Test("add --tier auto into a tier without a key is refused with the passwd hint, nothing written, no plain text")
    func autoIntoKeylessTier() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok(["init", cli.vault.path, "--user", "alice"])
        let before = try cli.snapshot()
        let commits = try cli.commitCount()
        let result = try Self.run(cli, ["add", "My PIN for the Sparkasse card is 4711", "--tier", "auto"])
        #expect(result.status == 1)
        #expect(Self.oneErrorLine(result), "\(result.stderr)")
        #expect(result.stderr.contains("memvault passwd secret"))
        #expect(!result.stderr.contains("4711"))
        #expect(try cli.snapshot() == before)
        #expect(try cli.commitCount() == commits)
        // A health memory without a confidential key: refused too, never written as plain text.
        let health = try Self.run(cli, ["add", "Blood test: LDL 162, doctor wants a recheck in March", "--tier", "auto"])
        #expect(health.status == 1)
        #expect(health.stderr.contains("memvault passwd confidential"))
        #expect(try cli.snapshot() == before)
    }

    @Test("import with \"tier\": \"auto\" into a tier without a key is refused for the whole file, nothing written")
    func autoImportIntoKeylessTier() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok(["init", cli.vault.path, "--user", "alice"])
        let before = try cli.snapshot()
        let commits = try cli.commitCount()
        let records = """
            {"text": "Walked to the lake with Jonas", "tier": "auto", "date": "2026-10-01T10:00:00Z"}
            {"text": "Die Diagnose ist Diabetes Typ 2, Insulin ab Montag", "tier": "auto", "date": "2026-10-02T10:00:00Z"}
            """
        let result = try Self.run(cli, ["import", "-"], stdin: Array(records.utf8))
        #expect(result.status == 1)
        #expect(Self.oneErrorLine(result), "\(result.stderr)")
        #expect(result.stderr.contains("line 2"))
        #expect(result.stderr.contains("memvault passwd confidential"))
        #expect(!result.stderr.contains("Diabetes"))
        #expect(try cli.snapshot() == before)
        #expect(try cli.commitCount() == commits)
    }

    @Test("add --tier auto refuses bad input with one error line, nothing written", arguments: ["empty", "invalid UTF-8", "10 MB"])
    func autoAddBadInput(kind: String) throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok(["init", cli.vault.path, "--user", "alice"])
        let before = try cli.snapshot()
        let result: CLI.Result
        switch kind {
        case "empty": result = try Self.run(cli, ["add", " \n\t ", "--tier", "auto"])
        case "invalid UTF-8": result = try Self.run(cli, ["add", "-", "--tier", "auto"], stdin: [0x66, 0xFF, 0xFE, 0x0A])
        default: result = try Self.run(cli, ["add", "-", "--tier", "auto"], stdin: [UInt8](repeating: 0x61, count: 10 << 20))
        }
        #expect(result.status == 1, "\(result.stderr)")
        #expect(Self.oneErrorLine(result), "\(result.stderr)")
        // The error line, and at most a hint line after it.
        #expect(result.stderr.split(separator: "\n").allSatisfy { $0.hasPrefix("memvault: error:") || $0.hasPrefix("hint:") }, "\(result.stderr)")
        #expect(result.stderr.utf8.count < 400)
        #expect(result.stdout.isEmpty)
        #expect(try cli.snapshot() == before)
    }

    @Test("add --tier auto: one stderr line with the tier and why; --json carries the classification")
    func autoAdd() throws {
        let cli = try EncryptionTests.vaultWithKeys()
        defer { cli.cleanup() }
        let health = try Self.run(cli, ["add", "Blood test: LDL 162, doctor wants a recheck in March", "--tier", "auto",
                                        "--date", "2026-11-22 09:00", "--json"])
        #expect(health.status == 0, "\(health.stderr)")
        #expect(health.stderr.contains("classified as confidential"))
        #expect(health.stderr.split(separator: "\n").count == 1)
        let json = try cli.json(health.stdout)
        #expect(json["tier"] as? String == "confidential")
        let classification = try #require(json["classification"] as? [String: Any])
        #expect(classification["tier"] as? String == "confidential")
        #expect((classification["reasons"] as? [String])?.contains { $0.hasPrefix("health") } == true)
        let file = try cli.read("alice/confidential/2026-11.md")
        #expect(file.contains("BEGIN AGE ENCRYPTED FILE"))
        #expect(!file.contains("LDL"))

        let walk = try Self.run(cli, ["add", "Yesterday we walked to the lake with Jonas", "--tier", "auto", "--date", "2026-11-22 10:00"])
        #expect(walk.status == 0)
        #expect(walk.stderr.contains("classified as chronological"))
        #expect(try cli.read("alice/chronological/2026-11.md").contains("walked to the lake"))
    }

    @Test("default_tier = \"auto\" classifies an add without --tier; import records with \"tier\": \"auto\" are classified")
    func defaultAutoAndImport() throws {
        let cli = try EncryptionTests.vaultWithKeys()
        defer { cli.cleanup() }
        let settings = try cli.read("memvault.toml")
        let changed = settings.contains("default_tier")
            ? settings.replacingOccurrences(of: #"default_tier = "chronological""#, with: #"default_tier = "auto""#)
            : settings + "\ndefault_tier = \"auto\"\n"
        try cli.write("memvault.toml", changed)
        #expect(try cli.read("memvault.toml").contains(#"default_tier = "auto""#))
        let pin = try Self.run(cli, ["add", "PIN 4711 for the garage door", "--date", "2026-11-23 08:00"])
        #expect(pin.status == 0, "\(pin.stderr)")
        #expect(pin.stderr.contains("classified as secret"))
        #expect(!(try cli.read("alice/secret/2026-11.md")).contains("4711"))

        let records = """
            {"text": "Mi abogado dice que el juicio del divorcio es en mayo", "tier": "auto", "date": "2026-10-02T10:00:00Z"}
            {"text": "Ayer fuimos a la playa con los primos", "tier": "auto", "date": "2026-10-03T10:00:00Z"}
            {"text": "Je préfère le thé vert sans sucre", "tier": "auto", "date": "2026-10-04T10:00:00Z"}
            """
        let imported = try Self.run(cli, ["import", "-"], stdin: Array(records.utf8))
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(!(try cli.read("alice/confidential/2026-10.md")).contains("abogado"))
        #expect(try cli.read("alice/chronological/2026-10.md").contains("playa"))
        #expect(try cli.read("alice/general/2026-10.md").contains("thé vert"))
    }

    // MARK: classify

    @Test("classify explains without writing; --json has tier, confidence, reasons and tags")
    func classifyExplains() throws {
        let cli = try EncryptionTests.vaultWithKeys()
        defer { cli.cleanup() }
        let before = try cli.snapshot()
        let out = try Self.run(cli, ["classify", "My PIN for the Sparkasse card is 4711", "--json"])
        #expect(out.status == 0, "\(out.stderr)")
        let json = try cli.json(out.stdout)
        #expect(json["tier"] as? String == "secret")
        #expect((json["confidence"] as? Double ?? 0) > 0.9)
        #expect((json["reasons"] as? [String])?.contains("credential: PIN (line 1)") == true)
        #expect(!out.stdout.contains("4711"))
        let human = try Self.run(cli, ["classify", "-"], stdin: Array("Le psychiatre a augmenté la dose de sertraline".utf8))
        #expect(human.stdout.hasPrefix("confidential"))
        #expect(try cli.snapshot() == before)
    }

    @Test("classify refuses bad input with one error line", arguments: ["empty", "invalid UTF-8", "10 MB", "no text"])
    func classifyBadInput(kind: String) throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok(["init", cli.vault.path, "--user", "alice"])
        let result: CLI.Result
        switch kind {
        case "empty": result = try Self.run(cli, ["classify", "   "])
        case "invalid UTF-8": result = try Self.run(cli, ["classify", "-"], stdin: [0x66, 0xFF, 0xFE, 0x0A])
        case "10 MB": result = try Self.run(cli, ["classify", "-"], stdin: [UInt8](repeating: 0x61, count: 10 << 20))
        default: result = try Self.run(cli, ["classify"])
        }
        if kind == "no text" {
            #expect(result.status == 64)
        } else {
            #expect(result.status == 1, "\(result.stderr)")
            #expect(Self.oneErrorLine(result), "\(result.stderr)")
        }
        #expect(result.stdout.isEmpty)
    }

    @Test("classify --review lists sensitive plain memories, most sensitive first, with path:line")
    func review() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok(["init", cli.vault.path, "--user", "alice"])
        try cli.write("alice/general/2026-11.md", """
            ## 2026-11-01 10:00 · Lake walk
            <!-- id: 01JD3K9X2F7Q8R3M -->

            Walked to the lake with Jonas after lunch.

            ## 2026-11-02 10:00 · Doctor
            <!-- id: 01JD3K9X2F7Q8R3N -->

            The dermatologist wants a biopsy of the mole.

            """)
        try cli.write("alice/chronological/2026-11.md", """
            ## 2026-11-03 10:00 · Card
            <!-- id: 01JD3K9X2F7Q8R3P -->

            New card 4111 1111 1111 1111 arrived today.

            """)
        let out = try Self.run(cli, ["classify", "--review", "--json"])
        #expect(out.status == 0, "\(out.stderr)")
        let memories = try #require(try cli.json(out.stdout)["memories"] as? [[String: Any]])
        #expect(memories.map { $0["id"] as? String } == ["01JD3K9X2F7Q8R3P", "01JD3K9X2F7Q8R3N"])
        // Two equally sure secrets after them in the general file: secret before confidential,
        // then by confidence, then by path and line.
        try cli.write("alice/general/2026-11.md", try cli.read("alice/general/2026-11.md") + """

            ## 2026-11-04 10:00 · Garage
            <!-- id: 01JD3K9X2F7Q8R3Q -->

            PIN 2468 for the garage door.

            """)
        let ordered = try Self.run(cli, ["classify", "--review", "--json"])
        let all = try #require(try cli.json(ordered.stdout)["memories"] as? [[String: Any]])
        #expect(all.map { $0["id"] as? String } == ["01JD3K9X2F7Q8R3P", "01JD3K9X2F7Q8R3Q", "01JD3K9X2F7Q8R3N"], "\(ordered.stdout)")
        #expect(all.map { ($0["classification"] as? [String: Any])?["tier"] as? String } == ["secret", "secret", "confidential"])
        #expect(memories.first?["path"] as? String == "alice/chronological/2026-11.md")
        #expect(memories.first?["line"] as? Int == 1)
        #expect((memories.first?["classification"] as? [String: Any])?["tier"] as? String == "secret")
        let general = try Self.run(cli, ["classify", "--review", "--tier", "general"])
        #expect(general.stdout.contains("alice/general/2026-11.md:6 01JD3K9X2F7Q8R3N general -> confidential"))
        #expect(!general.stdout.contains("01JD3K9X2F7Q8R3P"))
        let encrypted = try Self.run(cli, ["classify", "--review", "--tier", "secret"])
        #expect(encrypted.status == 1)
        #expect(Self.oneErrorLine(encrypted))
    }

    // MARK: mv

    @Test("mv up and down: one commit each, the id kept, the old tier's bytes gone from the working tree")
    func moveBothWays() throws {
        let cli = try EncryptionTests.vaultWithKeys()
        defer { cli.cleanup() }
        let marker = "Marker\(UUID().uuidString.prefix(8))"
        let id = try EncryptionTests.ok(cli, ["add", "Therapy notes \(marker)", "--tier", "general", "--date", "2026-11-22 14:03"])
        let commits = try cli.commitCount()
        let up = try Self.run(cli, ["mv", id, "--tier", "secret"])
        #expect(up.status == 0, "\(up.stderr)")
        #expect(try cli.commitCount() == commits + 1)
        #expect(!(try cli.read("alice/general/2026-11.md")).contains(id))
        #expect(!(try cli.read("alice/general/2026-11.md")).contains(marker))
        let secret = try cli.read("alice/secret/2026-11.md")
        #expect(secret.contains("<!-- id: \(id) "))
        #expect(!secret.contains(marker))
        // History keeps the plain bytes the move took out of the working tree.
        let previous = try cli.git(["show", "HEAD~1:alice/general/2026-11.md"])
        #expect(previous.status == 0)
        #expect(previous.output.contains("Therapy notes \(marker)"))
        #expect(previous.output.contains("<!-- id: \(id) "))

        // Down needs --force, and the tier unlocked.
        let refused = try Self.run(cli, ["mv", id, "--tier", "general"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("--force"))
        let locked = try Self.run(cli, ["mv", id, "--tier", "general", "--force"])
        #expect(locked.status == 3, "\(locked.stderr)")
        let down = try Self.run(cli, ["mv", id, "--tier", "general", "--force", "--json"], env: EncryptionTests.secretEnv("secret"))
        #expect(down.status == 0, "\(down.stderr)")
        #expect(try cli.json(down.stdout)["id"] as? String == id)
        #expect(try cli.commitCount() == commits + 2)
        #expect(!(try cli.read("alice/secret/2026-11.md")).contains(id))
        #expect(try cli.read("alice/general/2026-11.md").contains("Therapy notes \(marker)"))
        #expect(try cli.read("alice/general/2026-11.md").contains("<!-- id: \(id) "))
        // ...and the sealed bytes the move down took out of the secret tier.
        let sealedBefore = try cli.git(["show", "HEAD~1:alice/secret/2026-11.md"])
        #expect(sealedBefore.output.contains("<!-- id: \(id) "))
        #expect(sealedBefore.output.contains("BEGIN AGE ENCRYPTED FILE"))
    }

    @Test("mv refuses a credential bound for a plain tier, an unknown id and the same tier, writing nothing")
    func moveRefusals() throws {
        let cli = try EncryptionTests.vaultWithKeys()
        defer { cli.cleanup() }
        let id = try EncryptionTests.ok(cli, ["add", "garage PIN 4711", "--tier", "secret", "--date", "2026-11-22 14:03"])
        let before = try cli.snapshot()
        let plain = try Self.run(cli, ["mv", id, "--tier", "general", "--force"], env: EncryptionTests.secretEnv("secret"))
        #expect(plain.status == 1)
        #expect(plain.stderr.contains("PIN"))
        #expect(!plain.stderr.contains("4711"))
        #expect(try Self.run(cli, ["mv", "01JD3K9X2F7Q8R3M", "--tier", "secret"]).status == 1)
        #expect(try Self.run(cli, ["mv", id, "--tier", "secret"]).status == 1)
        #expect(try Self.run(cli, ["mv", id, "--tier", "nope"]).status == 1)
        #expect(try cli.snapshot() == before)
    }

    // MARK: The scanner's misses, on every path into a plain tier

    static let misses = [
        "-----BEGIN PGP PRIVATE KEY BLOCK-----",
        "jwt eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "PIN 4711",
        "the wifi password is sunflower",
        "Passwort ist Sonnenblume",
        "card 4111.1111.1111.1111",
        "iban de89 3704 0044 0532 0130 00",
        "token ghp_\u{200B}" + String(repeating: "a1B2", count: 9),
    ]

    @Test("each scanner miss is refused by add and import in a plain tier", arguments: misses)
    func missesOnAddAndImport(text: String) throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok(["init", cli.vault.path, "--user", "alice"])
        let before = try cli.snapshot()
        let add = try Self.run(cli, ["add", "-", "--tier", "general"], stdin: Array(text.utf8))
        #expect(add.status == 1, "\(add.stderr)")
        let record = try JSONSerialization.data(withJSONObject: ["text": text, "tier": "chronological"])
        let imported = try Self.run(cli, ["import", "-"], stdin: Array(record))
        #expect(imported.status == 1, "\(imported.stderr)")
        #expect(try cli.snapshot() == before)
    }

    @Test("each scanner miss in a hand edit is refused by commit and blocks a plain git commit (pre-commit hook)", arguments: misses)
    func missesOnCommitAndHook(text: String) throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok(["init", cli.vault.path, "--user", "alice"])
        try cli.write("alice/general/2026-11.md", "## 2026-11-22 14:03 · Note\n\n\(text)\n")
        let commits = try cli.commitCount()
        let commit = try Self.run(cli, ["commit"])
        #expect(commit.status == 1, "\(commit.stderr)")
        #expect(try cli.commitCount() == commits)

        var env = cli.environment
        env["PATH"] = CLI.binary.deletingLastPathComponent().path + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        try cli.git(["add", "-A"])
        let hooked = try CLI.process("/usr/bin/git", ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "secret"],
                                     in: cli.vault, environment: env)
        #expect(hooked.status != 0, "the hook let it through: \(hooked.output)")
        #expect(hooked.output.contains("plain-text tier"))
        #expect(try cli.commitCount() == commits)
    }
}

@Suite("check --staged: credentials in what the next git commit records")
struct StagedCheckTests {
    static let secretLine = "my password: Tr0ub4dor&3xyz"

    @Test("the staged bytes are scanned, not the working file; other checks still cover every file; the hook uses it")
    func stagedBytes() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok(["init", cli.vault.path, "--user", "alice"])
        // Only in the working tree: the full scan reports it, the staged one does not.
        try cli.write("alice/general/2026-10.md", "## 2026-10-02 10:00 · Note\n\n\(Self.secretLine)\n")
        #expect(try cli.run(["check", "--secrets-are-errors"]).status == 1)
        let unstaged = try cli.run(["check", "--secrets-are-errors", "--staged"])
        #expect(unstaged.status == 0, "\(unstaged.stdout)\(unstaged.stderr)")
        try FileManager.default.removeItem(at: cli.vault.appendingPathComponent("alice/general/2026-10.md"))

        // Staged, then cleaned in the working tree only: the commit would record the credential.
        let path = "alice/chronological/2026-11.md"
        try cli.write(path, "## 2026-11-22 14:03 · Note\n\nfirst line\n\(Self.secretLine)\n")
        try cli.git(["add", path])
        try cli.write(path, "## 2026-11-22 14:03 · Note\n\nfirst line\n")
        #expect(try cli.run(["check", "--secrets-are-errors"]).status == 0)
        let staged = try cli.run(["check", "--secrets-are-errors", "--staged"])
        #expect(staged.status == 1)
        #expect(staged.stdout.contains("\(path):4") && staged.stdout.contains("plain-text tier"), "\(staged.stdout)")
        let report = try cli.json(try cli.run(["check", "--staged", "--json"]).stdout)
        let problems = (report["problems"] as? [[String: Any]]) ?? []
        #expect(problems.contains { $0["path"] as? String == path && $0["severity"] as? String == "warning" })

        // The installed hook runs the staged scan and refuses the commit.
        let hook = try String(contentsOf: cli.vault.appendingPathComponent(".git/hooks/pre-commit"), encoding: .utf8)
        #expect(hook.contains("check --secrets-are-errors --staged"))
        var env = cli.environment
        env["PATH"] = CLI.binary.deletingLastPathComponent().path + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        let commits = try cli.commitCount()
        let hooked = try CLI.process("/usr/bin/git", ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "x"],
                                     in: cli.vault, environment: env)
        #expect(hooked.status != 0 && hooked.output.contains(path), "\(hooked.output)")
        #expect(try cli.commitCount() == commits)

        // Staged clean, and a staged removal: nothing to report; a broken working file is still an error.
        try cli.git(["add", path])
        #expect(try cli.run(["check", "--secrets-are-errors", "--staged"]).status == 0)
        try cli.git(["rm", "-q", "--cached", path])
        #expect(try cli.run(["check", "--secrets-are-errors", "--staged"]).status == 0)
        try Data([0x23, 0x20, 0xFF, 0x0A]).write(to: cli.vault.appendingPathComponent("alice/general/2026-09.md"))
        let broken = try cli.run(["check", "--staged"])
        #expect(broken.status == 1 && broken.stdout.contains("UTF-8"), "\(broken.stdout)")

        // Bytes staged that memvault cannot read, the working file mended: an error naming the staged version.
        try FileManager.default.removeItem(at: cli.vault.appendingPathComponent("alice/general/2026-09.md"))
        try Data([0x23, 0x23, 0x20, 0xFF, 0x0A]).write(to: cli.vault.appendingPathComponent(path))
        try cli.git(["add", path])
        try cli.write(path, "## 2026-11-22 14:03 · Note\n\nfirst line\n")
        let unreadable = try cli.run(["check", "--staged"])
        #expect(unreadable.status == 1 && unreadable.stdout.contains("\(path)") && unreadable.stdout.contains("as staged"), "\(unreadable.stdout)")
    }
}
