import Embedder
import Foundation
import SearchIndex
import Testing
@testable import Vault

/// A vault holding one chat (turns two minutes apart on one day, one memory each) among notes
/// of other days that share a word with the query, searched with the hashed-words stand-in for
/// the model (``CountingEmbedder``): a turn's cosine with the query comes only from shared words.
private struct ChatVault {
    static let query = "band live show Ines"
    /// The turn that matches every query word, the reply after it (no query word), a turn three
    /// hours later, and the day's other chat turns.
    static let chat: [(time: String, text: String)] = [
        ("20:00", "Robin: Are you coming on Friday?"),
        ("20:02", "Ines: That band we saw at the live show with Ines and Tom, what a night"),
        ("20:04", "Robin: Caribou never disappoint"),
        ("23:30", "Robin: Caribou forever, honestly"),
    ]

    let folder: URL
    let vault: Vault
    var ids: [String] = []

    /// - Parameter tier: where the memories go; an encrypted tier is created unlocked (its
    ///   passphrase in the vault's environment), so it is searched with the others.
    init(tier: Tier = .chronological) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("context-\(UUID().uuidString)")
        var environment = ["XDG_RUNTIME_DIR": folder.path, "TZ": "Europe/Berlin"]
        if tier.isEncrypted { environment[tier.passphraseVariable] = "context pass" }
        vault = try Vault.create(at: folder.appendingPathComponent("vault"), user: "robin", environment: environment)
        if tier.isEncrypted {
            vault.scryptWorkFactorLimit = 10
            try vault.setPassphrase(user: "robin", tier: tier, old: nil, new: "context pass")
        }
        var records: [String] = []
        for (i, turn) in Self.chat.enumerated() {
            records.append(Self.record(id: String(format: "%016X", i + 1), text: turn.text, date: "2026-03-14T\(turn.time):00+01:00", tier: tier))
        }
        // Notes on other days of the same month (the same file) sharing one query word each.
        let words = ["band", "live", "show"]
        for i in 0..<60 {
            let day = 1 + i % 12
            records.append(Self.record(
                id: String(format: "%016X", 100 + i),
                text: "Note \(i): the \(words[i % 3]) schedule for week \(i) and other plans number\(i)",
                date: String(format: "2026-03-%02dT09:%02d:00+01:00", day, i % 60), tier: tier))
        }
        ids = try vault.importRecords(Array(records.joined(separator: "\n").utf8), user: "robin")
    }

    static func record(id: String, text: String, date: String, tier: Tier) -> String {
        let object: [String: Any] = ["id": id, "text": text, "tier": tier.rawValue, "date": date]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    var lead: String { ids[1] }
    var reply: String { ids[2] }
    var later: String { ids[3] }

    func search(_ mode: SearchMode, k: Int = 5, query: String = Self.query, tiers: Set<Tier>? = nil) throws -> [String] {
        var request = SearchRequest(query: query, k: k, mode: mode)
        request.tiers = tiers
        return try vault.search(request, user: "robin", embedder: CountingEmbedder()).results.map(\.id)
    }

    func cleanup() { try? FileManager.default.removeItem(at: folder) }
}

@Suite("Conversation context at ranking time")
struct ConversationContextTests {
    @Test("a reply turn with no query word ranks in the hybrid top 5 because the turn before it matches; each half alone misses it",
          arguments: [Tier.chronological, .secret])
    func replyFoundThroughItsNeighbour(tier: Tier) throws {
        let fixture = try ChatVault(tier: tier)
        defer { fixture.cleanup() }
        let hybrid = try fixture.search(.hybrid)
        #expect(hybrid.first == fixture.lead)
        #expect(hybrid.contains(fixture.reply))
        #expect(!(try fixture.search(.lexical)).contains(fixture.reply))
        #expect(!(try fixture.search(.semantic)).contains(fixture.reply))
        // A turn of the same day three and a half hours later is not part of that conversation.
        #expect(!hybrid.contains(fixture.later))
    }

    @Test("the candidates link each memory to its neighbours of the same file and day only, with the time between them")
    func neighboursAreSameFileAndDay() throws {
        let fixture = try ChatVault()
        defer { fixture.cleanup() }
        let candidates = try fixture.vault.candidates(
            SearchRequest(query: ChatVault.query, k: 5, mode: .hybrid), user: "robin", embedder: CountingEmbedder(), neighbourReach: 2)
        let lead = try #require(candidates.all.first { $0.id == fixture.lead })
        #expect(!lead.pulled)
        let byID = Dictionary(uniqueKeysWithValues: lead.neighbours.map { ($0.id, $0) })
        #expect(byID[fixture.ids[0]]?.distance == -1 && byID[fixture.ids[0]]?.seconds == 120)
        #expect(byID[fixture.reply]?.distance == 1 && byID[fixture.reply]?.seconds == 120)
        #expect(byID[fixture.later]?.distance == 2 && byID[fixture.later]?.seconds == 12_480)
        #expect(lead.neighbours.count == 3, "the notes of other days in the same file are no neighbours")
        let reply = try #require(candidates.all.first { $0.id == fixture.reply })
        #expect(reply.pulled && reply.lexical == nil && reply.cosine != nil)
        #expect(reply.neighbours.contains { $0.id == fixture.lead && $0.distance == -1 })
        #expect((reply.length ?? 0) >= 3)
    }

    @Test("a neighbour the filter leaves out is neither pulled in nor lent from")
    func filteredNeighbourIgnored() throws {
        let fixture = try ChatVault()
        defer { fixture.cleanup() }
        // Only the general tier: the chat is chronological, nothing of it may come back.
        let general = try fixture.search(.hybrid, tiers: [.general])
        #expect(!general.contains(fixture.reply) && !general.contains(fixture.lead))
    }

    @Test("edited files: the neighbours of a memory in a file changed since the index base are found from the live entries")
    func neighboursAfterAnEdit() throws {
        let fixture = try ChatVault()
        defer { fixture.cleanup() }
        _ = try fixture.search(.hybrid)  // the base
        // An edit of the first turn makes the file a changed one (rows moved, a change added).
        let (text, _) = try fixture.vault.entryText(id: fixture.ids[0])
        let edited = text.replacingOccurrences(of: "coming on Friday?", with: "coming on Friday? Bring snacks and the blue blanket,\nand the second thermos")
        #expect(edited != text)
        _ = try fixture.vault.replaceEntry(id: fixture.ids[0], original: text, newText: edited)
        let hybrid = try fixture.search(.hybrid)
        #expect(hybrid.first == fixture.lead)
        #expect(hybrid.contains(fixture.reply))
    }
}
