import Foundation
import MemvaultSupport
internal import CGit2
internal import CGit2Loader

extension GitRepository {
    /// The best common ancestor of two revisions, or nil when they share no history.
    public func mergeBase(_ a: String, _ b: String) throws(GitError) -> String? {
        var one = try commitID(a)
        var two = try commitID(b)
        var base = git_oid()
        let result = git.git_merge_base(&base, pointer, &one, &two)
        if result == GIT_ENOTFOUND.rawValue {
            git.git_error_clear()
            return nil
        }
        try check(result, "git_merge_base")
        return base.hex
    }

    /// Whether `descendant` contains `ancestor` in its history (or is it).
    public func isAncestor(_ ancestor: String, of descendant: String) throws(GitError) -> Bool {
        var old = try commitID(ancestor)
        var new = try commitID(descendant)
        if git.git_oid_equal(&old, &new) != 0 { return true }
        return try check(git.git_graph_descendant_of(pointer, &new, &old), "git_graph_descendant_of") == 1
    }

    /// Writes a merge commit and moves the current branch to it, checking it out safely.
    ///
    /// The tree is HEAD's tree with `files` replaced (`nil` deletes). Files keep their
    /// mode; new ones are 0644. The checkout never overwrites local modifications.
    /// - Parameters:
    ///   - parents: Parent revisions, normally `[HEAD, theirs]`.
    ///   - files: Workdir-relative path → new content, or nil to delete.
    /// - Returns: The new commit id.
    /// - Throws: `GitError` (`isCheckoutConflict` when a local change is in the way; the
    ///   branch is then left where it was).
    public func commitMerge(parents: [String], files: [String: [UInt8]?], message: String, author: Signature)
        throws(GitError) -> String
    {
        let merge = try createMergeCommit(parents: parents, files: files, message: message, author: author)
        try checkOut(merge.id, replacing: merge.head, reflog: "merge")
        return merge.id.hex
    }

    /// Writes a merge commit without moving any branch or touching the working directory.
    ///
    /// The tree is HEAD's tree with `files` replaced (`nil` deletes). Check it out with
    /// `fastForward(to:)`, which it descends from HEAD when HEAD is its first parent.
    /// - Returns: The new commit id.
    public func writeMergeCommit(parents: [String], files: [String: [UInt8]?], message: String, author: Signature)
        throws(GitError) -> String
    {
        try createMergeCommit(parents: parents, files: files, message: message, author: author).id.hex
    }

    /// The commit both merge writers make: HEAD's tree with `files` replaced (`nil` deletes), on
    /// `parents`; no branch moves.
    /// - Returns: the new commit's id and HEAD's commit id (nil on an unborn branch).
    private func createMergeCommit(parents: [String], files: [String: [UInt8]?], message: String, author: Signature)
        throws(GitError) -> (id: git_oid, head: git_oid?)
    {
        var parentCommits: [OpaquePointer] = []
        defer { for commit in parentCommits { git.git_commit_free(commit) } }
        for parent in parents { parentCommits.append(try lookupCommit(parent)) }
        let head = try headCommitPointer()
        defer { git.git_commit_free(head) }
        let snapshot = try snapshotIndex(of: head)
        defer { git.git_index_free(snapshot) }
        for (path, content) in files.sorted(by: { $0.key < $1.key }) {
            let path = normalizedRelativePath(path, workdir: workdir)
            if let content {
                try write(content, at: path, into: snapshot)
            } else {
                try check(git.git_index_remove_bypath(snapshot, path), "git_index_remove_bypath", path: path)
            }
        }
        var treeID = git_oid()
        try check(git.git_index_write_tree_to(&treeID, snapshot, pointer), "git_index_write_tree_to")
        let id = try createCommit(
            tree: treeID, parents: parentCommits, message: message, author: author, updateRef: nil)
        return (id, head.map { git.git_commit_id($0)!.pointee })
    }

    /// Resets the index entries of `paths` to their state in `revision` (nil: HEAD, or none on an
    /// unborn branch), like `git reset -q REV -- paths`. The working directory is not touched.
    public func resetIndex(paths: [String], to revision: String? = nil) throws(GitError) {
        guard !paths.isEmpty else { return }
        let target: OpaquePointer?
        if let revision {
            target = try lookupCommit(revision)
        } else {
            target = try headCommitPointer()
        }
        defer { if let target { git.git_commit_free(target) } }
        let relative = paths.map { normalizedRelativePath($0, workdir: workdir) }
        if let target {
            let result = withStrarray(relative) { spec in git.git_reset_default(pointer, target, spec) }
            try check(result, "git_reset_default")
        } else {
            let index = try openIndex()
            defer { git.git_index_free(index) }
            for path in relative {
                try check(git.git_index_remove_bypath(index, path), "git_index_remove_bypath", path: path)
            }
            try check(git.git_index_write(index), "git_index_write", path: gitDirectory.path)
        }
    }

    /// Moves the current branch forward to `commit` and checks it out safely, each file replaced
    /// whole (see `checkOut`), the branch moved last.
    ///
    /// - Parameter afterEachFile: called with each path after its file is written or removed.
    /// - Throws: `GitError` with `isRejectedNonFastForward` when HEAD is not an ancestor
    ///   of `commit`; `isCheckoutConflict` when a local change is in the way (nothing written).
    public func fastForward(to commit: String, afterEachFile: (String) -> Void = { _ in }) throws(GitError) {
        var target = try commitID(commit)
        let head = try headCommitPointer()
        defer { git.git_commit_free(head) }
        var current: git_oid?
        if let head {
            var headID = git.git_commit_id(head)!.pointee
            if git.git_oid_equal(&headID, &target) != 0 { return }
            let descends = try check(
                git.git_graph_descendant_of(pointer, &target, &headID), "git_graph_descendant_of")
            guard descends == 1 else {
                throw GitError(
                    code: GIT_ENONFASTFORWARD.rawValue, function: "fastForward",
                    message: "\(commit) does not contain HEAD \(headID.hex); merge instead",
                    path: workdir.path)
            }
            current = headID
        }
        try checkOut(target, replacing: current, reflog: "fast-forward", afterEachFile: afterEachFile)
    }

    // MARK: Internals

    /// The id of the commit a revision names.
    func commitID(_ revision: String) throws(GitError) -> git_oid {
        let commit = try lookupCommit(revision)
        defer { git.git_commit_free(commit) }
        return git.git_commit_id(commit)!.pointee
    }

    /// Writes `content` as a blob and points `path` at it in `index`, keeping an existing mode.
    private func write(_ content: [UInt8], at path: String, into index: OpaquePointer) throws(GitError) {
        let blobID = try writeBlob(content, path: path)
        var entry = git_index_entry()
        entry.mode = git.git_index_get_bypath(index, path, 0)?.pointee.mode ?? GIT_FILEMODE_BLOB.rawValue
        entry.id = blobID
        let added = path.withCString { cPath in
            entry.path = cPath
            return git.git_index_add(index, &entry)
        }
        try check(added, "git_index_add", path: path)
    }

    /// Writes `content` as a blob (`path` names it in an error).
    func writeBlob(_ content: [UInt8], path: String) throws(GitError) -> git_oid {
        var blobID = git_oid()
        // An empty array may have no storage; libgit2 wants a valid pointer even for 0 bytes.
        let storage = content.isEmpty ? [0] : content
        let result = storage.withUnsafeBytes { bytes in
            git.git_blob_create_from_buffer(&blobID, pointer, bytes.baseAddress, content.count)
        }
        try check(result, "git_blob_create_from_buffer", path: path)
        return blobID
    }

    /// Points `path`'s index entry at `blob` with the stat data of the file just written, as a
    /// checkout does (the file holds the blob's bytes, so nothing is hashed again).
    func stageWritten(_ path: String, blob: git_oid, mode: git_filemode_t, into index: OpaquePointer) throws(GitError) {
        var st = stat()
        guard lstat(workdir.appendingPathComponent(path).path, &st) == 0 else {
            throw GitError(code: GIT_ERROR.rawValue, function: "checkout", message: "cannot stat the file written: \(String(cString: strerror(errno)))", path: path)
        }
        var entry = git_index_entry()
        entry.ctime.seconds = Int32(truncatingIfNeeded: st.st_ctim.tv_sec)
        entry.ctime.nanoseconds = UInt32(truncatingIfNeeded: st.st_ctim.tv_nsec)
        entry.mtime.seconds = Int32(truncatingIfNeeded: st.st_mtim.tv_sec)
        entry.mtime.nanoseconds = UInt32(truncatingIfNeeded: st.st_mtim.tv_nsec)
        entry.dev = UInt32(truncatingIfNeeded: st.st_dev)
        entry.ino = UInt32(truncatingIfNeeded: st.st_ino)
        entry.mode = mode.rawValue
        entry.uid = st.st_uid
        entry.gid = st.st_gid
        entry.file_size = UInt32(truncatingIfNeeded: st.st_size)
        entry.id = blob
        let added = path.withCString { cPath in
            entry.path = cPath
            return git.git_index_add(index, &entry)
        }
        try check(added, "git_index_add", path: path)
    }

    /// Checks out commit `id` over HEAD's tree without touching local changes, then
    /// moves the current branch (or detached HEAD) from `expected` to it.
    ///
    /// Every file that differs between the two trees is replaced whole and atomically
    /// (`AtomicFile`: a temporary file, fsync, rename), so a process killed meanwhile leaves each
    /// file as HEAD has it or as `id` has it, never half written: libgit2's own checkout truncates
    /// a file and rewrites it in place. A local change in the way is refused before anything is
    /// written, as git's safe checkout does: each such file must hold HEAD's version or already
    /// the target's, and a file HEAD lacks must be absent. Then the index entries are staged from
    /// the files written, and the branch moves last (compare-and-swap).
    /// - Parameter afterEachFile: called after each file is written or removed (crash tests).
    private func checkOut(_ id: git_oid, replacing expected: git_oid?, reflog: String, afterEachFile: (String) -> Void = { _ in })
        throws(GitError)
    {
        var id = id
        let old = try expected.map { (headID) throws(GitError) in try blobEntries(ofCommit: headID) } ?? [:]
        let new = try blobEntries(ofCommit: id)
        let paths = Set(old.keys).union(new.keys).filter { path in
            guard let before = old[path], let after = new[path] else { return true }
            var (a, b) = (before.id, after.id)
            return git.git_oid_equal(&a, &b) == 0 || before.mode != after.mode
        }.sorted()

        var writes: [(path: String, bytes: [UInt8]?, entry: (id: git_oid, mode: git_filemode_t)?)] = []
        for path in paths {
            // What git's checkout refuses too: a tree from elsewhere naming git's own folder.
            if path.split(separator: "/").contains(where: { $0.lowercased() == ".git" }) {
                throw GitError(code: GIT_ERROR.rawValue, function: "checkout",
                    message: "the commit to check out names a path inside .git: \(path)", path: path)
            }
            if let entry = new[path], entry.mode != GIT_FILEMODE_BLOB, entry.mode != GIT_FILEMODE_BLOB_EXECUTABLE {
                throw GitError(code: GIT_ERROR.rawValue, function: "checkout",
                    message: "\(path) is a symbolic link in the commit to check out; memvault checks out regular files only", path: path)
            }
            let wanted = try new[path].map { (entry) throws(GitError) in try blobBytes(entry.id) }
            let committed = try old[path].map { (entry) throws(GitError) in try blobBytes(entry.id) }
            let current: [UInt8]?
            do {
                current = try AtomicFile.read(path, in: workdir)
            } catch {
                throw GitError(code: GIT_ECONFLICT.rawValue, function: "checkout", message: error.message, path: path)
            }
            guard current == committed || current == wanted else {
                throw GitError(code: GIT_ECONFLICT.rawValue, function: "checkout",
                    message: "\(path) has local changes that the checkout would overwrite", path: path)
            }
            writes.append((path, wanted, new[path]))
        }
        for write in writes {
            do {
                if let bytes = write.bytes {
                    let executable = write.entry?.mode == GIT_FILEMODE_BLOB_EXECUTABLE
                    try AtomicFile.write(bytes, to: write.path, in: workdir, permissions: executable ? 0o700 : 0o600)
                } else {
                    try AtomicFile.remove(write.path, in: workdir)
                }
            } catch {
                throw GitError(code: GIT_ERROR.rawValue, function: "checkout", message: error.message, path: write.path)
            }
            afterEachFile(write.path)
        }
        if !writes.isEmpty {
            let index = try openIndex()
            defer { git.git_index_free(index) }
            for write in writes {
                if let entry = write.entry {
                    try stageWritten(write.path, blob: entry.id, mode: entry.mode, into: index)
                } else {
                    let result = git.git_index_remove_bypath(index, write.path)
                    try check(result, "git_index_remove_bypath", path: write.path)
                }
            }
            try check(git.git_index_write(index), "git_index_write", path: gitDirectory.path)
        }

        try moveHead(to: id, from: expected, reflog: reflog)
    }

    /// Moves HEAD's branch (or a detached HEAD) to `id`, writing `reflog` in the reflogs: from
    /// `expected` only (compare-and-swap: fails if someone moved the branch meanwhile), or creating
    /// the branch when `expected` is nil.
    func moveHead(to id: git_oid, from expected: git_oid?, reflog: String) throws(GitError) {
        var id = id
        var head: OpaquePointer?
        try check(git.git_reference_lookup(&head, pointer, "HEAD"), "git_reference_lookup(HEAD)")
        defer { git.git_reference_free(head) }
        guard git.git_reference_type(head) == GIT_REFERENCE_SYMBOLIC,
            let branch = string(git.git_reference_symbolic_target(head))
        else {
            try check(git.git_repository_set_head_detached(pointer, &id), "git_repository_set_head_detached")
            return
        }
        var updated: OpaquePointer?
        if var expected {
            try check(
                git.git_reference_create_matching(&updated, pointer, branch, &id, 1, &expected, reflog),
                "git_reference_create_matching(\(branch))")
        } else {
            try check(git.git_reference_create(&updated, pointer, branch, &id, 0, reflog), "git_reference_create(\(branch))")
        }
        git.git_reference_free(updated)
    }
}
