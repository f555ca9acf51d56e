import Embedder
import Foundation
import MarkdownCodec
import SearchIndex
import TestSupport
import Testing
@testable import Vault

/// The real model reading only its window: the index's view of it before passages existed.
private struct WholeTextOnly: SentenceEmbedding {
    let base: Embedder
    func embed(_ texts: [String]) -> [[Float]] { base.embed(texts) }
    func embedMatrix(_ texts: [String]) -> [Float] { base.embedMatrix(texts) }
}

/// Long memories with the real model (CI installs it first: scripts/fetch-model).
@Suite("Long memories with the real model")
struct PassageModelTests {
    @Test("a fact in the last paragraph of a 3,000-word memory is found by a paraphrased semantic query, with that passage as snippet")
    func lastParagraphOfALongMemory() throws {
        let model = try Embedder(modelDirectory: Embedder.defaultModelDirectory())
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("passage-model-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let vault = try Vault.create(
            at: folder.appendingPathComponent("vault"), user: "alice", environment: ["XDG_RUNTIME_DIR": folder.path, "TZ": "Europe/Berlin"])
        let text = LongMemory.weeklyReview(fact: "In the evening I finally booked the flights to Lisbon for my sister Clara's wedding in June.")
        #expect(text.split(whereSeparator: \.isWhitespace).count >= 3000)
        let long = try vault.add(NewMemory(
            text: text, tier: .general, date: EntryDate(year: 2026, month: 11, day: 1, hour: 20, minute: 0), title: "Weekly review"),
            user: "alice")
        for (day, short) in ["Booked a table at the Thai restaurant for Friday.", "My sister Clara called about her new flat.",
                             "The train to Munich was delayed again.", "Renewed the car insurance online."].enumerated() {
            _ = try vault.add(NewMemory(
                text: short, tier: .general, date: EntryDate(year: 2026, month: 11, day: 2 + day, hour: 9, minute: 0)), user: "alice")
        }
        let query = "plane tickets to Portugal for my sibling's marriage"
        let found = try vault.search(SearchRequest(query: query, k: 3, mode: .semantic), user: "alice", embedder: model).results
        let best = try #require(found.first)
        #expect(best.id == long.id, "\(found.map { "\($0.score) \($0.snippet.prefix(50))" })")
        #expect(best.snippet.contains("Lisbon"), "\(best.snippet)")
        #expect(Set(found.map(\.id)).count == found.count)

        // Indexed as the model's window alone sees it, the memory scores far lower.
        _ = try vault.reindex(full: true, embedder: WholeTextOnly(base: model))
        let blind = try vault.search(SearchRequest(query: query, k: 5, mode: .semantic), user: "alice", embedder: model).results
        let blindScore = blind.first { $0.id == long.id }?.score ?? -1
        #expect(best.score > blindScore + 0.1, "with passages \(best.score), without \(blindScore)")
    }
}
