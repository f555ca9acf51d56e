import Foundation
import MarkdownCodec
import MemvaultSupport

extension Vault {
    /// Removes the memory with `id` and commits (`memvault: rm general 01JD...`).
    /// The text stays in git history.
    @discardableResult
    public func remove(id: String) throws(VaultError) -> Memory {
        var removed: Memory?
        try transaction("memvault: rm \(removed?.tier.rawValue ?? "") \(id)") { (changes) throws(VaultError) in
            let located = try locate(id: id)
            removed = (try? memory(located)) ?? lockedMemory(located)
            var file = try readEntryFile(located.path)
            guard file.remove(id: id) else { throw VaultError(.badInput, "no memory with id \(id)", at: located.path) }
            changes.write(located.path, file.bytes)
        }
        return removed!
    }

    /// The exact text of a memory's entry, for editing.
    public func entryText(id: String) throws(VaultError) -> (text: String, memory: Memory) {
        let located = try locate(id: id)
        if located.entry.isEncrypted {
            guard let (text, _) = try decrypted(located) else {
                throw VaultError(.locked, "the \(located.tier.rawValue) tier is locked", at: located.path,
                    hint: "unlock it first: memvault unlock \(located.tier.rawValue)")
            }
            return (text, try memory(located))
        }
        return (located.entry.rawText, try memory(located))
    }

    /// Replaces a memory's entry with `newText` (an edited copy of `entryText(id:)`) and commits.
    ///
    /// - Parameters:
    ///   - original: the entry text the edit started from; if the file changed meanwhile, nothing is written.
    /// - Returns: the memory as now written, or nil when the text did not change.
    /// - Throws: `VaultError.badInput` when the new text is not exactly one entry.
    public func replaceEntry(id: String, original: String, newText: String) throws(VaultError) -> Memory? {
        let trimmed = newText.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed != original.trimmingCharacters(in: .whitespacesAndNewlines) else { return nil }
        guard !trimmed.isEmpty else {
            throw VaultError(.badInput, "the edited memory is empty; nothing changed", hint: "to delete it: memvault rm \(id)")
        }
        try checkLimits(Array(trimmed.utf8), at: "the edited memory \(id)")
        var parsed = EntryFile.parse(trimmed + "\n")
        if parsed.entries.count == 1, parsed.entries[0].id == nil {
            _ = parsed.assignMissingIDs(using: { id })
        }
        guard parsed.entries.count == 1, parsed.problems.allSatisfy({ !$0.isError }),
            let first = parsed.entries.first, first.date != nil
        else {
            let problem = parsed.problems.first(where: \.isError).map { ": \($0.message)" } ?? ""
            throw VaultError(.badInput, "the edited text is not exactly one dated memory\(problem); nothing changed")
        }
        guard first.id == id else {
            throw VaultError(.badInput, "the edited memory's id changed to \(first.id ?? "none"); nothing changed",
                hint: "keep the line <!-- id: \(id) --> under the heading")
        }
        var path = ""
        var written: EntryFile?
        try transaction("memvault: edit \(tierOf(path: path)?.tier.rawValue ?? "") \(id)") { (changes) throws(VaultError) in
            let located = try locate(id: id)
            path = located.path
            let current = try located.entry.isEncrypted ? decrypted(located)?.text : located.entry.rawText
            guard let current, current.trimmingCharacters(in: .whitespacesAndNewlines)
                == original.trimmingCharacters(in: .whitespacesAndNewlines)
            else {
                throw VaultError(.badInput, "memory \(id) changed while you were editing it; nothing written", at: located.path)
            }
            let newEntry = String(decoding: parsed.bytes, as: UTF8.self)
            var file = try readEntryFile(located.path)
            let replaced: Bool
            if located.tier.isEncrypted {
                let encrypted = try encryptedEntry(newEntry, tier: located.tier, user: located.user, date: first.date, id: id)
                replaced = file.replace(id: id, with: encrypted)
            } else {
                if Self.credentialHits(inEntry: newEntry).count > Self.credentialHits(inEntry: current).count {
                    throw VaultError(.badInput, "the edited memory looks like it holds a credential; nothing written", at: located.path,
                        hint: "move it to an encrypted tier: memvault add --tier secret")
                }
                replaced = file.replace(id: id, with: newEntry)
            }
            guard replaced else {
                throw VaultError(.badInput, "the edited memory does not fit back into its file; nothing written", at: located.path)
            }
            // An edit stays in its file, even past the threshold of new parts, but never past the file limit.
            try checkWritableSize(file.bytes, path: located.path)
            changes.write(located.path, file.bytes)
            written = file
        }
        return try memory(id: id, user: tierOf(path: path)?.user ?? "", in: path, written: written)
    }

    /// A vault-relative path of the file `edit` without an id opens: this month's file of `tier`,
    /// or its last part when the month is continued in parts (where `add` writes next).
    public func currentFilePath(user: String, tier: Tier, now: Date = Date()) -> String {
        let month = monthFilePath(user: user, tier: tier, date: config.entryDate(now))
        return MonthFiles.partPath(month, part: MonthFiles.lastPart(of: month, in: root).part)
    }

    /// The absolute URL of a vault-relative path.
    public func fileURL(_ relativePath: String) -> URL {
        url(relativePath)
    }

    /// The text of a vault file, read without following any link; nil when absent, unreadable or not UTF-8.
    public func fileText(_ relativePath: String) -> String? {
        (try? AtomicFile.read(relativePath, in: root)).flatMap { $0 }.flatMap { String(validating: $0, as: UTF8.self) }
    }

    /// Makes a vault file ready to be opened by a program that follows links (an editor): its folders
    /// exist as real folders (0700) and the file is absent or a regular file.
    /// - Throws: `.integrity` (exit 5) naming a link or special file on the way.
    public func prepareForEditor(_ relativePath: String) throws(VaultError) {
        do {
            try AtomicFile.createDirectory((relativePath as NSString).deletingLastPathComponent, in: root)
            if let kind = AtomicFile.kind(relativePath, in: root), kind != .regular {
                _ = try AtomicFile.read(relativePath, in: root)  // reports the link or special file by name
            }
        } catch {
            throw VaultError(error)
        }
    }
}
