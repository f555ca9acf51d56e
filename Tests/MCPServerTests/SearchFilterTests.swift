import Foundation
import MCP
import MCPServer
import Testing
import Vault

@Suite("MCP server: memory_search's filters")
struct SearchFilterTests {
    @Test("since, until, tags and mentions narrow the results; a bad date or filter is one tool error")
    func filters() async throws {
        let harness = try Harness()
        let march = try harness.add("Hiking in the Alps with @maria #travel", tier: .general, date: "2026-03-10 09:00")
        let june = try harness.add("Hiking near the lake with @tom #travel", tier: .general, date: "2026-06-02 09:00")
        let july = try harness.add("Hiking notes for work #work", tier: .chronological, date: "2026-07-15 09:00")
        let (client, _) = try await harness.connect(client: nil)
        func ids(_ arguments: [String: Value]) async throws -> Set<String> {
            var all = arguments
            all["query"] = "hiking"
            all["mode"] = "lexical"
            let result = try await call(client, "memory_search", all)
            #expect(!result.failed, "\(arguments): \(result.text)")
            return Set(result["results"]?.arrayValue?.compactMap { $0.objectValue?["id"]?.stringValue } ?? [])
        }
        #expect(try await ids([:]) == [march, june, july])
        #expect(try await ids(["since": "2026-06"]) == [june, july])
        #expect(try await ids(["until": "2026-06-01"]) == [march])
        #expect(try await ids(["since": "2026-04-01", "until": "2026-06-30"]) == [june])
        #expect(try await ids(["tags": ["travel"]]) == [march, june])
        #expect(try await ids(["tags": ["#work"]]) == [july])
        #expect(try await ids(["mentions": ["@maria"]]) == [march])
        #expect(try await ids(["tiers": ["chronological"]]) == [july])
        #expect(try await ids(["tags": ["travel"], "mentions": ["tom"]]) == [june])

        let cases: [([String: Value], String)] = [
            (["query": "hiking", "since": "sometime soon"], "sometime soon"),
            (["query": "hiking", "until": 2026], "argument 'until' must be a string"),
            (["query": "hiking", "tags": "travel"], "argument 'tags' must be an array of strings"),
            (["query": "hiking", "mentions": [1]], "argument 'mentions' must be an array of strings"),
            (["query": "hiking", "mode": "fuzzy"], "argument 'mode' must be hybrid, semantic or lexical"),
            (["query": "hiking", "mode": "semantic"], "needs the embedding model"),
        ]
        for (arguments, expected) in cases {
            let result = try await call(client, "memory_search", arguments)
            #expect(result.failed, "\(arguments)")
            #expect(result.text.contains(expected), "\(arguments): \(result.text)")
            #expect(!result.text.contains("\n"))
        }
    }
}
