import AgeCrypto
import Embedder
import Foundation
import MarkdownCodec
import SearchIndex
import Synchronization
import Testing
@testable import Vault

/// A stand-in for the model that counts the texts it embeds: words hashed into 384 dimensions,
/// L2-normalized, so texts sharing words are close and results are deterministic.
final class CountingEmbedder: SentenceEmbedding {
    private let seen = Mutex<[String]>([])
    private let done = Mutex(0)
    /// Seconds each call takes, as a model's would.
    private let pause: Double

    init(pause: Double = 0) { self.pause = pause }

    /// How many texts it has been given to embed.
    var count: Int { seen.withLock { $0.count } }
    /// The texts it has been given, in order.
    var texts: [String] { seen.withLock { $0 } }
    /// How many texts it has finished embedding.
    var finished: Int { done.withLock { $0 } }

    func embed(_ texts: [String]) -> [[Float]] {
        seen.withLock { $0 += texts }
        if pause > 0 { Thread.sleep(forTimeInterval: pause) }
        defer { done.withLock { $0 += texts.count } }
        return texts.map(Self.vector)
    }

    func embedMatrix(_ texts: [String]) -> [Float] { embed(texts).flatMap { $0 } }

    static func vector(_ text: String) -> [Float] {
        var vector = [Float](repeating: 0, count: Embedder.dimension)
        for word in text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }) {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in word.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            vector[Int(hash % UInt64(Embedder.dimension))] += 1
        }
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? vector.map { $0 / norm } : vector
    }
}

/// A vault in a temporary folder whose user alice has a secret tier with memories in two files.
struct SecretVault {
    static let passphrase = "secret pass 2"
    /// In every secret memory's title, body, tag and source; must never appear in the encrypted file.
    /// Fixed, not random: the hashed-words embedder puts it in one of its buckets, and a marker
    /// sharing a bucket with a query's word (about one in a hundred random ones does) ranks every
    /// secret note above the memory the query is about.
    static let marker = "Zqxmarker5C1D83A7"
    static let topics = [
        "dentist appointment moved to thursday bring the insurance card",
        "maria birthday dinner at the italian place on elm street",
        "bank pin is in the blue notebook in the drawer",
        "the landlord agreed to fix the heating next week",
        "doctor said the knee needs rest and physiotherapy",
        "passport renewal form is in the filing cabinet",
        "lent tom two hundred euros for his car repair",
        "the spare house key is under the green flower pot",
        "therapy session about work stress and sleeping badly",
        "salary negotiation went well raise starts in january",
    ]

    let folder: URL
    let vault: Vault
    var ids: [String] = []

    /// The environment of the vault: cheap scrypt, no agent, the secret passphrase when `unlocked`.
    static func environment(_ folder: URL, unlocked: Bool) -> [String: String] {
        var env = ["XDG_RUNTIME_DIR": folder.path, "TZ": "Europe/Berlin"]
        if unlocked { env[Tier.secret.passphraseVariable] = passphrase }
        return env
    }

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("encrypted-\(UUID().uuidString)")
        let root = folder.appendingPathComponent("vault")
        vault = try Vault.create(at: root, user: "alice", environment: Self.environment(folder, unlocked: true))
        vault.scryptWorkFactorLimit = 10
        try vault.setPassphrase(user: "alice", tier: .secret, old: nil, new: Self.passphrase)
        for (i, topic) in Self.topics.enumerated() {
            let memory = try vault.add(NewMemory(
                text: "\(topic) \(Self.marker) @friend\(i)", tier: .secret,
                date: EntryDate(year: 2026, month: 10 + i % 2, day: 1 + i, hour: 9, minute: i),
                title: "Note \(i) \(Self.marker)", tags: ["t\(i)", Self.marker.lowercased()], src: "chat:\(Self.marker)"),
                user: "alice")
            ids.append(memory.id)
        }
    }

    func cleanup() { try? FileManager.default.removeItem(at: folder) }

    /// The vault opened again, as a new process would (nothing cached in memory).
    func reopened(unlocked: Bool = true) throws -> Vault {
        try Vault(at: vault.root, environment: Self.environment(folder, unlocked: unlocked))
    }

    var encryptedIndexURL: URL { vault.encryptedIndexURL(user: "alice", tier: .secret) }

    /// The encrypted tiers searched as a new process would: in the vault opened again, unless `vault` is given.
    func search(
        _ query: String, mode: SearchMode = .hybrid, embedder: CountingEmbedder, in vault: Vault? = nil, unlocked: Bool = true
    ) throws -> (results: [SearchResult], locked: [Tier], update: EncryptedIndexUpdate) {
        var update = EncryptedIndexUpdate()
        let found = try (vault ?? reopened(unlocked: unlocked)).searchEncrypted(
            SearchRequest(query: query, k: 5, mode: mode), user: "alice", filter: SearchFilter(users: ["alice"]),
            mode: mode, embedder: embedder, update: &update)
        return (found.results, found.locked, update)
    }
}

/// Ids and scores, to compare result lists.
private func ranking(_ results: [SearchResult]) -> [String] { results.map { "\($0.id) \($0.score)" } }

@Suite("Encrypted index of encrypted tiers")
struct EncryptedIndexTests {
    @Test("the second search decrypts and embeds nothing and ranks the same; a new process too")
    func secondSearchReusesTheEncryptedIndex() throws {
        let fixture = try SecretVault()
        defer { fixture.cleanup() }
        let embedder = CountingEmbedder()
        let first = try fixture.search("birthday dinner italian", embedder: embedder, in: fixture.vault)
        #expect(first.update.embedded == SecretVault.topics.count)
        #expect(first.update.decrypted == SecretVault.topics.count)
        #expect(embedder.count == SecretVault.topics.count + 1)  // the entries, then the query
        #expect(first.update.notices.isEmpty)
        let best = try #require(first.results.first)
        #expect(best.id == fixture.ids[1])
        #expect(best.title == "Note 1 \(SecretVault.marker)")
        #expect(best.tags == ["t1", SecretVault.marker.lowercased()])
        #expect(best.date?.hasPrefix("2026-11-02T09:01:00") == true)
        #expect(first.locked.isEmpty)

        for vault in [fixture.vault, try fixture.reopened()] {
            let before = embedder.count
            let again = try fixture.search("birthday dinner italian", embedder: embedder, in: vault)
            #expect(again.update.embedded == 0 && again.update.decrypted == 0 && again.update.filesRead == 0)
            #expect(embedder.count == before + 1)  // the query only
            #expect(again.update.notices.isEmpty)
            #expect(ranking(again.results) == ranking(first.results))
        }
        // Each mode ranks as a rebuild from the files does.
        for mode in SearchMode.allCases {
            let cached = try fixture.search("heating landlord week", mode: mode, embedder: embedder)
            try FileManager.default.removeItem(at: fixture.encryptedIndexURL)
            let rebuilt = try fixture.search("heating landlord week", mode: mode, embedder: embedder)
            #expect(cached.update.decrypted == 0 && rebuilt.update.decrypted == SecretVault.topics.count)
            #expect(rebuilt.update.embedded == (mode == .lexical ? 0 : SecretVault.topics.count))
            #expect(!cached.results.isEmpty)
            #expect(ranking(cached.results) == ranking(rebuilt.results), "\(mode)")
        }
        // The public search reports them too.
        let response = try fixture.reopened().search(SearchRequest(query: "spare house key", k: 3), user: "alice", embedder: embedder)
        #expect(response.results.first?.id == fixture.ids[7])
        #expect(response.locked.isEmpty)
    }

    @Test("plain and encrypted memories are scored as one collection and ranked once")
    func oneCollectionForEveryTier() throws {
        let fixture = try SecretVault()
        defer { fixture.cleanup() }
        let embedder = CountingEmbedder()
        let vault = try fixture.reopened()
        func lexical(_ query: String) throws -> [SearchResult] {
            try vault.search(SearchRequest(query: query, k: 20, mode: .lexical), user: "alice", embedder: embedder).results
        }
        let alone = try #require(try lexical("heating landlord").first)
        #expect(alone.id == fixture.ids[3] && alone.tier == "secret")
        // Plain memories sharing a query word make it more common in the one collection: the
        // secret memory's BM25 falls (with separate collections it would not move).
        for i in 0..<6 {
            _ = try vault.add(NewMemory(
                text: "the heating clanked again, day \(i)", tier: .general,
                date: EntryDate(year: 2026, month: 9, day: 1 + i, hour: 8, minute: 0)), user: "alice")
        }
        let results = try lexical("heating landlord")
        let secret = try #require(results.first { $0.id == fixture.ids[3] })
        #expect(secret.score < alone.score)
        #expect(Set(results.map(\.tier)) == ["secret", "general"])
        // One ranking: scores never increase down the list, whatever the tier.
        #expect(zip(results, results.dropFirst()).allSatisfy { $0.score >= $1.score })
        // The matching words of both plain and secret memories rank the secret one (both words) first.
        #expect(results.first?.id == fixture.ids[3])
        // Hybrid ranks both tiers in one list too.
        let hybrid = try vault.search(SearchRequest(query: "heating landlord", k: 20), user: "alice", embedder: embedder).results
        #expect(Set(hybrid.map(\.tier)) == ["secret", "general"])
        #expect(zip(hybrid, hybrid.dropFirst()).allSatisfy { $0.score >= $1.score })
    }

    @Test("an edit decrypts and embeds that entry only; a removal drops it")
    func editAndRemove() throws {
        let fixture = try SecretVault()
        defer { fixture.cleanup() }
        let embedder = CountingEmbedder()
        _ = try fixture.search("anything", embedder: embedder)

        let vault = try fixture.reopened()
        let (text, _) = try vault.entryText(id: fixture.ids[2])
        let edited = text.replacingOccurrences(of: "bank pin is in the blue notebook", with: "bank pin moved to the red suitcase")
        #expect(try vault.replaceEntry(id: fixture.ids[2], original: text, newText: edited) != nil)
        let found = try fixture.search("red suitcase", mode: .lexical, embedder: embedder)
        #expect(found.update.embedded == 0)  // a lexical search does not need the vector
        #expect(found.update.decrypted == 1)
        #expect(found.update.filesRead == 1)
        #expect(found.results.map(\.id) == [fixture.ids[2]])
        #expect(found.results.first?.snippet.contains("red suitcase") == true)
        let semantic = try fixture.search("red suitcase", mode: .semantic, embedder: embedder)
        #expect(semantic.update.embedded == 1 && semantic.update.decrypted == 0)
        #expect(semantic.results.first?.id == fixture.ids[2])

        try vault.remove(id: fixture.ids[2])
        let gone = try fixture.search("red suitcase", mode: .lexical, embedder: embedder)
        #expect(gone.update.embedded == 0 && gone.update.decrypted == 0 && gone.update.removed == 1)
        #expect(gone.results.isEmpty)
    }

    @Test("the encrypted file holds no plaintext and is private to the user")
    func noPlaintextOnDisk() throws {
        let fixture = try SecretVault()
        defer { fixture.cleanup() }
        _ = try fixture.search("notebook", embedder: CountingEmbedder())
        let bytes = try #require(FileManager.default.contents(atPath: fixture.encryptedIndexURL.path))
        #expect(bytes.count > SecretVault.topics.count * Embedder.dimension * 4)
        let files = try #require(FileManager.default.enumerator(at: fixture.vault.cacheDirectory, includingPropertiesForKeys: nil))
        var scanned = 0
        for case let url as URL in files where !url.hasDirectoryPath {
            let content = try Data(contentsOf: url)
            for needle in [SecretVault.marker, SecretVault.marker.lowercased(), "notebook", "physiotherapy"] {
                #expect(content.range(of: Data(needle.utf8)) == nil, "\(needle) in \(url.lastPathComponent)")
            }
            scanned += 1
        }
        #expect(scanned >= 1)
        let encryptedIndexFiles = try FileManager.default.contentsOfDirectory(atPath: fixture.vault.encryptedIndexDirectory.path)
        #expect(encryptedIndexFiles == ["alice.secret.sealed"])  // no temporary file left behind
        let mode = try FileManager.default.attributesOfItem(atPath: fixture.encryptedIndexURL.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    enum Damage: String, CaseIterable {
        case truncatedHeader, truncatedBody, bitFlip, headerFlip, oldVersion, otherModel
    }

    @Test("a damaged encrypted file is rebuilt with one notice, and ranks the same", arguments: Damage.allCases)
    func damagedFileIsRebuilt(damage: Damage) throws {
        let fixture = try SecretVault()
        defer { fixture.cleanup() }
        let embedder = CountingEmbedder()
        let before = try fixture.search("doctor knee rest", embedder: embedder)
        var bytes = try #require(FileManager.default.contents(atPath: fixture.encryptedIndexURL.path).map(Array.init))
        let notAuthentic = "encrypted with another key, or tampered with"
        let expected: String
        switch damage {
        case .truncatedHeader: bytes = Array(bytes.prefix(10)); expected = "a damaged file"
        case .truncatedBody: bytes = Array(bytes.prefix(bytes.count / 2)); expected = notAuthentic
        case .bitFlip: bytes[bytes.count / 2] ^= 0x04; expected = notAuthentic
        case .headerFlip: bytes[8 + 4 + 4 + 4 + 20] ^= 0x01; expected = notAuthentic  // in the nonce
        case .oldVersion: bytes[8] = 0; expected = "an old format"
        case .otherModel: bytes[8 + 4 + 4 + 4] ^= 0x20; expected = "another model"
        }
        try Data(bytes).write(to: fixture.encryptedIndexURL)

        let after = try fixture.search("doctor knee rest", embedder: embedder)
        #expect(after.update.notices == ["encrypted search index of alice/secret rebuilt (\(expected))"])
        #expect(after.update.embedded == SecretVault.topics.count)
        #expect(ranking(after.results) == ranking(before.results))
        let next = try fixture.search("doctor knee rest", embedder: embedder)
        #expect(next.update.notices.isEmpty && next.update.embedded == 0)
    }

    @Test("a locked tier's encrypted file is neither read nor changed")
    func lockedTierLeavesTheFileAlone() throws {
        let fixture = try SecretVault()
        defer { fixture.cleanup() }
        let embedder = CountingEmbedder()
        let locked = try fixture.search("notebook", embedder: embedder, unlocked: false)
        #expect(locked.locked == [.secret] && locked.results.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: fixture.encryptedIndexURL.path))

        // Junk a reader would report: a locked search gives no notice and leaves it as it is.
        let junk = Data("not an encrypted index".utf8)
        try FileManager.default.createDirectory(at: fixture.vault.encryptedIndexDirectory, withIntermediateDirectories: true)
        try junk.write(to: fixture.encryptedIndexURL)
        let modified = try FileManager.default.attributesOfItem(atPath: fixture.encryptedIndexURL.path)[.modificationDate] as? Date
        let again = try fixture.search("notebook", embedder: embedder, unlocked: false)
        #expect(again.locked == [.secret])
        #expect(again.update.notices.isEmpty && again.update.embedded == 0 && again.update.decrypted == 0)
        // Nothing of the tier reaches the model. The query may: a search embeds it on the other
        // core from its start, before it knows whether there is anything to compare it with.
        #expect(embedder.texts.allSatisfy { $0 == "notebook" }, "\(embedder.texts)")
        #expect(try Data(contentsOf: fixture.encryptedIndexURL) == junk)
        #expect(try FileManager.default.attributesOfItem(atPath: fixture.encryptedIndexURL.path)[.modificationDate] as? Date == modified)
    }

    @Test("a query embedded for nothing (only locked memories) is finished before the search returns")
    func speculativeEmbeddingEndsWithTheSearch() throws {
        // The search embeds the query on another core from its start. Used or not, that work
        // must be over when the search returns: the process may exit at once, and exit's clean-up
        // must not run under a worker still inside the model (OpenBLAS's sgemm).
        let fixture = try SecretVault()
        defer { fixture.cleanup() }
        let embedder = CountingEmbedder(pause: 0.3)
        let locked = try fixture.search("notebook", embedder: embedder, unlocked: false)
        #expect(locked.locked == [.secret] && locked.results.isEmpty)
        #expect(embedder.texts == ["notebook"] && embedder.finished == 1, "\(embedder.texts), \(embedder.finished) finished")
    }

    @Test("another identity cannot open the file: after rotate it is rebuilt, same results")
    func rotatedKeyRebuilds() throws {
        let fixture = try SecretVault()
        defer { fixture.cleanup() }
        let embedder = CountingEmbedder()
        let before = try fixture.search("passport renewal form", embedder: embedder, in: fixture.vault)
        let encrypted = try #require(FileManager.default.contents(atPath: fixture.encryptedIndexURL.path).map(Array.init))

        let identity = try #require(try fixture.vault.tierKey(user: "alice", tier: .secret)?.localIdentity)
        let key = EncryptedIndex.key(identity: identity, user: "alice", tier: .secret)
        _ = try EncryptedIndex.open(encrypted, with: key, modelID: Embedder.modelID, dimension: Embedder.dimension)
        for other in [
            EncryptedIndex.key(identity: X25519Identity.generate(), user: "alice", tier: .secret),
            EncryptedIndex.key(identity: identity, user: "bob", tier: .secret),
            EncryptedIndex.key(identity: identity, user: "alice", tier: .confidential),
        ] {
            #expect(throws: EncryptedIndex.Failure.notAuthentic) {
                try EncryptedIndex.open(encrypted, with: other, modelID: Embedder.modelID, dimension: Embedder.dimension)
            }
        }

        #expect(try fixture.vault.rotate(user: "alice", tier: .secret, passphrase: SecretVault.passphrase) == SecretVault.topics.count)
        let after = try fixture.search("passport renewal form", embedder: embedder)
        #expect(after.update.notices == ["encrypted search index of alice/secret rebuilt (encrypted with another key, or tampered with)"])
        #expect(after.update.decrypted == SecretVault.topics.count)
        #expect(ranking(after.results) == ranking(before.results))
        #expect(try Array(Data(contentsOf: fixture.encryptedIndexURL)) != encrypted)
    }

    @Test("reindexEncrypted warms the encrypted index of unlocked tiers and skips locked ones")
    func reindexWarmsTheIndex() throws {
        let fixture = try SecretVault()
        defer { fixture.cleanup() }
        let embedder = CountingEmbedder()
        let locked = try fixture.reopened(unlocked: false).reindexEncrypted(users: ["alice"], embedder: embedder, full: false)
        #expect(locked.locked == [.secret] && embedder.count == 0)
        let warmed = try fixture.reopened().reindexEncrypted(users: ["alice"], embedder: embedder, full: false)
        #expect(warmed.locked.isEmpty && warmed.update.embedded == SecretVault.topics.count)
        #expect(try fixture.reopened().reindexEncrypted(users: ["alice"], embedder: embedder, full: false).update.embedded == 0)
        #expect(try fixture.reopened().reindexEncrypted(users: ["alice"], embedder: embedder, full: true).update.decrypted == SecretVault.topics.count)
        let search = try fixture.search("salary negotiation", embedder: embedder)
        #expect(search.update.embedded == 0 && search.update.decrypted == 0)
        #expect(search.results.first?.id == fixture.ids[9])
    }
}
