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
        timeZoneName.flatMap(TimeZone.init(identifier:)) ?? .current
    }

    // The two below read this machine's zone through the C library when no zone is set, not
    // through `timeZone`: Foundation's `TimeZone.current` costs a command half a millisecond.

    /// The wall-clock time of `instant` in `timeZone`, as a new entry's heading writes it.
    public func entryDate(_ instant: Date) -> EntryDate {
        if let zone = timeZoneName.flatMap(TimeZone.init(identifier:)) { return DateText.entryDate(instant, timeZone: zone) }
        return DateText.localEntryDate(instant)
    }

    /// A heading's time as ISO 8601, with its own offset or else `timeZone`'s then.
    public func iso8601(_ date: EntryDate) -> String {
        if let zone = timeZoneName.flatMap(TimeZone.init(identifier:)) { return DateText.iso8601(date, timeZone: zone) }
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
            file = try TOMLDecoder().decode(File.self, from: text)
        } catch let error as TOMLParseError {
            throw VaultError(.badInput, "invalid settings: \(error.description)", at: "\(path):\(error.source.begin.line)")
        } catch {
            throw VaultError(.badInput, "invalid settings: \(error)", at: path)
        }
        users = file.users ?? []
        defaultUser = file.default_user.flatMap { $0.isEmpty ? nil : $0 }
        if file.default_tier?.lowercased() == "auto" {
            classifiesByDefault = true
            defaultTier = .chronological
        } else {
            defaultTier = try Tier(parsing: file.default_tier ?? "chronological")
        }
        timeZoneName = file.timezone.flatMap { $0.isEmpty ? nil : $0 }
        if let name = timeZoneName, TimeZone(identifier: name) == nil {
            throw VaultError(.badInput, "unknown time zone '\(name)'", at: path)
        }
        modelName = file.model?.name ?? "all-MiniLM-L6-v2"
        authorName = file.git?.author_name.flatMap { $0.isEmpty ? nil : $0 }
        authorEmail = file.git?.author_email.flatMap { $0.isEmpty ? nil : $0 }
        digestSkipSections = file.digest?.skip_sections ?? []
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

    // The file's shape, as TOMLDecoder reads it.
    private struct File: Decodable {
        var users: [String]?
        var default_user: String?
        var default_tier: String?
        var timezone: String?
        var model: Model?
        var git: Git?
        var digest: Digest?
        var mcp: AssistantPolicySettings.Section?
        struct Model: Decodable { var name: String? }
        struct Git: Decodable { var author_name: String?; var author_email: String? }
        struct Digest: Decodable { var skip_sections: [String]? }
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
