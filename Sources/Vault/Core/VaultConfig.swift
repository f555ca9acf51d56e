import Foundation
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

    /// Parses the TOML text of `memvault.toml`.
    /// - Throws: `VaultError.badInput` naming the file and line.
    public init(parsing text: String, path: String = "memvault.toml") throws(VaultError) {
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
            CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_" || $0 == "."
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
