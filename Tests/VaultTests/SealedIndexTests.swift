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
    let texts = Mutex(0)

    var count: Int { texts.withLock { $0 } }

    func embed(_ texts: [String]) -> [[Float]] {
        self.texts.withLock { $0 += texts.count }
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
    /// In every secret memory's title, body, tag and source; must never appear in the sealed file.
    static let marker = "Zqxmarker\(UUID().uuidString.prefix(8))"
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
        var env = ["MEMVAULT_TEST_SCRYPT_WORK_FACTOR": "10", "XDG_RUNTIME_DIR": folder.path, "TZ": "Europe/Berlin"]
        if unlocked { env[Tier.secret.passphraseVariable] = passphrase }
        return env
    }

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("sealed-\(UUID().uuidString)")
        let root = folder.appendingPathComponent("vault")
        vault = try Vault.create(at: root, user: "alice", environment: Self.environment(folder, unlocked: true))
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

    var sealedURL: URL { vault.sealedIndexURL(user: "alice", tier: .secret) }

    static func search(
        _ vault: Vault, _ query: String, mode: SearchMode = .hybrid, embedder: CountingEmbedder, update: inout SealedUpdate
    ) throws -> (results: [SearchResult], locked: [Tier]) {
        try vault.searchEncrypted(
            SearchRequest(query: query, k: 5, mode: mode), user: "alice", filter: SearchFilter(users: ["alice"]),
            mode: mode, embedder: embedder, update: &update)
    }
}

/// Ids and scores, to compare result lists.
private func ranking(_ results: [SearchResult]) -> [String] { results.map { "\($0.id) \($0.score)" } }

@Suite("Sealed index of encrypted tiers")
struct SealedIndexTests {
    @Test("the second search decrypts and embeds nothing and ranks the same; a new process too")
    func secondSearchReusesTheSealedIndex() throws {
        let fixture = try SecretVault()
        defer { fixture.cleanup() }
        let embedder = CountingEmbedder()
        var first = SealedUpdate()
        let firstResults = try SecretVault.search(fixture.vault, "birthday dinner italian", embedder: embedder, update: &first)
        #expect(first.embedded == SecretVault.topics.count)
        #expect(first.decrypted == SecretVault.topics.count)
        #expect(embedder.count == SecretVault.topics.count + 1)  // the entries, then the query
        #expect(first.notices.isEmpty)
        #expect(firstResults.results.first?.id == fixture.ids[1])
        #expect(firstResults.results.first?.title == "Note 1 \(SecretVault.marker)")
        #expect(firstResults.results.first?.tags == ["t1", SecretVault.marker.lowercased()])
        #expect(firstResults.results.first?.date?.hasPrefix("2026-11-02T09:01:00") == true)
        #expect(firstResults.locked.isEmpty)

        for vault in [fixture.vault, try fixture.reopened()] {
            var again = SealedUpdate()
            let before = embedder.count
            let results = try SecretVault.search(vault, "birthday dinner italian", embedder: embedder, update: &again)
            #expect(again.embedded == 0 && again.decrypted == 0 && again.filesRead == 0)
            #expect(embedder.count == before + 1)  // the query only
            #expect(again.notices.isEmpty)
            #expect(ranking(results.results) == ranking(firstResults.results))
        }
        // Each mode ranks as a rebuild from the files does.
        for mode in SearchMode.allCases {
            var cached = SealedUpdate(), rebuilt = SealedUpdate()
            let fromCache = try SecretVault.search(try fixture.reopened(), "heating landlord week", mode: mode, embedder: embedder, update: &cached)
            try FileManager.default.removeItem(at: fixture.sealedURL)
            let fromFiles = try SecretVault.search(try fixture.reopened(), "heating landlord week", mode: mode, embedder: embedder, update: &rebuilt)
            #expect(cached.embedded == 0 && rebuilt.embedded == SecretVault.topics.count)
            #expect(!fromCache.results.isEmpty)
            #expect(ranking(fromCache.results) == ranking(fromFiles.results), "\(mode)")
        }
        // The public search reports them too.
        let response = try fixture.reopened().search(SearchRequest(query: "spare house key", k: 3), user: "alice", embedder: embedder)
        #expect(response.results.first?.id == fixture.ids[7])
        #expect(response.locked.isEmpty)
    }

    @Test("an edit decrypts and embeds that entry only; a removal drops it")
    func editAndRemove() throws {
        let fixture = try SecretVault()
        defer { fixture.cleanup() }
        let embedder = CountingEmbedder()
        var update = SealedUpdate()
        _ = try SecretVault.search(fixture.vault, "anything", embedder: embedder, update: &update)

        let vault = try fixture.reopened()
        let (text, _) = try vault.entryText(id: fixture.ids[2])
        let edited = text.replacingOccurrences(of: "bank pin is in the blue notebook", with: "bank pin moved to the red suitcase")
        #expect(try vault.replaceEntry(id: fixture.ids[2], original: text, newText: edited) != nil)
        var afterEdit = SealedUpdate()
        let found = try SecretVault.search(try fixture.reopened(), "red suitcase", mode: .lexical, embedder: embedder, update: &afterEdit)
        #expect(afterEdit.embedded == 1)
        #expect(afterEdit.decrypted == 1)
        #expect(afterEdit.filesRead == 1)
        #expect(found.results.map(\.id) == [fixture.ids[2]])
        #expect(found.results.first?.snippet.contains("red suitcase") == true)

        try vault.remove(id: fixture.ids[2])
        var afterRemove = SealedUpdate()
        let gone = try SecretVault.search(try fixture.reopened(), "red suitcase", mode: .lexical, embedder: embedder, update: &afterRemove)
        #expect(afterRemove.embedded == 0 && afterRemove.decrypted == 0 && afterRemove.removed == 1)
        #expect(gone.results.isEmpty)
    }

    @Test("the sealed file holds no plaintext and is private to the user")
    func noPlaintextOnDisk() throws {
        let fixture = try SecretVault()
        defer { fixture.cleanup() }
        var update = SealedUpdate()
        _ = try SecretVault.search(fixture.vault, "notebook", embedder: CountingEmbedder(), update: &update)
        let bytes = try #require(FileManager.default.contents(atPath: fixture.sealedURL.path))
        #expect(bytes.count > SecretVault.topics.count * Embedder.dimension * 4)
        let cache = fixture.vault.cacheDirectory
        let files = try #require(FileManager.default.enumerator(at: cache, includingPropertiesForKeys: nil))
        var scanned = 0
        for case let url as URL in files where !url.hasDirectoryPath {
            let content = try Data(contentsOf: url)
            for needle in [SecretVault.marker, SecretVault.marker.lowercased(), "notebook", "physiotherapy"] {
                #expect(content.range(of: Data(needle.utf8)) == nil, "\(needle) in \(url.lastPathComponent)")
            }
            scanned += 1
        }
        #expect(scanned >= 1)
        let sealedFiles = try FileManager.default.contentsOfDirectory(atPath: fixture.vault.sealedDirectory.path)
        #expect(sealedFiles == ["alice.secret.sealed"])  // no temporary file left behind
        let mode = try FileManager.default.attributesOfItem(atPath: fixture.sealedURL.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    enum Damage: String, CaseIterable {
        case truncatedHeader, truncatedBody, bitFlip, headerFlip, oldVersion, otherModel
    }

    @Test("a damaged sealed file is rebuilt with one notice, and ranks the same", arguments: Damage.allCases)
    func damagedFileIsRebuilt(damage: Damage) throws {
        let fixture = try SecretVault()
        defer { fixture.cleanup() }
        let embedder = CountingEmbedder()
        var update = SealedUpdate()
        let before = try SecretVault.search(fixture.vault, "doctor knee rest", embedder: embedder, update: &update)
        var bytes = try #require(FileManager.default.contents(atPath: fixture.sealedURL.path).map(Array.init))
        let expected: String
        switch damage {
        case .truncatedHeader: bytes = Array(bytes.prefix(10)); expected = "a damaged file"
        case .truncatedBody: bytes = Array(bytes.prefix(bytes.count / 2)); expected = "sealed with another key, or tampered with"
        case .bitFlip: bytes[bytes.count / 2] ^= 0x04; expected = "sealed with another key, or tampered with"
        case .headerFlip: bytes[8 + 4 + 4 + 4 + 20] ^= 0x01; expected = "sealed with another key, or tampered with"  // in the nonce
        case .oldVersion: bytes[8] = 0; expected = "an old format"
        case .otherModel: bytes[8 + 4 + 4 + 4] ^= 0x20; expected = "another model"
        }
        try Data(bytes).write(to: fixture.sealedURL)

        var rebuilt = SealedUpdate()
        let after = try SecretVault.search(try fixture.reopened(), "doctor knee rest", embedder: embedder, update: &rebuilt)
        #expect(rebuilt.notices == ["sealed search index of alice/secret rebuilt (\(expected))"])
        #expect(rebuilt.embedded == SecretVault.topics.count)
        #expect(ranking(after.results) == ranking(before.results))
        var next = SealedUpdate()
        _ = try SecretVault.search(try fixture.reopened(), "doctor knee rest", embedder: embedder, update: &next)
        #expect(next.notices.isEmpty && next.embedded == 0)
    }

    @Test("a locked tier's sealed file is neither read nor changed")
    func lockedTierLeavesTheFileAlone() throws {
        let fixture = try SecretVault()
        defer { fixture.cleanup() }
        let embedder = CountingEmbedder()
        var update = SealedUpdate()
        let locked = try SecretVault.search(try fixture.reopened(unlocked: false), "notebook", embedder: embedder, update: &update)
        #expect(locked.locked == [.secret] && locked.results.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: fixture.sealedURL.path))

        // Junk a reader would report: a locked search gives no notice and leaves it as it is.
        let junk = Array("not a sealed index".utf8)
        try FileManager.default.createDirectory(at: fixture.vault.sealedDirectory, withIntermediateDirectories: true)
        try Data(junk).write(to: fixture.sealedURL)
        let modified = try FileManager.default.attributesOfItem(atPath: fixture.sealedURL.path)[.modificationDate] as? Date
        let again = try SecretVault.search(try fixture.reopened(unlocked: false), "notebook", embedder: embedder, update: &update)
        #expect(again.locked == [.secret])
        #expect(update.notices.isEmpty && update.embedded == 0 && update.decrypted == 0)
        #expect(embedder.count == 0)
        #expect(try Data(contentsOf: fixture.sealedURL) == Data(junk))
        #expect(try FileManager.default.attributesOfItem(atPath: fixture.sealedURL.path)[.modificationDate] as? Date == modified)
    }

    @Test("another identity cannot open the file: after rotate it is rebuilt, same results")
    func rotatedKeyRebuilds() throws {
        let fixture = try SecretVault()
        defer { fixture.cleanup() }
        let embedder = CountingEmbedder()
        var update = SealedUpdate()
        let before = try SecretVault.search(fixture.vault, "passport renewal form", embedder: embedder, update: &update)
        let sealed = try #require(FileManager.default.contents(atPath: fixture.sealedURL.path).map(Array.init))

        let identity = try #require(try fixture.vault.identity(user: "alice", tier: .secret))
        let key = SealedIndex.key(identity: identity, user: "alice", tier: .secret)
        _ = try SealedIndex.open(sealed, with: key, modelID: Embedder.modelID, dimension: Embedder.dimension)
        for other in [
            SealedIndex.key(identity: X25519Identity.generate(), user: "alice", tier: .secret),
            SealedIndex.key(identity: identity, user: "bob", tier: .secret),
            SealedIndex.key(identity: identity, user: "alice", tier: .confidential),
        ] {
            #expect(throws: SealedIndex.Failure.notAuthentic) {
                try SealedIndex.open(sealed, with: other, modelID: Embedder.modelID, dimension: Embedder.dimension)
            }
        }

        #expect(try fixture.vault.rotate(user: "alice", tier: .secret, passphrase: SecretVault.passphrase) == SecretVault.topics.count)
        var rotated = SealedUpdate()
        let after = try SecretVault.search(try fixture.reopened(), "passport renewal form", embedder: embedder, update: &rotated)
        #expect(rotated.notices == ["sealed search index of alice/secret rebuilt (sealed with another key, or tampered with)"])
        #expect(rotated.decrypted == SecretVault.topics.count)
        #expect(ranking(after.results) == ranking(before.results))
        #expect(try Array(Data(contentsOf: fixture.sealedURL)) != sealed)
    }
}
