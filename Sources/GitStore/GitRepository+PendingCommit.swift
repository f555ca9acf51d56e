import Foundation
import MemvaultSupport
internal import CGit2
internal import CGit2Loader

/// A commit of files whose new bytes are known before they are written, made in two steps so
/// that git's objects and the files are written at the same time, on two cores.
///
/// ``GitRepository/beginCommit(files:message:author:)`` writes the blobs, the trees and the
/// commit object on a thread of its own (each one synced when the repository syncs: about a
/// dozen fsyncs for one file); meanwhile the caller writes its undo journal and the files.
/// ``finish()`` then stages the files' index entries from their stat data (the blobs are their
/// bytes, so nothing is hashed again; each file is read back once to be sure it still holds
/// them) and moves the branch, the commit's point of no return. Until `finish` or ``wait()``
/// returns, the caller must not use the repository.
///
/// The commit is the one ``GitRepository/commit(paths:message:author:)`` makes for these paths:
/// HEAD's tree with only them replaced, other staged changes left out. Objects written for a
/// change that is then abandoned stay unreferenced, as after a killed `git commit`, until a gc.
public final class PendingCommit {
    private let repository: GitRepository
    private let files: [(path: String, bytes: [UInt8])]
    private let message: String
    private let author: Signature
    private let objects: OnceValue<Outcome>

    /// What the thread wrote.
    enum Outcome: Sendable {
        /// The commit `id` on `parent`, with each file's blob.
        case written(id: GitObjectID, parent: GitObjectID, blobs: [GitObjectID])
        /// The files hold what HEAD has: nothing to commit (their index entries are still staged).
        case unchanged(blobs: [GitObjectID])
        /// HEAD is unborn or detached: ``PendingCommit/finish()`` commits the usual way.
        case notPrepared
        case failed(GitError)
    }

    init(repository: GitRepository, files: [(path: String, bytes: [UInt8])], message: String, author: Signature) {
        self.repository = repository
        self.files = files
        self.message = message
        self.author = author
        // The repository is used by that thread alone until `wait` has its outcome (see above).
        nonisolated(unsafe) let unshared = repository
        let objects = OnceValue<Outcome> {
            do throws(GitError) {
                return try unshared.writeCommitObjects(files: files, message: message, author: author)
            } catch {
                return .failed(error)
            }
        }
        self.objects = objects
        // A thread of its own rather than libdispatch's pool (see QueryEmbedding).
        Thread { _ = objects.value }.start()
    }

    /// Waits until the objects are written (or writes them on this thread if the other has not
    /// begun); the repository may be used again afterwards. Call it before rolling a change back.
    public func wait() { _ = objects.value }

    /// Stages the files, which must now hold the bytes given, and moves the branch to the commit.
    /// - Returns: the new commit id, or nil when the files hold what HEAD has.
    /// - Throws: `GitError` when an object could not be written or the branch moved meanwhile.
    public func finish() throws(GitError) -> String? {
        let blobs: [GitObjectID]
        var commit: (id: GitObjectID, parent: GitObjectID)?
        switch objects.value {
        case .notPrepared:
            return try repository.commit(paths: files.map(\.path), message: message, author: author)
        case .failed(let error):
            throw error
        case .unchanged(let ids):
            blobs = ids
        case .written(let id, let parent, let ids):
            blobs = ids
            commit = (id, parent)
        }
        let index = try repository.openIndex()
        defer { git.git_index_free(index) }
        for (file, blob) in zip(files, blobs) {
            try repository.stageWritten(file.path, blob: blob.oid, mode: GIT_FILEMODE_BLOB, into: index)
            // Read after the stat it was staged with: a hand edit saved since the file was written
            // would otherwise keep its own stat data under this change's blob and look committed.
            let current: [UInt8]?
            do {
                current = try AtomicFile.read(file.path, in: repository.workdir)
            } catch {
                throw GitError(code: GIT_ERROR.rawValue, function: "commit", message: error.message, path: file.path)
            }
            guard current == file.bytes else {
                throw GitError(code: GIT_ERROR.rawValue, function: "commit",
                    message: "the file changed while it was being committed", path: file.path)
            }
        }
        try check(git.git_index_write(index), "git_index_write", path: repository.gitDirectory.path)
        guard let commit else { return nil }
        let summary = message.prefix { $0 != "\n" }
        try repository.moveHead(to: commit.id.oid, from: commit.parent.oid, reflog: "commit: \(summary)")
        try repository.verifyCommitWritten(commit.id.oid, updateRef: "HEAD")
        return commit.id.oid.hex
    }
}

/// A git object id that can cross threads.
struct GitObjectID: Sendable {
    let bytes: [UInt8]
    init(_ oid: git_oid) { bytes = withUnsafeBytes(of: oid.id) { Array($0) } }
    var oid: git_oid {
        var oid = git_oid()
        withUnsafeMutableBytes(of: &oid.id) { $0.copyBytes(from: bytes) }
        return oid
    }
}

extension GitRepository {
    /// Starts committing `files` (paths relative to the working directory, with the bytes they are
    /// about to hold): git's objects are written on another thread while the caller writes the
    /// files. See ``PendingCommit``.
    public func beginCommit(files: [(path: String, bytes: [UInt8])], message: String, author: Signature) -> PendingCommit {
        PendingCommit(
            repository: self, files: files.map { (normalizedRelativePath($0.path, workdir: workdir), $0.bytes) },
            message: message, author: author)
    }

    /// The blobs, HEAD's tree with the files replaced, and the commit object on HEAD; no ref moves.
    fileprivate func writeCommitObjects(files: [(path: String, bytes: [UInt8])], message: String, author: Signature)
        throws(GitError) -> PendingCommit.Outcome
    {
        var head: OpaquePointer?
        try check(git.git_reference_lookup(&head, pointer, "HEAD"), "git_reference_lookup(HEAD)")
        let symbolic = git.git_reference_type(head) == GIT_REFERENCE_SYMBOLIC
        git.git_reference_free(head)
        guard symbolic, let parent = try headCommitPointer() else { return .notPrepared }
        defer { git.git_commit_free(parent) }
        var baseTree: OpaquePointer?
        try check(git.git_commit_tree(&baseTree, parent), "git_commit_tree")
        defer { git.git_tree_free(baseTree) }

        var blobs: [git_oid] = []
        for file in files {
            var blob = git_oid()
            // An empty array may have no storage; libgit2 wants a valid pointer even for 0 bytes.
            let storage = file.bytes.isEmpty ? [0] : file.bytes
            let result = storage.withUnsafeBytes { git.git_blob_create_from_buffer(&blob, pointer, $0.baseAddress, file.bytes.count) }
            try check(result, "git_blob_create_from_buffer", path: file.path)
            blobs.append(blob)
        }
        let paths = files.map { strdup($0.path) }
        defer { paths.forEach { free($0) } }
        let updates = zip(blobs, paths).map { git_tree_update(action: GIT_TREE_UPDATE_UPSERT, id: $0, filemode: GIT_FILEMODE_BLOB, path: $1) }
        var treeID = git_oid()
        try check(git.git_tree_create_updated(&treeID, pointer, baseTree, updates.count, updates), "git_tree_create_updated")
        var unchangedTree = git.git_tree_id(baseTree)!.pointee
        if git.git_oid_equal(&treeID, &unchangedTree) != 0 {
            return .unchanged(blobs: blobs.map(GitObjectID.init))
        }
        let id = try createCommit(tree: treeID, parents: [parent], message: message, author: author, updateRef: nil)
        return .written(id: GitObjectID(id), parent: GitObjectID(git.git_commit_id(parent)!.pointee), blobs: blobs.map(GitObjectID.init))
    }
}
