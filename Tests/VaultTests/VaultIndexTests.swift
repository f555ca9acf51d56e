import Embedder
import Foundation
import MarkdownCodec
import SearchIndex
import Synchronization
import Testing
@testable import Vault

/// A plain vault in a temporary folder with a handful of general and chronological memories.
private struct PlainVault {
    static let texts = [
        "Coffee with Maria at the lake, she starts the new job in March",
        "The car inspection of the Golf is due in April",
        "Finished the book club novel about the lighthouse keeper",
        "Ran ten kilometres along the river before work",
        "Museum visit: the textile archive on the third floor",
        "Tea with honey and ginger for the sore throat",
    ]

    let folder: URL
    let vault: Vault
    var ids: [String] = []

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("vault-index-\(UUID().uuidString)")
        vault = try Vault.create(
            at: folder.appendingPathComponent("vault"), user: "alice",
            environment: ["XDG_RUNTIME_DIR": folder.path, "TZ": "Europe/Berlin"])
        for (i, text) in Self.texts.enumerated() {
            let memory = try vault.add(
                NewMemory(text: text, tier: i % 2 == 0 ? .general : .chronological,
                          date: EntryDate(year: 2026, month: 11, day: 1 + i, hour: 9, minute: 0)),
                user: "alice")
            ids.append(memory.id)
        }
    }

    func cleanup() { try? FileManager.default.removeItem(at: folder) }

    /// The index folder's file names, sorted.
    func indexFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: vault.indexDirectory.path).sorted()
    }

    /// The ids `query` finds, best first.
    func search(_ query: String, mode: SearchMode, embedder: CountingEmbedder, k: Int = 3) throws -> [String] {
        try vault.search(SearchRequest(query: query, k: k, mode: mode), user: "alice", embedder: embedder).results.map(\.id)
    }
}

@Suite("The vault's search index: delta and compaction, in process")
struct VaultIndexTests {
    @Test("an added memory goes to the delta: the base files stay, only it is embedded, and search finds it; a removed one is gone")
    func deltaAfterFullBuild() throws {
        var fixture = try PlainVault()
        defer { fixture.cleanup() }
        let embedder = CountingEmbedder()
        let full = try fixture.vault.reindex(full: true, embedder: embedder)
        #expect(full.embedded == PlainVault.texts.count)
        #expect(full.entries == PlainVault.texts.count)
        let base = try fixture.indexFiles().filter { [".tab", ".bm25", ".main"].contains(where: $0.hasSuffix) }
        #expect(base.count == 3)
        #expect(!(try fixture.indexFiles()).contains { $0.hasSuffix(".delta") })

        let added = try fixture.vault.add(
            NewMemory(text: "Climbed the Watzmann with Jonas, a long day in the mountains", tier: .general), user: "alice")
        fixture.ids.append(added.id)
        let before = embedder.count
        let update = try fixture.vault.reindex(full: false, embedder: embedder)
        #expect(update.embedded == 1)
        #expect(embedder.count == before + 1)
        #expect(update.entries == PlainVault.texts.count + 1)
        #expect(update.withVectors == PlainVault.texts.count + 1)
        let files = try fixture.indexFiles()
        #expect(base.allSatisfy(files.contains), "\(files)")
        #expect(files.contains { $0.hasSuffix(".delta") }, "\(files)")
        #expect(try fixture.search("watzmann mountains jonas", mode: .semantic, embedder: embedder).first == added.id)
        #expect(try fixture.search("watzmann", mode: .lexical, embedder: embedder) == [added.id])

        // A removed base entry is hidden: not found, not counted, nothing embedded.
        _ = try fixture.vault.remove(id: fixture.ids[4])
        let removal = try fixture.vault.reindex(full: false, embedder: embedder)
        #expect(removal.embedded == 0)
        #expect(removal.removed == 1)
        #expect(removal.entries == PlainVault.texts.count)
        #expect(try fixture.search("textile archive museum", mode: .lexical, embedder: embedder).isEmpty)
        #expect(!(try fixture.search("textile archive museum", mode: .semantic, embedder: embedder, k: 10)).contains(fixture.ids[4]))
        #expect(base.allSatisfy(try fixture.indexFiles().contains))
    }

    @Test("folding the delta into a new base generation keeps every answer, and a full rebuild agrees")
    func compactionKeepsAnswers() throws {
        let fixture = try PlainVault()
        defer { fixture.cleanup() }
        let embedder = CountingEmbedder()
        _ = try fixture.vault.reindex(full: true, embedder: embedder)
        let firstBase = try #require(try fixture.indexFiles().first { $0.hasSuffix(".tab") })

        // A deletion, an edit and a new memory, all in the delta.
        _ = try fixture.vault.remove(id: fixture.ids[2])
        let original = try fixture.vault.entryText(id: fixture.ids[5]).text
        let edited = try #require(try fixture.vault.replaceEntry(
            id: fixture.ids[5], original: original,
            newText: original.replacingOccurrences(of: PlainVault.texts[5], with: "Soup with lentils and a thermometer on the table")))
        let added = try fixture.vault.add(
            NewMemory(text: "Climbed the Watzmann with Jonas, a long day in the mountains", tier: .general), user: "alice")
        let delta = try fixture.vault.reindex(full: false, embedder: embedder)
        #expect(delta.embedded == 2)
        #expect(try fixture.indexFiles().contains(firstBase))

        let queries: [(String, SearchMode)] = [
            ("museum textiles", .hybrid), ("thermometer soup", .lexical), ("mountains jonas", .semantic),
            ("inspection golf", .lexical), ("lighthouse novel", .hybrid), ("maria lake", .semantic),
        ]
        func answers() throws -> [[String]] {
            try queries.map { try fixture.search($0.0, mode: $0.1, embedder: embedder, k: 4) }
        }
        let beforeFold = try answers()
        #expect(beforeFold[1].first == edited.id)
        #expect(beforeFold[2].first == added.id)
        #expect(!beforeFold.joined().contains(fixture.ids[2]))

        // The threshold at zero: the next change folds everything into a new base.
        fixture.vault.indexCompactionLimit = 0
        let touched = try #require(try FileManager.default.contentsOfDirectory(
            atPath: fixture.vault.root.appendingPathComponent("alice/general").path).first { $0.hasSuffix(".md") })
        let url = fixture.vault.root.appendingPathComponent("alice/general/\(touched)")
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(60)], ofItemAtPath: url.path)
        let folded = try fixture.vault.reindex(full: false, embedder: embedder)
        #expect(folded.embedded == 0)
        let files = try fixture.indexFiles()
        #expect(!files.contains(firstBase), "\(files)")
        #expect(files.filter { $0.hasSuffix(".tab") }.count == 1)
        #expect(!files.contains { $0.hasSuffix(".delta") }, "\(files)")
        #expect(try answers() == beforeFold)

        // A new process (nothing held in memory) reads the folded index the same way.
        let reopened = try Vault(at: fixture.vault.root, environment: ["XDG_RUNTIME_DIR": fixture.folder.path, "TZ": "Europe/Berlin"])
        let again = try queries.map { query in
            try reopened.search(SearchRequest(query: query.0, k: 4, mode: query.1), user: "alice", embedder: embedder).results.map(\.id)
        }
        #expect(again == beforeFold)

        // A full rebuild numbers rows differently, so equal scores may come in another order.
        _ = try fixture.vault.reindex(full: true, embedder: embedder)
        #expect(try answers().map { $0.sorted() } == beforeFold.map { $0.sorted() })
    }
}

@Suite("A search that loads the model while the index is brought up to date")
struct LoadingModelSearchTests {
    /// A loader of `model` that counts its calls.
    final class Loader: Sendable {
        let model: CountingEmbedder?
        let calls = Mutex(0)
        init(_ model: CountingEmbedder?) { self.model = model }
        var count: Int { calls.withLock { $0 } }
        func load() -> (any SentenceEmbedding)? {
            calls.withLock { $0 += 1 }
            return model
        }
    }

    private func search(_ fixture: PlainVault, _ query: String, mode: SearchMode, loader: Loader) throws -> SearchResponse {
        try fixture.vault.search(SearchRequest(query: query, k: 3, mode: mode), user: "alice", loadingModel: { loader.load() })
    }

    @Test("hybrid and semantic: the same results as with the model given, loaded once; lexical never loads it")
    func loadsOnceOnlyWhenNeeded() throws {
        let fixture = try PlainVault()
        defer { fixture.cleanup() }
        let given = CountingEmbedder()
        for mode in [SearchMode.hybrid, .semantic] {
            let expected = try fixture.search("lake coffee Maria", mode: mode, embedder: given)
            let loader = Loader(CountingEmbedder())
            let found = try search(fixture, "lake coffee Maria", mode: mode, loader: loader)
            #expect(found.results.map(\.id) == expected && !expected.isEmpty)
            #expect(loader.count == 1)
        }
        let loader = Loader(CountingEmbedder())
        let lexical = try search(fixture, "lake coffee Maria", mode: .lexical, loader: loader)
        #expect(lexical.results.first?.id == fixture.ids[0])
        #expect(loader.count == 0)
    }

    @Test("a memory added since the last search is embedded by the loaded model")
    func staleIndexWaitsForTheModel() throws {
        var fixture = try PlainVault()
        defer { fixture.cleanup() }
        _ = try fixture.search("lake", mode: .hybrid, embedder: CountingEmbedder())
        fixture.ids.append(try fixture.vault.add(
            NewMemory(text: "Planted tulip bulbs by the garden fence", tier: .general,
                      date: EntryDate(year: 2026, month: 11, day: 20, hour: 9, minute: 0)), user: "alice").id)
        let model = CountingEmbedder()
        let loader = Loader(model)
        let found = try search(fixture, "tulip bulbs garden", mode: .semantic, loader: loader)
        #expect(found.results.first?.id == fixture.ids.last)
        #expect(loader.count == 1 && model.count == 2)  // the new memory, then the query
    }

    /// A search of "lake coffee Maria" with the model's load and an embedding begun beforehand for `prepared`.
    private func preparedSearch(
        _ fixture: PlainVault, prepared query: String, mode: SearchMode, loader: Loader
    ) throws -> SearchResponse {
        let prepared = QueryPreparation(query: query, loadingModel: { loader.load() })
        defer { prepared.finish() }
        return try fixture.vault.search(SearchRequest(query: "lake coffee Maria", k: 3, mode: mode), user: "alice", prepared: prepared)
    }

    @Test("prepared before the vault opened: the same results, the model loaded once; only another query is embedded again", arguments: [
        // The search trims its query as the preparation does: the prepared vector is used.
        (" lake coffee Maria\n", SearchMode.hybrid, Set(["lake coffee Maria"])),
        ("tulip bulbs", .semantic, Set(["tulip bulbs", "lake coffee Maria"])),
    ])
    func preparedQuery(prepared query: String, mode: SearchMode, embedded: Set<String>) throws {
        let fixture = try PlainVault()
        defer { fixture.cleanup() }
        let expected = try fixture.search("lake coffee Maria", mode: mode, embedder: CountingEmbedder())
        let model = CountingEmbedder()
        let loader = Loader(model)
        let found = try preparedSearch(fixture, prepared: query, mode: mode, loader: loader)
        #expect(found.results.map(\.id) == expected && !expected.isEmpty)
        #expect(loader.count == 1 && Set(model.texts) == embedded && model.count == embedded.count)
    }

    @Test("prepared without a model: hybrid falls back to lexical results with its notice")
    func preparedWithoutModel() throws {
        let fixture = try PlainVault()
        defer { fixture.cleanup() }
        let lexical = try preparedSearch(fixture, prepared: "lake coffee Maria", mode: .hybrid, loader: Loader(nil))
        #expect(lexical.results.first?.id == fixture.ids[0])
        #expect(lexical.notices.contains { $0.hasPrefix("embedding model missing") })
    }

    @Test("without the model: hybrid gives lexical results with a notice, semantic is one error")
    func missingModel() throws {
        let fixture = try PlainVault()
        defer { fixture.cleanup() }
        let hybrid = try search(fixture, "lake coffee Maria", mode: .hybrid, loader: Loader(nil))
        #expect(hybrid.results.first?.id == fixture.ids[0])
        #expect(hybrid.notices.contains { $0.hasPrefix("embedding model missing") })
        #expect(throws: VaultError.self) { try search(fixture, "lake coffee Maria", mode: .semantic, loader: Loader(nil)) }
    }
}
