import Foundation
import GitStore

/// Which files belong to the vault, so that `commit`, `sync` and `watch` record only those.
///
/// Editors that live in the vault leave files of their own beside the memories: Obsidian's
/// `.obsidian/workspace.json` (rewritten on every click) and `.trash/`, VS Code's `.vscode/`,
/// swap and backup files, a stray `Untitled.md` at the root. None of them is a memory, and
/// committing them would make every sync a conflict between devices.
extension Vault {
    /// Whether a vault-relative path is one of the vault's own files: a Markdown file in a tier
    /// folder or a digest folder of a user of the vault, a key under `.memvault/keys/`,
    /// `memvault.toml`, or one of the files `memvault init` copies from the template.
    public func isOwnPath(_ path: String) -> Bool {
        Self.isOwnPath(path, users: config.users)
    }

    static func isOwnPath(_ path: String, users: [String]) -> Bool {
        if templatePaths.contains(path) { return true }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count >= 3, parts[0] == ".memvault", parts[1] == "keys" {
            return !EditorFiles.isScratch(String(parts.last!))
        }
        guard parts.count >= 3, path.hasSuffix(".md"), users.contains(String(parts[0])),
            Tier(rawValue: String(parts[1])) != nil || parts[1] == "digests"
        else { return false }
        // Hidden folders or files inside a tier folder (an editor's own) are not memories.
        return !parts.dropFirst().contains { $0.isEmpty || $0.hasPrefix(".") } && !EditorFiles.isScratch(String(parts.last!))
    }

    /// The root files `memvault init` writes (from `vault-template/`).
    static let templatePaths: Set<String> = Set(VaultTemplate.files.map(\.path))

    /// Changed files (against HEAD, untracked included) that are not the vault's own, sorted:
    /// what `commit`, `sync` and `watch` leave alone and mention. memvault's own working files
    /// under `.memvault/` (cache, journal, lock) are neither committed nor mentioned.
    public func changedPathsOutsideVault() throws(VaultError) -> [String] {
        // Swap and backup files come and go with every save: not worth a mention.
        try changedPaths().filter {
            !isOwnPath($0) && !$0.hasPrefix(".memvault/") && !EditorFiles.isScratch(($0 as NSString).lastPathComponent)
        }
    }

    /// Every changed path (against HEAD, untracked included), both sides of a rename.
    func changedPaths() throws(VaultError) -> [String] {
        let changes: [FileChange]
        do {
            changes = try repository.changedPaths()
        } catch {
            throw VaultError(.badInput, "cannot read git status: \(error.message)", at: root.path)
        }
        var paths: [String] = []
        for change in changes {
            switch change {
            case .added(let p), .modified(let p), .deleted(let p): paths.append(p)
            case .renamed(let from, let to): paths += [from, to]
            }
        }
        return paths
    }
}

/// The names editors give their swap, backup and probe files while saving.
public enum EditorFiles {
    /// Whether a file name is an editor's scratch file rather than a document: vim's `.name.swp`
    /// (and `.swo`, `.swx`...) and its `4913` write probe, `name~` backups, Emacs's `.#name`
    /// lock links and `#name#` autosaves, `.name.tmp`-style temporaries, and partial downloads.
    public static func isScratch(_ name: String) -> Bool {
        if name == "4913" || name.hasSuffix("~") || name.hasPrefix(".#") { return true }
        if name.hasPrefix("#") && name.hasSuffix("#") { return true }
        let lower = name.lowercased()
        for suffix in [".swp", ".swo", ".swn", ".swx", ".tmp", ".temp", ".bak", ".orig", ".part", ".crdownload"]
        where lower.hasSuffix(suffix) {
            return true
        }
        // vim's other swap names (.swa ... .swz) when several sessions edit one file.
        if lower.count > 4, lower.hasPrefix("."), let dot = lower.lastIndex(of: "."),
            lower[dot...].count == 4, lower[dot...].hasPrefix(".sw")
        {
            return true
        }
        return false
    }
}
