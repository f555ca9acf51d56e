import Foundation
import Testing

/// A vault on one device, its bare remote, and an attacker's stock-git clone of that remote that
/// can push anything.
struct HostileRemote {
    let cli: CLI
    let remote: URL
    let attacker: URL
    /// A folder outside the vault holding a "private key" the attacker wants.
    let outside: URL

    static let env = ["MEMVAULT_DEBUG_SCRYPT_WORK_FACTOR": "10", "MEMVAULT_PASSPHRASE_SECRET": "secret pass"]

    init() throws {
        cli = try CLI()
        remote = cli.home.appendingPathComponent("remote.git")
        attacker = cli.home.appendingPathComponent("attacker")
        outside = cli.home.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try Data("-----BEGIN OPENSSH PRIVATE KEY-----\nTOPSECRETKEYMATERIAL\n".utf8)
            .write(to: outside.appendingPathComponent("id_ed25519"))
        #expect(try CLI.git(["init", "--bare", "--quiet", "--initial-branch=main", remote.path], in: cli.home, environment: cli.environment).status == 0)
        try ok(["init", cli.vault.path, "--user", "alice", "--remote", remote.path])
        try ok(["add", "first memory", "--tier", "general", "--date", "2026-11-10 12:00"])
        try ok(["sync"])
        try git(["clone", "--quiet", remote.path, attacker.path], in: cli.home)
        try git(["config", "user.name", "mallory"], in: attacker)
        try git(["config", "user.email", "mallory@example.com"], in: attacker)
    }

    func cleanup() { cli.cleanup() }

    @discardableResult
    func run(_ args: [String], env: [String: String] = [:]) throws -> CLI.Result {
        var all = Self.env
        all["XDG_RUNTIME_DIR"] = cli.home.path
        for (key, value) in env { all[key] = value }
        let directory = FileManager.default.fileExists(atPath: cli.vault.path) ? cli.vault : cli.home
        return try cli.run(args, in: directory, env: all)
    }

    @discardableResult
    func ok(_ args: [String], env: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try run(args, env: env)
        #expect(result.status == 0, "memvault \(args.joined(separator: " ")) failed: \(result.stderr)", sourceLocation: sourceLocation)
        return result.stdout
    }

    @discardableResult
    func git(_ args: [String], in directory: URL, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let (status, output) = try CLI.git(args, in: directory, environment: cli.environment)
        #expect(status == 0, "git \(args.joined(separator: " ")): \(output)", sourceLocation: sourceLocation)
        return output
    }

    /// The attacker commits everything in their clone and pushes; returns the commit id.
    func push(_ message: String) throws -> String {
        try git(["add", "-A"], in: attacker)
        try git(["commit", "--quiet", "-m", message], in: attacker)
        try git(["push", "--quiet", "origin", "main"], in: attacker)
        return try git(["rev-parse", "HEAD"], in: attacker).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func head() throws -> String {
        try git(["rev-parse", "HEAD"], in: cli.vault).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

@Suite("Security: a hostile remote, links in the vault, trusted keys and settings, init and user names")
struct SecurityTests {
    // MARK: Links from the remote

    @Test("sync refuses a remote whose month file is a symbolic link to a file outside, and changes nothing",
          arguments: ["file", "file, both sides moved", "folder", "cache"])
    func symlinkRemote(variant: String) throws {
        let h = try HostileRemote()
        defer { h.cleanup() }
        if variant.hasSuffix("both sides moved") {
            // A local commit too: the merge path, not the fast-forward, meets the link.
            try h.ok(["add", "local memory", "--tier", "general", "--date", "2026-11-11 12:00"])
        }
        let linkPath: String
        switch variant {
        case "file", "file, both sides moved":
            linkPath = "alice/chronological/2027-06.md"
            try FileManager.default.createDirectory(at: h.attacker.appendingPathComponent("alice/chronological"), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: h.attacker.appendingPathComponent(linkPath).path,
                withDestinationPath: h.outside.appendingPathComponent("id_ed25519").path)
        case "folder":
            linkPath = "alice/secret"
            try FileManager.default.createSymbolicLink(atPath: h.attacker.appendingPathComponent(linkPath).path,
                withDestinationPath: h.outside.path)
        default:
            linkPath = ".memvault/cache"
            try FileManager.default.createSymbolicLink(atPath: h.attacker.appendingPathComponent(linkPath).path,
                withDestinationPath: h.outside.path)
            try h.git(["add", "-f", linkPath], in: h.attacker)
        }
        let commit = try h.push("a link")
        let before = try h.head()
        let snapshot = try h.cli.snapshot()
        let result = try h.run(["sync"])
        #expect(result.status == 5, "exit 5 (integrity): \(result.stderr)")
        let errorLines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("memvault: error:") }
        #expect(errorLines.count == 1)
        #expect(result.stderr.contains(linkPath), "names the path: \(result.stderr)")
        #expect(result.stderr.contains(String(commit.prefix(12))), "names the commit: \(result.stderr)")
        #expect(try h.head() == before, "no merge, no fast-forward")
        #expect(try h.cli.snapshot() == snapshot, "nothing checked out")
        let kind = try? FileManager.default.attributesOfItem(atPath: h.cli.vault.appendingPathComponent(linkPath).path)[.type] as? FileAttributeType
        #expect(kind != .typeSymbolicLink)
        // Nothing was pushed over the attacker's commit either.
        #expect(try h.git(["rev-parse", "main"], in: h.remote).trimmingCharacters(in: .whitespacesAndNewlines) == commit)
        // The next add still works and reads nothing outside.
        try h.ok(["add", "June entry", "--tier", variant == "folder" ? "chronological" : "chronological", "--date", "2027-06-01 09:00"])
        #expect(!(try h.cli.read("alice/chronological/2027-06.md")).contains("TOPSECRET"))
    }

    @Test("sync refuses a gitlink (submodule) entry from the remote")
    func gitlinkRemote() throws {
        let h = try HostileRemote()
        defer { h.cleanup() }
        let some = try h.git(["rev-parse", "HEAD"], in: h.attacker).trimmingCharacters(in: .whitespacesAndNewlines)
        try h.git(["update-index", "--add", "--cacheinfo", "160000,\(some),alice/general/sub"], in: h.attacker)
        try h.git(["commit", "--quiet", "-m", "gitlink"], in: h.attacker)
        try h.git(["push", "--quiet", "origin", "main"], in: h.attacker)
        let before = try h.head()
        let result = try h.run(["sync"])
        #expect(result.status == 5)
        #expect(result.stderr.contains("alice/general/sub"))
        #expect(result.stderr.contains("gitlink"))
        #expect(try h.head() == before)
    }

    @Test("sync refuses a remote that planted a journal of a change in progress, on the fast-forward and the merge path",
          arguments: [false, true])
    func plantedJournal(bothSidesMoved: Bool) throws {
        let h = try HostileRemote()
        defer { h.cleanup() }
        if bothSidesMoved {
            try h.ok(["add", "local memory", "--tier", "general", "--date", "2026-11-11 12:00"])
        }
        // A journal that would "roll back" the month file to the attacker's text at the next command.
        let month = "alice/general/2026-11.md"
        try FileManager.default.createDirectory(at: h.attacker.appendingPathComponent(".memvault"), withIntermediateDirectories: true)
        try Data(#"{"version":1,"kind":"files","message":"planted","pid":1,"files":[{"path":"\#(month)","before":"b3duZWQK"}]}"#.utf8)
            .write(to: h.attacker.appendingPathComponent(".memvault/journal"))
        try h.git(["add", "-f", ".memvault/journal"], in: h.attacker)
        let commit = try h.push("a journal")
        let before = try h.head()
        let snapshot = try h.cli.snapshot()
        let result = try h.run(["sync"])
        #expect(result.status == 5, "exit 5 (integrity): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").filter { $0.hasPrefix("memvault: error:") }.count == 1)
        #expect(result.stderr.contains(".memvault/journal"), "names the path: \(result.stderr)")
        #expect(result.stderr.contains(String(commit.prefix(12))) || bothSidesMoved, "names the commit: \(result.stderr)")
        #expect(try h.head() == before, "no merge, no fast-forward")
        #expect(try h.cli.snapshot() == snapshot, "nothing checked out")
        #expect(!FileManager.default.fileExists(atPath: h.cli.vault.appendingPathComponent(".memvault/journal").path))
        let status = try h.run(["status"])
        #expect(status.status == 0)
        #expect(!status.stderr.contains("recovered"), "no planted change was acted on: \(status.stderr)")
        #expect(try h.cli.read(month).contains("first memory"))
    }

    @Test("clone refuses a remote that holds a symbolic link, and leaves no folder")
    func cloneRefusesLinks() throws {
        let h = try HostileRemote()
        defer { h.cleanup() }
        try FileManager.default.createSymbolicLink(atPath: h.attacker.appendingPathComponent("alice/general/2027-01.md").path,
            withDestinationPath: h.outside.appendingPathComponent("id_ed25519").path)
        _ = try h.push("link")
        let target = h.cli.home.appendingPathComponent("second")
        let result = try h.cli.run(["clone", h.remote.path, target.path], in: h.cli.home)
        #expect(result.status == 5, "\(result.stderr)")
        #expect(result.stderr.contains("alice/general/2027-01.md"))
        #expect(!FileManager.default.fileExists(atPath: target.path))
    }

    // MARK: Links made locally (a careless editor, another tool)

    @Test("a month file that is a link to a file outside: add, rm, import, check --fix, commit and edit refuse it by name, and read nothing through it")
    func localFileLink() throws {
        let h = try HostileRemote()
        defer { h.cleanup() }
        let secret = h.outside.appendingPathComponent("id_ed25519")
        let original = try Data(contentsOf: secret)
        // This month's file, the one `edit --tier general` opens.
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM"
        formatter.timeZone = TimeZone(identifier: "Europe/Berlin")
        let month = formatter.string(from: Date())
        let relative = "alice/general/\(month).md"
        let link = h.cli.vault.appendingPathComponent(relative)
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: secret.path)
        let attempts: [([String], [UInt8]?)] = [
            (["add", "this month", "--tier", "general", "--date", "\(month)-01 10:00"], nil),
            (["import", "-"], Array(#"{"text": "imported", "tier": "general", "date": "\#(month)-02T10:00:00Z"}"#.utf8) + [10]),
            (["check", "--fix"], nil),
            (["commit"], nil),
            (["edit", "--tier", "general"], nil),
            (["list"], nil),
        ]
        for (args, stdin) in attempts {
            let result = try h.cli.run(args, stdin: stdin, in: h.cli.vault, env: ["EDITOR": "true", "MEMVAULT_DEBUG_SCRYPT_WORK_FACTOR": "10"])
            let output = result.stdout + result.stderr
            #expect(result.status != 0, "\(args) must fail")
            #expect(output.contains(relative), "\(args) names the link: \(output)")
            #expect(output.contains("symbolic link"), "\(args): \(output)")
            #expect(!result.stdout.contains("TOPSECRET") && !result.stderr.contains("TOPSECRET"))
        }
        #expect(try Data(contentsOf: secret) == original, "the outside file is untouched")
        let attributes = try FileManager.default.attributesOfItem(atPath: link.path)
        #expect(attributes[.type] as? FileAttributeType == .typeSymbolicLink, "the link was not replaced")
        #expect(!(try h.git(["log", "--all", "-p"], in: h.cli.vault)).contains("TOPSECRET"), "nothing of it committed")
    }

    @Test("a tier folder that is a link to a folder outside: add writes nothing there")
    func localFolderLink() throws {
        let h = try HostileRemote()
        defer { h.cleanup() }
        let folder = h.cli.vault.appendingPathComponent("alice/general")
        try FileManager.default.removeItem(at: folder)
        try FileManager.default.createSymbolicLink(atPath: folder.path, withDestinationPath: h.outside.path)
        let before = try FileManager.default.contentsOfDirectory(atPath: h.outside.path)
        let result = try h.run(["add", "note", "--tier", "general", "--date", "2026-12-01 10:00"])
        #expect(result.status == 5, "\(result.stderr)")
        #expect(result.stderr.contains("(alice/general)"), "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: h.outside.path) == before)
        // list reports it by name instead of reading through it.
        let list = try h.run(["list", "--tier", "general"])
        #expect(list.status == 5, "\(list.stderr)")
        #expect(list.stderr.contains("alice/general"))
        #expect(!list.stdout.contains("TOPSECRET"))
    }

    @Test("rm and restore refuse a month file replaced by a link")
    func rmAndRestoreRefuseLinks() throws {
        let h = try HostileRemote()
        defer { h.cleanup() }
        let id = try h.ok(["add", "to be removed", "--tier", "general", "--date", "2026-11-12 12:00"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let path = h.cli.vault.appendingPathComponent("alice/general/2026-11.md")
        let moved = h.outside.appendingPathComponent("moved.md")
        try FileManager.default.moveItem(at: path, to: moved)
        try FileManager.default.createSymbolicLink(atPath: path.path, withDestinationPath: moved.path)
        let copy = try Data(contentsOf: moved)
        for args in [["rm", id], ["restore", "\(id)@HEAD"]] {
            let result = try h.run(args)
            #expect(result.status != 0, "\(args): \(result.stdout)")
            #expect(result.stderr.contains("alice/general/2026-11.md"), "\(args): \(result.stderr)")
        }
        #expect(try Data(contentsOf: moved) == copy)
    }

    @Test("a link in place of .memvault/cache is refused; the lock and index are never written through it")
    func cacheLink() throws {
        let h = try HostileRemote()
        defer { h.cleanup() }
        let cache = h.cli.vault.appendingPathComponent(".memvault/cache")
        try? FileManager.default.removeItem(at: cache)
        try FileManager.default.createSymbolicLink(atPath: cache.path, withDestinationPath: h.outside.path)
        for args in [["add", "x", "--tier", "general"], ["search", "memory", "--mode", "lexical"], ["reindex"]] {
            let result = try h.run(args)
            #expect(result.status == 5, "\(args): \(result.stderr)")
            #expect(result.stderr.contains(".memvault/cache"), "\(args): \(result.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: h.outside.path) == ["id_ed25519"])
    }

    // MARK: Keys and settings from the remote

    /// A valid age recipient the attacker controls.
    static func attackerRecipient(in folder: URL) throws -> String {
        let key = folder.appendingPathComponent("attacker.key")
        let result = try CLI.process("/usr/bin/age-keygen", ["-o", key.path])
        #expect(result.status == 0, "age-keygen: \(result.output)")
        let text = try String(contentsOf: key, encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("# public key: ") })
        return String(line.dropFirst("# public key: ".count))
    }

    @Test("a remote that swaps the secret tier's .pub: sync warns, add --tier secret is refused until memvault trust, unlock names the .pub")
    func keySwapRemote() throws {
        let h = try HostileRemote()
        defer { h.cleanup() }
        #expect(FileManager.default.fileExists(atPath: h.cli.vault.appendingPathComponent(".memvault/keys/alice/secret.pub").path))
        try h.git(["pull", "--quiet"], in: h.attacker)
        let recipient = try Self.attackerRecipient(in: h.cli.home)
        try Data((recipient + "\n").utf8).write(to: h.attacker.appendingPathComponent(".memvault/keys/alice/secret.pub"))
        _ = try h.push("new key")

        let sync = try h.run(["sync"])
        #expect(sync.status == 0, "\(sync.stderr)")
        #expect(sync.stderr.contains("not trusted yet"), "sync reports it: \(sync.stderr)")
        #expect(sync.stderr.contains("secret.pub"))
        #expect(sync.stderr.contains("memvault trust"))

        let before = try h.cli.snapshot()
        // A device that has not unlocked the tier: add needs only the recipient, and the pin refuses it.
        let locked = ["MEMVAULT_PASSPHRASE_SECRET": ""]
        let add = try h.run(["add", "the new alarm code is 4711", "--tier", "secret", "--date", "2026-11-20 10:00"], env: locked)
        #expect(add.status == 5, "\(add.stderr)")
        #expect(add.stderr.contains("changed since this device trusted it"), "\(add.stderr)")
        #expect(add.stderr.contains(".memvault/keys/alice/secret.pub"))
        #expect(add.stderr.contains("memvault trust"))
        #expect(try h.cli.snapshot() == before, "nothing written")
        // Other tiers still work.
        try h.ok(["add", "a plain memory", "--tier", "general", "--date", "2026-11-20 10:00"])

        let unlock = try h.run(["unlock", "secret"])
        #expect(unlock.status == 5, "\(unlock.stderr)")
        #expect(unlock.stderr.contains("does not match its unlocked identity"), "\(unlock.stderr)")
        #expect(unlock.stderr.contains(".memvault/keys/alice/secret.pub"))

        let status = try h.cli.json(try h.ok(["status", "--json"]))
        #expect((status["untrusted"] as? [String])?.first?.contains("secret key of alice changed") == true)

        // Without a terminal and without --yes, trust only shows.
        let show = try h.run(["trust"])
        #expect(show.status == 0)
        #expect(show.stdout.contains("secret key of alice changed"))
        #expect(show.stdout.contains(recipient))
        #expect(try h.run(["add", "still refused", "--tier", "secret"], env: locked).status == 5)

        let json = try h.cli.json(try h.ok(["trust", "--json"]))
        #expect((json["changes"] as? [Any])?.count == 1)
        #expect(json["accepted"] as? Bool == false)

        // Accepting records the pin; the write is then no longer refused by trust (here it goes to the
        // accepted key, which is what the person chose).
        #expect(try h.ok(["trust", "--yes"]).contains("trusted"))
        #expect(try h.ok(["trust"]).contains("nothing changed"))
        try h.ok(["add", "after trust", "--tier", "secret", "--date", "2026-11-21 10:00"], env: ["MEMVAULT_PASSPHRASE_SECRET": ""])
    }

    @Test("a remote that lowers default_tier from secret to general: plain add is refused until trusted; raising it is not a change")
    func defaultTierDowngrade() throws {
        let h = try HostileRemote()
        defer { h.cleanup() }
        let settings = try h.cli.read("memvault.toml").replacingOccurrences(of: #"default_tier = "chronological""#, with: #"default_tier = "secret""#)
        try h.cli.write("memvault.toml", settings)
        // Raising the default tier by hand needs no trust.
        #expect(try h.ok(["trust"]).contains("nothing changed"))
        try h.ok(["commit"])
        try h.ok(["trust", "--yes"])
        try h.ok(["sync"])
        try h.git(["pull", "--quiet"], in: h.attacker)
        let lowered = try String(contentsOf: h.attacker.appendingPathComponent("memvault.toml"), encoding: .utf8)
            .replacingOccurrences(of: #"default_tier = "secret""#, with: #"default_tier = "general""#)
        try Data(lowered.utf8).write(to: h.attacker.appendingPathComponent("memvault.toml"))
        _ = try h.push("lower the default tier")

        let sync = try h.run(["sync"])
        #expect(sync.status == 0)
        #expect(sync.stderr.contains("default_tier lowered from secret to general"), "\(sync.stderr)")
        let before = try h.cli.snapshot()
        let add = try h.run(["add", "the spare key is under the blue pot"])
        #expect(add.status == 5, "\(add.stderr)")
        #expect(add.stderr.contains("memvault.toml"))
        #expect(try h.cli.snapshot() == before, "no plain text written")
        try h.ok(["trust", "--yes"])
        try h.ok(["add", "now general by choice"])
    }

    @Test("a user added by the remote holds writes until trusted")
    func userAddedByRemote() throws {
        let h = try HostileRemote()
        defer { h.cleanup() }
        let settings = try String(contentsOf: h.attacker.appendingPathComponent("memvault.toml"), encoding: .utf8)
            .replacingOccurrences(of: #"users = ["alice"]"#, with: #"users = ["alice", "mallory"]"#)
        try Data(settings.utf8).write(to: h.attacker.appendingPathComponent("memvault.toml"))
        _ = try h.push("add mallory")
        let sync = try h.run(["sync"])
        #expect(sync.stderr.contains("user mallory was added"), "\(sync.stderr)")
        #expect(try h.run(["add", "x", "--tier", "general"]).status == 5)
        try h.ok(["trust", "--yes"])
        try h.ok(["add", "x", "--tier", "general"])
    }

    @Test("an existing vault without pins trusts its keys on first use, then notices a hand-swapped .pub")
    func trustOnFirstUse() throws {
        let h = try HostileRemote()
        defer { h.cleanup() }
        let pins = h.cli.vault.appendingPathComponent(".git/memvault/trust.json")
        #expect(FileManager.default.fileExists(atPath: pins.path))
        try FileManager.default.removeItem(at: pins)
        try h.ok(["add", "first use", "--tier", "secret", "--date", "2026-11-20 10:00"])
        #expect(FileManager.default.fileExists(atPath: pins.path), "pinned on first use")
        let recipient = try Self.attackerRecipient(in: h.cli.home)
        try h.cli.write(".memvault/keys/alice/secret.pub", recipient + "\n")
        let refused = try h.run(["add", "second", "--tier", "secret"], env: ["MEMVAULT_PASSPHRASE_SECRET": ""])
        #expect(refused.status == 5)
        #expect(refused.stderr.contains("changed since this device trusted it"), "\(refused.stderr)")
    }

    @Test("on a terminal, trust asks: no keeps the writes refused, yes records the change")
    func trustOnTerminal() throws {
        let h = try HostileRemote()
        defer { h.cleanup() }
        try h.cli.write(".memvault/keys/alice/secret.pub", try Self.attackerRecipient(in: h.cli.home) + "\n")
        let locked = ["MEMVAULT_PASSPHRASE_SECRET": ""]
        /// Runs `memvault trust` on a pseudo-terminal (util-linux script) and types `answer`.
        func trust(answering answer: String) throws -> String {
            let command = "printf '\(answer)\\n' | script -qec '\(CLI.binary.path) trust --vault \(h.cli.vault.path)' /dev/null"
            let result = try CLI.process("/bin/sh", ["-c", command], in: h.cli.home, environment: h.cli.environment)
            #expect(result.status == 0, "\(result.output)")
            return result.output
        }
        let declined = try trust(answering: "n")
        #expect(declined.contains("accept these changes? [y/N]"), "\(declined)")
        #expect(declined.contains("not accepted"))
        #expect(try h.run(["add", "x", "--tier", "secret"], env: locked).status == 5)
        let accepted = try trust(answering: "y")
        #expect(accepted.contains("trusted: 1 change recorded"), "\(accepted)")
        try h.ok(["add", "x", "--tier", "secret"], env: locked)
    }

    @Test("trust rejects a bad option; passwd and rotate on this device pin their own new key")
    func ownKeyChangesArePinned() throws {
        let h = try HostileRemote()
        defer { h.cleanup() }
        #expect(try h.run(["trust", "--bogus"]).status == 64)
        try h.ok(["passwd", "secret"], env: ["MEMVAULT_NEW_PASSPHRASE_SECRET": "another pass"])
        #expect(try h.ok(["trust"]).contains("nothing changed"), "a new passphrase keeps the recipient")
        try h.ok(["add", "one", "--tier", "secret", "--date", "2026-11-20 10:00"], env: ["MEMVAULT_PASSPHRASE_SECRET": "another pass"])
        try h.ok(["rotate", "secret"], env: ["MEMVAULT_PASSPHRASE_SECRET": "another pass"])
        #expect(try h.ok(["trust"]).contains("nothing changed"))
        try h.ok(["add", "two", "--tier", "secret", "--date", "2026-11-20 11:00"], env: ["MEMVAULT_PASSPHRASE_SECRET": "another pass"])
    }

    // MARK: init

    @Test("init refuses a non-empty folder that is not a vault; --force makes one and never commits what was there")
    func initNonEmpty() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let folder = cli.home.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent(".ssh"), withIntermediateDirectories: true)
        try Data("PRIVATE".utf8).write(to: folder.appendingPathComponent(".ssh/id_rsa"))
        try Data("notes".utf8).write(to: folder.appendingPathComponent("todo*.txt"))
        let refused = try cli.run(["init", folder.path, "--user", "alice"], in: cli.home)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("not empty"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--force"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == [".ssh", "todo*.txt"], "nothing written")

        try cli.ok(["init", folder.path, "--user", "alice", "--force"])
        try cli.run(["add", "hello", "--tier", "general"], in: folder)
        let commit = try cli.run(["commit"], in: folder)
        #expect(commit.status == 0)
        let tracked = try CLI.git(["ls-files"], in: folder, environment: cli.environment).output
        #expect(!tracked.contains(".ssh"))
        #expect(!tracked.contains("todo"))
        #expect(tracked.contains("memvault.toml"))
    }

    @Test("a new vault is private whatever the umask: folders 0700, files 0600")
    func permissions() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let result = try CLI.process("/bin/sh", ["-c", "umask 000 && exec \"$0\" \"$@\"", CLI.binary.path, "init", cli.vault.path, "--user", "alice"],
            in: cli.home, environment: cli.environment)
        #expect(result.status == 0, "\(result.output)")
        _ = try CLI.process("/bin/sh", ["-c", "umask 000 && exec \"$0\" \"$@\"", CLI.binary.path, "add", "hello", "--tier", "general", "--date", "2026-11-01 10:00"],
            in: cli.vault, environment: cli.environment)
        func mode(_ path: String) throws -> Int {
            (try FileManager.default.attributesOfItem(atPath: cli.vault.appendingPathComponent(path).path)[.posixPermissions] as? Int) ?? -1
        }
        #expect(try mode("") == 0o700)
        #expect(try mode(".git") == 0o700)
        #expect(try mode("alice") == 0o700)
        #expect(try mode("alice/general") == 0o700)
        #expect(try mode("memvault.toml") == 0o600)
        #expect(try mode("alice/general/2026-11.md") == 0o600)
        #expect(try mode(".git/memvault/trust.json") == 0o600)
    }

    // MARK: User names

    @Test("a 64-character name of combining marks is refused with a clear error and no vault")
    func combiningMarkName() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let name = String(repeating: "e\u{0301}\u{0323}", count: 64)
        let result = try cli.run(["init", cli.vault.path, "--user", name], in: cli.home)
        #expect(result.status == 1)
        #expect(result.stderr.contains("bytes"), "\(result.stderr)")
        #expect(!result.stdout.contains("vault ready"))
        #expect(!FileManager.default.fileExists(atPath: cli.vault.appendingPathComponent("memvault.toml").path))
    }

    @Test("adding a user whose name collides case-folded or by look-alike letters is refused",
          arguments: ["Alice", "ALICE", "аlice", "αlice", "Alicé"])
    func collidingNames(name: String) throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok(["init", cli.vault.path, "--user", "alice"])
        let settings = try cli.read("memvault.toml")
        let result = try cli.run(["init", "--vault", cli.vault.path, "--user", name])
        #expect(result.status == 1, "\(name): \(result.stdout)")
        #expect(result.stderr.contains("looks like the existing user 'alice'"), "\(result.stderr)")
        #expect(try cli.read("memvault.toml") == settings)
        #expect(!FileManager.default.fileExists(atPath: cli.vault.appendingPathComponent(name).path))
    }

    @Test("a decomposed name is stored in NFC and found again either way")
    func nfcNames() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok(["init", cli.vault.path, "--user", "zoe\u{0308}"])
        #expect(try cli.read("memvault.toml").contains("\"zo\u{00EB}\""))
        #expect(FileManager.default.fileExists(atPath: cli.vault.appendingPathComponent("zo\u{00EB}/general").path))
        try cli.ok(["add", "hi", "--tier", "general", "--user", "zo\u{00EB}"])
        try cli.ok(["list", "--user", "zoe\u{0308}"])
    }
}
