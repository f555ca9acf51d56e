import Foundation
import ProcessTimer
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Hostile data and a careless editor: plain text in encrypted tiers, swapped ciphertext,
/// entries under a rotated-away key, edit's temporary files, resource bombs, terminal escapes,
/// the agent's TTL and the digest's ultrasecret counts. Each test failed before the fix.
@Suite("Hostile data, a neighbour on the machine, and a careless editor")
struct HostileDataTests {
    typealias E = EncryptionTests

    /// Every git object of a repository, decompressed (`git cat-file --batch-all-objects --batch`).
    static func allObjects(_ repository: URL, _ cli: CLI) throws -> String {
        try CLI.git(["cat-file", "--batch-all-objects", "--batch"], in: repository, environment: cli.environment).output
    }

    static func marker() -> String { "Mk\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12))" }

    // MARK: 1. Plain text in an encrypted tier

    @Test("a plain entry written by hand into secret/2026-11.md is encrypted by commit: no git object holds its text")
    func handWrittenSecretIsEncryptedOnCommit() throws {
        let cli = try E.vaultWithKeys()
        defer { cli.cleanup() }
        let marker = Self.marker()
        try cli.write("alice/secret/2026-11.md", "## 2026-11-22 10:00 · Safe code\n\nthe safe code is \(marker)\n")
        let result = try E.run(cli, ["commit"])
        #expect(result.status == 0, "\(result.stderr)")
        let file = try cli.read("alice/secret/2026-11.md")
        #expect(!file.contains(marker) && file.contains("-----BEGIN AGE ENCRYPTED FILE-----"))
        #expect(!(try Self.allObjects(cli.vault, cli)).contains(marker))
        // It reads back with the passphrase, title and text, bound to its place.
        let listed = try cli.json(try E.ok(cli, ["list", "--json"], env: E.secretEnv("secret")))
        let memory = try #require((listed["memories"] as? [[String: Any]])?.first)
        #expect(memory["text"] as? String == "the safe code is \(marker)")
        #expect(memory["title"] as? String == "Safe code")
        #expect((memory["meta"] as? [String: String])?.isEmpty == true)
    }

    @Test("sync encrypts a hand-written secret before pushing: the remote never receives its text")
    func handWrittenSecretIsEncryptedOnSync() throws {
        let cli = try E.vaultWithKeys()
        defer { cli.cleanup() }
        let remote = cli.home.appendingPathComponent("remote.git")
        _ = try CLI.process("/usr/bin/git", ["init", "--bare", "-q", remote.path], environment: cli.environment)
        #expect(try cli.git(["remote", "add", "origin", remote.path]).status == 0)
        let marker = Self.marker()
        try cli.write("alice/ultrasecret/2026-11.md", "## 2026-11-22 10:00\n\nultra \(marker)\n")
        let result = try E.run(cli, ["sync"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!(try Self.allObjects(remote, cli)).contains(marker))
        #expect(!(try cli.read("alice/ultrasecret/2026-11.md")).contains("2026-11-22"), "an ultrasecret heading shows only the id")
    }

    @Test("text outside any dated memory in an encrypted tier's file is refused by commit, nothing committed")
    func textOutsideEntriesInSecretIsRefused() throws {
        let cli = try E.vaultWithKeys()
        defer { cli.cleanup() }
        let marker = Self.marker()
        try cli.write("alice/secret/notes.md", "my bank password is \(marker)\n")
        let commits = try cli.commitCount()
        let result = try E.run(cli, ["commit"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("alice/secret/notes.md:1") && !result.stderr.contains(marker))
        #expect(try cli.commitCount() == commits)
        #expect(!(try Self.allObjects(cli.vault, cli)).contains(marker))
    }

    @Test("restore ID@REV of a memory that moved into secret since writes it encrypted to the current key")
    func restoreIntoSecretReencrypts() throws {
        let cli = try E.vaultWithKeys()
        defer { cli.cleanup() }
        let marker = Self.marker()
        let id = try E.ok(cli, ["add", "old text \(marker)", "--tier", "general", "--date", "2026-11-22 10:00"])
        let plainCommit = try cli.git(["rev-parse", "HEAD"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        // Moved by hand: cut from general, pasted into secret with new text, committed (and encrypted).
        let general = try cli.read("alice/general/2026-11.md")
        try cli.write("alice/general/2026-11.md", "")
        try cli.write("alice/secret/2026-11.md", general.replacingOccurrences(of: "old text \(marker)", with: "new text"))
        #expect(try E.run(cli, ["commit"]).status == 0)
        let result = try E.run(cli, ["restore", "\(id)@\(plainCommit)"])
        #expect(result.status == 0, "\(result.stderr)")
        let file = try cli.read("alice/secret/2026-11.md")
        #expect(!file.contains(marker) && file.contains("-----BEGIN AGE ENCRYPTED FILE-----"))
        let head = try cli.git(["show", "HEAD:alice/secret/2026-11.md"]).output
        #expect(!head.contains(marker))
        let shown = try cli.json(try E.ok(cli, ["show", id, "--json"], env: E.secretEnv("secret")))
        #expect(shown["text"] as? String == "old text \(marker)")
    }

    // MARK: 2. Ciphertext bound to its place

    /// Swaps the armored blocks of two entries in `text`.
    static func swapBlocks(_ text: String, _ a: String, _ b: String) throws -> String {
        let blockA = try E.block(of: a, in: text), blockB = try E.block(of: b, in: text)
        return text.replacingOccurrences(of: blockA, with: "@@A@@").replacingOccurrences(of: blockB, with: blockA)
            .replacingOccurrences(of: "@@A@@", with: blockB)
    }

    @Test("swapped or copied armored blocks: show exits 5 naming the memory and the file")
    func swappedBlocksAreIntegrityErrors() throws {
        let cli = try E.vaultWithKeys()
        defer { cli.cleanup() }
        let a = try E.ok(cli, ["add", "text of A", "--tier", "secret", "--date", "2026-11-22 10:00"])
        let b = try E.ok(cli, ["add", "text of B", "--tier", "secret", "--date", "2026-11-22 10:00"])
        let original = try cli.read("alice/secret/2026-11.md")
        try cli.write("alice/secret/2026-11.md", try Self.swapBlocks(original, a, b))
        let swapped = try E.run(cli, ["show", a], env: E.secretEnv("secret"))
        #expect(swapped.status == 5)
        #expect(swapped.stderr.contains(a) && swapped.stderr.contains("alice/secret/2026-11.md:"))
        #expect(!swapped.stdout.contains("text of B"))
        // Copied over another: B's block under A's heading (same date, same key).
        try cli.write("alice/secret/2026-11.md", original.replacingOccurrences(of: try E.block(of: a, in: original), with: try E.block(of: b, in: original)))
        let copied = try E.run(cli, ["show", a], env: E.secretEnv("secret"))
        #expect(copied.status == 5 && copied.stderr.contains(a))
        #expect(try E.run(cli, ["list"], env: E.secretEnv("secret")).status == 5)
    }

    /// Encrypts `plaintext` with stock age to the tier's recipient, as docs/security.md shows.
    static func stockAge(_ cli: CLI, _ plaintext: String, tier: String) throws -> String {
        let input = cli.home.appendingPathComponent("plain-\(UUID().uuidString)")
        try Data(plaintext.utf8).write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        let result = try CLI.process(
            "/usr/bin/age", ["-e", "-a", "-R", cli.vault.appendingPathComponent(".memvault/keys/alice/\(tier).pub").path, input.path])
        #expect(result.status == 0)
        return result.output
    }

    @Test("entries encrypted before binding stay readable; an inner 'bound' to another place is an integrity error")
    func unboundEntriesReadBoundOnesChecked() throws {
        let cli = try E.vaultWithKeys()
        defer { cli.cleanup() }
        let old = "01JD3K9X2F7Q8R3M", foreign = "01JD3K9X2F7Q8R3N"
        let unbound = try Self.stockAge(cli, "## 2026-11-22 10:00 · Old\n<!-- id: \(old) -->\n\nwritten before binding\n", tier: "secret")
        let moved = try Self.stockAge(cli, "## 2026-11-22 11:00\n<!-- id: \(foreign) bound: bob/secret -->\n\nbob's\n", tier: "secret")
        try cli.write("alice/secret/2026-11.md", """
            ## 2026-11-22 10:00
            <!-- id: \(old) -->

            ```age
            \(unbound.trimmingCharacters(in: .whitespacesAndNewlines))
            ```

            ## 2026-11-22 11:00
            <!-- id: \(foreign) -->

            ```age
            \(moved.trimmingCharacters(in: .whitespacesAndNewlines))
            ```

            """)
        let shown = try cli.json(try E.ok(cli, ["show", old, "--json"], env: E.secretEnv("secret")))
        #expect(shown["text"] as? String == "written before binding")
        let refused = try E.run(cli, ["show", foreign], env: E.secretEnv("secret"))
        #expect(refused.status == 5 && refused.stderr.contains(foreign) && refused.stderr.contains("alice/secret/2026-11.md:"))
    }

    // MARK: 3. Entries under a rotated-away key

    @Test("a pre-rotate entry restored into secret: list, export, search go on and report it; rotate re-encrypts it, id-less entries and the digest")
    func preRotateEntryNeverBlocks() throws {
        let cli = try E.vaultWithKeys()
        defer { cli.cleanup() }
        let env = E.secretEnv("secret")
        let old = try E.ok(cli, ["add", "written before the rotate", "--tier", "secret", "--date", "2026-11-20 10:00"])
        let before = try cli.git(["rev-parse", "HEAD"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try E.run(cli, ["rotate", "secret"], env: env).status == 0)
        let fresh = try E.ok(cli, ["add", "written after the rotate", "--tier", "secret", "--date", "2026-11-21 10:00"])
        #expect(try E.run(cli, ["restore", "\(old)@\(before)"]).status == 0)

        let list = try E.run(cli, ["list", "--json"], env: env)
        #expect(list.status == 0, "\(list.stderr)")
        let memories = try #require((try cli.json(list.stdout))["memories"] as? [[String: Any]])
        #expect(memories.first { $0["id"] as? String == fresh }?["text"] as? String == "written after the rotate")
        #expect(memories.first { $0["id"] as? String == old }?["text"] == nil)
        #expect(list.stderr.contains(old) && list.stderr.contains("another key"))
        let export = try E.run(cli, ["export"], env: env)
        #expect(export.status == 0 && export.stdout.contains("written after the rotate") && export.stderr.contains(old))
        let search = try E.run(cli, ["search", "written", "--tier", "secret", "--mode", "lexical", "--json"], env: env)
        #expect(search.status == 0 && search.stdout.contains(fresh) && search.stderr.contains(old))

        // A hand-encrypted entry without an id, and a digest quoting the secret tier.
        let idless = try Self.stockAge(cli, "## 2026-11-23 10:00\n\nno id at all\n", tier: "secret")
        let file = try cli.read("alice/secret/2026-11.md")
        try cli.write("alice/secret/2026-11.md", file + "\n## 2026-11-23 10:00\n\n```age\n\(idless.trimmingCharacters(in: .whitespacesAndNewlines))\n```\n")
        #expect(try E.run(cli, ["commit"]).status == 0)
        #expect(try E.run(cli, ["digest", "--date", "2026-11-21"], env: env).status == 0)

        // Rotate opens the old entry with the previous key file from history (same passphrase).
        let rotated = try E.run(cli, ["rotate", "secret"], env: env)
        #expect(rotated.status == 0, "\(rotated.stderr)")
        #expect(rotated.stdout.contains("3 memories re-encrypted"), "\(rotated.stdout)")
        let after = try E.run(cli, ["list", "--json"], env: env)
        #expect(after.status == 0 && after.stderr.isEmpty, "\(after.stderr)")
        let texts = ((try cli.json(after.stdout))["memories"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
        #expect(Set(texts) == ["written before the rotate", "written after the rotate", "no id at all"])
        // The digest's section opens with the new key: regenerating it changes nothing.
        let commits = try cli.commitCount()
        #expect(try E.run(cli, ["digest", "--date", "2026-11-21"], env: env).status == 0)
        #expect(try cli.commitCount() == commits)
    }

    @Test("unlock re-encrypts a memory written to an earlier key to the current one, in one commit")
    func unlockReencryptsOlderEntries() throws {
        let cli = try E.vaultWithKeys()
        defer { cli.cleanup() }
        let env = E.secretEnv("secret")
        let old = try E.ok(cli, ["add", "from the offline laptop", "--tier", "secret", "--date", "2026-11-20 10:00"])
        let before = try cli.git(["rev-parse", "HEAD"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try E.run(cli, ["rotate", "secret"], env: env).status == 0)
        #expect(try E.run(cli, ["restore", "\(old)@\(before)"]).status == 0)
        #expect(try E.run(cli, ["list"], env: env).stderr.contains(old))
        let commits = try cli.commitCount()
        let unlocked = try E.run(cli, ["unlock", "secret", "--ttl", "1m"], env: env)
        defer { _ = try? E.run(cli, ["lock"]) }
        #expect(unlocked.status == 0, "\(unlocked.stderr)")
        #expect(unlocked.stdout.contains("1 memory written to an earlier secret key re-encrypted"))
        #expect(try cli.commitCount() == commits + 1)
        let list = try E.run(cli, ["list", "--json"], env: env)
        #expect(list.status == 0 && list.stderr.isEmpty, "\(list.stderr)")
        #expect(list.stdout.contains("from the offline laptop"))
    }

    // MARK: 4. edit's temporary files

    /// A fake editor named `name`: records its arguments and environment, then changes the text.
    static func fakeEditor(_ cli: CLI, name: String, script extra: String = "") throws -> URL {
        let folder = cli.home.appendingPathComponent("bin-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let editor = folder.appendingPathComponent(name)
        let log = cli.home.appendingPathComponent("editor.log")
        try """
            #!/bin/sh
            for a in "$@"; do printf '%s\\n' "$a"; done > '\(log.path)'
            env >> '\(log.path)'
            for last in "$@"; do :; done
            printf 'folder-mode %s\\n' "$(stat -c %a "$(dirname "$last")")" >> '\(log.path)'
            printf 'file-mode %s\\n' "$(stat -c %a "$last")" >> '\(log.path)'
            \(extra)
            sed -i 's/before/after/' "$last"

            """.write(to: editor, atomically: true, encoding: .utf8)
        chmod(editor.path, 0o755)
        return editor
    }

    @Test("vim for an encrypted memory: no swap, viminfo, backup or undo; no passphrase in its environment; a private folder")
    func editorFlagsAndEnvironment() throws {
        let cli = try E.vaultWithKeys()
        defer { cli.cleanup() }
        let id = try E.ok(cli, ["add", "before", "--tier", "secret", "--date", "2026-11-22 10:00"])
        let editor = try Self.fakeEditor(cli, name: "vim")
        let result = try E.run(cli, ["edit", id], env: E.secretEnv("secret").merging(["EDITOR": editor.path]) { $1 })
        #expect(result.status == 0, "\(result.stderr)")
        let log = try String(contentsOf: cli.home.appendingPathComponent("editor.log"), encoding: .utf8)
        let lines = log.split(separator: "\n").map(String.init)
        #expect(lines.contains("-n") && lines.contains("NONE") && log.contains("noundofile") && log.contains("nobackup"))
        #expect(!log.contains("MEMVAULT_PASSPHRASE_"))
        #expect(lines.contains("folder-mode 700") && lines.contains("file-mode 600"))
        #expect(lines.contains { $0.hasPrefix("/dev/shm/memvault-edit-\(getuid())-") })
        #expect(result.stderr.isEmpty)
        let shown = try cli.json(try E.ok(cli, ["show", id, "--json"], env: E.secretEnv("secret")))
        #expect(shown["text"] as? String == "after")
    }

    @Test("nano, emacs and micro get their no-history flags; another editor gets a one-line warning",
          arguments: [("nano", "--restricted"), ("emacs", "make-backup-files nil"), ("micro", "-savehistory"), ("myeditor", "")])
    func otherEditors(name: String, flag: String) throws {
        let cli = try E.vaultWithKeys()
        defer { cli.cleanup() }
        let id = try E.ok(cli, ["add", "before", "--tier", "secret", "--date", "2026-11-22 10:00"])
        let editor = try Self.fakeEditor(cli, name: name)
        let result = try E.run(cli, ["edit", id], env: E.secretEnv("secret").merging(["EDITOR": editor.path]) { $1 })
        #expect(result.status == 0, "\(result.stderr)")
        let log = try String(contentsOf: cli.home.appendingPathComponent("editor.log"), encoding: .utf8)
        if flag.isEmpty {
            #expect(result.stderr.contains("warning") && result.stderr.contains("myeditor"))
            #expect(result.stderr.split(separator: "\n").count == 1)
        } else {
            #expect(log.contains(flag))
            #expect(result.stderr.isEmpty)
        }
    }

    @Test("a plain-tier edit never writes through links planted in /tmp by another user (symlink farm)")
    func symlinkFarmInTmp() throws {
        guard getuid() == 0 else {
            print("skipped: the symlink farm test needs root to plant links as a second user")
            return
        }
        // A second uid owns the links, as another local user would.
        if getpwnam("memvault-neighbour") == nil {
            _ = try CLI.process("/usr/sbin/useradd", ["--system", "--no-create-home", "memvault-neighbour"])
        }
        guard let neighbour = getpwnam("memvault-neighbour") else {
            print("skipped: cannot create the second user memvault-neighbour (useradd failed)")
            return
        }
        let cli = try E.vaultWithKeys()
        defer { cli.cleanup() }
        let id = try E.ok(cli, ["add", "before", "--tier", "general", "--date", "2026-11-22 10:00"])
        let victim = cli.home.appendingPathComponent("bashrc")
        try "victim's own file\n".write(to: victim, atomically: true, encoding: .utf8)
        // Links for the next few hundred pids, under the names edit used to write.
        let last = Int((try? String(contentsOfFile: "/proc/sys/kernel/ns_last_pid", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 1000
        var links: [String] = []
        defer { for link in links { unlink(link) } }
        for pid in (last + 1)...(last + 600) {
            let link = "/tmp/memvault-edit-\(pid)-\(id).md"
            if symlink(victim.path, link) == 0 {
                lchown(link, neighbour.pointee.pw_uid, neighbour.pointee.pw_gid)
                links.append(link)
            }
        }
        let editor = try Self.fakeEditor(cli, name: "vim")
        let result = try E.run(cli, ["edit", id], env: ["EDITOR": editor.path, "TMPDIR": "/tmp"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try String(contentsOf: victim, encoding: .utf8) == "victim's own file\n")
        let shown = try cli.json(try E.ok(cli, ["show", id, "--json"]))
        #expect(shown["text"] as? String == "after")
    }

    @Test("an edit killed with SIGKILL leaves its plaintext in /dev/shm; the next memvault command removes it")
    func killedEditIsCleanedUp() throws {
        let cli = try E.vaultWithKeys()
        defer { cli.cleanup() }
        let marker = Self.marker()
        let id = try E.ok(cli, ["add", "before \(marker)", "--tier", "secret", "--date", "2026-11-22 10:00"])
        let pidFile = cli.home.appendingPathComponent("killed.pid")
        // Walk up to the memvault process and kill it while the editor has the file open.
        let killer = """
            p=$$
            while [ "$p" -gt 1 ]; do
              p=$(awk '{print $4}' /proc/$p/stat)
              if [ "$(cat /proc/$p/comm)" = memvault ]; then echo $p > '\(pidFile.path)'; kill -9 $p; break; fi
            done
            exit 0
            """
        let editor = try Self.fakeEditor(cli, name: "vim", script: killer)
        let killed = try E.run(cli, ["edit", id], env: E.secretEnv("secret").merging(["EDITOR": editor.path]) { $1 })
        #expect(killed.status != 0)
        let pid = try String(contentsOf: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let left = try FileManager.default.contentsOfDirectory(atPath: "/dev/shm").filter { $0.hasPrefix("memvault-edit-\(getuid())-\(pid)-") }
        #expect(left.count == 1, "the killed edit left its folder")
        let stale = try #require(left.first)
        #expect(try String(contentsOfFile: "/dev/shm/\(stale)/\(id).md", encoding: .utf8).contains(marker))
        // A link and a foreign-looking name beside it are not touched.
        let decoy = "/dev/shm/memvault-edit-\(getuid())-999999999-decoy1"
        symlink(cli.home.path, decoy)
        defer { unlink(decoy) }
        #expect(try E.run(cli, ["list"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: "/dev/shm/\(stale)"))
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: decoy)) == cli.home.path)
        #expect(FileManager.default.fileExists(atPath: cli.home.path))
    }

    // MARK: 5. Bounded resources

    /// Runs memvault as a child and measures it with wait4: exit status, seconds, peak RSS in MB.
    static func measured(_ cli: CLI, _ args: [String]) throws -> (status: Int32, seconds: Double, megabytes: Double, output: String) {
        let outPath = cli.home.appendingPathComponent("measured-\(UUID().uuidString).out").path
        defer { unlink(outPath) }
        var env = cli.environment
        env["MEMVAULT_DIR"] = cli.vault.path
        for (k, v) in E.base(cli) { env[k] = v }
        // The child's own peak, measured by GNU time between this (large) test process and it.
        let run = try ProcessTimer.run(
            CLI.binary.path, args, environment: env.map { "\($0.key)=\($0.value)" }, stdout: outPath, stderr: outPath + ".err",
            measuresMemory: true)
        let output = ((try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "")
            + ((try? String(contentsOfFile: outPath + ".err", encoding: .utf8)) ?? "")
        unlink(outPath + ".err")
        return (run.status, run.wall, Double(run.peakRSS) / 1_048_576, output)
    }

    enum Bomb: String, CaseIterable, Sendable {
        case table, brackets, tags, hugeMonthFile
    }

    /// Writes the bomb into the vault and returns the command that used to choke on it.
    static func plant(_ bomb: Bomb, in cli: CLI) throws -> [String] {
        let heading = "## 2026-11-22 10:00\n<!-- id: 01JD3K9X2F7Q8R3M -->\n\n"
        switch bomb {
        case .table:
            // 24 KB declaring 3,000 columns × 3,000 rows.
            let header = "|" + String(repeating: "a|", count: 3000) + "\n"
            let delimiter = "|" + String(repeating: "-|", count: 3000) + "\n"
            try cli.write("alice/general/2026-11.md", heading + header + delimiter + String(repeating: "|\n", count: 3000))
            return ["check"]
        case .brackets:
            try cli.write("alice/general/2026-11.md", heading + String(repeating: "![[]()", count: 100_000) + "\n")
            return ["list"]
        case .tags:
            let tags = (0..<200_000).map { "#t\($0)" }.joined(separator: " ")
            try cli.write("alice/general/2026-11.md", heading + tags + "\n")
            return ["list"]
        case .hugeMonthFile:
            // 100 MB of ordinary entries in this month's file.
            var chunk = ""
            var n = 0
            while chunk.utf8.count < 1 << 20 {
                chunk += "## 2026-11-01 10:00\n\nan ordinary memory, number \(n), with some words in it\n\n"
                n += 1
            }
            let url = cli.vault.appendingPathComponent("alice/general/2026-11.md")
            FileManager.default.createFile(atPath: url.path, contents: nil)
            let handle = try FileHandle(forWritingTo: url)
            let data = Data(chunk.utf8)
            for _ in 0..<100 { handle.write(data) }
            try handle.close()
            // `add` no longer reads it: a month file past 4 MiB takes no new memory, which goes to
            // 2026-11.part2.md (docs/format.md, "Files"). Reading the month is what must fail fast.
            return ["list"]
        }
    }

    @Test("resource bombs answer with one clear error, in bounded time and under 200 MB", arguments: Bomb.allCases)
    func resourceBomb(_ bomb: Bomb) throws {
        let cli = try E.vaultWithKeys()
        defer { cli.cleanup() }
        let args = try Self.plant(bomb, in: cli)
        let run = try Self.measured(cli, args)
        #expect(run.status == 1, "\(bomb): \(run.output)")
        #expect(run.output.contains("alice/general/2026-11.md"), "\(bomb): \(run.output)")
        let expected = ["table": "table too large", "brackets": "nested too deep", "tags": "too many #tags", "hugeMonthFile": "file too large"]
        #expect(run.output.contains(expected[bomb.rawValue]!), "\(bomb): \(run.output)")
        // Generous: a debug build on a loaded machine; the release figure is in docs/benchmarks.md.
        #expect(run.seconds < 10, "\(bomb) took \(run.seconds) s")
        #expect(run.megabytes < 200, "\(bomb) peaked at \(run.megabytes) MB")
    }

    // MARK: 6. Agent TTL

    @Test("an absurd --ttl is refused before anything is unlocked or any agent starts",
          arguments: ["9999999999999h", "99999999999999999999999s", "8d", "0"])
    func absurdTTL(_ ttl: String) throws {
        let cli = try E.vaultWithKeys()
        defer { cli.cleanup() }
        let result = try E.run(cli, ["unlock", "secret", "--ttl", ttl], env: E.secretEnv("secret"))
        #expect(result.status == 64, "\(result.stdout)\(result.stderr)")
        #expect(!result.stdout.contains("unlocked"))
        #expect(result.stderr.contains("--ttl"))
        #expect(!FileManager.default.fileExists(atPath: cli.home.appendingPathComponent("memvault/agent.sock").path))
    }

    // MARK: 7. Terminal escapes

    @Test("escape sequences in a memory are shown escaped on a terminal, raw to a pipe and in --json")
    func terminalEscapes() throws {
        let cli = try E.vaultWithKeys()
        defer { cli.cleanup() }
        let osc52 = "\u{1B}]52;c;aGFja2Vk\u{07}"
        let text = "clipboard \(osc52) and C1 \u{9B}31m red"
        let id = try E.ok(cli, ["add", text, "--title", "t\u{1B}[2Jitle", "--tier", "general", "--date", "2026-11-22 10:00"])
        for args in [["list"], ["show", id], ["search", "clipboard", "--mode", "lexical"], ["history", id]] {
            let command = ([CLI.binary.path] + args).map { "'\($0)'" }.joined(separator: " ")
            var env = cli.environment
            env["MEMVAULT_DIR"] = cli.vault.path
            let onTerminal = try CLI.process("/usr/bin/script", ["-qec", command, "/dev/null"], in: cli.vault, environment: env)
            #expect(onTerminal.status == 0, "\(args): \(onTerminal.output)")
            #expect(!onTerminal.output.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x9B || $0.value == 0x07 },
                    "\(args) printed a raw control character on a terminal")
            #expect(onTerminal.output.contains("\\u{1B}"), "\(args): \(onTerminal.output)")
        }
        let piped = try E.ok(cli, ["show", id])
        #expect(piped.contains(osc52))
        let json = try cli.json(try E.ok(cli, ["show", id, "--json"]))
        #expect(json["text"] as? String == text)
    }

    // MARK: 8. Digest and ultrasecret

    @Test("an unlocked digest says nothing about ultrasecret in the clear beyond the encrypted count")
    func digestHidesUltrasecret() throws {
        let cli = try E.vaultWithKeys()
        defer { cli.cleanup() }
        let records = """
            {"text": "plain words of the day", "tier": "general", "date": "2026-11-22 09:00"}
            {"text": "ultra words", "tier": "ultrasecret", "date": "2026-11-22 23:00"}

            """
        #expect(try E.run(cli, ["import", "-"], stdin: Array(records.utf8)).status == 0)
        let printed = try E.ok(cli, ["digest", "--date", "2026-11-22", "--stdout"], env: E.secretEnv("ultrasecret"))
        let clear = try #require(printed.components(separatedBy: "```age").first)
        #expect(!clear.lowercased().contains("ultrasecret"))
        #expect(!clear.contains("23:00"))
        #expect(clear.contains("- 1 memory: 1 general"))
        #expect(clear.contains("- 1 encrypted: quoted in the encrypted section"))
    }
}
