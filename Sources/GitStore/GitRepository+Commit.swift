import Foundation
internal import CGit2
internal import CGit2Loader

extension GitRepository {
    /// Stages exactly `paths` and commits them on HEAD, like `git commit --only -- paths`.
    ///
    /// Present files are added or updated, missing ones removed (a directory stages
    /// everything under it, respecting `.gitignore`). Other index entries are left
    /// alone and do not enter the commit: the new tree is HEAD's tree with only these
    /// paths replaced, so other staged or unstaged changes stay as they were.
    /// The first commit on an unborn branch creates the branch.
    /// - Parameters:
    ///   - paths: Paths relative to the working directory (absolute paths inside it work too).
    ///   - message: The commit message; trailing whitespace is cleaned like git does.
    ///   - author: Author and committer; a nil date means now.
    /// - Returns: The new commit id, or nil when the tree equals HEAD's (nothing changed).
    /// - Throws: `GitError` when a path cannot be staged or the commit cannot be written.
    /// - Complexity: O(entries in the index + size of the named files); no working directory scan.
    public func commit(paths: [String], message: String, author: Signature) throws(GitError) -> String? {
        let index = try openIndex()
        defer { git.git_index_free(index) }
        let parent = try headCommitPointer()
        defer { git.git_commit_free(parent) }

        // The commit's tree comes from a private in-memory index holding HEAD's tree,
        // so entries staged earlier for other paths stay out of this commit.
        let snapshot = try snapshotIndex(of: parent)
        defer { git.git_index_free(snapshot) }
        for path in paths.map({ normalizedRelativePath($0, workdir: workdir) }) where !path.isEmpty {
            try stage(path, in: index, copyingInto: snapshot)
        }
        try check(git.git_index_write(index), "git_index_write", path: gitDirectory.path)

        var treeID = git_oid()
        try check(git.git_index_write_tree_to(&treeID, snapshot, pointer), "git_index_write_tree_to")
        if treeIsUnchanged(treeID, parent: parent, isEmpty: git.git_index_entrycount(snapshot) == 0) {
            return nil
        }
        return try createCommit(
            tree: treeID, parents: [parent], message: message, author: author, updateRef: "HEAD"
        ).hex
    }

    /// Stages every change in the working directory (`git add -A`, honouring
    /// `.gitignore`) and commits it on HEAD.
    ///
    /// - Returns: The new commit id, or nil when nothing changed.
    /// - Throws: `GitError` when staging or committing fails.
    /// - Complexity: A scan of the whole working directory.
    public func commitAll(message: String, author: Signature) throws(GitError) -> String? {
        let index = try openIndex()
        defer { git.git_index_free(index) }
        let parent = try headCommitPointer()
        defer { git.git_commit_free(parent) }
        var result = withStrarray([]) { everything in
            git.git_index_add_all(index, everything, GIT_INDEX_ADD_DEFAULT.rawValue, nil, nil)
        }
        try check(result, "git_index_add_all")
        result = withStrarray([]) { everything in git.git_index_update_all(index, everything, nil, nil) }
        try check(result, "git_index_update_all")
        var treeID = git_oid()
        try check(git.git_index_write_tree(&treeID, index), "git_index_write_tree")
        try check(git.git_index_write(index), "git_index_write", path: gitDirectory.path)
        if treeIsUnchanged(treeID, parent: parent, isEmpty: git.git_index_entrycount(index) == 0) {
            return nil
        }
        return try createCommit(
            tree: treeID, parents: [parent], message: message, author: author, updateRef: "HEAD"
        ).hex
    }

    /// Paths whose index or working-directory content differs from HEAD, including
    /// untracked files that are not ignored (`git status` without the ignored ones).
    ///
    /// - Returns: Changes sorted by path; a moved file may appear as `.renamed`.
    /// - Complexity: A scan of the working directory.
    public func changedPaths() throws(GitError) -> [FileChange] {
        let tree = try headTree()
        defer { git.git_tree_free(tree) }
        let flags = GIT_DIFF_INCLUDE_UNTRACKED.rawValue | GIT_DIFF_RECURSE_UNTRACKED_DIRS.rawValue | GIT_DIFF_INCLUDE_TYPECHANGE.rawValue
        return try fileChanges("git_diff_tree_to_workdir_with_index", flags: flags, includingUntracked: true) {
            git.git_diff_tree_to_workdir_with_index($0, pointer, tree, $1)
        }
    }

    /// What the next `git commit` would record: each path whose staged version differs from
    /// HEAD's, with the bytes staged for it (a staged removal has none), sorted by path.
    ///
    /// The staged bytes, not the working file's: a file staged and then changed again commits
    /// what was staged.
    /// - Complexity: O(index entries) to compare, plus reading each changed blob.
    public func stagedFiles() throws(GitError) -> [(path: String, bytes: [UInt8]?)] {
        let tree = try headTree()
        defer { git.git_tree_free(tree) }
        let index = try openIndex()
        defer { git.git_index_free(index) }
        var staged: [(path: String, bytes: [UInt8]?)] = []
        for change in try fileChanges("git_diff_tree_to_index", { git.git_diff_tree_to_index($0, pointer, tree, index, $1) }) {
            if case .deleted(let path) = change {
                staged.append((path, nil))
                continue
            }
            guard let entry = git.git_index_get_bypath(index, change.path, 0) else { continue }
            staged.append((change.path, try blobBytes(entry.pointee.id)))
        }
        return staged
    }

    // MARK: Internals shared by the commit paths

    /// HEAD's tree, nil on an unborn branch. Caller frees.
    func headTree() throws(GitError) -> OpaquePointer? {
        let head = try headCommitPointer()
        defer { git.git_commit_free(head) }
        var tree: OpaquePointer?
        if let head { try check(git.git_commit_tree(&tree, head), "git_commit_tree") }
        return tree
    }

    /// The repository's index, re-read from disk if another process changed it. Caller frees.
    func openIndex() throws(GitError) -> OpaquePointer {
        var index: OpaquePointer?
        try check(git.git_repository_index(&index, pointer), "git_repository_index")
        let result = git.git_index_read(index, 0)
        if result < 0 {
            let error = GitError.last(result, "git_index_read", path: gitDirectory.path)
            git.git_index_free(index)
            throw error
        }
        return index!
    }

    /// A new in-memory index holding `commit`'s tree (empty for nil). Caller frees.
    func snapshotIndex(of commit: OpaquePointer?) throws(GitError) -> OpaquePointer {
        var snapshot: OpaquePointer?
        try check(git.git_index_new(&snapshot), "git_index_new")
        guard let commit else { return snapshot! }
        var tree: OpaquePointer?
        var error: GitError?
        if case let result = git.git_commit_tree(&tree, commit), result < 0 {
            error = GitError.last(result, "git_commit_tree")
        } else if case let result = git.git_index_read_tree(snapshot, tree), result < 0 {
            error = GitError.last(result, "git_index_read_tree")
        }
        git.git_tree_free(tree)
        if let error {
            git.git_index_free(snapshot)
            throw error
        }
        return snapshot!
    }

    /// Stages one path in `index` and mirrors the resulting entries into `snapshot`.
    private func stage(_ path: String, in index: OpaquePointer, copyingInto snapshot: OpaquePointer)
        throws(GitError)
    {
        // lstat, not FileManager's attributes: those build a dictionary of boxed values whose
        // first use costs a commit 0.3 ms of runtime type look-ups.
        var info = stat()
        let exists = lstat(workdir.appendingPathComponent(path).path, &info) == 0
        switch exists ? info.st_mode & S_IFMT : nil {
        case nil:
            for target in [index, snapshot] {
                try check(git.git_index_remove_bypath(target, path), "git_index_remove_bypath", path: path)
                try check(git.git_index_remove_directory(target, path, 0), "git_index_remove_directory", path: path)
            }
        case S_IFDIR?:
            var result = withStrarray([path]) { spec in
                git.git_index_add_all(index, spec, GIT_INDEX_ADD_DEFAULT.rawValue, nil, nil)
            }
            try check(result, "git_index_add_all", path: path)
            result = withStrarray([path]) { spec in git.git_index_update_all(index, spec, nil, nil) }
            try check(result, "git_index_update_all", path: path)
            try check(git.git_index_remove_directory(snapshot, path, 0), "git_index_remove_directory", path: path)
            try copyEntries(under: path + "/", from: index, into: snapshot)
        default:
            try check(git.git_index_add_bypath(index, path), "git_index_add_bypath", path: path)
            if let entry = git.git_index_get_bypath(index, path, 0) {
                try check(git.git_index_add(snapshot, entry), "git_index_add", path: path)
            }
        }
    }

    private func copyEntries(under prefix: String, from index: OpaquePointer, into snapshot: OpaquePointer)
        throws(GitError)
    {
        var position = 0
        guard git.git_index_find_prefix(&position, index, prefix) == 0 else {
            git.git_error_clear()
            return
        }
        while let entry = git.git_index_get_byindex(index, position),
            let path = string(entry.pointee.path), path.hasPrefix(prefix)
        {
            if git.git_index_entry_stage(entry) == 0 {
                try check(git.git_index_add(snapshot, entry), "git_index_add", path: path)
            }
            position += 1
        }
    }

    /// True when `treeID` is the parent's tree, or empty with no parent: nothing to commit.
    private func treeIsUnchanged(_ treeID: git_oid, parent: OpaquePointer?, isEmpty: Bool) -> Bool {
        guard let parent else { return isEmpty }
        var treeID = treeID
        return git.git_oid_equal(&treeID, git.git_commit_tree_id(parent)) != 0
    }

    /// The commit HEAD points to, or nil on an unborn branch. Caller frees.
    func headCommitPointer() throws(GitError) -> OpaquePointer? {
        var reference: OpaquePointer?
        let result = git.git_repository_head(&reference, pointer)
        if result == GIT_EUNBORNBRANCH.rawValue || result == GIT_ENOTFOUND.rawValue {
            git.git_error_clear()
            return nil
        }
        try check(result, "git_repository_head")
        defer { git.git_reference_free(reference) }
        var commit: OpaquePointer?
        try check(git.git_reference_peel(&commit, reference, GIT_OBJECT_COMMIT), "git_reference_peel")
        return commit
    }

    /// Writes a commit object; `updateRef` ("HEAD" or a ref name) is moved when given.
    func createCommit(
        tree treeID: git_oid, parents: [OpaquePointer?], message: String, author: Signature,
        updateRef: String?
    ) throws(GitError) -> git_oid {
        var treeID = treeID
        var tree: OpaquePointer?
        try check(git.git_tree_lookup(&tree, pointer, &treeID), "git_tree_lookup")
        defer { git.git_tree_free(tree) }
        let signature = try makeSignature(author)
        defer { git.git_signature_free(signature) }
        var cleaned = git_buf()
        try check(
            git.git_message_prettify(&cleaned, message, 0, CChar(UInt8(ascii: "#"))), "git_message_prettify")
        let text = consumeBuffer(&cleaned)
        var parents = parents.compactMap { $0 }.map { Optional($0) }
        var id = git_oid()
        git.git_error_clear()
        try check(
            git.git_commit_create(
                &id, pointer, updateRef, signature, signature, nil, text, tree, parents.count, &parents),
            "git_commit_create")
        try verifyCommitWritten(id, updateRef: updateRef)
        return id
    }

    /// Throws unless the commit object `id` is in the object database and `updateRef` (when
    /// given) now points to it.
    ///
    /// libgit2 (1.5 as in Debian 12, and still in its current source) ignores a failed write of
    /// the commit object itself: `git_commit_create` then returns 0 with the id the commit would
    /// have had and moves no ref. On a full disk this made `rotate` print success without a
    /// commit (found by DiskFullTests); the message libgit2 set for the failed write is kept.
    func verifyCommitWritten(_ id: git_oid, updateRef: String?) throws(GitError) {
        // What libgit2 said about the failed write, read before the lookups below replace it.
        let said = git.git_error_last()?.pointee.message.map { String(cString: $0) }
        func notWritten(_ what: String) -> GitError {
            GitError(code: -1, function: "git_commit_create", message: said ?? what)
        }
        var id = id
        var commit: OpaquePointer?
        guard git.git_commit_lookup(&commit, pointer, &id) == 0 else {
            throw notWritten("the commit object \(id.hex) was not written")
        }
        git.git_commit_free(commit)
        guard let updateRef else { return }
        var reference: OpaquePointer?
        var target: OpaquePointer?
        defer {
            git.git_commit_free(target)
            git.git_reference_free(reference)
        }
        guard git.git_reference_lookup(&reference, pointer, updateRef) == 0,
            git.git_reference_peel(&target, reference, GIT_OBJECT_COMMIT) == 0,
            let moved = git.git_commit_id(target), git.git_oid_equal(moved, &id) != 0
        else {
            throw notWritten("\(updateRef) was not moved to the new commit \(id.hex)")
        }
    }

    private func makeSignature(_ signature: Signature) throws(GitError) -> UnsafeMutablePointer<git_signature> {
        var result: UnsafeMutablePointer<git_signature>?
        if let date = signature.date {
            let seconds = date.timeIntervalSince1970.rounded(.down)
            let offset = TimeZone.current.secondsFromGMT(for: date) / 60
            try check(
                git.git_signature_new(&result, signature.name, signature.email, git_time_t(seconds), Int32(offset)),
                "git_signature_new")
        } else {
            try check(git.git_signature_now(&result, signature.name, signature.email), "git_signature_now")
        }
        return result!
    }

    /// Maps the deltas of a diff to `FileChange`s, detecting renames.
    /// The file changes of the diff `make` creates (`function`, for errors) with libgit2's default
    /// options and `flags`.
    func fileChanges(
        _ function: String, flags: UInt32 = 0, includingUntracked: Bool = false,
        _ make: (UnsafeMutablePointer<OpaquePointer?>, UnsafePointer<git_diff_options>) -> Int32
    ) throws(GitError) -> [FileChange] {
        var options = git_diff_options()
        try check(git.git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)), "git_diff_options_init")
        options.flags |= flags
        var diff: OpaquePointer?
        try check(withUnsafePointer(to: options) { make(&diff, $0) }, function)
        defer { git.git_diff_free(diff) }
        return try fileChanges(in: diff!, includingUntracked: includingUntracked)
    }

    func fileChanges(in diff: OpaquePointer, includingUntracked: Bool) throws(GitError) -> [FileChange] {
        var find = git_diff_find_options()
        try check(
            git.git_diff_find_options_init(&find, UInt32(GIT_DIFF_FIND_OPTIONS_VERSION)), "git_diff_find_options_init")
        find.flags = GIT_DIFF_FIND_RENAMES.rawValue
        if includingUntracked { find.flags |= GIT_DIFF_FIND_FOR_UNTRACKED.rawValue }
        try check(git.git_diff_find_similar(diff, &find), "git_diff_find_similar")
        var changes: [FileChange] = []
        for number in 0..<git.git_diff_num_deltas(diff) {
            guard let delta = git.git_diff_get_delta(diff, number)?.pointee else { continue }
            let old = string(delta.old_file.path) ?? ""
            let new = string(delta.new_file.path) ?? old
            switch delta.status {
            case GIT_DELTA_ADDED, GIT_DELTA_UNTRACKED, GIT_DELTA_COPIED: changes.append(.added(new))
            case GIT_DELTA_DELETED: changes.append(.deleted(old))
            case GIT_DELTA_MODIFIED, GIT_DELTA_TYPECHANGE, GIT_DELTA_CONFLICTED: changes.append(.modified(new))
            case GIT_DELTA_RENAMED: changes.append(.renamed(from: old, to: new))
            default: break
            }
        }
        return changes.sorted { $0.path < $1.path }
    }
}
