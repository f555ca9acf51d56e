import AgeCrypto
import Foundation
import MarkdownCodec
import MemvaultSupport

/// An encrypted entry that its tier's current key does not open: written to an older key (a
/// device that added offline before a `rotate` saw it, or a `restore` of a pre-rotate revision).
/// It is shown locked and never blocks the other entries; `rotate` re-encrypts it when it can
/// open it with a previous key of the tier.
public struct OtherKeyEntry: Sendable, Equatable, CustomStringConvertible {
    public var id: String?
    public var user: String
    public var tier: Tier
    /// `alice/secret/2026-11.md:14`, the line of its armor.
    public var location: String

    public var description: String {
        "\(id ?? "a memory without id") (\(location)) is encrypted to another key than the \(tier.rawValue) tier's current one"
    }
}

extension Vault {
    /// The metadata key inside an encrypted entry that names the place it was encrypted for:
    /// `<!-- id: 01JD... src: cli bound: alice/secret -->`. The id and the date are the inner
    /// entry's own comment and heading.
    static let bindingKey = "bound"

    static func bindingValue(user: String, tier: Tier) -> String { "\(user)/\(tier.rawValue)" }

    /// `plaintext` (one entry) with its metadata comment binding it to `user`'s `tier`, replacing
    /// any earlier binding; every other byte is kept. Text without an id or a metadata comment is
    /// returned as is (it cannot be placed: the caller gives it an id first).
    func bind(_ plaintext: String, user: String, tier: Tier) -> String {
        let file = EntryFile.parse(plaintext)
        guard let entry = file.entries.first, let id = entry.id else { return plaintext }
        let value = Self.bindingValue(user: user, tier: tier)
        let bindings = entry.meta.filter { $0.key == Self.bindingKey }
        if bindings.count == 1, bindings[0].value == value { return plaintext }
        let bytes = file.bytes
        // The metadata comment starts on the line under the heading (after at most three spaces).
        guard let headingEnd = bytes[entry.byteRange].firstIndex(of: 0x0A) else { return plaintext }
        var open = headingEnd + 1
        while open < bytes.count, open - headingEnd <= 3, bytes[open] == 0x20 { open += 1 }
        let opening = Array("<!--".utf8), closing = Array("-->".utf8)
        guard bytes[open...].starts(with: opening) else { return plaintext }
        var close = open + opening.count
        while close + closing.count <= bytes.count, !bytes[close..<(close + closing.count)].elementsEqual(closing) { close += 1 }
        guard close + closing.count <= bytes.count else { return plaintext }
        var meta = entry.meta.filter { $0.key != Self.bindingKey }
        meta.append(MetaField(key: Self.bindingKey, value: value))
        var output = Array(bytes[..<open])
        output += Array(EntryRenderer.metadataComment(id: id, meta: meta).utf8)
        output += bytes[(close + closing.count)...]
        return String(decoding: output, as: UTF8.self)
    }

    /// Checks that the entry decrypted from `located` belongs there: the same id as its heading and
    /// comment, the same date where the heading shows one, and (for entries encrypted since
    /// binding exists) the same user and tier. Entries encrypted before carry no `bound` field and
    /// are accepted on id and date; they are bound when next re-encrypted (edit, rotate).
    /// - Throws: `.integrity` (exit 5) naming the memory and the line of its armor.
    func checkBinding(_ inner: Entry, of located: Located) throws(VaultError) {
        let at = armorLocation(located.entry, path: located.path)
        let name = located.entry.id ?? "this memory"
        let hint = "an encrypted block was swapped or copied from another memory; restore the file from git (memvault history \(name))"
        if let outer = located.entry.id, let innerID = inner.id, outer != innerID {
            throw VaultError(.integrity, "memory \(outer) holds the encrypted text of another memory (\(innerID))", at: at, hint: hint)
        }
        if let bound = inner.meta.first(where: { $0.key == Self.bindingKey })?.value,
            bound != Self.bindingValue(user: located.user, tier: located.tier)
        {
            throw VaultError(.integrity, "memory \(name) was encrypted for another user or tier than \(located.user)/\(located.tier.rawValue)",
                at: at, hint: hint)
        }
        if let outerDate = located.entry.date, let innerDate = inner.date, outerDate != innerDate {
            throw VaultError(.integrity, "memory \(name) is dated differently inside its encrypted block than in its heading", at: at, hint: hint)
        }
    }

    /// Records an entry the tier's current key does not open, once (see `otherKeyEntries`).
    func noteOtherKey(_ located: Located) {
        let entry = OtherKeyEntry(
            id: located.entry.id, user: located.user, tier: located.tier, location: armorLocation(located.entry, path: located.path))
        if !otherKeyEntries.contains(entry) { otherKeyEntries.append(entry) }
    }

    // MARK: Plain text written by hand into an encrypted tier

    /// Encrypts every plain (hand-written) entry of an encrypted tier's file to the tier's
    /// recipient, in place, so that it never reaches git as plain text. Only the public
    /// recipient is needed: nothing is unlocked. Entries without an id get one first.
    ///
    /// `commit`, `sync` and (through `commitDirectEdits`) every other recorder of direct edits
    /// call this for each changed file of an encrypted tier.
    /// - Parameters:
    ///   - file: the parsed file; changed in place.
    ///   - path: its vault-relative path (for errors).
    /// - Returns: the number of entries encrypted.
    /// - Throws: `.badInput` when the file holds plain text outside any dated entry (it could not
    ///   be encrypted per entry) or the tier has no key; nothing is written then.
    @discardableResult
    public func encryptPlainEntries(in file: inout EntryFile, path: String, user: String, tier: Tier) throws(VaultError) -> Int {
        guard tier.isEncrypted else { return 0 }
        // Text no entry holds would stay plain: a heading without a date, text before the first entry.
        for problem in file.problems
        where problem.kind == .headingWithoutDate || problem.kind == .invalidDate || problem.kind == .textBeforeFirstEntry {
            throw VaultError(.badInput,
                "text outside any dated memory in the encrypted \(tier.rawValue) tier would be committed as plain text; nothing committed",
                at: "\(path):\(problem.line)",
                hint: "give it a heading '## YYYY-MM-DD HH:MM' so memvault encrypts it, or move it out of \(tier.rawValue)/")
        }
        guard file.entries.contains(where: { !$0.isEncrypted }) else { return 0 }
        let recipient = try recipient(user: user, tier: tier)
        file.assignMissingIDs(using: { MemoryID.generate() })
        var count = 0
        for entry in file.entries where !entry.isEncrypted {
            guard let id = entry.id else {
                throw VaultError(.badInput,
                    "a plain memory in the encrypted \(tier.rawValue) tier has a metadata comment memvault cannot read; nothing committed",
                    at: "\(path):\(entry.line)", hint: "fix the comment under its heading (memvault check names the problem)")
            }
            let plaintext = bind(entry.rawText.trimmedTrailingWhitespace() + "\n", user: user, tier: tier)
            let armored = try encrypt(plaintext, to: recipient)
            guard file.replace(id: id, with: EncryptedEntry.render(tier: tier, date: entry.date, id: id, armored: armored)) else {
                throw VaultError(.badInput, "memory \(id) could not be encrypted in place; nothing committed", at: "\(path):\(entry.line)")
            }
            count += 1
        }
        return count
    }
}
