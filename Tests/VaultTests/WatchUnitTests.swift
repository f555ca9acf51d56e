import Foundation
import MarkdownCodec
import Testing
@testable import Vault

@Suite("watch: editor files, own paths, durations, edit counts, completion")
struct WatchUnitTests {
    @Test("editors' swap, backup and probe files are scratch", arguments: [
        ".2026-11.md.swp", ".2026-11.md.swo", ".2026-11.md.swx", "2026-11.md~", ".#2026-11.md", "#2026-11.md#", "4913",
        ".2026-11.md.tmp", "2026-11.md.orig",
    ])
    func scratchNames(name: String) {
        #expect(EditorFiles.isScratch(name))
    }

    @Test("documents are not scratch", arguments: ["2026-11.md", "recipes.md", "swap-ideas.md", "4914", "notes.sw.md"])
    func documentNames(name: String) {
        #expect(!EditorFiles.isScratch(name))
    }

    @Test("the vault's own paths", arguments: [
        "alice/general/2026-11.md", "alice/secret/2026-11.md", "alice/general/recipes/soup.md",
        "alice/digests/2026/2026-11-22.md", ".memvault/keys/alice/secret.pub", ".memvault/keys/alice/secret.key.age",
        "memvault.toml", ".gitignore", "README.md",
    ])
    func ownPaths(path: String) {
        #expect(Vault.isOwnPath(path, users: ["alice"]))
    }

    @Test("an editor's files and strays are not the vault's own", arguments: [
        ".obsidian/workspace.json", ".trash/old.md", ".vscode/settings.json", "Untitled.md", "notes/today.md",
        "bob/general/2026-11.md", "alice/general/.obsidian/x.md", "alice/general/2026-11.md.swp", "alice/general/2026-11.md~",
        "alice/general/notes.txt", "alice/Untitled.md", ".memvault/cache/index/state.idx", ".memvault/journal",
    ])
    func otherPaths(path: String) {
        #expect(!Vault.isOwnPath(path, users: ["alice"]))
    }

    @Test("durations", arguments: [("500ms", 0.5), ("2s", 2), ("15m", 900), ("1h", 3600), ("1h30m", 5400), ("90", 90), ("1.5s", 1.5)])
    func durations(text: String, seconds: Double) throws {
        #expect(try WatchDuration(parsing: text).seconds == seconds)
    }

    @Test("bad durations name the text", arguments: ["", "soon", "5x", "-1s", "0", "s", "2s3"])
    func badDurations(text: String) {
        #expect(throws: VaultError.self) { try WatchDuration(parsing: text) }
    }

    @Test("edit counts: added, changed, removed memories by id, and id-less ones by their text")
    func editCounts() {
        let old = """
            ## 2026-11-20 09:00 · A
            <!-- id: 01JD3K9X2F7Q8R -->
            one

            ## 2026-11-20 10:00 · B
            <!-- id: 01JD3K9X2F7Q8S -->
            two

            ## 2026-11-20 11:00 · C
            <!-- id: 01JD3K9X2F7Q8T -->
            three

            """
        let new = """
            ## 2026-11-20 09:00 · A
            <!-- id: 01JD3K9X2F7Q8R -->
            one, changed

            ## 2026-11-20 10:00 · B
            <!-- id: 01JD3K9X2F7Q8S -->
            two

            ## 2026-11-21 08:00 · new
            fresh

            ## 2026-11-21 09:00 · newer
            fresher

            """
        let counts = EditCounts(old: Array(old.utf8), new: Array(new.utf8))
        #expect(counts == EditCounts(added: 2, changed: 1, removed: 1))
        #expect(counts.text == "(+2 ~1 -1)")
        #expect(EditCounts(old: nil, new: Array(new.utf8)) == EditCounts(added: 4))
        #expect(EditCounts(old: Array(old.utf8), new: nil) == EditCounts(removed: 3))
    }

    @Test("commit messages: one file names it; several name their folder and the total")
    func messages() {
        #expect(EditMessage.make([("alice/general/2026-11.md", EditCounts(added: 2, changed: 1))])
            == "memvault: edit by hand: alice/general/2026-11.md (+2 ~1 -0)")
        #expect(EditMessage.make([
            ("alice/general/2026-11.md", EditCounts(added: 1)), ("alice/general/recipes.md", EditCounts(changed: 2)),
        ]) == "memvault: edit by hand: 2 files in alice/general (+1 ~2 -0)")
        #expect(EditMessage.make([
            ("alice/general/2026-11.md", EditCounts(added: 1)), ("alice/chronological/2026-11.md", EditCounts(removed: 1)),
        ]) == "memvault: edit by hand: 2 files in alice/chronological, alice/general (+1 ~0 -1)")
    }

    @Test("conflict markers are found at the start of a line only")
    func conflictMarkers() {
        #expect(VaultWatcher.conflictMarkerLine("a\n<<<<<<< HEAD\nb\n=======\nc\n>>>>>>> x\n") == 2)
        #expect(VaultWatcher.conflictMarkerLine("quoting `<<<<<<< HEAD` in text\n") == nil)
        #expect(VaultWatcher.conflictMarkerLine("plain\n") == nil)
    }

    @Test("completion: ids from the index and the encrypted tiers' files, tiers, users")
    func completions() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("complete-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let vault = try Vault.create(at: folder.appendingPathComponent("vault"), user: "alice", environment: ["TZ": "Europe/Berlin"])
        var ids: [String] = []
        for number in 0..<5 {
            ids.append(try vault.add(NewMemory(text: "memory \(number)", tier: .general), user: "alice").id)
        }
        _ = try vault.reindex(full: false, embedder: nil)
        // An encrypted tier's id line, written by hand (its body stays unread).
        let encryptedID = "01JD3K9X2F7Q8R"
        let secret = vault.url("alice/secret/2026-11.md")
        try FileManager.default.createDirectory(at: secret.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("## 2026-11-20 09:00\n<!-- id: \(encryptedID) -->\n\n```age\n-----BEGIN AGE ENCRYPTED FILE-----\n-----END AGE ENCRYPTED FILE-----\n```\n".utf8).write(to: secret)
        let all = vault.completions(.id, prefix: "")
        #expect(Set(all) == Set(ids + [encryptedID]))
        let first = ids[0]
        let narrowed = vault.completions(.id, prefix: String(first.prefix(12)).lowercased())
        #expect(narrowed.contains(first))
        #expect(narrowed.allSatisfy { $0.hasPrefix(first.prefix(12)) })
        #expect(vault.completions(.tier, prefix: "se") == ["secret"])
        #expect(vault.completions(.user, prefix: "") == ["alice"])
        #expect(vault.completions(.user, prefix: "b").isEmpty)
    }
}
