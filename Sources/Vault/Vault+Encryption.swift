import AgeCrypto
import Foundation
import MarkdownCodec
import MemvaultSupport

/// Rendering of encrypted entries: the heading keeps the date (confidential, secret) or shows
/// only the id (ultrasecret); title, metadata and body are inside the armored block.
enum EntrySealing {
    static func render(tier: Tier, date: EntryDate?, id: String, armored: String) -> String {
        EntryRenderer.renderEncrypted(date: tier == .ultrasecret ? nil : date, id: id, armored: armored)
    }
}

extension Vault {
    /// Encrypts a plaintext entry to one armored age block.
    func encrypt(_ plaintext: String, to recipient: X25519Recipient) throws(VaultError) -> String {
        do {
            return String(decoding: try Age.encrypt(Array(plaintext.utf8), to: [recipient], armor: true), as: UTF8.self)
        } catch {
            throw VaultError(.badInput, "cannot encrypt: \(error.message)")
        }
    }

    /// The line of `entry`'s armor, for error messages: `alice/secret/2026-11.md:14`.
    func armorLocation(_ entry: Entry, path: String) -> String {
        let lines = entry.rawText.split(separator: "\n", omittingEmptySubsequences: false)
        let offset = lines.firstIndex { $0.hasPrefix("-----BEGIN") } ?? 0
        return "\(path):\(entry.line + offset)"
    }

    /// Decrypts an encrypted entry's block to the plaintext entry inside.
    /// - Throws: `.locked` (exit 3) when `identity` is not the block's key; `.integrity` (exit 5)
    ///   for a tampered or damaged block, naming the file and line.
    func decrypt(_ entry: Entry, path: String, with identity: X25519Identity) throws(VaultError) -> String {
        guard let block = entry.armoredBlock else { return entry.rawText }
        let where_ = armorLocation(entry, path: path)
        let plaintext: [UInt8]
        do {
            plaintext = try Age.decrypt(Array(block.utf8), with: [identity])
        } catch {
            switch error.kind {
            case .noMatch, .wrongPassphrase:
                throw VaultError(.locked, "this memory is not encrypted to the tier's current key", at: where_,
                    hint: "it may have been written with another key; decrypt it with that key's identity")
            default:
                throw VaultError(.integrity, "encrypted block is damaged or was tampered with (\(error))", at: where_)
            }
        }
        guard let text = String(validating: plaintext, as: UTF8.self) else {
            throw VaultError(.integrity, "decrypted memory is not valid UTF-8", at: where_)
        }
        return text
    }

    /// The plaintext entry inside an encrypted entry, when its tier is unlocked.
    /// - Returns: nil when the tier is locked.
    func unsealed(_ located: Located) throws(VaultError) -> (text: String, entry: Entry)? {
        guard located.entry.isEncrypted,
            let identity = try identity(user: located.user, tier: located.tier)
        else { return nil }
        let text = try decrypt(located.entry, path: located.path, with: identity)
        let parsed = EntryFile.parse(text)
        guard let inner = parsed.entries.first else {
            throw VaultError(.integrity, "decrypted memory is not an entry", at: armorLocation(located.entry, path: located.path))
        }
        return (text, inner)
    }

    /// Encrypts a rendered plaintext entry of an encrypted tier for writing.
    func sealedEntry(_ rendered: String, tier: Tier, user: String, date: EntryDate?, id: String) throws(VaultError) -> String {
        let armored = try encrypt(rendered, to: try recipient(user: user, tier: tier))
        return EntrySealing.render(tier: tier, date: date, id: id, armored: armored)
    }
}
