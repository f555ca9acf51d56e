import Foundation
import MarkdownCodec
import Testing
import Vault
@testable import Importers

/// What the secret scanner reads of an imported memory bound for a plain tier: its title, its
/// text and each metadata value a source carried (model, location, weather...) on its own, as
/// read back; not the identifiers memvault writes (`src`, `import-hash`, ids).
@Suite("The secret scanner on import: text, titles and source metadata; never identifiers")
struct SecretMetadataTests {
    /// Imports one record into the general tier through `importItems`, as an importer hands it over.
    static func importOne(_ t: TestVault, title: String = "Evening", text: String = "A quiet evening at home.", meta: [(String, String)]) throws -> ImportSummary {
        let memory = NewMemory(text: text, tier: .general, date: EntryDate(year: 2024, month: 3, day: 8, hour: 20, minute: 0),
            title: title, src: "test:record-1", meta: meta.map { (key: $0.0, value: $0.1) })
        return try t.vault.importItems(user: "alice") { (emit) throws(VaultError) in
            try emit(.item(ImportItem(memory: memory, source: "test", location: "export.json, record 1")))
        }
    }

    /// Credentials in a metadata value, including ones the value's escaping on the comment line
    /// (`\n` glued to the next word) used to hide from a scan of the written line.
    static let hidden: [(name: String, meta: (String, String), kind: String)] = [
        ("password statement after a line break", ("weather", "Clear\npassword: hunter2"), "password"),
        ("card number after a line break", ("note", "paid with\n4111 1111 1111 1111"), "card number"),
        ("PIN after a tab", ("location", "Bank\tPIN 4711"), "PIN"),
        ("a key named password", ("password", "Sonne77"), "password"),
        ("an API key", ("model", "sk-proj-Ab3dE5fG7hJ9kL1mN3pQ5rS7t"), "OpenAI API key"),
    ]

    @Test("a credential in a source's metadata value is refused like one in the text; nothing written", arguments: hidden.indices)
    func credentialInMetadataRefused(index: Int) throws {
        let t = try TestVault()
        defer { t.cleanup() }
        let before = try t.snapshot()
        let commits = try t.commitCount()
        let (_, meta, kind) = Self.hidden[index]
        #expect {
            try Self.importOne(t, meta: [("journal", "Journal"), meta])
        } throws: { error in
            guard let error = error as? VaultError else { return false }
            return error.message.contains("looks like it holds a credential (\(kind)") && error.location == "export.json, record 1"
        }
        #expect(try t.snapshot() == before)
        #expect(try t.commitCount() == commits)
        // With --allow-secret it is written, and check finds it in the metadata comment's line.
        _ = try t.vault.importItems(user: "alice", allowSecrets: true) { (emit) throws(VaultError) in
            try emit(.item(ImportItem(memory: NewMemory(text: "A quiet evening at home.", tier: .general,
                date: EntryDate(year: 2024, month: 3, day: 8, hour: 20, minute: 0), title: "Evening", src: "test:record-1",
                meta: [(key: meta.0, value: meta.1)]), source: "test", location: "record 1")))
        }
        let report = try t.vault.check(fix: false)
        #expect(report.problems.map(\.line) == [2], "\(report.problems)")
        #expect(report.problems.first?.message.contains(kind) == true, "\(report.problems)")
    }

    @Test("titles and text are scanned: a PIN in a title, a password in the text are refused")
    func titleAndTextScanned() throws {
        let t = try TestVault()
        defer { t.cleanup() }
        #expect(throws: VaultError.self) { try Self.importOne(t, title: "My PIN 4711", meta: []) }
        #expect(throws: VaultError.self) { try Self.importOne(t, text: "The wifi password is Sonne77 now.", meta: []) }
        #expect(try t.memories().isEmpty)
    }

    /// A 32-digit hex uuid, as Day One writes them, that passes the IBAN check: two letters, two
    /// check digits (computed here by ISO 13616), 28 hex digits.
    static func ibanShapedUUID() -> String {
        let bban = "0123456789ABCDEF0123456789AB"
        func mod97(_ text: String) -> Int {
            var remainder = 0
            for c in text.unicodeScalars {
                let value = c.properties.numericType != nil ? Int(c.value) - 48 : Int(c.value) - 55
                remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97
            }
            return remainder
        }
        let check = 98 - mod97(bban + "AB00")
        return "AB" + String(format: "%02d", check) + bban
    }

    @Test("source metadata and identifiers cause no false refusal: a Day One uuid that reads as an IBAN, coordinates, weather, model names")
    func identifiersAndHarmlessMetadata() throws {
        let t = try TestVault()
        defer { t.cleanup() }
        let uuid = Self.ibanShapedUUID()
        // The scanner does take it for an IBAN where a person wrote it: in the text.
        #expect(throws: VaultError.self) { try Self.importOne(t, text: "Transfer to \(uuid) tomorrow.", meta: []) }
        let journal = t.home.appendingPathComponent("Journal.json")
        let entry: [String: Any] = [
            "uuid": uuid, "creationDate": "2024-03-08T23:30:00Z", "timeZone": "America/New_York", "starred": true,
            "tags": ["travel"], "text": "# Dinner in the West Village\n\nPasta at the corner place.",
            "location": ["localityName": "New York", "country": "United States", "administrativeArea": "NY",
                         "placeName": "Bleecker Street", "latitude": 40.7336, "longitude": -74.0027],
            "weather": ["conditionsDescription": "Partly Cloudy", "temperatureCelsius": 11.2],
        ]
        try JSONSerialization.data(withJSONObject: ["metadata": ["version": "1.0"], "entries": [entry]]).write(to: journal)
        let summary = try t.importExport(.dayone, journal.path, tier: .general)
        #expect(summary.added == 1)
        let memory = try #require(try t.memories().first)
        #expect(memory.src == "dayone:\(uuid)")
        #expect(memory.meta["coordinates"] != nil && memory.meta["weather"] != nil, "\(memory.meta)")
        // check reads the file by the same rule: clean.
        let report = try t.vault.check(fix: false)
        #expect(report.problems.isEmpty, "\(report.problems)")
        // Model names and the other chat metadata of the ChatGPT fixture into a plain tier: accepted.
        let chats = try t.importExport(.chatgpt, Paths.fixture("chatgpt-conversations.json"), tier: .general)
        #expect(chats.added == 2)
    }
}
