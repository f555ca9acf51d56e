import Embedder
import Foundation
import MarkdownCodec
import SearchIndex
import Testing
@testable import Vault

/// The classifier's neighbour signal inside the vault: which indexes it reads, what it embeds,
/// and that the vector it computes for a new memory is the one the index then stores.
@Suite("Classification: the neighbour signal in the vault")
struct ClassificationNeighbourTests {
    static let plainTopics = [
        "walked to the lake with jonas and the dog after lunch",
        "cooked lentil soup with carrots for the neighbours",
        "the train to leeds was late again this morning",
        "finished the thousand piece puzzle with maria tonight",
        "saw a heron on the canal on the way to work",
    ]

    /// A vault of alice with the plain topics in general, indexed by a new counting model, in a
    /// new temporary folder (the caller removes it).
    static func indexedVault(named name: String) throws -> (vault: Vault, embedder: CountingEmbedder, folder: URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        let embedder = CountingEmbedder()
        do {
            return (try indexedVault(folder, embedder: embedder), embedder, folder)
        } catch {
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
    }

    /// A vault of alice with the plain topics in general, indexed with `embedder`.
    static func indexedVault(_ folder: URL, embedder: CountingEmbedder) throws -> Vault {
        let vault = try Vault.create(
            at: folder.appendingPathComponent("vault"), user: "alice",
            environment: ["XDG_RUNTIME_DIR": folder.path, "TZ": "Europe/Berlin"])
        for (i, topic) in plainTopics.enumerated() {
            try vault.add(NewMemory(text: topic, tier: .general, date: EntryDate(year: 2026, month: 11, day: 1 + i, hour: 9, minute: 0)), user: "alice")
        }
        _ = try vault.reindex(full: true, embedder: embedder)
        return vault
    }

    @Test("an automatic add embeds its text once; the index refresh after it takes that vector and runs the model for nothing else")
    func addReusesTheClassificationVector() throws {
        let (vault, embedder, folder) = try Self.indexedVault(named: "classify-memo")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(embedder.count == Self.plainTopics.count)

        let added = try vault.add(
            NewMemory(text: "Walked to the lake with Jonas again, the ice was thin", title: "Lake walk", tags: ["outside"], autoTier: true),
            user: "alice", embedder: embedder)
        #expect(added.classification?.neighbours ?? 0 > 0)
        #expect(embedder.count == Self.plainTopics.count + 1)  // the new text, once
        let report = try vault.reindex(full: false, embedder: embedder)
        #expect(report.embedded == 1)  // the new memory got its vector...
        #expect(embedder.count == Self.plainTopics.count + 1)  // ...without running the model again
        #expect(report.withVectors == Self.plainTopics.count + 1)

        // The stored vector is the model's vector of exactly what the index embeds for the entry.
        let index = try #require(vault.loadedIndex)
        let hits = try index.semanticSearch(
            CountingEmbedder.vector(EmbeddingText.of(title: "Lake walk", body: "Walked to the lake with Jonas again, the ice was thin\n\n#outside")),
            k: 1, allowed: index.allowed(SearchFilter(users: ["alice"])))
        #expect(hits.first?.id == added.id)
        #expect(abs((hits.first?.score ?? 0) - 1) < 1e-4)
    }

    @Test("a text holding a credential is secret whatever its neighbours: it is neither embedded nor looked up")
    func credentialSkipsTheHabitSignal() throws {
        let (vault, embedder, folder) = try Self.indexedVault(named: "classify-credential")
        defer { try? FileManager.default.removeItem(at: folder) }
        let before = embedder.count
        // Close to the plain neighbours in wording, but it holds a PIN.
        let result = try vault.classify(text: "walked to the lake with jonas, the garage PIN is 4711", user: "alice", embedder: embedder)
        #expect(result.tier == .secret)
        #expect(result.neighbours == 0)
        #expect(embedder.count == before)
        // Without a credential the same words are embedded once for the habit signal.
        let plain = try vault.classify(text: "walked to the lake with jonas, the garage was open", user: "alice", embedder: embedder)
        #expect(plain.neighbours > 0)
        #expect(embedder.count == before + 1)
    }

    @Test("a text that is confidential on its own words is not embedded while no index above confidential can be read")
    func confidentialAtItsFloorSkipsTheHabitSignal() throws {
        let (vault, embedder, folder) = try Self.indexedVault(named: "classify-floor")
        defer { try? FileManager.default.removeItem(at: folder) }
        let before = embedder.count
        let health = try vault.classify(text: "Blood test: LDL 162, doctor wants a recheck in March", user: "alice", embedder: embedder)
        #expect(health.tier == .confidential)
        #expect(health.neighbours == 0)
        #expect(embedder.count == before)
        #expect(try vault.highestReadableTier(user: "alice") == .general)
    }

    @Test("the model is loaded only when the neighbours are asked for: not for a credential, a text at its floor, or a vault without an index")
    func modelLoadedOnlyWhenNeeded() throws {
        let (vault, embedder, folder) = try Self.indexedVault(named: "classify-lazy")
        defer { try? FileManager.default.removeItem(at: folder) }
        var loads = 0
        func load() -> CountingEmbedder {
            loads += 1
            return embedder
        }
        _ = try vault.classify(text: "the garage PIN is 4711", user: "alice", embedder: load())
        _ = try vault.classify(text: "Blood test: LDL 162, doctor wants a recheck in March", user: "alice", embedder: load())
        #expect(loads == 0)
        let plain = try vault.classify(text: "walked to the lake with jonas and the dog", user: "alice", embedder: load())
        #expect(loads == 1)  // once, though both the skip rule and the neighbours could ask
        #expect(plain.neighbours > 0)
        // An add with an automatic tier: the same rule (here refused: this vault has no key for
        // confidential, and the model was not loaded to find out).
        #expect(throws: VaultError.self) {
            try vault.add(NewMemory(text: "Blood test: LDL 162 again", autoTier: true), user: "alice", embedder: load())
        }
        #expect(loads == 1)
        // Without an index nothing is loaded, whatever the text.
        let empty = try Vault.create(
            at: folder.appendingPathComponent("empty"), user: "alice", environment: ["XDG_RUNTIME_DIR": folder.path])
        _ = try empty.classify(text: "walked to the lake with jonas", user: "alice", embedder: load())
        #expect(loads == 1)
    }

    @Test("with a readable secret index the same text is embedded: a secret neighbourhood could raise it")
    func readableSecretIndexAsksTheNeighbours() throws {
        let fixture = try SecretVault()
        defer { fixture.cleanup() }
        let embedder = CountingEmbedder()
        _ = try fixture.vault.reindex(full: false, embedder: embedder)  // writes the secret tier's sealed index
        // Without the model (import) no key is opened to find out which indexes could be read.
        let withoutModel = try fixture.reopened(unlocked: true)
        #expect(try withoutModel.classify(text: "Blood test: LDL 162, doctor wants a recheck in March", user: "alice").tier == .confidential)
        #expect(withoutModel.unlockedKeys.isEmpty)
        let unlocked = try fixture.reopened(unlocked: true)
        #expect(try unlocked.highestReadableTier(user: "alice") == .secret)
        let before = embedder.count
        _ = try unlocked.classify(text: "Blood test: LDL 162, doctor wants a recheck in March", user: "alice", embedder: embedder)
        #expect(embedder.count == before + 1)
        let locked = try fixture.reopened(unlocked: false)
        #expect(try locked.highestReadableTier(user: "alice") == .general)
        let skipped = try locked.classify(text: "Blood test: LDL 162, doctor wants a recheck in March", user: "alice", embedder: embedder)
        #expect(skipped.tier == .confidential)
        #expect(embedder.count == before + 1)
    }

    @Test("without an index the neighbour signal is skipped: nothing is embedded and no index is built")
    func noIndexNoEmbedding() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("classify-noindex-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let vault = try Vault.create(
            at: folder.appendingPathComponent("vault"), user: "alice", environment: ["XDG_RUNTIME_DIR": folder.path])
        try vault.add(NewMemory(text: Self.plainTopics[0], tier: .general), user: "alice")
        let embedder = CountingEmbedder()
        let result = try vault.classify(text: "Walked to the lake with Jonas", user: "alice", embedder: embedder)
        #expect(result.neighbours == 0)
        #expect(embedder.count == 0)
        #expect(!FileManager.default.fileExists(atPath: vault.indexDirectory.appendingPathComponent("state.idx").path))
        #expect(vault.loadedIndex == nil)
    }

    @Test("neighbours come from the index as last refreshed: no walk of the tier files, no embedding of what changed since")
    func indexAsLastRefreshed() throws {
        let (vault, embedder, folder) = try Self.indexedVault(named: "classify-stale")
        defer { try? FileManager.default.removeItem(at: folder) }
        // A memory written since the last refresh is not yet among the neighbours and is not embedded now.
        try vault.add(NewMemory(text: "zebra crossing outside the bakery", tier: .general), user: "alice")
        // A new Vault, as a new process: it loads the index from disk.
        let reopened = try Vault(at: vault.root, environment: ["XDG_RUNTIME_DIR": folder.path, "TZ": "Europe/Berlin"])
        let before = embedder.count
        let unseen = try reopened.classify(text: "zebra crossing outside the bakery", user: "alice", embedder: embedder)
        #expect(embedder.count == before + 1)  // the text itself only
        #expect(unseen.neighbours == 0)
        let seen = try reopened.classify(text: "walked to the lake with jonas and the dog", user: "alice", embedder: embedder)
        #expect(seen.neighbours >= 1)
        #expect(seen.reasons.contains { $0.hasPrefix("neighbours:") })
        // After a refresh the newer memory counts.
        _ = try reopened.reindex(full: false, embedder: embedder)
        #expect(try reopened.classify(text: "zebra crossing outside the bakery", user: "alice", embedder: embedder).neighbours == 1)
    }

    @Test("an unlocked encrypted tier's sealed index votes; a locked one is skipped and no passphrase is asked for")
    func sealedTiersVoteOnlyWhenUnlocked() throws {
        let fixture = try SecretVault()
        defer { fixture.cleanup() }
        let embedder = CountingEmbedder()
        _ = try fixture.vault.reindex(full: false, embedder: embedder)  // writes the secret tier's sealed index
        let text = "bank pin is in the blue notebook in the drawer"
        var asked: [Tier] = []
        let unlocked = try fixture.reopened(unlocked: true)
        unlocked.askPassphrase = { tier in asked.append(tier); return nil }
        let near = try unlocked.classify(text: text, user: "alice", embedder: embedder)
        #expect(near.neighbours >= 1)
        #expect(near.reasons.contains { $0.contains("in secret") })
        let locked = try fixture.reopened(unlocked: false)
        locked.askPassphrase = { tier in asked.append(tier); return nil }
        let far = try locked.classify(text: text, user: "alice", embedder: embedder)
        #expect(far.neighbours == 0)
        #expect(asked.isEmpty)
    }

    @Test("the memo keeps the last vectors only and serves them in place of the model")
    func memo() {
        let memo = EmbeddingMemo()
        let embedder = CountingEmbedder()
        for i in 0..<(EmbeddingMemo.capacity + 5) { _ = memo.embed("text \(i)", with: embedder) }
        #expect(embedder.count == EmbeddingMemo.capacity + 5)
        #expect(memo.vector("text 0") == nil)
        #expect(memo.vector("text \(EmbeddingMemo.capacity + 4)") == CountingEmbedder.vector("text \(EmbeddingMemo.capacity + 4)"))
        let served = memo.serving(embedder)!
        let matrix = served.embedMatrix(["text \(EmbeddingMemo.capacity + 4)", "something new"])
        #expect(embedder.count == EmbeddingMemo.capacity + 6)  // only the new text ran the model
        #expect(Array(matrix[Embedder.dimension...]) == CountingEmbedder.vector("something new"))
        #expect(EmbeddingMemo().serving(embedder) is CountingEmbedder)
    }
}
