import Foundation
import TestSupport
import Testing

@Suite("Search and the sidecar index, end to end")
struct SearchTests {
    static let examples = CLI.packageRoot.appendingPathComponent("examples/alice.jsonl")

    /// A vault with the bundled example memories.
    static func exampleVault() throws -> CLI {
        let cli = try CLI()
        try cli.ok(["init", cli.vault.path, "--user", "alice"])
        try cli.ok(["import", Self.examples.path])
        return cli
    }

    static func ids(_ cli: CLI, _ args: [String]) throws -> [String] {
        let response = try cli.json(try cli.ok(["search", "--json"] + args))
        return try #require(response["results"] as? [[String: Any]]).compactMap { $0["id"] as? String }
    }

    static func reindex(_ cli: CLI, _ args: [String] = []) throws -> [String: Int] {
        let report = try cli.json(try cli.ok(["reindex", "--json"] + args))
        return report.compactMapValues { $0 as? Int }
    }

    static func memoryID(_ cli: CLI, title: String) throws -> String {
        let list = try #require(try cli.json(try cli.ok(["list", "--json"]))["memories"] as? [[String: Any]])
        return try #require(list.first { $0["title"] as? String == title }?["id"] as? String)
    }

    @Test("search --json follows the contract; meaning is found without shared words")
    func contractAndMeaning() throws {
        let cli = try Self.exampleVault()
        defer { cli.cleanup() }
        let response = try cli.json(try cli.ok(["search", "feeling sick at home", "--json", "-k", "3"]))
        #expect(response["query"] as? String == "feeling sick at home")
        #expect(response["mode"] as? String == "hybrid")
        #expect(response["took_ms"] is Double)
        #expect(response["locked"] as? [String] == [])
        let results = try #require(response["results"] as? [[String: Any]])
        #expect(results.count == 3)
        let first = results[0]
        for key in ["id", "score", "user", "tier", "date", "path", "line", "title", "snippet", "tags", "src"] {
            #expect(first[key] != nil, "missing \(key)")
        }
        let flu = try Self.memoryID(cli, title: "Flu")
        let semantic = try Self.ids(cli, ["under the weather, stayed in bed", "--mode", "semantic", "-k", "3"])
        #expect(semantic.contains(flu))
        let lexical = try Self.ids(cli, ["penicillin", "--mode", "lexical"])
        #expect(lexical == [try Self.memoryID(cli, title: "Penicillin allergy")])
        let human = try cli.ok(["search", "penicillin", "--mode", "lexical"])
        #expect(human.contains("alice/general/2026-01.md:1"))
    }

    @Test("through the binary: a fact in the last paragraph of a 3,000-word memory is found by a paraphrase in --mode semantic, the snippet showing it")
    func longMemoryFromTheCommandLine() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok(["init", cli.vault.path, "--user", "alice"])
        for (day, short) in ["Booked a table at the Thai restaurant for Friday.", "My sister Clara called about her new flat.",
                             "The train to Munich was delayed again.", "Renewed the car insurance online."].enumerated() {
            try cli.ok(["add", short, "--tier", "general", "--date", "2026-11-0\(2 + day) 09:00"])
        }
        let text = LongMemory.weeklyReview(fact: "In the evening I finally booked the flights to Lisbon for my sister Clara's wedding in June.")
        let long = try cli.ok(["add", "-", "--tier", "general", "--date", "2026-11-01 20:00", "--title", "Weekly review"], stdin: Array(text.utf8))
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let response = try cli.json(try cli.ok(["search", "plane tickets to Portugal for my sibling's marriage", "--mode", "semantic", "-k", "3", "--json"]))
        let results = try #require(response["results"] as? [[String: Any]])
        let best = try #require(results.first)
        #expect(best["id"] as? String == long, "\(results.map { ($0["title"] ?? "", $0["score"] ?? "") })")
        #expect((best["snippet"] as? String)?.contains("Lisbon") == true, "\(best["snippet"] ?? "")")
        #expect(best["title"] as? String == "Weekly review")
        #expect(Set(results.compactMap { $0["id"] as? String }).count == results.count, "one result per memory, not per passage")
    }

    @Test("filters: tier, dates, tag, mention")
    func filters() throws {
        let cli = try Self.exampleVault()
        defer { cli.cleanup() }
        let general = try Self.ids(cli, ["coffee", "--tier", "general", "--mode", "lexical"])
        #expect(general == [try Self.memoryID(cli, title: "Coffee")])
        let maria = try Self.ids(cli, ["maria", "--mode", "lexical", "--since", "2026-03", "--until", "2026-03-31", "-k", "20"])
        #expect(maria == [try Self.memoryID(cli, title: "Maria's first week")])
        let running = Set(try Self.ids(cli, ["run", "--mode", "lexical", "--tag", "running", "-k", "20"]))
        #expect(running == Set(try ["Running again", "Half marathon", "Morning run"].map { try Self.memoryID(cli, title: $0) }))
        let jonas = Set(try Self.ids(cli, ["hike", "--mention", "jonas", "-k", "20"]))
        #expect(jonas.isSubset(of: Set(try ["Dinner with Jonas", "Alps trip", "Zugspitze"].map { try Self.memoryID(cli, title: $0) })))
        #expect(!jonas.isEmpty)
        let bad = try cli.run(["search", "x", "--since", "the other day"])
        #expect(bad.status == 1)
        #expect(bad.stderr.hasPrefix("memvault: error: cannot read the date"))
    }

    @Test("incremental: a hand edit, a deletion, a rename and a git pull re-embed only what changed")
    func freshness() throws {
        let cli = try Self.exampleVault()
        defer { cli.cleanup() }
        let first = try Self.reindex(cli)
        #expect(first["embedded"] == 26)
        #expect(try Self.reindex(cli)["embedded"] == 0)

        // A hand edit of one entry.
        let path = "alice/chronological/2026-11.md"
        let text = try cli.read(path)
        try cli.write(path, text.replacingOccurrences(of: "Tea with honey and ginger.", with: "Soup with lentils and a thermometer."))
        let edited = try Self.reindex(cli)
        #expect(edited["embedded"] == 1)
        #expect(edited["filesRead"] == 1)
        #expect(try Self.ids(cli, ["thermometer", "--mode", "lexical"]) == [try Self.memoryID(cli, title: "Flu")])

        // Deleting an entry by hand.
        let book = try Self.memoryID(cli, title: "Book club")
        try cli.ok(["rm", book])
        let removed = try Self.reindex(cli)
        #expect(removed["removed"] == 1)
        #expect(removed["embedded"] == 0)
        #expect(try Self.ids(cli, ["Stoner ending", "--mode", "lexical"]).contains(book) == false)

        // Renaming a file: nothing to embed again, paths follow.
        let from = cli.vault.appendingPathComponent("alice/general/2026-03.md")
        try FileManager.default.moveItem(at: from, to: cli.vault.appendingPathComponent("alice/general/car-and-books.md"))
        let renamed = try Self.reindex(cli)
        #expect(renamed["embedded"] == 0)
        let car = try cli.json(try cli.ok(["search", "inspection Golf", "--mode", "lexical", "--json"]))
        let carPaths = try #require(car["results"] as? [[String: Any]]).compactMap { $0["path"] as? String }
        #expect(carPaths.first == "alice/general/car-and-books.md")

        // A pull done with stock git: another clone adds a memory.
        try cli.ok(["commit"])
        let other = cli.home.appendingPathComponent("other")
        let clone = try cli.git(["clone", "-q", cli.vault.path, other.path])
        #expect(clone.status == 0, "\(clone.output)")
        let added = try cli.run(["add", "Bought a sourdough starter from the bakery on the corner", "--vault", other.path, "--tier", "general"])
        #expect(added.status == 0, "\(added.stderr)")
        let pull = try cli.git(["pull", "-q", other.path, "main"])
        #expect(pull.status == 0, "\(pull.output)")
        let pulled = try Self.reindex(cli)
        #expect(pulled["embedded"] == 1)
        #expect(try Self.ids(cli, ["sourdough", "--mode", "lexical"]).count == 1)
    }

    /// Each damage names the index file by its exact name or by its suffix (base files carry
    /// their generation in their names: entries-G.tab, postings-G.bm25, vectors-G.main).
    static let damages: [(name: String, file: String, damage: @Sendable (inout Data) -> Void)] = [
        ("truncated entry table", ".tab", { $0 = $0.prefix($0.count / 2) }),
        ("bit flip in the entry table", ".tab", { $0[$0.count / 2] ^= 0x04 }),
        ("wrong version of the entry table", ".tab", { $0[16] = 99 }),
        ("bit flip in the postings", ".bm25", { $0[$0.count / 2] ^= 0x10 }),
        ("truncated postings", ".bm25", { $0 = $0.prefix($0.count - 8) }),
        ("bit flip in the vectors", ".main", { $0[$0.count - 100] ^= 0x01 }),
        ("truncated vectors", ".main", { $0 = $0.prefix(100) }),
        ("wrong version", "state.idx", { $0[16] = 99 }),
        ("truncated state", "state.idx", { $0 = $0.prefix($0.count - 3) }),
        ("bit flip in the state", "state.idx", { $0[$0.count / 2] ^= 0x01 }),
        ("wrong model id", ".main", { data in
            if let range = data.range(of: Data("all-MiniLM-L6-v2".utf8)) { data.replaceSubrange(range, with: Data("all-MiniLM-L6-v9".utf8)) }
        }),
        ("wrong model id of the state", "state.idx", { data in
            if let range = data.range(of: Data("all-MiniLM-L6-v2".utf8)) { data.replaceSubrange(range, with: Data("all-MiniLM-L6-v9".utf8)) }
        }),
    ]

    /// The index file `name` (exact) or the one ending in `name`.
    static func indexFile(_ cli: CLI, _ name: String) throws -> URL {
        let directory = cli.vault.appendingPathComponent(".memvault/cache/index")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        let found = try #require(names.first { $0 == name || (name.hasPrefix(".") && $0.hasSuffix(name)) }, "no \(name) in \(names)")
        return directory.appendingPathComponent(found)
    }

    @Test("a damaged index is rebuilt with a notice and gives the same results", arguments: damages.indices)
    func corruption(index: Int) throws {
        let damage = Self.damages[index]
        let cli = try Self.exampleVault()
        defer { cli.cleanup() }
        _ = try Self.reindex(cli, ["--full"])
        let query = ["museum and textiles", "-k", "5"]
        let before = try Self.ids(cli, query)
        let url = try Self.indexFile(cli, damage.file)
        var data = try Data(contentsOf: url)
        let original = data
        damage.damage(&data)
        #expect(data != original, "\(damage.name) changed nothing")
        try data.write(to: url)
        let result = try cli.run(["search", "--json"] + query)
        #expect(result.status == 0)
        #expect(result.stderr.contains("memvault: notice: index rebuilt"), "\(damage.name): \(result.stderr)")
        let after = try #require(try cli.json(result.stdout)["results"] as? [[String: Any]]).compactMap { $0["id"] as? String }
        #expect(after == before, "\(damage.name)")
        // And the rebuilt index is whole again: no second notice.
        #expect(!(try cli.run(["search"] + query).stderr.contains("rebuilt")))
    }

    @Test("an edit after a full build rewrites only the delta files, and damaged delta files are rebuilt too")
    func deltaFiles() throws {
        let cli = try Self.exampleVault()
        defer { cli.cleanup() }
        _ = try Self.reindex(cli, ["--full"])
        let base = try [".tab", ".bm25", ".main"].map { try Self.indexFile(cli, $0) }
        let modified = try base.map { try FileManager.default.attributesOfItem(atPath: $0.path)[.modificationDate] as? Date }
        try cli.ok(["add", "Climbed the Watzmann with Jonas, a long day in the mountains", "--tier", "general"])
        let report = try Self.reindex(cli)
        #expect(report["embedded"] == 1)
        #expect(report["entries"] == 27)
        #expect(try [".tab", ".bm25", ".main"].map { try Self.indexFile(cli, $0) } == base)
        #expect(try base.map { try FileManager.default.attributesOfItem(atPath: $0.path)[.modificationDate] as? Date } == modified)
        let query = ["mountains", "-k", "5"]
        let before = try Self.ids(cli, query)
        #expect(before.count == 5)
        let delta = try Self.indexFile(cli, ".delta")
        var data = try Data(contentsOf: delta)
        data[data.count - 20] ^= 0x01
        try data.write(to: delta)
        let result = try cli.run(["search", "--json"] + query)
        #expect(result.status == 0)
        #expect(result.stderr.contains("memvault: notice: index rebuilt"), "\(result.stderr)")
        let after = try #require(try cli.json(result.stdout)["results"] as? [[String: Any]]).compactMap { $0["id"] as? String }
        #expect(after == before)
    }

    @Test("an edit that shifts later entries: their lines and snippets follow, nothing else is re-embedded")
    func shiftedEntries() throws {
        let cli = try Self.exampleVault()
        defer { cli.cleanup() }
        _ = try Self.reindex(cli, ["--full"])
        let path = "alice/chronological/2026-11.md"
        let text = try cli.read(path)
        try cli.write(path, text.replacingOccurrences(of: "Tea with honey and ginger.", with: "Tea with honey and ginger.\n\nSlept most of the day.\nCalled in sick."))
        let report = try Self.reindex(cli)
        #expect(report["embedded"] == 1)
        let lines = try cli.read(path).split(separator: "\n", omittingEmptySubsequences: false)
        let heading = try #require(lines.firstIndex { $0.hasPrefix("#") && $0.contains("Museum visit") }) + 1
        let response = try cli.json(try cli.ok(["search", "textile archive", "--mode", "lexical", "--json"]))
        let first = try #require((response["results"] as? [[String: Any]])?.first)
        #expect(first["path"] as? String == path)
        #expect(first["line"] as? Int == heading)
        #expect((first["snippet"] as? String)?.contains("textile archive") == true)
        #expect(first["title"] as? String == "Museum visit")
    }

    @Test("folding the delta into a new base gives the same answers as a full rebuild")
    func compaction() throws {
        let cli = try Self.exampleVault()
        defer { cli.cleanup() }
        _ = try Self.reindex(cli, ["--full"])
        let firstBase = try Self.indexFile(cli, ".tab").lastPathComponent
        // A change, a shift of later entries, a deletion, a renamed file and a new memory.
        let path = "alice/chronological/2026-11.md"
        try cli.write(path, try cli.read(path).replacingOccurrences(of: "Tea with honey and ginger.", with: "Soup with lentils.\n\nAnd a thermometer."))
        try cli.ok(["rm", try Self.memoryID(cli, title: "Book club")])
        try FileManager.default.moveItem(
            at: cli.vault.appendingPathComponent("alice/general/2026-03.md"), to: cli.vault.appendingPathComponent("alice/general/car-and-books.md"))
        try cli.ok(["add", "Climbed the Watzmann with Jonas, a long day in the mountains #hiking", "--tier", "general"])
        let delta = try Self.reindex(cli)
        #expect(delta["embedded"] == 2)
        let queries: [[String]] = [
            ["museum textiles", "-k", "5"], ["thermometer soup", "--mode", "lexical"], ["mountains", "--mode", "semantic", "-k", "4"],
            ["inspection Golf", "--mode", "lexical"], ["running", "--tag", "running"], ["maria", "--mode", "lexical", "--since", "2026-01"],
        ]
        func answers() throws -> [String] {
            try queries.map { query in
                let response = try cli.json(try cli.ok(["search", "--json"] + query))
                let results = try #require(response["results"] as? [[String: Any]])
                return results.map { "\($0["id"] ?? "") \($0["path"] ?? ""):\($0["line"] ?? 0) \($0["snippet"] ?? "")" }.joined(separator: "\n")
            }
        }
        let beforeFold = try answers()
        // Fold: a file touched (same text) with the compaction threshold at zero.
        try cli.write(path, try cli.read(path))
        let folded = try cli.run(["reindex", "--json"], env: ["MEMVAULT_DEBUG_COMPACT_AFTER": "0"])
        #expect(folded.status == 0)
        #expect(try cli.json(folded.stdout)["embedded"] as? Int == 0)
        #expect(try Self.indexFile(cli, ".tab").lastPathComponent != firstBase)
        let names = try FileManager.default.contentsOfDirectory(atPath: cli.vault.appendingPathComponent(".memvault/cache/index").path)
        #expect(!names.contains { $0.hasSuffix(".delta") || $0.hasPrefix(firstBase) }, "\(names)")
        let afterFold = try answers()
        #expect(afterFold == beforeFold)
        // A full rebuild numbers entries differently, so equal scores may come in another order.
        _ = try Self.reindex(cli, ["--full"])
        #expect(try answers().map { $0.split(separator: "\n").sorted() } == afterFold.map { $0.split(separator: "\n").sorted() })
    }

    @Test("a process killed during reindex leaves an index the next command repairs")
    func killedReindex() throws {
        let cli = try Self.exampleVault()
        defer { cli.cleanup() }
        let before = try Self.ids(cli, ["mountains", "-k", "5"])
        try cli.ok(["add", "Climbed the Watzmann with Jonas, a long day in the mountains", "--tier", "general"])
        let killed = try cli.run(["reindex"], env: ["MEMVAULT_DEBUG_CRASH_AT": "index-before-save"])
        #expect(killed.status == 9)
        let after = try Self.ids(cli, ["mountains", "-k", "5"])
        #expect(after.count == 5)
        #expect(after.first != nil && !before.isEmpty)
        let report = try Self.reindex(cli)
        #expect(report["embedded"] == 0)
        #expect(report["entries"] == 27)
        #expect(report["withVectors"] == 27)
    }

    @Test("status reports index coverage and stale files")
    func statusCoverage() throws {
        let cli = try Self.exampleVault()
        defer { cli.cleanup() }
        var index = try #require(try cli.json(try cli.ok(["status", "--json"]))["index"] as? [String: Any])
        #expect(index["indexed"] as? Int == 0)
        #expect(index["total"] as? Int == 26)
        _ = try Self.reindex(cli)
        try cli.ok(["add", "one more", "--tier", "general", "--date", "2026-11-23 10:00"])
        index = try #require(try cli.json(try cli.ok(["status", "--json"]))["index"] as? [String: Any])
        #expect(index["total"] as? Int == 27)
        #expect(index["stale_files"] as? [String] == ["alice/general/2026-11.md"])
    }
}
