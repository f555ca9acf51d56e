import Foundation
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

    /// Moves the current branch forward to `commit` and checks it out safely.
    ///
    /// - Throws: `GitError` with `isRejectedNonFastForward` when HEAD is not an ancestor
    ///   of `commit`; `isCheckoutConflict` when a local change is in the way.
    public func fastForward(to commit: String) throws(GitError) {
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
        try checkOut(target, replacing: current, reflog: "fast-forward")
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
        var blobID = git_oid()
        // An empty array may have no storage; libgit2 wants a valid pointer even for 0 bytes.
        let storage = content.isEmpty ? [0] : content
        let result = storage.withUnsafeBytes { bytes in
            git.git_blob_create_from_buffer(&blobID, pointer, bytes.baseAddress, content.count)
        }
        try check(result, "git_blob_create_from_buffer", path: path)
        var entry = git_index_entry()
        entry.mode = git.git_index_get_bypath(index, path, 0)?.pointee.mode ?? GIT_FILEMODE_BLOB.rawValue
        entry.id = blobID
        let added = path.withCString { cPath in
            entry.path = cPath
            return git.git_index_add(index, &entry)
        }
        try check(added, "git_index_add", path: path)
    }

    /// Checks out commit `id` over HEAD's tree without touching local changes, then
    /// moves the current branch (or detached HEAD) from `expected` to it.
    private func checkOut(_ id: git_oid, replacing expected: git_oid?, reflog: String) throws(GitError) {
        var id = id
        var commit: OpaquePointer?
        try check(git.git_commit_lookup(&commit, pointer, &id), "git_commit_lookup")
        defer { git.git_commit_free(commit) }
        var options = git_checkout_options()
        try check(
            git.git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION)), "git_checkout_options_init")
        options.checkout_strategy = GIT_CHECKOUT_SAFE.rawValue
        try check(git.git_checkout_tree(pointer, commit, &options), "git_checkout_tree", path: workdir.path)

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
            // Compare-and-swap: fails if someone moved the branch meanwhile.
            try check(
                git.git_reference_create_matching(&updated, pointer, branch, &id, 1, &expected, reflog),
                "git_reference_create_matching(\(branch))")
        } else {
            try check(git.git_reference_create(&updated, pointer, branch, &id, 0, reflog), "git_reference_create(\(branch))")
        }
        git.git_reference_free(updated)
    }
}
