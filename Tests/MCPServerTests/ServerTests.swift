import Foundation
import MCP
import MCPServer
import TestSupport
import Testing
import Vault

@Suite("MCP server: tools over the SDK's Client")
struct ServerToolTests {
    @Test("tools/list: every tool with an input schema, an output schema and annotations")
    func listTools() async throws {
        let harness = try Harness()
        let (client, _) = try await harness.connect(client: nil)
        let tools = try await client.listTools().tools
        #expect(tools.map(\.name) == [
            "memory_search", "memory_get", "memory_context", "memory_recent", "memory_add", "memory_update",
            "memory_forget", "memory_history", "memory_digest",
        ])
        for tool in tools {
            #expect(tool.inputSchema.objectValue?["type"] == "object", "\(tool.name)")
            #expect(tool.outputSchema?.objectValue?["type"] == "object", "\(tool.name)")
            #expect(tool.annotations.readOnlyHint != nil, "\(tool.name)")
            #expect(tool.description?.isEmpty == false)
        }
        let readOnly = Set(tools.filter { $0.annotations.readOnlyHint == true }.map(\.name))
        #expect(readOnly == ["memory_search", "memory_get", "memory_context", "memory_recent", "memory_history", "memory_digest"])
        let destructive = Set(tools.filter { $0.annotations.destructiveHint == true }.map(\.name))
        #expect(destructive == ["memory_update", "memory_forget"])
        let templates = try await client.listResourceTemplates().templates.map(\.uriTemplate)
        #expect(templates == ["memvault://memory/{id}", "memvault://digest/{date}"])
    }

    @Test("initialize: the server names itself and tells the model when to search and when to write")
    func initialize() async throws {
        let harness = try Harness()
        let vault = try Vault(at: harness.root, environment: harness.environment)
        let service = MemoryService(vault: vault, user: "alice", client: nil, loadEmbedder: { nil })
        let server = await MemvaultMCPServer(service: service).makeServer(version: "9.9")
        let (clientTransport, serverTransport) = await InMemoryTransport.createConnectedPair()
        try await server.start(transport: serverTransport)
        let result = try await Client(name: "t", version: "1").connect(transport: clientTransport)
        #expect(result.serverInfo.name == "memvault")
        #expect(result.serverInfo.version == "9.9")
        let instructions = try #require(result.instructions)
        #expect(instructions.contains("memory_search"))
        #expect(instructions.contains("memory_add"))
        #expect(result.capabilities.tools != nil)
        #expect(result.capabilities.resources != nil)
    }

    @Test("add, search, get, context, recent, update, history, get ID@REV, forget, digest")
    func everyTool() async throws {
        let harness = try Harness()
        let (client, _) = try await harness.connect(client: "claude-code")

        let added = try await call(client, "memory_add", [
            "text": "Maria starts at the museum in January. #friends", "title": "Maria's new job",
            "date": "2026-11-22 14:03", "tier": "general", "tags": ["work"],
        ])
        #expect(!added.failed, "\(added.text)")
        let memory = try #require(added["memory"]?.objectValue)
        let id = try #require(memory["id"]?.stringValue)
        #expect(memory["tier"] == "general")
        #expect(memory["src"] == "mcp:claude-code")
        #expect(memory["tags"]?.arrayValue?.contains("work") == true)
        #expect(added.text.contains(id))

        let search = try await call(client, "memory_search", ["query": "museum", "mode": "lexical"])
        #expect(!search.failed, "\(search.text)")
        let results = try #require(search["results"]?.arrayValue)
        #expect(results.first?.objectValue?["id"]?.stringValue == id)
        #expect(search.text.contains(id))

        let get = try await call(client, "memory_get", ["ids": [.string(id)]])
        let got = try #require(get["memories"]?.arrayValue?.first?.objectValue)
        #expect(got["text"]?.stringValue?.contains("museum in January") == true)
        #expect(got["title"] == "Maria's new job")
        #expect(got["date"]?.stringValue?.hasPrefix("2026-11-22T14:03") == true)
        #expect(got["path"] == "alice/general/2026-11.md")
        #expect(get.text.contains("museum in January"))

        let context = try await call(client, "memory_context", ["query": "Maria museum", "budget_tokens": 200])
        #expect(!context.failed, "\(context.text)")
        #expect(context.text.contains(id))
        #expect(context.text.contains("2026-11-22"))
        let tokens = try #require(context["tokens"]?.intValue)
        #expect(tokens <= 200)

        let recent = try await call(client, "memory_recent", ["days": 36_500])
        #expect(recent["memories"]?.arrayValue?.compactMap { $0.objectValue?["id"]?.stringValue } == [id])

        let update = try await call(client, "memory_update", ["id": .string(id), "text": "Maria starts at the museum in February."])
        #expect(!update.failed, "\(update.text)")
        #expect(update["action"] == "updated")
        let now = try await call(client, "memory_get", ["ids": [.string(id)]])
        #expect(now.text.contains("February"))
        #expect(!now.text.contains("January"))
        #expect(now["memories"]?.arrayValue?.first?.objectValue?["title"] == "Maria's new job")

        let history = try await call(client, "memory_history", ["id": .string(id)])
        let versions = try #require(history["versions"]?.arrayValue)
        #expect(versions.count == 2)
        let first = try #require(versions.first?.objectValue?["commit"]?.stringValue)
        #expect(versions.first?.objectValue?["memory"]?.objectValue?["text"]?.stringValue?.contains("January") == true)
        let old = try await call(client, "memory_get", ["ids": [.string("\(id)@\(first)")]])
        #expect(!old.failed, "\(old.text)")
        #expect(old.text.contains("January"))

        let digest = try await call(client, "memory_digest", ["date": "2026-11-22"])
        #expect(!digest.failed, "\(digest.text)")
        #expect(digest["date"] == "2026-11-22")
        #expect(digest.text.contains("# Digest 2026-11-22"))
        #expect(digest.text.contains("Maria's new job"))

        let resource = try await client.readResource(uri: "memvault://memory/\(id)")
        #expect(resource.first?.text?.contains("February") == true)
        let digestResource = try await client.readResource(uri: "memvault://digest/2026-11-22")
        #expect(digestResource.first?.text?.contains("Maria's new job") == true)

        let forget = try await call(client, "memory_forget", ["id": .string(id)])
        #expect(!forget.failed, "\(forget.text)")
        #expect(forget["action"] == "forgotten")
        let gone = try await call(client, "memory_get", ["ids": [.string(id)]])
        #expect(gone.failed)
        #expect(gone.text.contains("no memory with id \(id)"))
        // History keeps it.
        let kept = try await call(client, "memory_history", ["id": .string(id)])
        #expect(kept["versions"]?.arrayValue?.count == 2)
    }

    @Test("bad calls are tool errors of one line, and the server keeps serving")
    func errors() async throws {
        let harness = try Harness(mcpSettings: """
            [mcp.clients.reader]
            write = false
            """)
        let (client, _) = try await harness.connect(client: "claude-code")
        let cases: [(String, [String: Value], String)] = [
            ("memory_nope", [:], "unknown tool 'memory_nope'"),
            ("memory_search", [:], "missing required argument 'query'"),
            ("memory_search", ["query": "x", "k": "ten"], "argument 'k' must be an integer"),
            ("memory_search", ["query": "x", "k": 0], "argument 'k' must be between 1 and 50"),
            ("memory_search", ["query": 5], "argument 'query' must be a string"),
            ("memory_search", ["query": "x", "colour": "red"], "unknown argument 'colour'"),
            ("memory_search", ["query": "x", "tiers": ["purple"]], "unknown tier 'purple'"),
            ("memory_get", ["ids": "01JD3K9X2F7Q8R3M"], "argument 'ids' must be an array of strings"),
            ("memory_get", ["ids": ["01JD3K9X2F7Q8R3M"]], "no memory with id 01JD3K9X2F7Q8R3M"),
            ("memory_get", ["ids": ["not-an-id"]], "is not a memory id"),
            ("memory_add", ["text": .string(String(repeating: "a", count: Vault.maximumMemorySize + 1))], "memory too large"),
            ("memory_add", ["text": "   "], "argument 'text' must not be empty"),
            ("memory_add", ["text": "x", "date": "yesterday-ish"], "cannot read the date"),
            ("memory_add", ["text": "my token ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "tier": "general"], "looks like it holds a credential"),
            ("memory_add", ["text": "x", "tier": "ultrasecret"], "the ultrasecret tier is not granted"),
            ("memory_update", ["id": "01JD3K9X2F7Q8R3M"], "give at least one of"),
            ("memory_forget", ["id": "01JD3K9X2F7Q8R3M"], "no memory with id"),
            ("memory_history", ["id": "01JD3K9X2F7Q8R3M"], "no memory with id"),
            ("memory_context", ["query": "x", "budget_tokens": 5], "argument 'budget_tokens' must be between"),
            ("memory_digest", ["date": "2026-02-30"], "2026-02-30"),
        ]
        for (tool, arguments, expected) in cases {
            let result = try await call(client, tool, arguments)
            #expect(result.failed, "\(tool) \(arguments)")
            #expect(result.text.contains(expected), "\(tool): \(result.text)")
            #expect(!result.text.contains("\n"), "one line: \(result.text)")
            #expect(result.structuredContent == nil)
        }
        // Still serving after all of that.
        let ok = try await call(client, "memory_add", ["text": "still here", "tier": "general"])
        #expect(!ok.failed, "\(ok.text)")

        let (reader, _) = try await harness.connect(client: "reader")
        let refused = try await call(reader, "memory_add", ["text": "hello"])
        #expect(refused.failed)
        #expect(refused.text.contains("client 'reader' may not write"))
    }

    @Test("memory_add without a tier is classified; a sensitive memory is refused, never put in a plain tier")
    func classifiedTier() async throws {
        let harness = try Harness()
        let (client, _) = try await harness.connect(client: nil)
        let added = try await call(client, "memory_add", ["text": "Lunch with Tom"])
        #expect(!added.failed, "\(added.text)")
        let tier = try #require(added["memory"]?.objectValue?["tier"]?.stringValue)
        #expect(["chronological", "general"].contains(tier))
        #expect(added["memory"]?.objectValue?["src"] == "mcp")

        // Health data is confidential: the default policy grants only the plain tiers.
        let refused = try await call(client, "memory_add", ["text": "Blood test: LDL 162, doctor wants a recheck in March"])
        #expect(refused.failed)
        #expect(refused.text.contains("classified as confidential"), "\(refused.text)")
        #expect(!refused.text.contains("LDL"), "the refusal does not quote the memory: \(refused.text)")
        let search = try await call(client, "memory_search", ["query": "LDL blood test", "mode": "lexical"])
        #expect(search["results"]?.arrayValue?.isEmpty == true, "nothing written")
    }
}

@Suite("MCP server: tier policy")
struct ServerPolicyTests {
    static let plainMarker = "ZEBRAQUARTZ"
    static let encryptedMarker = "OCELOTMARBLE"

    /// Every read a client can make, with the marker as the query where there is one.
    static func everyRead(_ client: Client, ids: [String], marker: String) async throws -> [CallTool.Result] {
        var results: [CallTool.Result] = []
        for mode in ["hybrid", "lexical"] {
            results.append(try await call(client, "memory_search", ["query": .string(marker), "mode": .string(mode)]))
            results.append(try await call(client, "memory_search", ["query": "note title doctor", "mode": .string(mode), "k": 50]))
        }
        results.append(try await call(client, "memory_context", ["query": "note title doctor"]))
        results.append(try await call(client, "memory_context", ["query": .string(marker), "budget_tokens": 2000]))
        results.append(try await call(client, "memory_recent", ["days": 36_500, "limit": 200]))
        results.append(try await call(client, "memory_digest", ["date": "2026-11-20"]))
        for id in ids {
            results.append(try await call(client, "memory_get", ["ids": [.string(id)]]))
            results.append(try await call(client, "memory_history", ["id": .string(id)]))
            results.append(try await call(client, "memory_update", ["id": .string(id), "title": "changed"]))
            results.append(try await call(client, "memory_forget", ["id": .string(id)]))
        }
        return results
    }

    @Test("an excluded tier's text never appears in any response, and its memories stay untouched")
    func excludedTierNeverAppears() async throws {
        let harness = try Harness(mcpSettings: """
            [mcp]
            default_tiers = ["general"]
            [mcp.clients.cursor]
            tiers = ["general", "confidential", "ultrasecret"]
            """)
        _ = try harness.setup.setPassphrase(user: "alice", tier: .confidential, old: nil, new: "pass-conf")
        _ = try harness.setup.setPassphrase(user: "alice", tier: .ultrasecret, old: nil, new: "pass-ultra")
        let plain = try harness.add("Chronological note \(Self.plainMarker) about the doctor", tier: .chronological, title: "\(Self.plainMarker) title")
        let encrypted = try harness.add("Confidential note \(Self.encryptedMarker)", tier: .confidential, title: "\(Self.encryptedMarker) title")
        let ultra = try harness.add("Ultra note \(Self.encryptedMarker)", tier: .ultrasecret)
        try harness.add("General note about the doctor and the museum", tier: .general)

        for name in [nil, "cursor", "unknown-client"] as [String?] {
            let (client, service) = try await harness.connect(client: name)
            #expect(await service.policy.tiers.contains(.ultrasecret) == false)
            for marker in [Self.plainMarker, Self.encryptedMarker] {
                for result in try await Self.everyRead(client, ids: [plain, encrypted, ultra], marker: marker) {
                    // The query itself is echoed back; anything else with the marker came from the memory.
                    let received = result.everything.replacingOccurrences(of: "\"query\":\"\(marker)\"", with: "")
                    #expect(!received.contains(Self.plainMarker), "\(name ?? "-"): \(received.prefix(300))")
                    #expect(!received.contains(Self.encryptedMarker), "\(name ?? "-"): \(received.prefix(300))")
                    #expect(!received.contains("chronological"), "no count or name of the excluded tier: \(received.prefix(300))")
                }
            }
            let general = try await call(client, "memory_search", ["query": "museum", "mode": "lexical"])
            #expect(general["results"]?.arrayValue?.count == 1)
        }
        // Nothing was changed or removed by those refused writes.
        #expect(try harness.setup.show(id: plain).title == "\(Self.plainMarker) title")
        #expect(try harness.setup.show(id: encrypted).tier == .confidential)

        // A granted but locked tier says so, in one line, without a word of the memory.
        let (cursor, _) = try await harness.connect(client: "cursor")
        let locked = try await call(cursor, "memory_get", ["ids": [.string(encrypted)]])
        #expect(locked.failed)
        #expect(locked.text.contains("the confidential tier is locked"))
        // Writing to a tier not granted is refused clearly.
        let refused = try await call(cursor, "memory_add", ["text": "x", "tier": "secret"])
        #expect(refused.text.contains("the secret tier is not granted to client 'cursor'"))
        let refusedPlain = try await call(cursor, "memory_add", ["text": "x", "tier": "chronological"])
        #expect(refusedPlain.failed)
    }

    @Test("a granted encrypted tier is served once unlocked in the agent, and not after `lock`")
    func unlockedThroughAgent() async throws {
        let harness = try Harness(mcpSettings: """
            [mcp.clients.claude-code]
            tiers = ["general", "confidential"]
            """)
        _ = try harness.setup.setPassphrase(user: "alice", tier: .confidential, old: nil, new: "pass-conf")
        let encrypted = try harness.add("Therapy on Tuesdays \(Self.encryptedMarker)", tier: .confidential, title: "Therapy")
        let (client, _) = try await harness.connect(client: "claude-code")
        let before = try await call(client, "memory_get", ["ids": [.string(encrypted)]])
        #expect(before.failed)

        let environment = harness.environment
        // Go on once the agent serves its socket (or failed to start: the calls below then fail).
        await withCheckedContinuation { (serving: CheckedContinuation<Void, Never>) in
            Thread {
                var resumed = false
                try? KeyAgent.serve(environment: environment) {
                    resumed = true
                    serving.resume()
                }
                if !resumed { serving.resume() }
            }.start()
        }
        let key = try harness.setup.unlock(user: "alice", tier: .confidential, passphrase: "pass-conf")
        try KeyAgent.store(key, ttl: 300, environment: environment)

        let after = try await call(client, "memory_get", ["ids": [.string(encrypted)]])
        #expect(!after.failed, "\(after.text)")
        #expect(after.text.contains(Self.encryptedMarker))
        let search = try await call(client, "memory_search", ["query": "therapy", "mode": "lexical"])
        #expect(search.text.contains(encrypted))

        _ = KeyAgent.lock(environment: environment)
        let relocked = try await call(client, "memory_get", ["ids": [.string(encrypted)]])
        #expect(relocked.failed)
        #expect(!relocked.everything.contains(Self.encryptedMarker))
    }

    @Test("a changed memvault.toml applies on the next call")
    func settingsReload() async throws {
        let harness = try Harness()
        try harness.add("Garden plans for spring", tier: .chronological)
        let (client, _) = try await harness.connect(client: "cursor")
        let before = try await call(client, "memory_search", ["query": "garden", "mode": "lexical"])
        #expect(before["results"]?.arrayValue?.count == 1)
        try harness.appendSettings("""
            [mcp.clients.cursor]
            tiers = ["general"]
            write = false
            """)
        let after = try await call(client, "memory_search", ["query": "garden", "mode": "lexical"])
        #expect(after["results"]?.arrayValue?.count == 0)
        let write = try await call(client, "memory_add", ["text": "x", "tier": "general"])
        #expect(write.text.contains("may not write"))
    }
}

@Suite("MCP server: the command line and the server see each other's changes")
struct ServerCLITests {
    @Test("a write through the server is visible to the CLI, and a CLI write to the running server")
    func bothWays() async throws {
        let harness = try Harness()
        let (client, _) = try await harness.connect(client: "claude-code")
        _ = try await call(client, "memory_search", ["query": "warm up", "mode": "lexical"])

        let added = try await call(client, "memory_add", ["text": "Booked the train to Zermatt", "tier": "general"])
        let id = try #require(added["memory"]?.objectValue?["id"]?.stringValue)
        let shown = try harness.cli(["show", id, "--json"])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("Booked the train to Zermatt"))
        #expect(shown.stdout.contains("mcp:claude-code"))
        let log = try harness.cli(["log"])
        #expect(log.stdout.contains("memvault: add general \(id)"))

        let cliAdd = try harness.cli(["add", "Ordered hiking boots from the shop", "--tier", "general"])
        #expect(cliAdd.status == 0, "\(cliAdd.stderr)")
        let cliID = cliAdd.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let search = try await call(client, "memory_search", ["query": "hiking boots", "mode": "lexical"])
        #expect(search["results"]?.arrayValue?.first?.objectValue?["id"]?.stringValue == cliID)

        // A hand edit (no commit) is seen too.
        let path = try #require(search["results"]?.arrayValue?.first?.objectValue?["path"]?.stringValue)
        let file = harness.root.appendingPathComponent(path)
        let text = try String(contentsOf: file, encoding: .utf8)
        try text.replacingOccurrences(of: "hiking boots", with: "climbing shoes").write(to: file, atomically: true, encoding: .utf8)
        let edited = try await call(client, "memory_get", ["ids": [.string(cliID)]])
        #expect(edited.text.contains("climbing shoes"))
        let found = try await call(client, "memory_search", ["query": "climbing shoes", "mode": "lexical"])
        #expect(found["results"]?.arrayValue?.first?.objectValue?["id"]?.stringValue == cliID)

        let cliRemove = try harness.cli(["rm", id])
        #expect(cliRemove.status == 0, "\(cliRemove.stderr)")
        let gone = try await call(client, "memory_get", ["ids": [.string(id)]])
        #expect(gone.failed)
    }
}

@Suite("memvault context and memvault mcp: bad input on the command line")
struct CommandBadInputTests {
    @Test("usage errors exit 64, bad values exit 1 with one error line, and nothing is written",
          arguments: [
            (["context", ""], Int32(64), "empty"),
            (["context", "trip", "--budget", "10"], Int32(64), "--budget must be at least 64"),
            (["context", "trip", "--budget", "ten"], Int32(64), "budget"),
            (["context", "trip", "--tier", "purple"], Int32(1), "memvault: error: unknown tier 'purple'"),
            (["mcp", "--client", "a b"], Int32(64), "--client takes a name"),
            (["mcp", "--client", ""], Int32(64), "--client takes a name"),
          ])
    func badInput(arguments: [String], status: Int32, message: String) throws {
        let harness = try Harness()
        let before = try harness.cli(["log", "--json"]).stdout
        let result = try harness.cli(arguments)
        #expect(result.status == status, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(try harness.cli(["log", "--json"]).stdout == before)
    }

    @Test("memvault mcp outside a vault: one error line, exit 1")
    func noVault() throws {
        let harness = try Harness()
        let process = Process()
        process.executableURL = BuiltProducts.executable()
        process.arguments = ["mcp", "--vault", harness.home.appendingPathComponent("nowhere").path]
        process.environment = harness.environment
        let err = Pipe()
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        #expect(text.hasPrefix("memvault: error: not a memvault vault"), "\(text)")
    }
}
