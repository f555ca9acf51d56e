import Foundation
import MarkdownCodec
import SearchIndex
import Testing
@testable import Vault

#if canImport(Glibc)
import Glibc
#endif

/// The secret vault of EncryptedIndexTests with plain memories beside its secret ones, and a
/// warm search server on it (its socket in the fixture's own runtime folder).
private struct WarmVault {
    static let plain = [
        "dinner with maria at the italian place, she told me about her trip",
        "walked to the lake with jonas, the water was cold",
        "the heating in the flat was fixed by the landlord",
        "bought a new bike helmet and lights for winter",
    ]
    static let modelFolder = "/models/counting"

    let fixture: SecretVault
    var server: WarmSearchServer?

    init(serverUnlocked: Bool = false) throws {
        fixture = try SecretVault()
        for (i, text) in Self.plain.enumerated() {
            _ = try fixture.vault.add(
                NewMemory(text: "\(text) @friend\(i)", tier: i % 2 == 0 ? .chronological : .general,
                    date: EntryDate(year: 2026, month: 9, day: 1 + i, hour: 8, minute: 0)),
                user: "alice")
        }
        server = try WarmSearchServer.start(
            root: fixture.vault.root, environment: SecretVault.environment(fixture.folder, unlocked: serverUnlocked),
            embedder: CountingEmbedder(), modelDirectory: Self.modelFolder)
    }

    func stop() {
        server?.stop()
        fixture.cleanup()
    }

    /// A search answered by the server, from a vault opened as a new process would.
    func warm(_ request: SearchRequest, unlocked: Bool = false, model: String = WarmVault.modelFolder) throws -> SearchResponse? {
        try fixture.reopened(unlocked: unlocked).warmSearch(request, user: "alice", modelDirectory: model)
    }

    /// The same search made in a new process, without the server.
    func local(_ request: SearchRequest, unlocked: Bool = false) throws -> SearchResponse {
        // As the command line does: a lexical search never loads the model.
        try fixture.reopened(unlocked: unlocked).search(request, user: "alice", embedder: request.mode == .lexical ? nil : CountingEmbedder())
    }

    var socketPath: String {
        WarmSearch.socketPath(root: fixture.vault.root, environment: SecretVault.environment(fixture.folder, unlocked: false))
    }
}

/// What a search prints, without its time.
private func printed(_ response: SearchResponse) -> [String] {
    response.results.map { "\($0.id) \($0.score) \($0.tier) \($0.path):\($0.line) \($0.title ?? "-") \($0.snippet) \($0.tags) \($0.date ?? "-")" }
        + ["locked: \(response.locked)", "mode: \(response.mode)", "notices: \(response.notices)"]
}

@Suite("Warm search (a running watch answers searches)")
struct WarmSearchTests {
    @Test("the server answers each mode and filter as the vault itself would, locked tiers included")
    func answersAsTheVaultWould() throws {
        let warm = try WarmVault()
        defer { warm.stop() }
        var requests: [SearchRequest] = SearchMode.allCases.map { SearchRequest(query: "dinner maria italian", k: 5, mode: $0) }
        var filtered = SearchRequest(query: "lake heating helmet", k: 3)
        filtered.tiers = [.general, .chronological]
        filtered.since = DateComponents(calendar: Calendar(identifier: .gregorian), timeZone: TimeZone(identifier: "UTC"), year: 2026, month: 9, day: 2).date
        filtered.mentions = ["friend2"]
        requests.append(filtered)
        for request in requests {
            let answered = try #require(try warm.warm(request), "no answer for \(request.mode) \(request.query)")
            let computed = try warm.local(request)
            #expect(printed(answered) == printed(computed))
            #expect(!answered.results.isEmpty)
        }
        // The secret tier holds memories and is locked here: both say so, neither shows one.
        let all = try #require(try warm.warm(SearchRequest(query: "dinner birthday italian", k: 20)))
        #expect(all.locked == ["secret"])
        #expect(all.results.allSatisfy { $0.tier != "secret" })
    }

    @Test("a search that could read an encrypted tier is never sent; one that covers none is")
    func encryptedTiersStayInTheAskingProcess() throws {
        let warm = try WarmVault()
        defer { warm.stop() }
        let request = SearchRequest(query: "birthday dinner italian", k: 5)
        #expect(try warm.warm(request, unlocked: true) == nil)
        // Unlocked, the process itself finds the secret memory the server never reads.
        let local = try warm.local(request, unlocked: true)
        #expect(local.results.first?.tier == "secret")
        var plainOnly = request
        plainOnly.tiers = [.general, .chronological]
        let answered = try #require(try warm.warm(plainOnly, unlocked: true))
        #expect(printed(answered) == printed(try warm.local(plainOnly, unlocked: true)))
    }

    @Test("a server holding the passphrase still reads no encrypted tier")
    func serverNeverDecrypts() throws {
        let warm = try WarmVault(serverUnlocked: true)
        defer { warm.stop() }
        let answered = try #require(try warm.warm(SearchRequest(query: "birthday dinner italian \(SecretVault.marker)", k: 20)))
        #expect(answered.locked == ["secret"])
        #expect(answered.results.allSatisfy { $0.tier != "secret" })
        // The marker is in every secret memory; the query carries it too, the results never do.
        let results = String(decoding: try JSONEncoder().encode(answered.results), as: UTF8.self)
        #expect(!results.contains(SecretVault.marker))
    }

    @Test("no answer for another model folder or other settings; changed settings are read again")
    func declinesWhatItCannotAnswerTheSame() throws {
        let warm = try WarmVault()
        defer { warm.stop() }
        let request = SearchRequest(query: "walked to the lake", k: 3)
        #expect(try warm.warm(request, model: "/models/other") == nil)
        // A lexical search does not use the model (`search --mode lexical` never loads it).
        let lexical = SearchRequest(query: "lake", k: 3, mode: .lexical)
        let answeredLexical = try #require(try warm.warm(lexical, model: "/models/other"))
        #expect(printed(answeredLexical) == printed(try warm.local(lexical)))
        let asking = try warm.fixture.reopened()
        let settings = warm.fixture.vault.root.appendingPathComponent("memvault.toml")
        let text = try String(contentsOf: settings, encoding: .utf8)
        try (text + "\n# edited by hand\n").write(to: settings, atomically: true, encoding: .utf8)
        // The asking process read the former settings: the server, which reads them again, declines.
        #expect(asking.warmSearch(request, user: "alice", modelDirectory: WarmVault.modelFolder) == nil)
        let answered = try #require(try warm.warm(request))
        #expect(printed(answered) == printed(try warm.local(request)))
    }

    @Test("an edit saved a moment ago is found: the server brings the index up to date first")
    func findsAFreshEdit() throws {
        let warm = try WarmVault()
        defer { warm.stop() }
        let request = SearchRequest(query: "kayak rental harbour", k: 3)
        _ = try #require(try warm.warm(request))
        let added = try warm.fixture.reopened().add(
            NewMemory(text: "rented a kayak at the harbour", tier: .general, date: EntryDate(year: 2026, month: 9, day: 9, hour: 8, minute: 0)),
            user: "alice")
        let answered = try #require(try warm.warm(request))
        #expect(answered.results.first?.id == added.id)
    }

    @Test("bad requests get no answer and the server goes on; one server per vault; stop removes the socket")
    func badRequestsAndLifetime() throws {
        var warm = try WarmVault()
        defer { warm.stop() }
        let folder = UnixSocket.directory(environment: SecretVault.environment(warm.fixture.folder, unlocked: false))
        for junk in [Array("not json".utf8), Array("{\"protocolVersion\": 1}".utf8), [UInt8](repeating: 0xFF, count: 70_000), []] {
            let fd = try #require(UnixSocket.connect(warm.socketPath, folder: folder))
            #expect(UnixSocket.writeAll(fd, junk))
            shutdown(fd, Int32(SHUT_WR))
            #expect(UnixSocket.readToEnd(fd, limit: 1 << 20) == [])
            close(fd)
        }
        #expect(try warm.warm(SearchRequest(query: "lake", k: 1)) != nil)
        // A second server for the same vault is not started; the first keeps answering.
        let second = try WarmSearchServer.start(
            root: warm.fixture.vault.root, environment: SecretVault.environment(warm.fixture.folder, unlocked: false),
            embedder: CountingEmbedder(), modelDirectory: WarmVault.modelFolder)
        #expect(second == nil)
        #expect(FileManager.default.fileExists(atPath: warm.socketPath))
        warm.server?.stop()
        warm.server = nil
        #expect(!FileManager.default.fileExists(atPath: warm.socketPath))
        #expect(try warm.warm(SearchRequest(query: "lake", k: 1)) == nil)
    }

    @Test("answers cross the socket whole: every field round-trips, every cut or padded message is refused")
    func answerCoding() throws {
        var response = SearchResponse(query: "zürich 🚲", mode: "hybrid", tookMs: 12.5, locked: ["secret", "ultrasecret"], results: [
            SearchResult(id: "01M951JWBP6X0N7M", score: 0.725, user: "alice", tier: "general", date: "2026-09-01T08:00:00+02:00",
                path: "alice/general/2026-09.md", line: 12, title: "Zürich", snippet: "a ride\nby the lake", tags: ["bike", "lake"],
                src: "chat:xyz"),
            SearchResult(id: "01M951JWC21DC1YY", score: 0, user: "bob", tier: "chronological", date: nil, path: "bob/chronological/2026-09.md",
                line: 1, title: nil, snippet: "", tags: [], src: nil),
        ])
        response.notices = ["index rebuilt"]
        let bytes = WarmSearch.encode(response)
        let decoded = try WarmSearch.decodeAnswer(bytes)
        #expect(printed(decoded) == printed(response))
        #expect(decoded.results.map(\.src) == response.results.map(\.src) && decoded.query == response.query && decoded.tookMs == 12.5)
        for cut in 0..<bytes.count {
            #expect(throws: (any Error).self) { try WarmSearch.decodeAnswer(Array(bytes[..<cut])) }
        }
        #expect(throws: (any Error).self) { try WarmSearch.decodeAnswer(bytes + [0]) }
    }
}

