import Foundation
import Testing
@testable import Vault

@Suite("Vault settings, names and dates")
struct VaultUnitTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("a CRLF file's credentials are reported on their own lines, as in the same LF file")
    func crlfCredentialLines() {
        let lines = ["## 2026-12-01 10:00 · First", "", "A walk by the lake.", "",
                     "## 2026-12-02 10:00 · Second", "", "The card is 4111 1111 1111 1111 and more.", "",
                     "## 2026-12-03 10:00 · Third", "", "my password: hunter2hunter2", ""]
        let lf = Vault.credentialHits(inEntry: lines.joined(separator: "\n"))
        let crlf = Vault.credentialHits(inEntry: lines.joined(separator: "\r\n"))
        #expect(lf.map(\.line) == [7, 11], "\(lf)")
        #expect(crlf == lf)
    }

    @Test("the template in the binary is byte for byte vault-template/")
    func templateMatchesFolder() throws {
        let folder = Self.packageRoot.appendingPathComponent("vault-template")
        var onDisk: [String: String] = [:]
        let base = folder.standardizedFileURL.path
        let e = try #require(FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil))
        for case let url as URL in e {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
            if isDirectory.boolValue { continue }
            onDisk[String(url.standardizedFileURL.path.dropFirst(base.count + 1))] = try String(contentsOf: url, encoding: .utf8)
        }
        var embedded: [String: String] = [:]
        for (path, lines) in VaultTemplate.files { embedded[path] = VaultTemplate.contents(of: lines) }
        #expect(embedded == onDisk)
    }

    @Test("the template's settings parse", arguments: ["alice", "bob-2"])
    func templateSettingsParse(user: String) throws {
        let text = VaultTemplate.contents(of: try #require(VaultTemplate.files.first { $0.path == "memvault.toml" }).lines)
            .replacingOccurrences(of: "{{user}}", with: user)
        let config = try VaultConfig(parsing: text)
        #expect(config.users == [user])
        #expect(config.defaultUser == user)
        #expect(config.defaultTier == .chronological)
        #expect(config.timeZoneName == nil)
        #expect(config.modelName == "all-MiniLM-L6-v2")
    }

    @Test("bad settings name the file and line")
    func badSettings() {
        #expect {
            try VaultConfig(parsing: "users = [\"a\"]\ndefault_tier = \"nope\"\n")
        } throws: { ($0 as? VaultError)?.message.contains("unknown tier") == true }
        #expect {
            try VaultConfig(parsing: "users = [\"a\"\nbroken", path: "memvault.toml")
        } throws: { ($0 as? VaultError)?.location?.hasPrefix("memvault.toml:") == true }
        #expect {
            try VaultConfig(parsing: "users = [\"../evil\"]\n")
        } throws: { ($0 as? VaultError)?.message.contains("invalid user name") == true }
    }

    @Test("a setting of the wrong kind names its key and the kind it takes", arguments: [
        ("users = \"alice\"\n", "users must be a list of strings"),
        ("users = [\"a\", 3]\n", "users must be a list of strings"),
        ("default_user = 5\n", "default_user must be a string"),
        ("git = 4\n", "git must be a table"),
        ("[model]\nname = [\"x\"]\n", "[model] name must be a string"),
        ("[digest]\nskip_sections = \"on-this-day\"\n", "[digest] skip_sections must be a list of strings"),
        ("[mcp]\nwrite = \"yes\"\n", "[mcp] write must be true or false"),
        ("[mcp.clients]\ncursor = 3\n", "[mcp.clients] cursor must be a table"),
        ("[mcp.clients.cursor]\ntiers = [\"general\", 4]\n", "[mcp.clients.cursor] tiers must be a list of strings"),
    ])
    func settingOfWrongKind(text: String, message: String) {
        #expect {
            try VaultConfig(parsing: text, path: "memvault.toml")
        } throws: { error in
            guard let error = error as? VaultError else { return false }
            return error.message == "invalid settings: \(message)" && error.location == "memvault.toml" && error.exitStatus == .badInput
        }
    }

    @Test("every setting is read from its key; unknown keys are ignored")
    func everySetting() throws {
        let text = """
            format = 1
            users = ["ana", "bob"]
            default_user = "bob"
            default_tier = "auto"
            timezone = "Europe/Berlin"
            unknown = { a = 1 }
            [model]
            name = "other-model"
            [git]
            author_name = "Ana"
            author_email = "ana@example.org"
            [digest]
            skip_sections = ["on-this-day"]
            [mcp]
            default_tiers = ["general"]
            write = false
            [mcp.clients.cursor]
            tiers = ["general", "confidential"]
            write = true
            """
        let config = try VaultConfig(parsing: text)
        #expect(config.users == ["ana", "bob"])
        #expect(config.defaultUser == "bob")
        #expect(config.classifiesByDefault)
        #expect(config.timeZoneName == "Europe/Berlin")
        #expect(config.modelName == "other-model")
        #expect(config.authorName == "Ana" && config.authorEmail == "ana@example.org")
        #expect(config.digestSkipSections == ["on-this-day"])
        #expect(config.assistants.defaultTiers == [.general])
        #expect(config.assistants.defaultWrite == false)
        #expect(config.assistants.clients["cursor"] == AssistantPolicySettings.Client(tiers: [.general, .confidential], write: true))
    }

    /// TOMLKit's parser stops the process with a failed assertion on a table header without a
    /// name and on `}` where an array expects a value (found by the vault-config fuzz target);
    /// such settings are refused with the line.
    @Test("a table header without a name or a stray '}' in an array is an error with its line, not a crash",
          arguments: ["[=]\n", "users = [\"a\"]\n\n[ .a]\n", "# c\n[[#]]\n", "x = 1\n[,]\n",
                      "x = 1\n[git]\nusers = [}]\n", "a = [\n  1,\n  }]\n", "a = { b = [}] }\n"])
    func namelessTableHeader(text: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let line = (lines.firstIndex { $0.hasPrefix("[") && !$0.hasPrefix("[git]") } ?? lines.firstIndex { $0.contains("}") })! + 1
        #expect {
            try VaultConfig(parsing: text, path: "memvault.toml")
        } throws: { ($0 as? VaultError)?.location == "memvault.toml:\(line)" }
    }

    @Test("headers, multi-line arrays and strings holding brackets still parse")
    func bracketsThatAreNotHeaders() throws {
        let simple = "users = [\n  \"ana\",\n  \"bob\",\n]\n[git]\nauthor_name = \"\"\"\n[=] inside\n\"\"\"\n[ \"digest\" ]\nskip_sections = [\n  \"a]\",\n]\n"
        #expect(VaultConfig.lineOfNamelessTableHeader(simple) == nil)
        let config = try VaultConfig(parsing: simple)
        #expect(config.users == ["ana", "bob"])
        #expect(config.authorName == "[=] inside\n")
        #expect(config.digestSkipSections == ["a]"])
    }

    @Test("user names that would escape or hide are refused",
          arguments: ["../x", "a/b", ".hidden", "", "-flag", "x\u{0}y", "digests", String(repeating: "a", count: 65), "a b"])
    func invalidUserNames(name: String) {
        #expect(throws: VaultError.self) { try UserName.validate(name) }
    }

    @Test("valid user names", arguments: ["alice", "Bob_2", "jean-luc", "zoë", "a.b"])
    func validUserNames(name: String) throws {
        try UserName.validate(name)
    }

    @Test("user dates: wall clock kept, instants converted to the vault's time zone")
    func userDates() throws {
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        #expect(try DateText.parseUserDate("2026-11-22", timeZone: berlin).headingText == "2026-11-22 00:00")
        #expect(try DateText.parseUserDate("2026-11-22 14:03", timeZone: berlin).headingText == "2026-11-22 14:03")
        #expect(try DateText.parseUserDate("2026-11-22T14:03:59", timeZone: berlin).headingText == "2026-11-22 14:03")
        #expect(try DateText.parseUserDate("2023-05-08T13:56:00Z", timeZone: berlin).headingText == "2023-05-08 15:56")
        #expect(try DateText.parseUserDate("2023-05-08T23:30:00.123-05:00", timeZone: berlin).headingText == "2023-05-09 06:30")
        #expect(try DateText.parseUserDate("2024-02-29", timeZone: berlin).dayKey == "2024-02-29")
        for bad in ["2023-02-29", "2026-13-01", "2026-11-22 25:00", "22.11.2026", "2026-11-22Tnoon", "", "2026-11-22 14:03 junk"] {
            #expect(throws: VaultError.self, "\(bad)") { try DateText.parseUserDate(bad, timeZone: berlin) }
        }
    }

    @Test("ISO output carries the offset of the vault's time zone, summer and winter")
    func isoOutput() throws {
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        let winter = try DateText.parseUserDate("2026-11-22 14:03", timeZone: berlin)
        let summer = try DateText.parseUserDate("2026-07-01 09:00", timeZone: berlin)
        #expect(DateText.iso8601(winter, timeZone: berlin) == "2026-11-22T14:03:00+01:00")
        #expect(DateText.iso8601(summer, timeZone: berlin) == "2026-07-01T09:00:00+02:00")
    }

    @Test("--since and --until bounds for days and months")
    func bounds() throws {
        let utc = TimeZone(identifier: "UTC")!
        let start = try DateBound.parse("2026-11", timeZone: utc, end: false)
        let end = try DateBound.parse("2026-11", timeZone: utc, end: true)
        #expect(start == ISO8601DateFormatter().date(from: "2026-11-01T00:00:00Z"))
        // The last instant of the period: 1 ms before the next one.
        #expect(end == ISO8601DateFormatter().date(from: "2026-12-01T00:00:00Z")!.addingTimeInterval(-0.001))
        #expect(try DateBound.parse("2026-11-22", timeZone: utc, end: true) == ISO8601DateFormatter().date(from: "2026-11-23T00:00:00Z")!.addingTimeInterval(-0.001))
    }
}
