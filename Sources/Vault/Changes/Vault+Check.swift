import Foundation
import GitStore
import MarkdownCodec
import MemvaultSupport

/// What `check` found.
public struct CheckReport: Sendable, Codable {
    public struct Problem: Sendable, Codable, Equatable, CustomStringConvertible {
        public var path: String
        public var line: Int
        public var severity: String  // "error" or "warning"
        public var message: String
        public var description: String { "\(path):\(line): \(severity): \(message)" }
    }

    public var filesChecked = 0
    public var entriesChecked = 0
    public var problems: [Problem] = []
    /// Ids assigned by `--fix` (or that `--fix` would assign).
    public var idsAssigned = 0
    public var idsMissing = 0

    public var hasErrors: Bool { problems.contains { $0.severity == "error" } }
}

extension Vault {
    /// Validates every tier file of every user: UTF-8, entry format, duplicate ids, missing ids.
    ///
    /// - Parameter fix: give id-less entries an id (inserting only the comment line) and write
    ///   the files atomically, under the vault lock. Does not commit: `memvault commit` records it.
    /// - Parameter secretsAreErrors: report credentials in plain-text tiers as errors, not
    ///   warnings (the pre-commit hook, which must block such a commit).
    /// - Parameter staged: scan for credentials only what the next `git commit` would record (the
    ///   bytes staged in git's index for the plain tiers' files), not the working files (the
    ///   pre-commit hook: a credential elsewhere is not being committed).
    public func check(fix: Bool, secretsAreErrors: Bool = false, staged: Bool = false) throws(VaultError) -> CheckReport {
        try check(fix: fix, secretsAreErrors: secretsAreErrors, credentials: staged ? .staged : .files) { (path) throws(VaultError) in
            try readEntryFile(path)
        }
    }

    /// Where `check` looks for credentials in the plain tiers.
    enum CredentialScan {
        /// The working files.
        case files
        /// The bytes staged in git's index.
        case staged
        /// Nowhere (`status`, which counts only errors, when credentials are warnings).
        case none
    }

    /// - Parameter read: reads a tier file (`status` keeps what it read for its own counts).
    func check(
        fix: Bool, secretsAreErrors: Bool, credentials: CredentialScan, read: (String) throws(VaultError) -> EntryFile
    ) throws(VaultError) -> CheckReport {
        var report = CheckReport()
        let lock: VaultLock? = fix ? try lockVault() : nil
        defer { lock?.unlock() }
        if !fix { try recoverUnfinishedChange() }
        if let recovery = lastRecovery {
            report.problems.append(.init(path: Self.journalPath, line: 1, severity: "warning",
                message: "an unfinished change (\(recovery.change)) was found and \(recovery.action)"))
        }
        if let merge = try? mergeState() {
            report.problems.append(.init(path: ".git/MERGE_HEAD", line: 1, severity: "warning",
                message: "a merge of \(merge.theirs.prefix(12)) is in progress\(merge.conflicted.isEmpty ? "" : ", conflicts in \(merge.conflicted.joined(separator: ", "))") (memvault resolve finishes it)"))
        }
        // Every id-less file is fixed in one journaled write, after all are read.
        var fixes: [(path: String, bytes: [UInt8]?)] = []
        var firstSeen: [String: String] = [:]
        for user in config.users {
            for tier in Tier.allCases {
                for path in tierFiles(user: user, tier: tier) {
                    report.filesChecked += 1
                    var file: EntryFile
                    do {
                        file = try read(path)
                    } catch {
                        report.problems.append(.init(path: path, line: lineNumber(of: error), severity: "error", message: error.message))
                        continue
                    }
                    for line in Self.conflictMarkerLines(file.bytes) {
                        report.problems.append(.init(path: path, line: line, severity: "error",
                            message: "git conflict marker: a merge was left unfinished (memvault resolve finishes it)"))
                    }
                    for problem in file.problems {
                        report.problems.append(.init(path: path, line: problem.line, severity: problem.isError ? "error" : "warning", message: problem.message))
                    }
                    report.entriesChecked += file.entries.count
                    if !tier.isEncrypted {
                        if credentials == .files { report.problems += credentialProblems(in: file, path: path, secretsAreErrors: secretsAreErrors) }
                    } else {
                        for entry in file.entries where !entry.isEncrypted {
                            // An error, so the pre-commit hook stops a plain `git commit` of it.
                            report.problems.append(.init(path: path, line: entry.line, severity: "error",
                                message: "this memory of the encrypted \(tier.rawValue) tier is plain text: memvault commit encrypts it (a plain git commit would not)"))
                        }
                    }
                    for entry in file.entries {
                        if let original = entry.meta.first(where: { $0.key == EntryMerge.conflictKey })?.value {
                            report.problems.append(.init(path: path, line: entry.line, severity: "warning",
                                message: "unresolved sync conflict: \(entry.id ?? "this memory") is a conflict copy of \(original) (merge the texts into \(original), then memvault rm \(entry.id ?? "the copy"))"))
                        }
                        guard let id = entry.id else { continue }
                        if let other = firstSeen[id], other != path {
                            report.problems.append(.init(path: path, line: entry.line, severity: "error", message: "id \(id) is also used in \(other)"))
                        } else {
                            firstSeen[id] = path
                        }
                    }
                    let missing = file.entries.filter { $0.id == nil && $0.date != nil }
                    report.idsMissing += missing.count
                    if fix && !missing.isEmpty {
                        let assigned = file.assignMissingIDs(using: { MemoryID.generate() })
                        fixes.append((path, file.bytes))
                        report.idsAssigned += assigned.count
                    } else {
                        for entry in missing {
                            report.problems.append(.init(path: path, line: entry.line, severity: "warning", message: "memory has no id (memvault check --fix gives it one)"))
                        }
                    }
                }
            }
        }
        if credentials == .staged {
            let staged: [(path: String, bytes: [UInt8]?)]
            do {
                staged = try repository.stagedFiles()
            } catch {
                throw VaultError(.badInput, "cannot read git's index: \(error.message)")
            }
            for (path, bytes) in staged {
                guard let bytes, let place = tierOf(path: path), !place.tier.isEncrypted else { continue }
                do {
                    report.problems += credentialProblems(in: try parseEntryFile(bytes, path: path), path: path, secretsAreErrors: secretsAreErrors)
                } catch {
                    report.problems.append(.init(path: path, line: lineNumber(of: error), severity: "error", message: "as staged: \(error.message)"))
                }
            }
        }
        if !fixes.isEmpty {
            _ = try applyJournaled(fixes, message: "memvault: check --fix (\(report.idsAssigned) ids)", commit: false)
        }
        return report
    }

    /// What looks like a credential in `file` of a plain tier.
    private func credentialProblems(in file: EntryFile, path: String, secretsAreErrors: Bool) -> [CheckReport.Problem] {
        Self.credentialHits(in: file).map { hit in
            .init(path: path, line: hit.line, severity: secretsAreErrors ? "error" : "warning",
                message: "looks like a \(hit.kind.label) in a plain-text tier; move it to an encrypted tier")
        }
    }

    /// Whether a vault-relative path is one of the vault's own: memvault.toml, .gitignore, `.memvault/`
    /// or a user's folder.
    static func isVaultPath(_ path: String, users: [String]) -> Bool {
        let first = path.split(separator: "/").first.map(String.init) ?? path
        return first == configFileName || first == ".gitignore" || first == dataDirectoryName || users.contains(first)
    }

    private func lineNumber(of error: VaultError) -> Int {
        guard let location = error.location, let colon = location.lastIndex(of: ":") else { return 1 }
        return Int(location[location.index(after: colon)...]) ?? 1
    }

    /// Records direct edits: gives id-less entries their ids, refuses files memvault cannot
    /// read, and commits every change to the vault's own files (`isOwnPath`: tier and digest
    /// files, keys, memvault.toml, the template's files) as one commit. Other changed files
    /// (an editor's settings, a stray note at the root) are left alone; `changedPathsOutsideVault()` lists them.
    /// - Parameter only: record only these vault-relative paths.
    /// - Returns: the commit id and the paths recorded, or nil when nothing changed.
    /// - Parameter allowSecrets: record plain-text tier files even when they look like they hold credentials.
    /// - Throws: `.badInput` naming file and line when a changed plain-text tier file holds a credential.
    public func commitDirectEdits(message: String? = nil, only: Set<String>? = nil, allowSecrets: Bool = false) throws(VaultError) -> (commit: String, paths: [String])? {
        let lock = try lockVault()
        defer { lock.unlock() }
        return try recordDirectEdits(message: message, only: only, allowSecrets: allowSecrets)
    }

    /// `commitDirectEdits` for a caller that holds the vault lock already (sync).
    func recordDirectEdits(message: String? = nil, only: Set<String>? = nil, allowSecrets: Bool = false) throws(VaultError) -> (commit: String, paths: [String])? {
        // Only the vault's own files: an editor's files (.obsidian/, .vscode/, swap files, a
        // stray Untitled.md at the root) stay out of the history; see Vault+OwnPaths.swift.
        let paths = try changedPaths().filter { isOwnPath($0) && !Self.isPrivateFile($0) && (only?.contains($0) ?? true) }
        // A merge stock git left half done is finished by `resolve`, never committed as edits.
        try refuseConflictMarkers(in: paths)
        guard !paths.isEmpty else { return nil }
        // A link or special file is never committed from the vault's own paths: git would record
        // the link, and every later read through it would leave the vault.
        for path in paths where Self.isVaultPath(path, users: config.users) {
            if let kind = AtomicFile.kind(path, in: root), kind == .symbolicLink || kind == .other {
                throw VaultError(.integrity, "refusing \(kind) inside the vault; nothing committed", at: path,
                    hint: "a vault holds only regular files and folders; replace it with the file itself, then try again")
            }
        }
        // Every file is read and checked before any is written, so a refusal leaves all as they were.
        var files: [(path: String, file: EntryFile, changed: Bool)] = []
        for path in paths where tierOf(path: path) != nil && AtomicFile.kind(path, in: root) != nil {
            var file = try readEntryFile(path)
            guard let place = tierOf(path: path) else { continue }
            if !allowSecrets, !place.tier.isEncrypted,
                let hit = Self.credentialHits(in: file).first
            {
                throw VaultError(.badInput, "this looks like a \(hit.kind.label) in a plain-text tier; nothing committed", at: "\(path):\(hit.line)",
                    hint: "move it to an encrypted tier (memvault add --tier secret) or pass --allow-secret")
            }
            // Hand-written plain entries of an encrypted tier are encrypted before git sees them.
            let encrypted = try encryptPlainEntries(in: &file, path: path, user: place.user, tier: place.tier)
            files.append((path, file, encrypted > 0))
        }
        var writes: [(path: String, bytes: [UInt8]?)] = []
        for (path, var file, var changed) in files {
            if file.entries.contains(where: { $0.id == nil && $0.date != nil }) {
                _ = file.assignMissingIDs(using: { MemoryID.generate() })
                changed = true
            }
            if changed {
                // Encrypting hand-written entries grows the file by a third: never past what a reader takes.
                try checkWritableSize(file.bytes, path: path)
                writes.append((path, file.bytes))
            }
        }
        let summary = message ?? "memvault: commit direct edits (\(paths.count) \(paths.count == 1 ? "file" : "files"))"
        let body = paths.sorted().map { "- \($0)" }.joined(separator: "\n")
        guard let commit = try applyJournaled(writes, message: summary + "\n\n" + body + "\n", commit: true, commitPaths: paths) else {
            return nil
        }
        return (commit, paths.sorted())
    }

    /// Files memvault keeps to one device and never commits: the index cache, the journal of an
    /// unfinished change, and the temporary files of atomic writes (`.NAME.tmp-PID-RANDOM`).
    static func isPrivateFile(_ path: String) -> Bool {
        if path.hasPrefix(".memvault/cache/") || path == journalPath || path == journalAfterPath { return true }
        let name = path.split(separator: "/").last ?? ""
        return name.hasPrefix(".") && name.contains(".tmp-")
    }
}
