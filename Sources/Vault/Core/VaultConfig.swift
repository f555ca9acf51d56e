import Foundation
import MarkdownCodec
import MemvaultSupport
import TOMLKit

/// The settings in `memvault.toml`.
public struct VaultConfig: Sendable, Equatable {
    public var users: [String]
    public var defaultUser: String?
    public var defaultTier: Tier
    /// `default_tier = "auto"`: a memory written without a tier is classified (`defaultTier` is
    /// then chronological, for what needs one tier, such as the file `edit` opens).
    public var classifiesByDefault = false
    /// IANA time zone name; nil means the machine's.
    public var timeZoneName: String?
    public var modelName: String
    public var authorName: String?
    public var authorEmail: String?
    public var digestSkipSections: [String]
    /// What AI assistants may see and write through `memvault mcp` (`[mcp]`, `[mcp.clients.NAME]`).
    public var assistants: AssistantPolicySettings = AssistantPolicySettings()

    public var timeZone: TimeZone {
        namedTimeZone ?? .current
    }

    /// The zone `timezone` names; nil for the machine's.
    private var namedTimeZone: TimeZone? { timeZoneName.flatMap(TimeZone.init(identifier:)) }

    // The two below read this machine's zone through the C library when no zone is set, not
    // through `timeZone`: Foundation's `TimeZone.current` costs a command half a millisecond.

    /// The wall-clock time of `instant` in `timeZone`, as a new entry's heading writes it.
    public func entryDate(_ instant: Date) -> EntryDate {
        if let zone = namedTimeZone { return DateText.entryDate(instant, timeZone: zone) }
        return DateText.localEntryDate(instant)
    }

    /// A heading's time as ISO 8601, with its own offset or else `timeZone`'s then.
    public func iso8601(_ date: EntryDate) -> String {
        if let zone = namedTimeZone { return DateText.iso8601(date, timeZone: zone) }
        return DateText.localISO8601(date)
    }

    /// Parses the TOML text of `memvault.toml`.
    /// - Throws: `VaultError.badInput` naming the file and line.
    public init(parsing text: String, path: String = "memvault.toml") throws(VaultError) {
        if let line = Self.lineOfNamelessTableHeader(text) {
            throw VaultError(.badInput, "invalid settings: a table header without a name, or '}' where an array expects a value", at: "\(path):\(line)")
        }
        let file: File
        do {
            file = try File(TOMLTable(string: text))
        } catch let error as TOMLParseError {
            throw VaultError(.badInput, "invalid settings: \(error.description)", at: "\(path):\(error.source.begin.line)")
        } catch let error as File.WrongType {
            throw VaultError(.badInput, "invalid settings: \(error.key) must be \(error.expected)", at: path)
        } catch {
            throw VaultError(.badInput, "invalid settings: \(error)", at: path)
        }
        users = file.users ?? []
        defaultUser = file.defaultUser.flatMap { $0.isEmpty ? nil : $0 }
        if file.defaultTier?.lowercased() == "auto" {
            classifiesByDefault = true
            defaultTier = .chronological
        } else {
            defaultTier = try Tier(parsing: file.defaultTier ?? "chronological")
        }
        timeZoneName = file.timezone.flatMap { $0.isEmpty ? nil : $0 }
        if let name = timeZoneName, TimeZone(identifier: name) == nil {
            throw VaultError(.badInput, "unknown time zone '\(name)'", at: path)
        }
        modelName = file.modelName ?? "all-MiniLM-L6-v2"
        authorName = file.authorName.flatMap { $0.isEmpty ? nil : $0 }
        authorEmail = file.authorEmail.flatMap { $0.isEmpty ? nil : $0 }
        digestSkipSections = file.skipSections ?? []
        assistants = try AssistantPolicySettings(file.mcp, path: path)
        for user in users {
            try UserName.validate(user)
        }
    }

    /// The line of a construct that TOMLKit's parser (toml++ 3) stops the process on with a
    /// failed assertion instead of reporting an error, so it is refused first: a table header
    /// whose name does not start with a key character or a quote (`[=]`, `[ .a]`, `[[#]]`), and
    /// a `}` where an array expects an element (`[}]`, `[1, }]`). Strings and comments are
    /// skipped. Both were found by the vault-config fuzz target.
    /// - Complexity: O(n).
    static func lineOfNamelessTableHeader(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        var i = 0, line = 1
        var open: [UInt8] = []  // the value brackets open at this point: [ or {
        var atLineStart = true
        var expectingElement = false
        func isKeyStart(_ c: UInt8) -> Bool {
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x2D
                || c == 0x22 || c == 0x27 || c == 0x5D
        }
        func skipString(quote: UInt8) {
            let triple = i + 2 < bytes.count && bytes[i + 1] == quote && bytes[i + 2] == quote
            i += triple ? 3 : 1
            while i < bytes.count {
                let c = bytes[i]
                if c == 0x5C && quote == 0x22 { i += 2; continue }
                if c == 0x0A {
                    line += 1
                    if !triple { i += 1; return }
                }
                if c == quote && (!triple || (i + 2 < bytes.count && bytes[i + 1] == quote && bytes[i + 2] == quote)) {
                    i += triple ? 3 : 1
                    while triple && i < bytes.count && bytes[i] == quote { i += 1 }
                    return
                }
                i += 1
            }
        }
        while i < bytes.count {
            let c = bytes[i]
            if c == 0x20 || c == 0x09 || c == 0x0D { i += 1; continue }
            if c == 0x0A { line += 1; i += 1; atLineStart = open.isEmpty; continue }
            if c == 0x23 {
                while i < bytes.count && bytes[i] != 0x0A { i += 1 }
                continue
            }
            if atLineStart && c == 0x5B {
                var j = i + 1
                if j < bytes.count && bytes[j] == 0x5B { j += 1 }
                while j < bytes.count && (bytes[j] == 0x20 || bytes[j] == 0x09) { j += 1 }
                if j < bytes.count && !isKeyStart(bytes[j]) { return line }
                while i < bytes.count && bytes[i] != 0x0A { i += 1 }
                continue
            }
            atLineStart = false
            if expectingElement && c == 0x7D { return line }
            expectingElement = false
            switch c {
            case 0x22, 0x27: skipString(quote: c)
            case 0x5B, 0x7B:
                open.append(c)
                expectingElement = c == 0x5B
                i += 1
            case 0x5D, 0x7D:
                if !open.isEmpty { open.removeLast() }
                i += 1
            case 0x2C:
                expectingElement = open.last == 0x5B
                i += 1
            default: i += 1
            }
        }
        return nil
    }

    /// The file's settings, each read by its key from the parsed table; other keys are ignored.
    /// (Not TOMLKit's `TOMLDecoder`: its `Codable` path cost every command 0.5 ms.)
    private struct File {
        var users: [String]?
        var defaultUser: String?
        var defaultTier: String?
        var timezone: String?
        var modelName: String?
        var authorName: String?
        var authorEmail: String?
        var skipSections: [String]?
        var mcp: AssistantPolicySettings.Section?

        /// A key that holds another kind of value than its setting takes.
        struct WrongType: Error {
            var key: String
            var expected: String
        }

        init(_ file: TOMLTable) throws(WrongType) {
            users = try Self.strings(file, "users")
            defaultUser = try Self.string(file, "default_user")
            defaultTier = try Self.string(file, "default_tier")
            timezone = try Self.string(file, "timezone")
            if let model = try Self.table(file, "model") {
                modelName = try Self.string(model, "name", in: "model")
            }
            if let git = try Self.table(file, "git") {
                authorName = try Self.string(git, "author_name", in: "git")
                authorEmail = try Self.string(git, "author_email", in: "git")
            }
            if let digest = try Self.table(file, "digest") {
                skipSections = try Self.strings(digest, "skip_sections", in: "digest")
            }
            if let table = try Self.table(file, "mcp") {
                var section = AssistantPolicySettings.Section(
                    default_tiers: try Self.strings(table, "default_tiers", in: "mcp"), write: try Self.bool(table, "write", in: "mcp"))
                if let clients = try Self.table(table, "clients", in: "mcp") {
                    var sections: [String: AssistantPolicySettings.Section.ClientSection] = [:]
                    for name in clients.keys {
                        guard let client = clients[name]?.table else { throw WrongType(key: "[mcp.clients] \(name)", expected: "a table") }
                        let key = "mcp.clients.\(name)"
                        sections[name] = .init(tiers: try Self.strings(client, "tiers", in: key), write: try Self.bool(client, "write", in: key))
                    }
                    section.clients = sections
                }
                mcp = section
            }
        }

        /// The value of `key` as `read` converts it; nil when absent.
        private static func value<Value>(
            _ table: TOMLTable, _ key: String, in section: String?, _ expected: String, _ read: (TOMLValueConvertible) -> Value?
        ) throws(WrongType) -> Value? {
            guard let value = table[key] else { return nil }
            guard let read = read(value) else { throw WrongType(key: section.map { "[\($0)] \(key)" } ?? key, expected: expected) }
            return read
        }

        private static func string(_ table: TOMLTable, _ key: String, in section: String? = nil) throws(WrongType) -> String? {
            try value(table, key, in: section, "a string") { $0.string }
        }

        private static func bool(_ table: TOMLTable, _ key: String, in section: String? = nil) throws(WrongType) -> Bool? {
            try value(table, key, in: section, "true or false") { $0.bool }
        }

        private static func table(_ table: TOMLTable, _ key: String, in section: String? = nil) throws(WrongType) -> TOMLTable? {
            try value(table, key, in: section, "a table") { $0.table }
        }

        private static func strings(_ table: TOMLTable, _ key: String, in section: String? = nil) throws(WrongType) -> [String]? {
            try value(table, key, in: section, "a list of strings") { value in
                guard let array = value.array else { return nil }
                var strings: [String] = []
                for element in array {
                    guard let string = element.string else { return nil }
                    strings.append(string)
                }
                return strings
            }
        }
    }
}

/// User names become folder names, so they are checked strictly.
public enum UserName {
    /// The longest user name, in UTF-8 bytes of its NFC form.
    public static let maximumBytes = 64

    /// - Throws: `VaultError.badInput` for path separators, `..`, hidden names, reserved or odd characters.
    public static func validate(_ name: String) throws(VaultError) {
        let allowed = name.unicodeScalars.allSatisfy {
            $0.isASCII
                ? ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)
                : CharacterSet.alphanumerics.contains($0)
        }
        guard !name.isEmpty, allowed, !name.hasPrefix("."), !name.hasPrefix("-") else {
            throw VaultError(.badInput, "invalid user name '\(name.prefix(80))'",
                hint: "a user name is letters, digits, '-', '_' and '.', not starting with '.' or '-'")
        }
        // Folder names are limited in bytes, not characters: a name of combining marks is long.
        let bytes = normalized(name).utf8.count
        guard bytes <= maximumBytes else {
            throw VaultError(.badInput, "user name too long: \(bytes) bytes in UTF-8, at most \(maximumBytes)",
                hint: "choose a shorter name (accented letters and combining marks take 2 to 4 bytes each)")
        }
        guard !["digests", "memvault", "cache"].contains(name.lowercased()) else {
            throw VaultError(.badInput, "reserved user name '\(name)'")
        }
    }
}
