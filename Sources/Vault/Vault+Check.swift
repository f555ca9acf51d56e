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
    public func check(fix: Bool) throws(VaultError) -> CheckReport {
        var report = CheckReport()
        let lock: VaultLock?
        do {
            lock = fix ? try VaultLock(at: lockURL) : nil
        } catch {
            throw VaultError(.badInput, error.message, at: error.path)
        }
        defer { lock?.unlock() }
        var firstSeen: [String: String] = [:]
        for user in config.users {
            for tier in Tier.allCases {
                for path in tierFiles(user: user, tier: tier) {
                    report.filesChecked += 1
                    var file: EntryFile
                    do {
                        file = try readEntryFile(path)
                    } catch {
                        report.problems.append(.init(path: path, line: lineNumber(of: error), severity: "error", message: error.message))
                        continue
                    }
                    for problem in file.problems {
                        report.problems.append(.init(path: path, line: problem.line, severity: problem.isError ? "error" : "warning", message: problem.message))
                    }
                    report.entriesChecked += file.entries.count
                    if !tier.isEncrypted {
                        for hit in SecretScanner.scan(String(decoding: file.bytes, as: UTF8.self)) {
                            report.problems.append(.init(path: path, line: hit.line, severity: "warning",
                                message: "looks like a \(hit.kind.label) in a plain-text tier; move it to an encrypted tier"))
                        }
                    } else {
                        for entry in file.entries where !entry.isEncrypted {
                            report.problems.append(.init(path: path, line: entry.line, severity: "warning",
                                message: "this memory of the encrypted \(tier.rawValue) tier is stored as plain text"))
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
                        do {
                            try AtomicFile.write(file.bytes, to: url(path))
                        } catch {
                            throw VaultError(.badInput, error.message, at: path)
                        }
                        report.idsAssigned += assigned.count
                    } else {
                        for entry in missing {
                            report.problems.append(.init(path: path, line: entry.line, severity: "warning", message: "memory has no id (memvault check --fix gives it one)"))
                        }
                    }
                }
            }
        }
        return report
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
        let paths = try changedPaths().filter { isOwnPath($0) && (only?.contains($0) ?? true) }
        guard !paths.isEmpty else { return nil }
        // Every file is read and checked before any is written, so a refusal leaves all as they were.
        var files: [(path: String, file: EntryFile)] = []
        for path in paths where tierOf(path: path) != nil && FileManager.default.fileExists(atPath: url(path).path) {
            let file = try readEntryFile(path)
            if !allowSecrets, let tier = tierOf(path: path)?.tier, !tier.isEncrypted,
                let hit = SecretScanner.scan(String(decoding: file.bytes, as: UTF8.self)).first
            {
                throw VaultError(.badInput, "this looks like a \(hit.kind.label) in a plain-text tier; nothing committed", at: "\(path):\(hit.line)",
                    hint: "move it to an encrypted tier (memvault add --tier secret) or pass --allow-secret")
            }
            files.append((path, file))
        }
        for (path, var file) in files {
            if file.entries.contains(where: { $0.id == nil && $0.date != nil }) {
                _ = file.assignMissingIDs(using: { MemoryID.generate() })
                do {
                    try AtomicFile.write(file.bytes, to: url(path))
                } catch {
                    throw VaultError(.badInput, error.message, at: path)
                }
            }
        }
        let summary = message ?? "memvault: commit direct edits (\(paths.count) \(paths.count == 1 ? "file" : "files"))"
        let body = paths.sorted().map { "- \($0)" }.joined(separator: "\n")
        let author = try signature()
        do {
            guard let commit = try repository.commit(paths: paths, message: summary + "\n\n" + body + "\n", author: author) else {
                return nil
            }
            return (commit, paths.sorted())
        } catch {
            throw VaultError(.badInput, "commit failed: \(error.message)")
        }
    }
}
