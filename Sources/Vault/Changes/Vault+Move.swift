import Foundation
import MarkdownCodec
import MemvaultSupport

extension Vault {
    /// Moves the memory `id` to `tier` (the month file of its date there, or that month's last
    /// part; see MonthFiles.swift), keeping its id, and
    /// commits (`memvault: mv secret general 01JD...`): encrypted to the new tier's key when it
    /// is encrypted, decrypted when it leaves an encrypted tier. The old bytes leave the working
    /// tree; git history keeps them.
    ///
    /// - Parameters:
    ///   - force: needed to move down from an encrypted tier (to a lower one).
    ///   - allowSecrets: write a text that looks like a credential to a plain tier anyway.
    /// - Throws: `.badInput` for an unknown id, the same tier, a downward move without `force`,
    ///   a credential bound for a plain tier, or a target tier without a key; `.locked` when the
    ///   memory's encrypted tier is locked. Nothing is written then.
    @discardableResult
    public func move(id: String, to tier: Tier, force: Bool = false, allowSecrets: Bool = false) throws(VaultError) -> Memory {
        var target = ""
        var user = ""
        var from: Tier = tier
        try transaction("memvault: mv \(from.rawValue) \(tier.rawValue) \(id)") { (changes) throws(VaultError) in
            let located = try locate(id: id)
            user = located.user
            from = located.tier
            guard located.tier != tier else {
                throw VaultError(.badInput, "memory \(id) is in the \(tier.rawValue) tier already", at: located.path)
            }
            if located.tier.isEncrypted && tier < located.tier && !force {
                throw VaultError(.badInput, "moving memory \(id) down from the encrypted \(located.tier.rawValue) tier to \(tier.rawValue) needs --force; nothing moved",
                    at: located.path, hint: "its text will be \(tier.isEncrypted ? "readable with the \(tier.rawValue) key" : "stored as plain text in git")")
            }
            let plaintext: String
            let inner: Entry
            if located.entry.isEncrypted {
                guard let (text, entry) = try decrypted(located) else {
                    throw VaultError(.locked, "the \(located.tier.rawValue) tier is locked", at: located.path,
                        hint: "unlock it first: memvault unlock \(located.tier.rawValue)")
                }
                plaintext = text
                inner = entry
            } else {
                plaintext = located.entry.rawText
                inner = located.entry
            }
            var rendered = plaintext.trimmingCharacters(in: .whitespacesAndNewlines) + "\n"
            if inner.id == nil {
                var parsed = EntryFile.parse(rendered)
                _ = parsed.assignMissingIDs(using: { id })
                rendered = String(decoding: parsed.bytes, as: UTF8.self)
            }
            let date = inner.date ?? located.entry.date ?? config.entryDate(Date())
            if tier.isEncrypted {
                rendered = try encryptedEntry(rendered, tier: tier, user: located.user, date: date, id: id)
            } else if !allowSecrets, let hit = Self.credentialHits(inEntry: rendered).first {
                throw VaultError(.badInput, "memory \(id) looks like it holds a credential (\(hit.kind.label), line \(hit.line) of the entry); nothing moved",
                    at: located.path, hint: "keep it in an encrypted tier, or pass --allow-secret if it is not a secret")
            }
            target = newEntryPath(user: located.user, tier: tier, date: date, bytes: rendered.utf8.count)
            var old = try readEntryFile(located.path)
            guard old.remove(id: id) else { throw VaultError(.badInput, "no memory with id \(id)", at: located.path) }
            var new = try readEntryFile(target)
            guard new.insert(rendered) else {
                throw VaultError(.badInput, "cannot place the memory in this file (an unclosed code fence?); nothing moved", at: target,
                    hint: "run memvault check and fix the file by hand")
            }
            try checkWritableSize(new.bytes, path: target)
            changes.write(located.path, old.bytes)
            changes.write(target, new.bytes)
        }
        return try memory(id: id, user: user, in: target)
    }
}
