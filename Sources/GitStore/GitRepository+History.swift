import Foundation
internal import CGit2
internal import CGit2Loader

extension GitRepository {
    /// The commit HEAD points to, or nil on an unborn branch.
    public func head() throws(GitError) -> String? {
        guard let commit = try headCommitPointer() else { return nil }
        defer { git.git_commit_free(commit) }
        return git.git_commit_id(commit)!.pointee.hex
    }

    /// The branch HEAD points to (`main`), also when unborn; nil when HEAD is detached.
    public func currentBranch() throws(GitError) -> String? {
        var reference: OpaquePointer?
        try check(git.git_reference_lookup(&reference, pointer, "HEAD"), "git_reference_lookup(HEAD)")
        defer { git.git_reference_free(reference) }
        guard git.git_reference_type(reference) == GIT_REFERENCE_SYMBOLIC,
            let target = string(git.git_reference_symbolic_target(reference))
        else { return nil }
        let heads = "refs/heads/"
        return target.hasPrefix(heads) ? String(target.dropFirst(heads.count)) : target
    }

    /// The full id of any revision: `HEAD~3`, a short id, a branch, `origin/main`, a tag.
    ///
    /// Tags are peeled to what they point at.
    /// - Throws: `GitError` with `isNotFound` when the revision does not exist.
    public func resolve(_ revision: String) throws(GitError) -> String {
        let object = try revparse(revision)
        defer { git.git_object_free(object) }
        return git.git_object_id(object)!.pointee.hex
    }

    /// Commits from `revision` (HEAD by default) following first parents, newest first.
    ///
    /// - Parameters:
    ///   - limit: At most this many commits (after filtering).
    ///   - paths: Keep only commits whose tree differs from their first parent's at any of
    ///     these paths; a directory matches any change beneath it.
    ///   - revision: Where to start; an unborn HEAD gives an empty log.
    /// - Complexity: O(commits walked × paths × path depth) tree lookups; no diffs.
    public func log(limit: Int? = nil, paths: [String]? = nil, from revision: String = "HEAD")
        throws(GitError) -> [CommitInfo]
    {
        let filter = paths.map { $0.map { normalizedRelativePath($0, workdir: workdir) } }
        var current = revision == "HEAD" ? try headCommitPointer() : try lookupCommit(revision)
        defer { git.git_commit_free(current) }
        var commits: [CommitInfo] = []
        while let commit = current, commits.count < limit ?? Int.max {
            if try touches(commit, anyOf: filter) {
                commits.append(try commitInfo(commit))
            }
            var parent: OpaquePointer?
            if git.git_commit_parentcount(commit) > 0 {
                try check(git.git_commit_parent(&parent, commit, 0), "git_commit_parent")
            }
            git.git_commit_free(commit)
            current = parent
        }
        return commits
    }

    /// The bytes of `path` as committed in `revision`, or nil when it holds no such file.
    public func fileContents(path: String, at revision: String) throws(GitError) -> [UInt8]? {
        let tree = try lookupTree(revision)
        defer { git.git_tree_free(tree) }
        guard let entry = try treeEntry(tree, normalizedRelativePath(path, workdir: workdir)) else {
            return nil
        }
        defer { git.git_tree_entry_free(entry) }
        guard git.git_tree_entry_type(entry) == GIT_OBJECT_BLOB else { return nil }
        return try blobBytes(git.git_tree_entry_id(entry)!)
    }

    /// The files a commit changed relative to its first parent (or the empty tree).
    public func filesChanged(in commit: String) throws(GitError) -> [FileChange] {
        let child = try lookupCommit(commit)
        defer { git.git_commit_free(child) }
        var tree: OpaquePointer?
        try check(git.git_commit_tree(&tree, child), "git_commit_tree")
        defer { git.git_tree_free(tree) }
        let parentTree = try firstParentTree(of: child)
        defer { git.git_tree_free(parentTree) }
        return try fileChanges("git_diff_tree_to_tree") { git.git_diff_tree_to_tree($0, pointer, parentTree, tree, $1) }
    }

    /// Every file path in `revision` under the directory `prefix` ("" for all), sorted.
    ///
    /// A `prefix` naming a file gives just that file; a missing one gives `[]`.
    public func listFiles(at revision: String, under prefix: String) throws(GitError) -> [String] {
        let tree = try lookupTree(revision)
        defer { git.git_tree_free(tree) }
        let prefix = normalizedRelativePath(prefix, workdir: workdir)
        var paths: [String] = []
        if prefix.isEmpty {
            try walk(tree, base: "") { path, _, _ in paths.append(path) }
            return paths.sorted()
        }
        guard let entry = try treeEntry(tree, prefix) else { return [] }
        defer { git.git_tree_entry_free(entry) }
        switch git.git_tree_entry_type(entry) {
        case GIT_OBJECT_BLOB:
            return [prefix]
        case GIT_OBJECT_TREE:
            var subtree: OpaquePointer?
            try check(git.git_tree_lookup(&subtree, pointer, git.git_tree_entry_id(entry)), "git_tree_lookup")
            defer { git.git_tree_free(subtree) }
            try walk(subtree!, base: prefix + "/") { path, _, _ in paths.append(path) }
            return paths.sorted()
        default:
            return []
        }
    }

    /// Every file in `revision`, recursively: path → blob id.
    public func treeFiles(at revision: String) throws(GitError) -> [String: String] {
        let tree = try lookupTree(revision)
        defer { git.git_tree_free(tree) }
        var files: [String: String] = [:]
        try walk(tree, base: "") { path, id, _ in files[path] = id.hex }
        return files
    }

    /// The contents of a blob, by full or abbreviated id.
    public func blob(_ id: String) throws(GitError) -> [UInt8] {
        var oid = git_oid()
        try check(git.git_oid_fromstrn(&oid, id, id.utf8.count), "git_oid_fromstrn(\(id))")
        var blob: OpaquePointer?
        try check(git.git_blob_lookup_prefix(&blob, pointer, &oid, id.utf8.count), "git_blob_lookup_prefix(\(id))")
        defer { git.git_blob_free(blob) }
        return copyBlob(blob!)
    }

    // MARK: Internals

    /// Parses a revision, peeling tags. Caller frees with `git_object_free`.
    func revparse(_ revision: String) throws(GitError) -> OpaquePointer {
        var object: OpaquePointer?
        try check(git.git_revparse_single(&object, pointer, revision), "git_revparse_single(\(revision))")
        guard git.git_object_type(object) == GIT_OBJECT_TAG else { return object! }
        defer { git.git_object_free(object) }
        var peeled: OpaquePointer?
        try check(git.git_object_peel(&peeled, object, GIT_OBJECT_ANY), "git_object_peel(\(revision))")
        return peeled!
    }

    /// The commit a revision names. Caller frees.
    func lookupCommit(_ revision: String) throws(GitError) -> OpaquePointer {
        try peel(revision, to: GIT_OBJECT_COMMIT)
    }

    /// The root tree of a revision. Caller frees.
    func lookupTree(_ revision: String) throws(GitError) -> OpaquePointer {
        try peel(revision, to: GIT_OBJECT_TREE)
    }

    private func peel(_ revision: String, to type: git_object_t) throws(GitError) -> OpaquePointer {
        let object = try revparse(revision)
        defer { git.git_object_free(object) }
        var peeled: OpaquePointer?
        try check(git.git_object_peel(&peeled, object, type), "git_object_peel(\(revision))")
        return peeled!
    }

    /// The tree of a commit's first parent, or nil for a root commit. Caller frees.
    func firstParentTree(of commit: OpaquePointer) throws(GitError) -> OpaquePointer? {
        guard git.git_commit_parentcount(commit) > 0 else { return nil }
        var parent: OpaquePointer?
        try check(git.git_commit_parent(&parent, commit, 0), "git_commit_parent")
        defer { git.git_commit_free(parent) }
        var tree: OpaquePointer?
        try check(git.git_commit_tree(&tree, parent), "git_commit_tree")
        return tree
    }

    /// The entry at `path` in `tree`, or nil when absent. Caller frees.
    func treeEntry(_ tree: OpaquePointer?, _ path: String) throws(GitError) -> OpaquePointer? {
        guard let tree else { return nil }
        var entry: OpaquePointer?
        let result = git.git_tree_entry_bypath(&entry, tree, path)
        if result == GIT_ENOTFOUND.rawValue {
            git.git_error_clear()
            return nil
        }
        try check(result, "git_tree_entry_bypath", path: path)
        return entry
    }

    /// Whether the commit's tree differs from its first parent's at any of `paths`.
    private func touches(_ commit: OpaquePointer, anyOf paths: [String]?) throws(GitError) -> Bool {
        guard let paths else { return true }
        var tree: OpaquePointer?
        try check(git.git_commit_tree(&tree, commit), "git_commit_tree")
        defer { git.git_tree_free(tree) }
        let parentTree = try firstParentTree(of: commit)
        defer { git.git_tree_free(parentTree) }
        for path in paths {
            // A directory's entry is its subtree id, so one comparison covers everything under it.
            if path.isEmpty {
                if git.git_tree_id(tree)!.pointee.hex != parentTree.map({ git.git_tree_id($0)!.pointee.hex }) {
                    return true
                }
                continue
            }
            if try entryID(tree, path) != entryID(parentTree, path) { return true }
        }
        return false
    }

    private func entryID(_ tree: OpaquePointer?, _ path: String) throws(GitError) -> String? {
        guard let entry = try treeEntry(tree, path) else { return nil }
        defer { git.git_tree_entry_free(entry) }
        return git.git_tree_entry_id(entry)!.pointee.hex
    }

    private func commitInfo(_ commit: OpaquePointer) throws(GitError) -> CommitInfo {
        var short = git_buf()
        try check(git.git_object_short_id(&short, commit), "git_object_short_id")
        var message = string(git.git_commit_message(commit)) ?? ""
        while message.hasSuffix("\n") { message.removeLast() }
        let author = git.git_commit_author(commit)!.pointee
        return CommitInfo(
            id: git.git_commit_id(commit)!.pointee.hex,
            shortID: consumeBuffer(&short),
            summary: string(git.git_commit_summary(commit)) ?? "",
            message: message,
            author: Signature(
                name: string(author.name) ?? "", email: string(author.email) ?? "",
                date: Date(timeIntervalSince1970: TimeInterval(author.when.time))),
            date: Date(timeIntervalSince1970: TimeInterval(git.git_commit_time(commit))),
            parents: (0..<git.git_commit_parentcount(commit)).map { git.git_commit_parent_id(commit, $0)!.pointee.hex })
    }

    /// Visits every blob under `tree`, depth first, with paths prefixed by `base`.
    func walk(_ tree: OpaquePointer, base: String, _ visit: (String, git_oid, git_filemode_t) -> Void) throws(GitError) {
        for number in 0..<git.git_tree_entrycount(tree) {
            guard let entry = git.git_tree_entry_byindex(tree, number) else { continue }
            let path = base + String(cString: git.git_tree_entry_name(entry)!)
            switch git.git_tree_entry_type(entry) {
            case GIT_OBJECT_BLOB:
                visit(path, git.git_tree_entry_id(entry)!.pointee, git.git_tree_entry_filemode(entry))
            case GIT_OBJECT_TREE:
                var subtree: OpaquePointer?
                try check(git.git_tree_lookup(&subtree, pointer, git.git_tree_entry_id(entry)), "git_tree_lookup")
                defer { git.git_tree_free(subtree) }
                try walk(subtree!, base: path + "/", visit)
            default:
                continue  // submodule commits have no content here
            }
        }
    }

    /// Every file of a commit's tree: path → blob id and mode (links included, submodules not).
    func blobEntries(ofCommit id: git_oid) throws(GitError) -> [String: (id: git_oid, mode: git_filemode_t)] {
        var id = id
        var commit: OpaquePointer?
        try check(git.git_commit_lookup(&commit, pointer, &id), "git_commit_lookup")
        defer { git.git_commit_free(commit) }
        var tree: OpaquePointer?
        try check(git.git_commit_tree(&tree, commit), "git_commit_tree")
        defer { git.git_tree_free(tree) }
        var files: [String: (id: git_oid, mode: git_filemode_t)] = [:]
        try walk(tree!, base: "") { path, id, mode in files[path] = (id, mode) }
        return files
    }

    func blobBytes(_ id: git_oid) throws(GitError) -> [UInt8] {
        var id = id
        return try blobBytes(&id)
    }

    private func blobBytes(_ id: UnsafePointer<git_oid>) throws(GitError) -> [UInt8] {
        var blob: OpaquePointer?
        try check(git.git_blob_lookup(&blob, pointer, id), "git_blob_lookup")
        defer { git.git_blob_free(blob) }
        return copyBlob(blob!)
    }

    private func copyBlob(_ blob: OpaquePointer) -> [UInt8] {
        let count = Int(git.git_blob_rawsize(blob))
        guard count > 0, let bytes = git.git_blob_rawcontent(blob) else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }
}
