import Foundation
import MarkdownCodec
import MemvaultSupport
import Vault

/// The services `memvault import --from` reads.
public enum ImportSource: String, Sendable, CaseIterable, Codable {
    case chatgpt, claude, markdown, dayone, jrnl

    /// Chat histories with AI assistants are private by nature; journals and notes are not presumed so.
    public var isChatHistory: Bool { self == .chatgpt || self == .claude }

    /// Parses a `--from` value.
    /// - Throws: `VaultError.badInput` listing the sources.
    public init(parsing text: String) throws(VaultError) {
        guard let source = ImportSource(rawValue: text.lowercased()) else {
            throw VaultError(.badInput, "unknown import source '\(text)'",
                hint: "sources are: \(ImportSource.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = source
    }
}

/// How an import chooses each memory's tier.
public struct TierPolicy {
    /// `--tier`: always wins.
    public var override: Tier?
    /// Classification (`--tier auto`): picks a tier per memory. Nil until the classifier is part
    /// of the build; see `ImportSource.tierPolicy(...)` for where it plugs in.
    public var classify: ((NewMemory) throws(VaultError) -> Tier)?
    /// The tier when neither is given; nil means the vault's default tier.
    public var fallback: Tier?

    public init(override: Tier? = nil, classify: ((NewMemory) throws(VaultError) -> Tier)? = nil, fallback: Tier? = nil) {
        self.override = override
        self.classify = classify
        self.fallback = fallback
    }

    /// The tier for one memory (nil: the vault's default tier).
    public func tier(for memory: NewMemory) throws(VaultError) -> Tier? {
        if let override { return override }
        if let classify { return try classify(memory) }
        return fallback
    }
}

extension ImportSource {
    /// The tier policy of an import from this source into `user`'s tiers of `vault`.
    ///
    /// `--tier` always overrides. `--tier auto`, or `default_tier = "auto"` in memvault.toml,
    /// classifies each memory (`classify`, usually `ImportSource.classifier(vault:user:)`). Without
    /// either, chat histories go to `confidential` when that tier has a key, and the import is
    /// refused otherwise (never written as plain text by default); journals and notes go to the
    /// vault's default tier.
    ///
    /// - Parameters:
    ///   - classify: decides each memory's tier; nil unless the import classifies.
    /// - Throws: `VaultError.badInput` for a chat import without `--tier` while confidential has no key.
    public func tierPolicy(override: Tier?, classify: ((NewMemory) throws(VaultError) -> Tier)?, vault: Vault, user: String) throws(VaultError) -> TierPolicy {
        if let override { return TierPolicy(override: override) }
        if let classify { return TierPolicy(classify: classify) }
        guard isChatHistory else { return TierPolicy() }
        guard vault.hasKey(user: user, tier: .confidential) else {
            throw VaultError(.badInput, "chat histories are imported into the confidential tier, which has no key yet",
                at: user, hint: "create its key with: memvault passwd confidential (or pass --tier TIER to choose another tier)")
        }
        return TierPolicy(fallback: .confidential)
    }
}

extension ImportSource {
    /// Classification of imported memories, as `add --tier auto` classifies: doubt moves a memory
    /// up a tier, never down, never to ultrasecret. Without the neighbour signal (no model is
    /// loaded for an import). A memory longer than the classifier's limit is classified piece by
    /// piece and takes the highest tier any piece needs. A memory classified into an encrypted
    /// tier without a key stops the import before anything is written.
    public static func classifier(vault: Vault, user: String) -> (NewMemory) throws(VaultError) -> Tier {
        { (memory) throws(VaultError) -> Tier in
            let text = [memory.title, memory.text].compactMap { $0 }.joined(separator: "\n")
            var tier = Tier.chronological
            var summary = ""
            for piece in pieces(of: text, limit: Vault.maximumMemorySize / 2) {
                let result = try vault.classify(text: piece, user: user)
                if summary.isEmpty || result.tier > tier {
                    tier = result.tier
                    summary = result.summary
                }
            }
            if tier.isEncrypted && !vault.hasKey(user: user, tier: tier) {
                throw VaultError(.badInput, "an imported memory was \(summary), and that tier has no key yet; nothing was imported",
                    at: memory.src, hint: "create one with: memvault passwd \(tier.rawValue) (or pass --tier TIER to choose the tier yourself)")
            }
            return tier
        }
    }

    /// `text` cut into pieces of at most `limit` UTF-8 bytes, at line ends where it can.
    static func pieces(of text: String, limit: Int) -> [String] {
        guard text.utf8.count > limit else { return [text] }
        var pieces: [String] = []
        var current = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = Substring(line)
            while line.utf8.count > limit {
                let cut = line.utf8.index(line.utf8.startIndex, offsetBy: limit)
                let head = String(decoding: line.utf8[..<cut], as: UTF8.self)
                pieces.append(head)
                line = Substring(String(decoding: line.utf8[cut...], as: UTF8.self))
            }
            if !current.isEmpty && current.utf8.count + line.utf8.count + 1 > limit {
                pieces.append(current)
                current = ""
            }
            current += current.isEmpty ? String(line) : "\n" + line
        }
        if !current.trimmingWhitespaceAndNewlines().isEmpty { pieces.append(current) }
        return pieces
    }
}

/// Options every importer takes.
public struct ImportOptions {
    /// The vault's time zone: wall-clock times of sources that give instants (ChatGPT, Claude) are written in it.
    public var timeZone: TimeZone
    /// Called with (bytes read, total bytes) as the export is read.
    public var progress: ((Int, Int) -> Void)?

    public init(timeZone: TimeZone, progress: ((Int, Int) -> Void)? = nil) {
        self.timeZone = timeZone
        self.progress = progress
    }
}

/// Reads exports into import events.
public enum Importer {
    /// Reads the export at `path` (a file, a zip, or for `.markdown` a folder) and emits one
    /// event per record, in the input's order.
    /// - Throws: `VaultError.badInput` naming the file and the byte offset or record that is wrong;
    ///   whatever `emit` throws.
    public static func read(
        _ source: ImportSource, path: String, options: ImportOptions, policy: TierPolicy,
        emit: (ImportEvent) throws(VaultError) -> Void
    ) throws(VaultError) {
        func withTier(_ event: ImportEvent) throws(VaultError) {
            guard case .item(var item) = event else { return try emit(event) }
            item.memory.tier = try policy.tier(for: item.memory)
            try emit(.item(item))
        }
        switch source {
        case .chatgpt: try ChatGPTReader(options: options).read(path: path, emit: withTier)
        case .claude: try ClaudeReader(options: options).read(path: path, emit: withTier)
        case .dayone: try DayOneReader(options: options).read(path: path, emit: withTier)
        case .jrnl: try JrnlReader(options: options).read(path: path, emit: withTier)
        case .markdown: try MarkdownFolderReader(options: options).read(path: path, emit: withTier)
        }
    }
}

/// Markdown from another tool, made safe to be one entry's body.
enum MarkdownText {
    /// Demotes level-1 and level-2 ATX headings to level 3 and separates setext underlines, outside
    /// fenced code: inside an entry a level-2 heading would start another entry. Nothing else changes.
    static func nested(_ text: String) -> String {
        // Without a carriage return every line feed is a character of its own, so the text is
        // split on bytes (splitting on characters costs more than the rest); with one (`\r\r\n`
        // leaves a CR LF character behind) it is split on characters, as it always was.
        var lines: [Substring]
        let unified: String
        if text.utf8.contains(UInt8(ascii: "\r")) {
            unified = text.replacingOccurrences(of: "\r\n", with: "\n")
            lines = unified.split(separator: "\n", omittingEmptySubsequences: false)
        } else {
            unified = text
            lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { Substring($0) }
        }
        var changed = false
        var fence: (char: Character, count: Int)?
        var previousIsText = false
        var index = 0
        while index < lines.count {
            let line = lines[index]
            let stripped = line.drop(while: { $0 == " " })
            let indent = line.distance(from: line.startIndex, to: stripped.startIndex)
            if indent <= 3, let first = stripped.first, first == "`" || first == "~" {
                let run = stripped.prefix(while: { $0 == first }).count
                if run >= 3 {
                    if let open = fence {
                        if open.char == first && run >= open.count && stripped.dropFirst(run).allSatisfy(\.isWhitespace) { fence = nil }
                    } else {
                        fence = (first, run)
                    }
                    previousIsText = false
                    index += 1
                    continue
                }
            }
            if fence != nil {
                index += 1
                continue
            }
            if indent <= 3, stripped.first == "#" {
                let hashes = stripped.prefix(while: { $0 == "#" }).count
                let rest = stripped.dropFirst(hashes)
                if hashes <= 2, rest.isEmpty || rest.first == " " || rest.first == "\t" {
                    lines[index] = Substring("###" + rest)
                    changed = true
                }
            } else if indent <= 3, previousIsText, let first = stripped.first, first == "=" || first == "-",
                isUnderline(stripped, of: first)
            {
                // A setext underline: a blank line before it makes it a rule (or plain text).
                lines.insert("", at: index)
                changed = true
                index += 1
            }
            previousIsText = line.unicodeScalars.contains { !isSpace($0) }
            index += 1
        }
        return changed ? lines.joined(separator: "\n") : unified
    }

    /// Whether `text` (starting with `mark`) is a run of `mark` and trailing spaces only.
    private static func isUnderline(_ text: Substring, of mark: Character) -> Bool {
        var sawSpace = false
        for character in text {
            if character == mark, !sawSpace { continue }
            guard character.unicodeScalars.allSatisfy(isSpace) else { return false }
            sawSpace = true
        }
        return true
    }

    /// Foundation's `CharacterSet.whitespaces`: Unicode's space separators and the tab.
    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || (scalar.value >= 0x80 && scalar.properties.generalCategory == .spaceSeparator)
    }

    /// A tag name memvault accepts, made from another tool's tag (`Travel Plans` → `Travel-Plans`),
    /// or nil when nothing of it is usable.
    static func tag(_ raw: String) -> String? {
        var name = raw.trimmingCharacters(in: .whitespaces)
        while let first = name.first, first == "#" || first == "@" { name.removeFirst() }
        let scalars = name.unicodeScalars.map { scalar -> Character in
            if CharacterSet.alphanumerics.contains(scalar) || "_-/".unicodeScalars.contains(scalar) { return Character(scalar) }
            return "-"
        }
        var result = String(scalars)
        while result.contains("--") { result = result.replacingOccurrences(of: "--", with: "-") }
        result = result.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        guard let first = result.unicodeScalars.first, CharacterSet.letters.contains(first) else { return nil }
        return result
    }

    /// A piece of another tool's text, trimmed and made safe to nest (`nested`); nil when blank.
    static func paragraph(_ text: String) -> String? {
        let trimmed = text.trimmingWhitespaceAndNewlines()
        return trimmed.isEmpty ? nil : nested(trimmed)
    }

    /// One line, for titles.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces)
    }
}

/// Instants of the sources, as entry dates.
enum SourceDate {
    /// The wall-clock time of `instant` in `timeZone`, without offset (the vault's own time zone).
    static func local(_ instant: Date, timeZone: TimeZone) -> EntryDate {
        DateText.entryDate(instant, timeZone: timeZone)
    }

    /// The wall-clock time of `instant` where it was written, with that place's offset.
    static func withOffset(_ instant: Date, timeZone: TimeZone) -> EntryDate {
        var date = DateText.entryDate(instant, timeZone: timeZone)
        date.utcOffsetMinutes = timeZone.secondsFromGMT(for: instant) / 60
        return date
    }

    /// Reads ISO 8601 (`2024-03-08T14:03:00Z`, with or without fractional seconds).
    static func iso8601(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        // Fractional seconds (Claude writes six digits): dropped, minutes are what a heading keeps.
        if let dot = text.firstIndex(of: "."), text[..<dot].count == 19 {
            let rest = text[text.index(after: dot)...].drop(while: \.isNumber)
            return plain.date(from: String(text[..<dot]) + rest)
        }
        return nil
    }

    /// Seconds since 1970, as ChatGPT writes them (a number, sometimes a string).
    static func seconds(_ value: Any?) -> Date? {
        if let number = value as? NSNumber { return Date(timeIntervalSince1970: number.doubleValue) }
        if let double = value as? Double { return Date(timeIntervalSince1970: double) }
        if let text = value as? String, let double = Double(text) { return Date(timeIntervalSince1970: double) }
        return nil
    }
}
