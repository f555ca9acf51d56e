import Foundation
import GitStore
import MarkdownCodec
import MemvaultSupport

/// A merge stock git left half done (`git pull` or `git merge` stopped on conflicts).
public struct MergeState: Sendable, Codable, Equatable {
    /// The commit being merged in (`MERGE_HEAD`).
    public var theirs: String
    /// Paths still conflicted in the index.
    public var conflicted: [String]
}

/// What `resolve` did.
public struct ResolveReport: Sendable, Codable {
    /// The two-parent merge commit.
    public var commit: String
    /// The conflicted files, merged entry by entry (or line by line for other files).
    public var merged: [String]
    /// Conflicted files whose working copy had been resolved by hand (no markers left): kept as they are.
    public var keptAsEdited: [String]
    /// Ids edited differently on both sides; each has a conflict copy now.
    public var conflicts: [String]

    enum CodingKeys: String, CodingKey {
        case commit, merged, conflicts
        case keptAsEdited = "kept_as_edited"
    }
}

extension Vault {
    /// The merge stock git left unfinished in this vault, if any.
    public func mergeState() throws(VaultError) -> MergeState? {
        // Without a MERGE_HEAD file there is no merge: no need to start libgit2 for that.
        guard FileManager.default.fileExists(atPath: url(".git/MERGE_HEAD").path) else { return nil }
        guard let theirs = try gitStep("read the merge state", { () throws(GitError) in try repository.mergeHead() }) else { return nil }
        let conflicted = try gitStep("read the conflicts") { () throws(GitError) in try repository.conflicts().map(\.path) }
        return MergeState(theirs: theirs, conflicted: conflicted)
    }

    /// The 1-based lines of git conflict markers (`<<<<<<< `, `=======`, `>>>>>>> `) in a file that
    /// has both an opening and a closing marker; empty for any other file.
    public static func conflictMarkerLines(_ bytes: [UInt8]) -> [Int] {
        var opening: [Int] = [], closing: [Int] = [], middle: [Int] = []
        var number = 0
        for raw in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            let line = raw.last == UInt8(ascii: "\r") ? raw.dropLast() : raw[...]
            if line.starts(with: Array("<<<<<<<".utf8)) && (line.count == 7 || line[line.startIndex + 7] == 32) {
                opening.append(number)
            } else if line.starts(with: Array(">>>>>>>".utf8)) && (line.count == 7 || line[line.startIndex + 7] == 32) {
                closing.append(number)
            } else if line.elementsEqual("=======".utf8) || line.starts(with: Array("||||||| ".utf8)) {
                middle.append(number)
            }
        }
        guard !opening.isEmpty, !closing.isEmpty else { return [] }
        return (opening + middle + closing).sorted()
    }

    /// Finishes a merge stock git stopped on conflicts, with the entry-level merge `sync` uses.
    ///
    /// For each conflicted path, the index's stages 1–3 (base, ours, theirs) are merged by
    /// `EntryMerge` (memory files: every entry of both sides kept, an entry edited on both sides
    /// kept twice, the other as a conflict copy) or line by line (other files). A conflicted file
    /// whose working copy has no markers left was resolved by hand and is taken as it is. The
    /// files are written and committed with parents HEAD and MERGE_HEAD in one journaled change.
    /// - Throws: `.badInput` when no merge is in progress; `.conflict` (exit 4) when a file outside
    ///   the memory format cannot be merged line by line (nothing is written then).
    public func resolveMerge() throws(VaultError) -> ResolveReport {
        let lock = try lockVault()
        defer { lock.unlock() }
        guard let theirs = try gitStep("read the merge state", { () throws(GitError) in try repository.mergeHead() }) else {
            throw VaultError(.badInput, "no merge in progress", at: root.path,
                hint: "memvault resolve finishes a merge that git pull or git merge stopped on conflicts")
        }
        let conflicts = try gitStep("read the conflicts") { () throws(GitError) in try repository.conflicts() }
        var writes: [(path: String, bytes: [UInt8]?)] = []
        var report = ResolveReport(commit: "", merged: [], keptAsEdited: [], conflicts: [])
        var unmergeable: [String] = []
        for conflict in conflicts {
            let path = conflict.path
            let (base, ours, their) = try gitStep("read the merge sides") { () throws(GitError) -> ([UInt8]?, [UInt8]?, [UInt8]?) in
                (try conflict.ancestor.map { (b) throws(GitError) in try repository.blob(b) },
                 try conflict.ours.map { (b) throws(GitError) in try repository.blob(b) },
                 try conflict.theirs.map { (b) throws(GitError) in try repository.blob(b) })
            }
            // A working copy without markers that is neither side was resolved by hand: keep it.
            if let working = try? AtomicFile.read(path, in: root), Self.conflictMarkerLines(working).isEmpty,
                working != ours, working != their
            {
                writes.append((path, working))
                report.keptAsEdited.append(path)
                continue
            }
            if Self.isEntryFilePath(path) {
                do {
                    let merged = try EntryMerge.merge(base: base, ours: ours ?? [], theirs: their ?? [])
                    let deleted = merged.bytes.allSatisfy { $0 == 10 || $0 == 13 || $0 == 32 } && (ours == nil || their == nil)
                    writes.append((path, deleted ? nil : merged.bytes))
                    report.conflicts += merged.conflicts
                    report.merged.append(path)
                } catch {
                    unmergeable.append(path)
                }
            } else if let ours, let their, let merged = EntryMerge.mergeLines(base: base ?? [], ours: ours, theirs: their) {
                writes.append((path, merged))
                report.merged.append(path)
            } else {
                unmergeable.append(path)
            }
        }
        guard unmergeable.isEmpty else {
            throw VaultError(.conflict,
                "cannot merge \(unmergeable.joined(separator: ", ")): outside the memory format, changed in the same lines on both sides",
                at: root.path,
                hint: "edit the file, remove the markers, git add it, then memvault resolve; nothing was written")
        }
        let short = String(theirs.prefix(12))
        let message = "memvault: resolve merge of \(short)\n\n" + writes.map { "- \($0.path)" }.joined(separator: "\n") + "\n"
        let author = try signature()
        let resolved = Dictionary(writes.map { ($0.path, $0.bytes) }, uniquingKeysWith: { $1 })
        let opened = try gitStep("open the repository") { () throws(GitError) in try repository }
        let commit = try applyJournaled(writes, message: message, commit: true) {
            try opened.commitStoppedMerge(resolved: resolved, message: message, author: author)
        }
        report.commit = commit ?? ""
        report.conflicts.sort()
        return report
    }

    /// Refuses to record files while a merge is half done or a file holds conflict markers.
    func refuseConflictMarkers(in paths: [String]) throws(VaultError) {
        if let state = try mergeState() {
            throw VaultError(.conflict,
                "a merge of \(state.theirs.prefix(12)) is in progress\(state.conflicted.isEmpty ? "" : " with conflicts in \(state.conflicted.joined(separator: ", "))"); nothing committed",
                at: root.path, hint: "finish it with: memvault resolve")
        }
        for path in paths where Self.isEntryFilePath(path) || path.hasSuffix(".md") || path == Self.configFileName {
            guard let bytes = try? AtomicFile.read(path, in: root), let line = Self.conflictMarkerLines(bytes).first else { continue }
            throw VaultError(.badInput, "git conflict markers in the file; nothing committed", at: "\(path):\(line)",
                hint: "merge the two versions by hand and remove the <<<<<<< ======= >>>>>>> lines")
        }
    }
}
