import Foundation
import MCP
import MCPServer
import Testing
import Vault

@Suite("MCP server: memory_update's tags")
struct UpdateTagTests {
    /// The tags of a memory as memory_get returns them.
    func tags(_ client: Client, _ id: String) async throws -> [String] {
        let got = try await call(client, "memory_get", ["ids": [.string(id)]])
        return got["memories"]?.arrayValue?.first?.objectValue?["tags"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    func text(_ client: Client, _ id: String) async throws -> String {
        let got = try await call(client, "memory_get", ["ids": [.string(id)]])
        return got["memories"]?.arrayValue?.first?.objectValue?["text"]?.stringValue ?? ""
    }

    @Test("tags replaces the set, add_tags and remove_tags change it, [] removes every tag; text stays in history")
    func setAddRemove() async throws {
        let harness = try Harness()
        let id = try harness.add("Maria starts at the #museum in January. #friends #work", tier: .general, title: "Maria")
        let (client, _) = try await harness.connect(client: "claude-code")

        let replaced = try await call(client, "memory_update", ["id": .string(id), "tags": ["friends", "travel"]])
        #expect(!replaced.failed, "\(replaced.text)")
        #expect(replaced["action"] == "updated")
        #expect(Set(try await tags(client, id)) == ["friends", "travel"])
        // A tag inside a sentence keeps its word; a trailing one goes whole.
        #expect(try await text(client, id) == "Maria starts at the museum in January. #friends\n\n#travel")

        let added = try await call(client, "memory_update", ["id": .string(id), "add_tags": ["#alps"]])
        #expect(!added.failed, "\(added.text)")
        #expect(Set(try await tags(client, id)) == ["friends", "travel", "alps"])

        let removed = try await call(client, "memory_update", ["id": .string(id), "remove_tags": ["friends", "alps"]])
        #expect(!removed.failed, "\(removed.text)")
        #expect(try await tags(client, id) == ["travel"])

        let none = try await call(client, "memory_update", ["id": .string(id), "tags": []])
        #expect(!none.failed, "\(none.text)")
        #expect(try await tags(client, id) == [])
        #expect(try await text(client, id) == "Maria starts at the museum in January.")

        // New text and new tags at once: the tags apply to the new text.
        let both = try await call(client, "memory_update", ["id": .string(id), "text": "Maria starts in #february", "tags": ["work"]])
        #expect(!both.failed, "\(both.text)")
        #expect(try await tags(client, id) == ["work"])
        #expect(try await text(client, id) == "Maria starts in february\n\n#work")

        let same = try await call(client, "memory_update", ["id": .string(id), "tags": ["work"]])
        #expect(same["action"] == "unchanged")

        // Every version is in history, oldest first: the original and five updates.
        let history = try await call(client, "memory_history", ["id": .string(id)])
        let versions = try #require(history["versions"]?.arrayValue)
        #expect(versions.count == 6)
        #expect(versions.first?.objectValue?["memory"]?.objectValue?["text"]?.stringValue?.contains("#museum") == true)
        // The command line sees the same tags.
        #expect(try harness.setup.show(id: id).tags == ["work"])
    }

    @Test("bad tag arguments: one line, nothing written")
    func badInput() async throws {
        let harness = try Harness(mcpSettings: """
            [mcp.clients.reader]
            write = false
            [mcp.clients.plain]
            tiers = ["general"]
            """)
        let id = try harness.add("Lunch with Tom #food", tier: .general)
        let hidden = try harness.add("Chronological QUOKKAFERN note #food", tier: .chronological)
        let file = harness.root.appendingPathComponent("alice/general/2026-11.md")
        let before = try Data(contentsOf: file)
        let (client, _) = try await harness.connect(client: "plain")
        let cases: [([String: Value], String)] = [
            (["id": .string(id), "tags": "food"], "argument 'tags' must be an array of strings"),
            (["id": .string(id), "tags": ["9lives"]], "invalid tag '9lives'"),
            (["id": .string(id), "add_tags": ["two words"]], "invalid tag 'two words'"),
            (["id": .string(id), "remove_tags": [5]], "argument 'remove_tags' must be an array of strings"),
            (["id": .string(id), "tags": ["a"], "add_tags": ["b"]], "either 'tags'"),
            (["id": .string(id), "tags": ["a"], "colour": "red"], "unknown argument 'colour'"),
            (["id": "01JD3K9X2F7Q8R3M", "tags": ["a"]], "no memory with id 01JD3K9X2F7Q8R3M"),
            (["id": .string(hidden), "tags": ["a"]], "no memory with id \(hidden)"),
            (["id": .string(hidden), "remove_tags": ["food"]], "no memory with id \(hidden)"),
            (["id": .string(id), "tags": [], "text": "#food"], "no text left"),
        ]
        for (arguments, expected) in cases {
            let result = try await call(client, "memory_update", arguments)
            #expect(result.failed, "\(arguments)")
            #expect(result.text.contains(expected), "\(arguments): \(result.text)")
            #expect(!result.text.contains("\n"))
            #expect(!result.everything.contains("QUOKKAFERN"))
        }
        let (reader, _) = try await harness.connect(client: "reader")
        let refused = try await call(reader, "memory_update", ["id": .string(id), "tags": []])
        #expect(refused.text.contains("may not write"))
        #expect(try Data(contentsOf: file) == before, "nothing written")
        #expect(try harness.setup.show(id: hidden).tags == ["food"])
    }
}

@Suite("MCP server: resources")
struct ResourceTests {
    @Test("resources/list: the granted tiers' memories, newest first, in pages, and the recent digests; each readable")
    func listAndRead() async throws {
        let harness = try Harness(mcpSettings: """
            [mcp]
            default_tiers = ["general"]
            """)
        // More memories than one page holds, in the granted tier, over several days.
        let count = MemoryService.resourcesPerPage + 20
        var records: [String] = []
        for i in 0..<count {
            records.append(#"{"text": "Garden note \#(i)", "tier": "general", "title": "Note \#(i)", "date": "2026-10-\#(String(format: "%02d", 1 + i % 28)) \#(String(format: "%02d", i % 24)):00"}"#)
        }
        let imported = try harness.setup.importRecords(Array((records.joined(separator: "\n") + "\n").utf8), user: "alice")
        #expect(imported.count == count)
        let hidden = try harness.add("Chronological WOMBATGLASS note", tier: .chronological, title: "WOMBATGLASS", date: "2026-11-30 09:00")
        let (client, _) = try await harness.connect(client: nil)

        var resources: [Resource] = []
        var cursor: String?
        var pages = 0
        repeat {
            let page = try await client.listResources(cursor: cursor)
            resources += page.resources
            cursor = page.nextCursor
            pages += 1
        } while cursor != nil && pages < 10
        #expect(pages == 2)
        let memories = resources.filter { $0.uri.hasPrefix("memvault://memory/") }
        #expect(memories.count == count)
        #expect(Set(memories.map { String($0.uri.dropFirst("memvault://memory/".count)) }) == Set(imported))
        #expect(memories.allSatisfy { $0.mimeType == "text/markdown" && $0.title?.hasPrefix("2026-10-") == true })
        // Newest first.
        let dates = memories.compactMap(\.title).map { String($0.prefix(16)) }
        #expect(dates == dates.sorted(by: >))
        let digests = resources.filter { $0.uri.hasPrefix("memvault://digest/") }
        #expect(digests.first?.uri == "memvault://digest/today")
        #expect(digests.contains { $0.uri == "memvault://digest/2026-10-28" })
        // Nothing of the tier not granted: not its id, not its title, not the day it alone has.
        let listed = String(decoding: try JSONEncoder().encode(resources), as: UTF8.self)
        #expect(!listed.contains(hidden))
        #expect(!listed.contains("WOMBATGLASS"))
        #expect(!listed.contains("2026-11-30"))

        // Every listed resource can be read.
        let first = try #require(memories.first)
        let read = try await client.readResource(uri: first.uri)
        #expect(read.first?.text?.contains("Garden note") == true)
        let digest = try await client.readResource(uri: "memvault://digest/2026-10-28")
        #expect(digest.first?.text?.contains("# Digest 2026-10-28") == true)
        #expect(digest.first?.text?.contains("WOMBATGLASS") == false)
        await #expect(throws: (any Error).self) { _ = try await client.readResource(uri: "memvault://memory/\(hidden)") }
        await #expect(throws: (any Error).self) { _ = try await client.listResources(cursor: "bogus") }

        // A memory added meanwhile is listed on the next call.
        let added = try harness.add("Garden note added later", tier: .general, date: "2026-12-01 08:00")
        let again = try await client.listResources()
        #expect(again.resources.contains { $0.uri == "memvault://memory/\(added)" })
    }

    @Test("a client granted the tier lists its memories too; a locked encrypted tier is not listed")
    func grantedAndLocked() async throws {
        let harness = try Harness(mcpSettings: """
            [mcp.clients.full]
            tiers = ["chronological", "general", "confidential"]
            """)
        _ = try harness.setup.setPassphrase(user: "alice", tier: .confidential, old: nil, new: "pass-conf")
        let plain = try harness.add("Chronological walk", tier: .chronological)
        let sealed = try harness.add("Confidential LYNXCOBALT", tier: .confidential, title: "LYNXCOBALT")
        let (client, _) = try await harness.connect(client: "full")
        let listed = try await client.listResources().resources
        #expect(listed.contains { $0.uri == "memvault://memory/\(plain)" })
        #expect(!listed.contains { $0.uri == "memvault://memory/\(sealed)" })
        #expect(!String(decoding: try JSONEncoder().encode(listed), as: UTF8.self).contains("LYNXCOBALT"))
    }
}
