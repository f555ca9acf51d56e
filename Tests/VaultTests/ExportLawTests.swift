import Foundation
import Testing
@testable import Vault

/// Export is the backup format: export → import into a new vault → export gives the same records.
@Suite("Export then import is lossless")
struct ExportLawTests {
    static let passphrase = "export law passphrase"

    /// Every block and inline construct of CommonMark and GFM, one body each.
    static let bodies: [String] = [
        "A paragraph with *emphasis*, _also_, **strong**, __also__, ***both***, `code`, and ``co`de``.",
        "Soft\nline break, hard  \nbreak with spaces, and hard\\\nbreak with a backslash.",
        "[a link](https://example.com \"title\"), [ref link][ref], <https://auto.example.com>, www.gfm-autolink.example, and an image ![alt](img.png).\n\n[ref]: https://example.com/ref",
        "Inline <span class=\"x\">raw html</span> and &amp; &copy; &#35; entities, \\*escaped\\* \\# chars.",
        "~~strikethrough~~ and a footnote[^1].\n\n[^1]: The footnote text.",
        "### Level three\n\n#### Level four\n\n##### Level five\n\n###### Level six",
        "Before the rule\n\n***\n\nafter the rule",
        "> A block quote\n> over two lines\n>\n> > nested quote",
        "- bullet one\n- bullet two\n  - nested\n    - deeper\n\n1. first\n2. second\n   1. nested ordered",
        "- [ ] an open task\n- [x] a done task",
        "```swift\nlet x = 1\n## not a heading inside a fence\n```",
        "~~~\ntilde fence\n~~~",
        "    indented code block\n    second line",
        "| a | b |\n| --- | :-: |\n| 1 | 2 |\n| x | y |",
        "<div>\nan html block\n</div>",
        "Unicode: émoji 🎉, naïve, 日本語, right-to-left עברית. #tag-one #nested/tag @someone",
        "Text with a trailing hash tag #end",
    ]

    /// Hand-written entries: odd headings and spacing memvault itself never writes.
    static let handWritten = """
        ##   2026-05-04   7:05   -   Morning run   ##
        Ran 5k along the river. #running
        Met @jo-ann.

        ## 2026-05-05 Date only: lunch
        \tTabbed line with #tab-tag

        ## 2026-05-06 12:00: colon title

        - [ ] only a task

        ## 2026-05-07 13:00 — em dash title
        ```
        only a fence
        ```

        ## 2026-05-08T15:30Z

        a paragraph
        Setext inside body
        ---------

        ## 2026-05-09 16:00 · only a title
        <!-- src: hand mood: "very good" key-with-dash: x -->

        ## 2026-05-10 17:00 · table
        | a | b |
        | - | - |
        | 1 | 2 |

        """

    static func record(_ fields: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]), as: UTF8.self)
    }

    /// A vault with keys for the encrypted tiers, unlocked through its environment.
    static func vault(_ folder: URL, _ name: String) throws -> Vault {
        let environment = ["HOME": folder.path, "XDG_RUNTIME_DIR": folder.path, "TZ": "Europe/Berlin",
                           "MEMVAULT_PASSPHRASE_CONFIDENTIAL": passphrase, "MEMVAULT_PASSPHRASE_SECRET": passphrase]
        let root = folder.appendingPathComponent(name)
        let created = try Vault.create(at: root, user: "alice", environment: environment)
        created.scryptWorkFactorLimit = 10
        for tier in [Tier.confidential, .secret] {
            try created.setPassphrase(user: "alice", tier: tier, old: nil, new: passphrase)
        }
        let vault = try Vault(at: root, environment: environment)
        vault.scryptWorkFactorLimit = 10
        return vault
    }

    /// The fields the law compares (not path or line, which the import chooses).
    static func projection(_ memory: Memory) -> String {
        "\(memory.id)|\(memory.user)|\(memory.tier.rawValue)|\(memory.date ?? "-")|\(memory.title ?? "-")|\(memory.text ?? "<locked>")|\(memory.tags)|\(memory.src ?? "-")|\(memory.meta.sorted { $0.key < $1.key })"
    }

    static func exportLines(_ vault: Vault) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var out = Data()
        for memory in try vault.exportMemories(user: "alice") {
            out += try encoder.encode(memory)
            out += Data("\n".utf8)
        }
        return Array(out)
    }

    @Test("every CommonMark and GFM construct, as imported bodies and hand-written files, in every tier")
    func law() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("export-law-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try Self.vault(folder, "first")
        var lines: [String] = []
        for (tier, month) in [("chronological", 1), ("general", 2), ("confidential", 3), ("secret", 4)] {
            for (number, body) in Self.bodies.enumerated() {
                lines.append(try Self.record(["text": body, "tier": tier, "date": String(format: "2026-%02d-%02d 10:%02d", month, number + 1, number),
                                              "title": "Construct \(number)", "tags": ["law"], "src": "test:\(number)",
                                              "meta": ["mood": "ok", "with space": "a \"quoted\" value", "ünïcode": "✓"]]))
            }
            lines.append(try Self.record(["text": "", "title": "Only a title", "tier": tier, "date": String(format: "2026-%02d-25 09:00", month)]))
            lines.append(try Self.record(["text": "- [ ] only a task", "tier": tier, "date": String(format: "2026-%02d-26 09:00", month)]))
            lines.append(try Self.record(["text": "```\nonly a fence\n```", "tier": tier, "date": String(format: "2026-%02d-27 09:00", month)]))
        }
        _ = try first.importRecords(Array(lines.joined(separator: "\n").utf8), user: "alice", allowSecrets: true)
        try Data(Self.handWritten.utf8).write(to: first.root.appendingPathComponent("alice/general/2026-05.md"))
        try Data(Self.handWritten.replacingOccurrences(of: "2026-05-", with: "2026-06-").utf8)
            .write(to: first.root.appendingPathComponent("alice/chronological/2026-06.md"))
        _ = try first.commitDirectEdits(allowSecrets: true)

        let exported = try Self.exportLines(first)
        let records = try first.exportMemories(user: "alice")
        #expect(records.count == 4 * (Self.bodies.count + 3) + 2 * 7)
        #expect(!records.contains { $0.text == nil })

        let second = try Self.vault(folder, "second")
        _ = try second.importRecords(exported, user: "alice", allowSecrets: true)
        let again = try second.exportMemories(user: "alice")
        let before = records.map(Self.projection).sorted(), after = again.map(Self.projection).sorted()
        #expect(before.count == after.count)
        for (a, b) in zip(before, after) where a != b {
            Issue.record("changed by export → import:\n  \(a)\n  \(b)")
        }
        // And once more: the second export imports to the same records again.
        let third = try Self.vault(folder, "third")
        _ = try third.importRecords(try Self.exportLines(second), user: "alice", allowSecrets: true)
        #expect(try third.exportMemories(user: "alice").map(Self.projection).sorted() == after)
    }
}
