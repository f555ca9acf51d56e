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
            removed = memory(located)
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
            throw VaultError(.locked, "memory \(id) is in the encrypted \(located.tier.rawValue) tier", at: located.path,
                hint: "editing encrypted memories is not available in this build yet")
        }
        return (located.entry.rawText, memory(located))
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
        try transaction("memvault: edit \(tierOf(path: path)?.tier.rawValue ?? "") \(id)") { (changes) throws(VaultError) in
            let located = try locate(id: id)
            path = located.path
            guard located.entry.rawText.trimmingCharacters(in: .whitespacesAndNewlines)
                == original.trimmingCharacters(in: .whitespacesAndNewlines)
            else {
                throw VaultError(.badInput, "memory \(id) changed while you were editing it; nothing written", at: located.path)
            }
            var file = try readEntryFile(located.path)
            guard file.replace(id: id, with: String(decoding: parsed.bytes, as: UTF8.self)) else {
                throw VaultError(.badInput, "the edited memory does not fit back into its file; nothing written", at: located.path)
            }
            changes.write(located.path, file.bytes)
        }
        return try memory(id: id, user: tierOf(path: path)?.user ?? "", in: path)
    }

    /// A vault-relative path of the file `edit` without an id opens: this month's file of `tier`.
    public func currentFilePath(user: String, tier: Tier, now: Date = Date()) -> String {
        monthFilePath(user: user, tier: tier, date: DateText.entryDate(now, timeZone: config.timeZone))
    }

    /// The absolute URL of a vault-relative path.
    public func fileURL(_ relativePath: String) -> URL {
        url(relativePath)
    }
}
