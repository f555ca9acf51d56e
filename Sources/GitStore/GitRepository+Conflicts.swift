import Foundation
internal import CGit2
internal import CGit2Loader

/// A path a stopped merge left conflicted: its blobs in the index's stages 1 (base), 2 (ours), 3 (theirs).
public struct MergeConflict: Sendable, Equatable {
    public var path: String
    /// Blob ids; nil when the side does not have the file.
    public var ancestor: String?
    public var ours: String?
    public var theirs: String?
}

extension GitRepository {
    /// The commit a merge stock git left half done is merging (`.git/MERGE_HEAD`), or nil.
    public func mergeHead() -> String? {
        guard let data = FileManager.default.contents(atPath: gitDirectory.appendingPathComponent("MERGE_HEAD").path),
            let line = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first
        else { return nil }
        let id = line.trimmingCharacters(in: .whitespaces)
        return id.isEmpty ? nil : id
    }

    /// The conflicted paths of the index (stages 1–3), sorted by path.
    public func conflicts() throws(GitError) -> [MergeConflict] {
        let index = try openIndex()
        defer { git.git_index_free(index) }
        guard git.git_index_has_conflicts(index) != 0 else { return [] }
        var iterator: OpaquePointer?
        try check(git.git_index_conflict_iterator_new(&iterator, index), "git_index_conflict_iterator_new")
        defer { git.git_index_conflict_iterator_free(iterator) }
        var result: [MergeConflict] = []
        while true {
            var ancestor: UnsafePointer<git_index_entry>?
            var ours: UnsafePointer<git_index_entry>?
            var theirs: UnsafePointer<git_index_entry>?
            let status = git.git_index_conflict_next(&ancestor, &ours, &theirs, iterator)
            if status == GIT_ITEROVER.rawValue { break }
            try check(status, "git_index_conflict_next")
            let path = [ancestor, ours, theirs].compactMap { $0.flatMap { string($0.pointee.path) } }.first ?? ""
            result.append(MergeConflict(
                path: path, ancestor: ancestor.map { $0.pointee.id.hex },
                ours: ours.map { $0.pointee.id.hex },
                theirs: theirs.map { $0.pointee.id.hex }))
        }
        return result.sorted { $0.path < $1.path }
    }

    /// Finishes a merge stock git stopped: stages `resolved` (path → bytes, nil removes) over the
    /// conflicts, commits the index with parents HEAD and MERGE_HEAD, and clears the merge state.
    ///
    /// - Returns: The merge commit id.
    /// - Throws: `GitError` when no merge is in progress or a conflict is left unresolved.
    public func commitStoppedMerge(resolved: [String: [UInt8]?], message: String, author: Signature) throws(GitError) -> String {
        guard let theirs = mergeHead() else {
            throw GitError(code: GIT_ENOTFOUND.rawValue, function: "commitStoppedMerge", message: "no merge in progress", path: gitDirectory.path)
        }
        let index = try openIndex()
        defer { git.git_index_free(index) }
        for (path, content) in resolved.sorted(by: { $0.key < $1.key }) {
            let path = normalizedRelativePath(path, workdir: workdir)
            var mode = GIT_FILEMODE_BLOB.rawValue
            for stage: Int32 in [2, 3, 1, 0] {
                if let entry = git.git_index_get_bypath(index, path, stage) { mode = entry.pointee.mode; break }
            }
            if git.git_index_conflict_remove(index, path) < 0 { git.git_error_clear() }  // not conflicted: nothing to remove
            if let content {
                let blobID = try writeBlob(content, path: path)
                var entry = git_index_entry()
                entry.mode = mode
                entry.id = blobID
                let added = path.withCString { cPath in
                    entry.path = cPath
                    return git.git_index_add(index, &entry)
                }
                try check(added, "git_index_add", path: path)
            } else {
                _ = git.git_index_remove_bypath(index, path)
            }
        }
        guard git.git_index_has_conflicts(index) == 0 else {
            throw GitError(code: GIT_EUNMERGED.rawValue, function: "commitStoppedMerge", message: "conflicts remain in the index", path: workdir.path)
        }
        try check(git.git_index_write(index), "git_index_write", path: gitDirectory.path)
        var treeID = git_oid()
        try check(git.git_index_write_tree(&treeID, index), "git_index_write_tree")
        let head = try headCommitPointer()
        defer { git.git_commit_free(head) }
        let other = try lookupCommit(theirs)
        defer { git.git_commit_free(other) }
        let id = try createCommit(tree: treeID, parents: [head, other], message: message, author: author, updateRef: "HEAD")
        try check(git.git_repository_state_cleanup(pointer), "git_repository_state_cleanup")
        return id.hex
    }
}
