import Foundation
import MarkdownCodec
import SyntheticExports
import Testing
import Vault
import ZIPFoundation
@testable import Importers

@Suite("Importing into a vault: one commit, idempotent, incremental, split, tiers")
struct VaultImportTests {
    @Test("importing the same export twice adds nothing the second time")
    func idempotent() throws {
        let t = try TestVault()
        defer { t.cleanup() }
        let commits = try t.commitCount()
        let first = try t.importExport(.chatgpt, Paths.fixture("chatgpt-conversations.json"), tier: .general)
        #expect(first.added == 2 && first.updated == 0 && first.skipped == 1)
        #expect(try t.commitCount() == commits + 1)
        let afterFirst = try t.snapshot()
        try t.reopen()
        let second = try t.importExport(.chatgpt, Paths.fixture("chatgpt-conversations.json"), tier: .general)
        #expect(second.added == 0 && second.updated == 0 && second.skipped == 3)
        #expect(second.rows.first { $0.tier == .general }?.reasons[Vault.unchangedReason] == 2)
        #expect(try t.snapshot() == afterFirst)
        #expect(try t.commitCount() == commits + 1)
        #expect(t.spoolFiles().isEmpty)
        // What was written reads back as two memories with src and meta.
        let memories = try t.memories()
        #expect(memories.count == 2)
        let cat = try #require(memories.first { $0.src == "chatgpt:c1a7e0b2-0000-4000-8000-000000000001" })
        #expect(cat.tier == .general)
        #expect(cat.title == "Naming the new cat")
        #expect(cat.meta["model"] == "gpt-4o")
        #expect(cat.meta["import-hash"] != nil)
        #expect(cat.path == "alice/general/2024-03.md")
        #expect(cat.text?.contains("Famous black cats") == true)
    }

    @Test("journal entries whose metadata once read as an IBAN import into a plain tier; bare legacy import hashes still match")
    func plainTierImportHashes() throws {
        let t = try TestVault()
        defer { t.cleanup() }
        // Entry 115 of this export was refused before: its bare sixteen-digit import-hash passed the IBAN check.
        let export = t.home.appendingPathComponent("Journal.json")
        try SyntheticExport.writeDayOne(200, to: export)
        let first = try t.importExport(.dayone, export.path, tier: .general)
        #expect(first.added == 200)
        let memories = try t.memories()
        #expect(memories.allSatisfy { $0.meta["import-hash"]?.hasPrefix("0x") == true })
        // A vault imported before the prefix: the same records, their hashes without "0x".
        for name in try FileManager.default.contentsOfDirectory(atPath: t.root.appendingPathComponent("alice/general").path) {
            let url = t.root.appendingPathComponent("alice/general/\(name)")
            let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "import-hash: 0x", with: "import-hash: ")
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        try t.reopen()
        let again = try t.importExport(.dayone, export.path, tier: .general)
        #expect(again.added == 0 && again.updated == 0 && again.skipped == 200)
    }

    @Test("a newer export adds new conversations and updates changed ones in place; git keeps the old text")
    func incremental() throws {
        let t = try TestVault()
        defer { t.cleanup() }
        try t.importExport(.chatgpt, Paths.fixture("chatgpt-conversations.json"), tier: .general)
        let before = try t.memories()
        let python = try #require(before.first { $0.src == "chatgpt:c1a7e0b2-0000-4000-8000-000000000003" })
        let newer = t.home.appendingPathComponent("newer.json")
        try Self.newerExport(to: newer)
        try t.reopen()
        let summary = try t.importExport(.chatgpt, newer.path, tier: .general)
        #expect(summary.added == 1)
        #expect(summary.updated == 1)
        #expect(summary.rows.first { $0.tier == .general }?.reasons[Vault.unchangedReason] == 1)
        let after = try t.memories()
        #expect(after.count == 3)
        let updated = try #require(after.first { $0.id == python.id })
        #expect(updated.text?.contains("The average is 6, exactly.") == true)
        #expect(updated.src == python.src)
        let added = try #require(after.first { $0.src == "chatgpt:c1a7e0b2-0000-4000-8000-000000000004" })
        #expect(added.title == "A new conversation")
        // The earlier text is in history.
        let history = try t.vault.history(id: python.id).versions
        #expect(history.count == 2)
        #expect(history.contains { $0.memory.text?.contains("The average is 6.") == true && $0.memory.text?.contains("exactly") == false })
        // A third import of the newer export changes nothing.
        try t.reopen()
        let again = try t.importExport(.chatgpt, newer.path, tier: .general)
        #expect(again.added == 0 && again.updated == 0)
    }

    @Test("a conversation over the 1 MiB limit becomes linked parts, nothing dropped; re-import keeps them")
    func oversizedConversationIsSplit() throws {
        let t = try TestVault()
        defer { t.cleanup() }
        let export = t.home.appendingPathComponent("big.json")
        let paragraphs = (0..<3000).map { "Paragraph \($0): " + String(repeating: "lorem ipsum dolor sit amet ", count: 20) }
        try Self.writeConversation(id: "big-1", title: "A very long chat", answer: paragraphs.joined(separator: "\n\n"), to: export)
        let summary = try t.importExport(.chatgpt, export.path, tier: .general)
        #expect(summary.added == 1)
        let parts = try t.memories().filter { $0.src == "chatgpt:big-1" }.sorted { $0.meta["part"]! < $1.meta["part"]! }
        #expect(parts.count == 2)
        #expect(parts.map { $0.meta["part"] } == ["1/2", "2/2"])
        #expect(parts[0].meta["next"] == parts[1].id)
        #expect(parts[1].meta["prev"] == parts[0].id)
        #expect(parts[0].title == "A very long chat (part 1 of 2)")
        #expect(parts[0].text?.contains("next part: `\(parts[1].id)`") == true)
        for part in parts { #expect((part.text?.utf8.count ?? 0) <= Vault.maximumMemorySize) }
        let joined = parts.compactMap(\.text).joined(separator: "\n\n")
        for index in [0, 1499, 2999] { #expect(joined.contains("Paragraph \(index): ")) }
        // Every paragraph is there in full (a trailing blank at a line's end is not kept: Markdown ignores it).
        #expect(paragraphs.allSatisfy { joined.contains($0.trimmingCharacters(in: .whitespaces)) })
        try t.reopen()
        let again = try t.importExport(.chatgpt, export.path, tier: .general)
        #expect(again.added == 0 && again.updated == 0 && again.skipped == 1)
    }

    @Test("chat imports go to confidential when it has a key; re-import while locked skips, unlocked compares")
    func confidentialDefault() throws {
        let t = try TestVault(passphrase: "correct horse battery")
        defer { t.cleanup() }
        let summary = try t.importExport(.claude, Paths.fixture("claude-conversations.json"))
        #expect(summary.rows.first { $0.tier == .confidential }?.added == 2)
        let file = try String(contentsOf: t.root.appendingPathComponent("alice/confidential/2024-03.md"), encoding: .utf8)
        #expect(file.contains("-----BEGIN AGE ENCRYPTED FILE-----"))
        #expect(!file.contains("acetone"))
        #expect(!file.contains("claude:"))
        // Locked: the memories are recognised by id and skipped without decrypting anything.
        try t.reopen(locked: true)
        let locked = try t.importExport(.claude, Paths.fixture("claude-conversations.json"))
        #expect(locked.added == 0 && locked.updated == 0)
        #expect(locked.rows.first { $0.tier == .confidential }?.reasons.keys.contains { $0.contains("locked") } == true)
        // Unlocked: compared, unchanged.
        try t.reopen()
        let unlocked = try t.importExport(.claude, Paths.fixture("claude-conversations.json"))
        #expect(unlocked.added == 0 && unlocked.updated == 0)
        #expect(unlocked.rows.first { $0.tier == .confidential }?.reasons[Vault.unchangedReason] == 2)
        let memory = try #require(try t.memories().first { $0.src == "claude:5b3e2c1a-1111-4aaa-9bbb-000000000001" })
        #expect(memory.text?.contains("acetone") == true)
    }

    @Test("a chat import without --tier and without a confidential key is refused with a hint")
    func chatWithoutKeyRefused() throws {
        let t = try TestVault()
        defer { t.cleanup() }
        let before = try t.snapshot()
        #expect {
            try t.importExport(.chatgpt, Paths.fixture("chatgpt-conversations.json"))
        } throws: { error in
            let error = error as? VaultError
            return error?.message.contains("confidential tier, which has no key") == true && error?.hint?.contains("memvault passwd confidential") == true
        }
        #expect(try t.snapshot() == before)
    }

    @Test("journals and notes default to the vault's default tier")
    func journalDefaultTier() throws {
        let t = try TestVault()
        defer { t.cleanup() }
        let summary = try t.importExport(.jrnl, Paths.fixture("jrnl.json"))
        #expect(summary.rows.map(\.tier) == [.chronological])
        #expect(summary.added == 2)
        let day = try t.importExport(.dayone, Paths.fixture("dayone-Journal.json"), tier: .general)
        #expect(day.added == 2)
        let dinner = try #require(try t.memories().first { $0.src == "dayone:A1B2C3D4E5F60718293A4B5C6D7E8F90" })
        #expect(dinner.date == "2024-03-08T18:30:00-05:00")
        #expect(dinner.meta["weather"] == "Partly Cloudy, 11 °C")
        #expect(dinner.tags.contains("travel"))
    }

    @Test("classified imports: health data lands in confidential, a walk in a plain tier; without the key nothing is written")
    func classifiedImport() throws {
        let keyless = try TestVault()
        defer { keyless.cleanup() }
        let before = try keyless.snapshot()
        let commits = try keyless.commitCount()
        #expect(throws: VaultError.self) { try keyless.importExport(.jrnl, Paths.fixture("jrnl-health.json"), classify: true) }
        #expect(try keyless.snapshot() == before)
        #expect(try keyless.commitCount() == commits)

        let t = try TestVault(passphrase: "correct horse")
        defer { t.cleanup() }
        let summary = try t.importExport(.jrnl, Paths.fixture("jrnl-health.json"), classify: true)
        #expect(summary.added == 2)
        let memories = try t.memories()
        let blood = try #require(memories.first { $0.title?.contains("Blood") == true })
        let walk = try #require(memories.first { $0.title?.contains("lake") == true })
        #expect(blood.tier == .confidential)
        #expect(!walk.tier.isEncrypted)
    }

    @Test("a text longer than the classifier's limit is classified piece by piece, no piece lost")
    func classifierPieces() {
        let line = String(repeating: "a", count: 100)
        let text = (0..<50).map { _ in line }.joined(separator: "\n") + "\nPIN 4711"
        let pieces = ImportSource.pieces(of: text, limit: 1_000)
        #expect(pieces.allSatisfy { $0.utf8.count <= 1_000 })
        #expect(pieces.joined(separator: "\n") == text)
        #expect(pieces.last?.hasSuffix("PIN 4711") == true)
    }

    @Test("a dry run counts per tier and source and writes nothing")
    func dryRun() throws {
        let t = try TestVault()
        defer { t.cleanup() }
        let before = try t.snapshot()
        let commits = try t.commitCount()
        let summary = try t.importExport(.chatgpt, Paths.fixture("chatgpt-conversations.json"), tier: .general, dryRun: true)
        #expect(summary.dryRun)
        #expect(summary.added == 2 && summary.skipped == 1)
        #expect(summary.rows.first { $0.tier == nil }?.reasons["no visible messages"] == 1)
        #expect(try t.snapshot() == before)
        #expect(try t.commitCount() == commits)
        #expect(t.spoolFiles().isEmpty)
        let json = String(decoding: try JSONEncoder().encode(summary), as: UTF8.self)
        #expect(json.contains("\"dry_run\":true") && json.contains("\"added\":2"))
    }

    @Test("the zips the services export are read, and Markdown notes land on their days")
    func zipsAndNotes() throws {
        let t = try TestVault()
        defer { t.cleanup() }
        let chatZip = t.home.appendingPathComponent("chatgpt-export.zip")
        let archive = try Archive(url: chatZip, accessMode: .create)
        try archive.addEntry(with: "chat.html", fileURL: URL(fileURLWithPath: Paths.fixture("jrnl.json")))
        try archive.addEntry(with: "conversations.json", fileURL: URL(fileURLWithPath: Paths.fixture("chatgpt-conversations.json")), compressionMethod: .deflate)
        let dayZip = t.home.appendingPathComponent("dayone.zip")
        let dayArchive = try Archive(url: dayZip, accessMode: .create)
        try dayArchive.addEntry(with: "Journal.json", fileURL: URL(fileURLWithPath: Paths.fixture("dayone-Journal.json")), compressionMethod: .deflate)
        #expect(try t.importExport(.chatgpt, chatZip.path, tier: .general).added == 2)
        #expect(try t.importExport(.dayone, dayZip.path, tier: .general).added == 2)
        #expect(try t.importExport(.markdown, Paths.fixture("notes"), tier: .general).added == 5)
        let notes = try t.memories().filter { $0.src?.hasPrefix("markdown:") == true }
        let days = Set(notes.compactMap { $0.date.map { String($0.prefix(10)) } })
        #expect(days.isSuperset(of: ["2024-03-08", "2024-03-09", "2024-03-10", "2023-11-20"]))
        // Plain-text tier, so the file holds the wiki links as written.
        let march = try String(contentsOf: t.root.appendingPathComponent("alice/general/2024-03.md"), encoding: .utf8)
        #expect(march.contains("[[Family Recipes|the recipes]]"))
    }

    static let badCases: [(name: String, source: ImportSource, content: String?, message: String)] = [
        ("truncated ChatGPT export", .chatgpt, "[{\"id\": \"a\", \"mapping\": {}}, {\"id\": \"b\", \"mapp", "the input ends inside element 1 (begun at byte 29); the export is truncated (bad.json, byte 46)"),
        ("unclosed list", .chatgpt, "[{\"id\": \"a\", \"mapping\": {}}", "the input ends before the list is closed; the export is truncated (bad.json, byte 27)"),
        ("malformed conversation", .chatgpt, "[{\"id\": \"a\", \"mapping\": {}}, {\"id\": tru}]", "malformed JSON in conversation 2 (bad.json, byte 29)"),
        ("not a list", .chatgpt, "{\"conversations\": []}", "not a JSON array (the export's top level must be a list) (bad.json, byte 0)"),
        ("Claude export read as ChatGPT", .chatgpt, nil, "not a ChatGPT conversation: no \"mapping\" of messages (claude-conversations.json, conversation 1 (byte 4))"),
        ("ChatGPT export read as Claude", .claude, nil, "not a Claude conversation: no \"chat_messages\" (chatgpt-conversations.json, conversation 1 (byte 4))"),
        ("Day One without entries", .dayone, "{\"metadata\": {}}", "not a Day One export: no \"entries\" list (bad.json)"),
        ("malformed Day One", .dayone, "{\"entries\": [", "malformed JSON"),
        ("jrnl with a bad date", .jrnl, "{\"entries\": [{\"title\": \"x\", \"date\": \"yesterday\"}]}", "entry date 'yesterday 00:00' cannot be read (bad.json, entry 1)"),
    ]

    @Test("bad input: one error naming the file and byte or record, nothing written", arguments: badCases.indices)
    func badInput(index: Int) throws {
        let c = Self.badCases[index]
        let t = try TestVault()
        defer { t.cleanup() }
        try t.importExport(.jrnl, Paths.fixture("jrnl.json"), tier: .general)
        let before = try t.snapshot()
        let commits = try t.commitCount()
        let path: String
        if let content = c.content {
            path = t.home.appendingPathComponent("bad.json").path
            try content.write(toFile: path, atomically: true, encoding: .utf8)
        } else {
            path = Paths.fixture(c.source == .chatgpt ? "claude-conversations.json" : "chatgpt-conversations.json")
        }
        // A good conversation before the bad one must not be written either.
        #expect {
            try t.importExport(c.source, path, tier: .general)
        } throws: { error in
            let text = (error as? VaultError)?.description ?? "\(error)"
            #expect(text.contains(c.message), "\(c.name): \(text)")
            return text.contains(c.message)
        }
        #expect(try t.snapshot() == before, "\(c.name) wrote something")
        #expect(try t.commitCount() == commits, "\(c.name) committed")
        #expect(t.spoolFiles().isEmpty)
    }

    @Test("a zip without the expected file is refused, naming what it holds")
    func zipWithoutExpectedFile() throws {
        let t = try TestVault()
        defer { t.cleanup() }
        let zip = t.home.appendingPathComponent("wrong.zip")
        let archive = try Archive(url: zip, accessMode: .create)
        try archive.addEntry(with: "chat.html", fileURL: URL(fileURLWithPath: Paths.fixture("jrnl.json")))
        let before = try t.snapshot()
        #expect {
            try t.importExport(.chatgpt, zip.path, tier: .general)
        } throws: { error in
            let e = error as? VaultError
            return e?.description == "the zip holds no conversations.json (\(zip.path))" && e?.hint?.contains("chat.html") == true
        }
        // A damaged zip (cut in half) is refused too.
        let damaged = t.home.appendingPathComponent("damaged.zip")
        let good = t.home.appendingPathComponent("good.zip")
        let goodArchive = try Archive(url: good, accessMode: .create)
        try goodArchive.addEntry(with: "conversations.json", fileURL: URL(fileURLWithPath: Paths.fixture("chatgpt-conversations.json")), compressionMethod: .deflate)
        let bytes = try Data(contentsOf: good)
        try bytes.prefix(bytes.count / 2).write(to: damaged)
        #expect(throws: VaultError.self) { try t.importExport(.chatgpt, damaged.path, tier: .general) }
        #expect(try t.snapshot() == before)
    }

    @Test("the same conversation twice in one export is refused")
    func duplicateInExport() throws {
        let t = try TestVault()
        defer { t.cleanup() }
        let data = try Data(contentsOf: URL(fileURLWithPath: Paths.fixture("chatgpt-conversations.json")))
        let list = try #require(try JSONSerialization.jsonObject(with: data) as? [Any])
        let doubled = t.home.appendingPathComponent("doubled.json")
        try JSONSerialization.data(withJSONObject: [list[0], list[0]]).write(to: doubled)
        #expect {
            try t.importExport(.chatgpt, doubled.path, tier: .general)
        } throws: { ($0 as? VaultError)?.message.contains("holds chatgpt:c1a7e0b2-0000-4000-8000-000000000001 twice") == true }
    }

    // MARK: Generated exports

    /// The fixture with conversation 3's answer changed and a fourth conversation.
    static func newerExport(to url: URL) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Paths.fixture("chatgpt-conversations.json")))
        var list = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        var python = list[2]
        var mapping = python["mapping"] as! [String: Any]
        var node = mapping["p-a2"] as! [String: Any]
        var message = node["message"] as! [String: Any]
        message["content"] = ["content_type": "text", "parts": ["The average is 6, exactly."]]
        node["message"] = message
        mapping["p-a2"] = node
        python["mapping"] = mapping
        python["update_time"] = 1_710_200_000.0
        list[2] = python
        var fresh = list[2]
        fresh["id"] = "c1a7e0b2-0000-4000-8000-000000000004"
        fresh["title"] = "A new conversation"
        fresh["create_time"] = 1_710_300_000.0
        list.append(fresh)
        try JSONSerialization.data(withJSONObject: list).write(to: url)
    }

    /// A one-question conversation whose answer is `answer`.
    static func writeConversation(id: String, title: String, answer: String, to url: URL) throws {
        let conversation: [String: Any] = [
            "id": id, "title": title, "create_time": 1_709_906_580.0, "update_time": 1_709_906_580.0, "current_node": "a",
            "mapping": [
                "r": ["id": "r", "message": NSNull(), "parent": NSNull(), "children": ["q"]],
                "q": ["id": "q", "parent": "r", "children": ["a"], "message": [
                    "author": ["role": "user"], "content": ["content_type": "text", "parts": ["Tell me everything."]], "recipient": "all", "metadata": [:]]],
                "a": ["id": "a", "parent": "q", "children": [], "message": [
                    "author": ["role": "assistant"], "content": ["content_type": "text", "parts": [answer]], "recipient": "all", "metadata": [:]]],
            ],
        ]
        try JSONSerialization.data(withJSONObject: [conversation]).write(to: url)
    }
}
