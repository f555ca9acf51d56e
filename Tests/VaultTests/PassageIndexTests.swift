import Embedder
import Foundation
import MarkdownCodec
import SearchIndex
import Synchronization
import Testing
@testable import Vault

/// The hashed-words stand-in (``CountingEmbedder/vector(_:)``) with a window like the real
/// model's: it reads only the first `window` words of a text; with `passages` it asks the index to
/// embed longer texts as passages of at most `window` words (one token per word).
final class WindowEmbedder: SentenceEmbedding {
    let window: Int
    let usesPassages: Bool
    let texts = Mutex(0)

    init(window: Int = 40, passages: Bool = true) {
        self.window = window
        usesPassages = passages
    }

    var count: Int { texts.withLock { $0 } }
    var passageTokens: Int? { usesPassages ? window : nil }
    func tokenCount(_ text: Substring) -> Int { text.split(whereSeparator: \.isWhitespace).count }

    func embed(_ texts: [String]) -> [[Float]] {
        self.texts.withLock { $0 += texts.count }
        return texts.map { CountingEmbedder.vector($0.split(whereSeparator: \.isWhitespace).prefix(window).joined(separator: " ")) }
    }

    func embedMatrix(_ texts: [String]) -> [Float] { embed(texts).flatMap { $0 } }

    /// How many passages the index embeds `text` as.
    func passageCount(_ text: String) -> Int { Passages.split(text, window: window, tokenCount: tokenCount).count }
}

/// A long memory: `paragraphs` of filler about one `topic`, then `fact` as the last paragraph.
func longMemory(topic: String, fact: String, paragraphs: Int = 12) -> String {
    let filler = (0..<paragraphs).map { p in
        (0..<4).map { s in "Day \(p) note \(s) about \(topic) chores number\(p * 4 + s) and plain routine." }.joined(separator: " ")
    }
    return (filler + [fact]).joined(separator: "\n\n")
}

/// A plain vault with three long memories (a fact in each one's last paragraph) and short ones.
private struct LongVault {
    static let facts = [
        "Oskar the lighthouse keeper gave me a brass compass from the harbour.",
        "Greta finally repaired the violin bridge before the autumn concert.",
        "The beekeeper Anton sold us six jars of heather honey at the market.",
    ]
    static let topics = ["kitchen", "garden", "office"]
    static let short = [
        "The harbour was foggy this morning.",
        "Bought a compass for the hiking trip.",
        "Concert tickets arrived in the mail.",
    ]

    let folder: URL
    let vault: Vault
    var longIDs: [String] = []
    var shortIDs: [String] = []

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("passages-\(UUID().uuidString)")
        vault = try Vault.create(
            at: folder.appendingPathComponent("vault"), user: "alice",
            environment: ["XDG_RUNTIME_DIR": folder.path, "TZ": "Europe/Berlin"])
        for (i, fact) in Self.facts.enumerated() {
            longIDs.append(try vault.add(NewMemory(
                text: longMemory(topic: Self.topics[i], fact: fact), tier: .general,
                date: EntryDate(year: 2026, month: 11, day: 1 + i, hour: 9, minute: 0)), user: "alice").id)
        }
        for (i, text) in Self.short.enumerated() {
            shortIDs.append(try vault.add(NewMemory(
                text: text, tier: i % 2 == 0 ? .general : .chronological,
                date: EntryDate(year: 2026, month: 11, day: 10 + i, hour: 9, minute: 0)), user: "alice").id)
        }
    }

    func cleanup() { try? FileManager.default.removeItem(at: folder) }

    func search(_ query: String, mode: SearchMode = .semantic, k: Int = 3, embedder: any SentenceEmbedding, in other: Vault? = nil) throws -> [SearchResult] {
        try (other ?? vault).search(SearchRequest(query: query, k: k, mode: mode), user: "alice", embedder: embedder).results
    }

    /// What the index embeds of memory `id`: its title and body.
    func embeddingText(_ id: String) throws -> String {
        let memory = try vault.entryText(id: id).memory
        return EmbeddingText.of(title: memory.title, body: memory.text ?? "")
    }

    func indexFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: vault.indexDirectory.path).sorted()
    }
}

@Suite("Long memories are embedded as passages, in the plain index")
struct PassageIndexTests {
    @Test("a fact in the last paragraph of a long memory is found by semantic search, and the snippet shows that passage; without passages it is not")
    func lastParagraphFound() throws {
        let fixture = try LongVault()
        defer { fixture.cleanup() }
        let embedder = WindowEmbedder()
        #expect(embedder.passageCount(try fixture.embeddingText(fixture.longIDs[0])) > 5)
        let found = try fixture.search("lighthouse keeper brass compass harbour", embedder: embedder)
        let best = try #require(found.first)
        #expect(best.id == fixture.longIDs[0])
        #expect(best.snippet.contains("brass compass"), "\(best.snippet)")
        #expect(best.snippet.hasPrefix("…"))
        #expect(Set(found.map(\.id)).count == found.count, "one result per memory")
        // Hybrid shows the matching passage too (the body's start holds none of the query's words).
        let hybrid = try #require(try fixture.search("lighthouse keeper brass compass harbour", mode: .hybrid, embedder: embedder).first)
        #expect(hybrid.id == fixture.longIDs[0] && hybrid.snippet.contains("brass compass"))

        // The same vault indexed without passages: the model's window hides the fact.
        let truncating = WindowEmbedder(passages: false)
        _ = try fixture.vault.reindex(full: true, embedder: truncating)
        let blind = try fixture.search("lighthouse keeper brass compass harbour", embedder: truncating)
        #expect(blind.first?.id != fixture.longIDs[0])
    }

    @Test("semantic top-k is over memories: passages deduplicated before k, scores the best passage's, the same as a brute-force computation", arguments: [1, 2, 4, 6])
    func exactTopKOverMemories(k: Int) throws {
        let fixture = try LongVault()
        defer { fixture.cleanup() }
        let embedder = WindowEmbedder()
        // "chores routine" is in every passage of every long memory: their passages fill the top rows.
        let query = "plain routine chores note harbour honey"
        let found = try fixture.search(query, k: k, embedder: embedder)
        let queryVector = embedder.embed([query])[0]
        var expected: [(id: String, score: Float)] = []
        for id in fixture.longIDs + fixture.shortIDs {
            let passages = Passages.split(try fixture.embeddingText(id), window: 40, tokenCount: embedder.tokenCount)
            let best = passages.map { Vectors.dot(embedder.embed([String($0)])[0], queryVector) }.max()!
            expected.append((id, best))
        }
        expected.sort { $0.score != $1.score ? $0.score > $1.score : $0.id < $1.id }
        #expect(found.map(\.id) == expected.prefix(k).map(\.id))
        for (result, want) in zip(found, expected) { #expect(abs(result.score - want.score) < 1e-5) }
    }

    @Test("an edited long memory re-embeds only its own passages, into the delta; folding keeps every answer")
    func incrementalUpdate() throws {
        let fixture = try LongVault()
        defer { fixture.cleanup() }
        let embedder = WindowEmbedder()
        let full = try fixture.vault.reindex(full: true, embedder: embedder)
        let allPassages = try (fixture.longIDs + fixture.shortIDs).reduce(0) { $0 + embedder.passageCount(try fixture.embeddingText($1)) }
        #expect(full.embedded == 6)
        #expect(embedder.count == allPassages)
        let base = try fixture.indexFiles().filter { $0.hasSuffix(".main") }
        #expect(base.count == 1)
        let mainURL = fixture.vault.indexDirectory.appendingPathComponent(base[0])
        let mainStore = try VectorStore(contentsOf: mainURL, expectedModelID: Embedder.modelID, expectedDimension: Embedder.dimension)
        #expect(mainStore.count == allPassages, "one row per passage")

        // A new fact in the last paragraph of the second long memory.
        let id = fixture.longIDs[1]
        let original = try fixture.vault.entryText(id: id).text
        let newFact = "Greta sold the old cello to a collector from Vienna."
        _ = try #require(try fixture.vault.replaceEntry(
            id: id, original: original, newText: original.replacingOccurrences(of: LongVault.facts[1], with: newFact)))
        let before = embedder.count
        let update = try fixture.vault.reindex(full: false, embedder: embedder)
        let changedPassages = embedder.passageCount(try fixture.embeddingText(id))
        #expect(update.embedded == 1)
        #expect(embedder.count - before == changedPassages)
        let files = try fixture.indexFiles()
        #expect(files.contains(base[0]), "the base stays")
        let deltaName = try #require(files.first { $0.hasSuffix(".delta") })
        let delta = try VectorStore(
            contentsOf: fixture.vault.indexDirectory.appendingPathComponent(deltaName), expectedModelID: Embedder.modelID,
            expectedDimension: Embedder.dimension)
        #expect(delta.count == changedPassages, "the delta holds the changed memory's passages only")

        let queries = ["cello collector vienna", "lighthouse keeper brass compass", "beekeeper heather honey market", "violin bridge autumn"]
        func answers(_ vault: Vault? = nil) throws -> [[String]] {
            try queries.map { try fixture.search($0, k: 3, embedder: embedder, in: vault).map { "\($0.id) \($0.score) \($0.snippet)" } }
        }
        let beforeFold = try answers()
        #expect(beforeFold[0].first?.hasPrefix(id) == true)
        #expect(beforeFold[1].first?.hasPrefix(fixture.longIDs[0]) == true)
        #expect(beforeFold[2].first?.hasPrefix(fixture.longIDs[2]) == true)
        #expect(!(beforeFold[3].first?.hasPrefix(id) ?? false) || !beforeFold[3][0].contains("violin"))

        // A second edit of the same memory replaces its delta rows instead of adding more.
        let edited = try fixture.vault.entryText(id: id).text
        _ = try fixture.vault.replaceEntry(id: id, original: edited, newText: edited.replacingOccurrences(of: "Vienna", with: "Vienna and Graz"))
        _ = try fixture.vault.reindex(full: false, embedder: embedder)
        let delta2Name = try #require(try fixture.indexFiles().first { $0.hasSuffix(".delta") })
        let delta2 = try VectorStore(
            contentsOf: fixture.vault.indexDirectory.appendingPathComponent(delta2Name), expectedModelID: Embedder.modelID,
            expectedDimension: Embedder.dimension)
        #expect(delta2.count == embedder.passageCount(try fixture.embeddingText(id)))
        let afterSecondEdit = try answers()

        // Folded into a new base: nothing embedded, the same answers, also in a new process.
        fixture.vault.indexCompactionLimit = 0
        let file = fixture.vault.root.appendingPathComponent(try fixture.vault.entryText(id: id).memory.path)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(60)], ofItemAtPath: file.path)
        let folded = try fixture.vault.reindex(full: false, embedder: embedder)
        #expect(folded.embedded == 0)
        #expect(!(try fixture.indexFiles()).contains { $0.hasSuffix(".delta") })
        #expect(try answers() == afterSecondEdit)
        let reopened = try Vault(at: fixture.vault.root, environment: ["XDG_RUNTIME_DIR": fixture.folder.path, "TZ": "Europe/Berlin"])
        #expect(try answers(reopened) == afterSecondEdit)
        // And a full rebuild from the files agrees.
        _ = try fixture.vault.reindex(full: true, embedder: embedder)
        #expect(try answers() == afterSecondEdit)
    }

    @Test("a memory moved to another file keeps its passages without embedding")
    func movedMemoryKeepsPassages() throws {
        let fixture = try LongVault()
        defer { fixture.cleanup() }
        let embedder = WindowEmbedder()
        _ = try fixture.vault.reindex(full: true, embedder: embedder)
        let path = try fixture.vault.entryText(id: fixture.longIDs[0]).memory.path
        let url = fixture.vault.root.appendingPathComponent(path)
        let renamed = url.deletingLastPathComponent().appendingPathComponent("2026-10.md")
        try FileManager.default.moveItem(at: url, to: renamed)
        let before = embedder.count
        let update = try fixture.vault.reindex(full: false, embedder: embedder)
        #expect(update.embedded == 0 && embedder.count == before)
        let best = try #require(try fixture.search("lighthouse keeper brass compass harbour", embedder: embedder).first)
        #expect(best.id == fixture.longIDs[0] && best.path.hasSuffix("2026-10.md") && best.snippet.contains("brass compass"))
    }
}

@Suite("Long memories are embedded as passages, in the encrypted tiers' index")
struct EncryptedPassageTests {
    @Test("a long secret memory's last paragraph is found; a later search embeds nothing; a new long memory embeds only its passages")
    func encryptedLongMemory() throws {
        let fixture = try SecretVault()
        defer { fixture.cleanup() }
        let embedder = WindowEmbedder()
        let long = try fixture.vault.add(NewMemory(
            text: longMemory(topic: "insurance", fact: "Oskar the lighthouse keeper gave me a brass compass from the harbour."),
            tier: .secret, date: EntryDate(year: 2026, month: 11, day: 20, hour: 9, minute: 0)), user: "alice")
        func search(_ query: String, in vault: Vault) throws -> ([SearchResult], EncryptedIndexUpdate) {
            var update = EncryptedIndexUpdate()
            let found = try vault.searchEncrypted(
                SearchRequest(query: query, k: 3, mode: .semantic), user: "alice", filter: SearchFilter(users: ["alice"]),
                mode: .semantic, embedder: embedder, update: &update)
            return (found.results, update)
        }
        let (first, update) = try search("lighthouse keeper brass compass harbour", in: fixture.vault)
        let memory = try fixture.vault.entryText(id: long.id).memory
        let passages = embedder.passageCount(EmbeddingText.of(title: memory.title, body: memory.text ?? ""))
        #expect(passages > 5)
        #expect(update.embedded == SecretVault.topics.count + 1)
        #expect(update.passagesEmbedded == SecretVault.topics.count + passages)
        let best = try #require(first.first)
        #expect(best.id == long.id, "\(first.map { "\($0.id) \($0.score) \($0.snippet.prefix(60))" })")
        #expect(best.snippet.contains("brass compass"), "\(best.snippet)")
        #expect(Set(first.map(\.id)).count == first.count)

        // A new process: read from the encrypted index file, nothing embedded but the query.
        let before = embedder.count
        let (again, cached) = try search("lighthouse keeper brass compass harbour", in: try fixture.reopened())
        #expect(cached.embedded == 0 && embedder.count == before + 1)
        #expect(again.map(\.id) == first.map(\.id) && again.map(\.score) == first.map(\.score))
        #expect(again.first?.snippet == best.snippet)

        // Another long memory: only its passages are embedded.
        let second = try fixture.vault.add(NewMemory(
            text: longMemory(topic: "taxes", fact: "The beekeeper Anton sold us six jars of heather honey at the market."),
            tier: .secret, date: EntryDate(year: 2026, month: 11, day: 21, hour: 9, minute: 0)), user: "alice")
        let secondMemory = try fixture.vault.entryText(id: second.id).memory
        let (found, added) = try search("beekeeper heather honey market", in: try fixture.reopened())
        #expect(added.embedded == 1)
        #expect(added.passagesEmbedded == embedder.passageCount(EmbeddingText.of(title: secondMemory.title, body: secondMemory.text ?? "")))
        #expect(found.first?.id == second.id)
        // Nothing of the plaintext reaches the encrypted index file.
        let bytes = try Data(contentsOf: fixture.encryptedIndexURL)
        #expect(bytes.range(of: Data("lighthouse".utf8)) == nil)
    }
}
