import Dispatch
import Foundation
import MemvaultSupport
internal import CGit2
internal import CGit2Loader

/// A commit made on a thread of its own, beside the change it records, so that git's work
/// overlaps the caller's on two cores.
///
/// ``GitRepository/prepareCommit(at:fallbackName:fallbackEmail:)`` starts the work as soon as
/// a change begins, on the command's idle set-up thread (``BackgroundGitThread``) or a new one:
/// it opens its own handle on the repository and reads HEAD and the author while the caller
/// reads and checks its files. Once the caller knows the new bytes, ``begin(files:message:)`` has
/// the thread write the blobs, the trees and the commit object (each synced when the repository
/// syncs: about a dozen fsyncs for one file) while the caller writes its undo journal and the
/// files. ``finish()`` stages the files' index entries from their stat data while the thread may
/// still write (a blob's id is the hash of its bytes; each file is read back once to be sure it
/// still holds them), then waits for the objects, writes the index and moves the branch from the
/// HEAD read at the start, compare-and-swap: the commit's point of no return. A change that is
/// not made this way calls ``cancel()``. After `finish` (whatever it throws) or `cancel`,
/// ``repository`` is free for the caller.
///
/// The commit is the one ``GitRepository/commit(paths:message:author:)`` makes for these paths:
/// HEAD's tree with only them replaced, other staged changes left out. Objects written for a
/// change that is then abandoned stay unreferenced, as after a killed `git commit`, until a gc.
public final class PendingCommit: @unchecked Sendable {
    // Every field is written by one side before it signals a semaphore and read by the other
    // only after waiting on it: `opened` publishes the handle and HEAD, `requested` the files,
    // `done` the outcome. The caller's side is one thread.
    private var opened: Result<(repository: GitRepository, head: GitObjectID?, author: Signature), GitError>?
    private var request: (files: [(path: String, bytes: [UInt8])], message: String)?
    private var outcome: Outcome = .notPrepared
    private let openedSignal = DispatchSemaphore(value: 0)
    private let requestSignal = DispatchSemaphore(value: 0)
    private let doneSignal = DispatchSemaphore(value: 0)
    private var openedSeen = false
    private var requested = false
    private var doneSeen = false

    /// What the thread wrote.
    enum Outcome {
        /// The commit `id`, with each file's blob.
        case written(id: GitObjectID, blobs: [GitObjectID])
        /// The files hold what HEAD has: nothing to commit (their index entries are still staged).
        case unchanged(blobs: [GitObjectID])
        /// HEAD is unborn or detached (`finish` then commits the usual way), or nothing was asked.
        case notPrepared
        case failed(GitError)
    }

    init(at root: URL, fallbackName: String, fallbackEmail: String) {
        let work: @Sendable () -> Void = { [self] in
            let handle = Result(catching: { () throws(GitError) -> (repository: GitRepository, head: GitObjectID?, author: Signature) in
                let repository = try GitRepository(at: root)
                let head = try repository.headCommitID()
                return (repository, head, repository.defaultSignature(fallbackName: fallbackName, fallbackEmail: fallbackEmail))
            })
            opened = handle
            openedSignal.signal()
            requestSignal.wait()
            if case .success(let opened) = handle, let request {
                do throws(GitError) {
                    outcome = try opened.repository.writeCommitObjects(
                        files: request.files, message: request.message, author: opened.author, parent: opened.head)
                } catch {
                    outcome = .failed(error)
                }
            }
            doneSignal.signal()
        }
        // The command's set-up thread when it has no other work, else a thread of its own rather
        // than libdispatch's pool (see QueryEmbedding).
        if !BackgroundGitThread.run(work) { ThreadStart.elsewhere(work) }
    }

    private func openedHandle() throws(GitError) -> (repository: GitRepository, head: GitObjectID?, author: Signature) {
        if !openedSeen {
            openedSignal.wait()
            openedSeen = true
        }
        return try opened!.get()
    }

    /// HEAD when the change began (nil on an unborn branch), waiting until the thread has read it.
    public func head() throws(GitError) -> String? { try openedHandle().head?.oid.hex }

    /// Has the thread write the commit's objects for `files` (paths relative to the working
    /// directory, with the bytes they are about to hold). Call once, then ``finish()``.
    public func begin(files: [(path: String, bytes: [UInt8])], message: String) throws(GitError) {
        let repository = try openedHandle().repository
        precondition(!requested, "a pending commit begins once")
        request = (files.map { (normalizedRelativePath($0.path, workdir: repository.workdir), $0.bytes) }, message)
        requested = true
        requestSignal.signal()
    }

    /// Stops the thread without writing anything (when it has not begun) and waits for it.
    public func cancel() {
        if !requested {
            requested = true
            requestSignal.signal()
        }
        waitUntilDone()
    }

    /// Waits until the objects are written (or the thread has stopped); call before rolling back.
    public func waitUntilDone() {
        guard requested, !doneSeen else { return }
        doneSignal.wait()
        doneSeen = true
    }

    /// The thread's handle on the repository, once it has stopped (after `finish` or `cancel`);
    /// nil when it could not open the repository.
    public var repository: GitRepository? {
        guard doneSeen, case .success(let opened) = opened else { return nil }
        return opened.repository
    }

    /// Stages the files, which must now hold the bytes given to `begin`, and moves the branch to the
    /// commit.
    /// - Returns: the new commit id, or nil when the files hold what HEAD has.
    /// - Throws: `GitError` when an object could not be written or the branch moved meanwhile.
    public func finish() throws(GitError) -> String? {
        let (repository, head, author) = try openedHandle()
        guard let request else { preconditionFailure("finish before begin") }
        // The index entries are staged while the thread may still be writing the objects (a
        // blob's id is its bytes' hash; the index is opened on its own, so the repository handle
        // stays the thread's alone). The index is written once the objects are.
        let staged: [git_oid]
        let index: OpaquePointer
        do {
            staged = try request.files.map { file throws(GitError) in try Self.blobID(of: file.bytes) }
            index = try stage(request.files, blobs: staged, in: repository)
        } catch {
            waitUntilDone()
            throw error
        }
        defer { git.git_index_free(index) }
        waitUntilDone()
        let blobs: [GitObjectID]
        var commit: GitObjectID?
        switch outcome {
        case .notPrepared:
            return try repository.commit(paths: request.files.map(\.path), message: request.message, author: author)
        case .failed(let error):
            throw error
        case .unchanged(let ids):
            blobs = ids
        case .written(let id, let ids):
            blobs = ids
            commit = id
        }
        guard blobs == staged.map(GitObjectID.init) else {
            throw GitError(code: GIT_ERROR.rawValue, function: "commit", message: "the blobs written are not the ones staged")
        }
        try check(git.git_index_write(index), "git_index_write", path: repository.gitDirectory.path)
        guard let commit, let head else { return nil }
        let summary = request.message.prefix { $0 != "\n" }
        try repository.moveHead(to: commit.oid, from: head.oid, reflog: "commit: \(summary)")
        try repository.verifyCommitWritten(commit.oid, updateRef: "HEAD")
        return commit.oid.hex
    }

    /// The id git gives a blob of `bytes`.
    private static func blobID(of bytes: [UInt8]) throws(GitError) -> git_oid {
        var id = git_oid()
        try check(bytes.withUnsafeBytes { git.git_odb_hash(&id, $0.baseAddress, $0.count, GIT_OBJECT_BLOB) }, "git_odb_hash")
        return id
    }

    /// The repository's index file, opened apart from the repository handle (which the thread is
    /// using), with each file staged under its blob; not written. Each file is read back once,
    /// after the stat it is staged with. The caller frees the index.
    private func stage(_ files: [(path: String, bytes: [UInt8])], blobs: [git_oid], in repository: GitRepository) throws(GitError) -> OpaquePointer {
        let path = repository.gitDirectory.appendingPathComponent("index").path
        var opened: OpaquePointer?
        try check(git.git_index_open(&opened, path), "git_index_open", path: path)
        let index = opened!
        var staged = false
        defer { if !staged { git.git_index_free(index) } }
        for (file, blob) in zip(files, blobs) {
            try repository.stageWritten(file.path, blob: blob, mode: GIT_FILEMODE_BLOB, into: index)
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
        staged = true
        return index
    }
}

/// A git object id that can cross threads.
struct GitObjectID: Sendable, Equatable {
    let bytes: [UInt8]
    init(_ oid: git_oid) { bytes = withUnsafeBytes(of: oid.id) { Array($0) } }
    var oid: git_oid {
        var oid = git_oid()
        withUnsafeMutableBytes(of: &oid.id) { $0.copyBytes(from: bytes) }
        return oid
    }
}

extension GitRepository {
    /// Starts a commit on a thread of its own, with its own handle on the repository at `root`
    /// (see ``PendingCommit``); `fallbackName` and `fallbackEmail` make the author when git's
    /// configuration has none.
    public static func prepareCommit(at root: URL, fallbackName: String, fallbackEmail: String) -> PendingCommit {
        PendingCommit(at: root, fallbackName: fallbackName, fallbackEmail: fallbackEmail)
    }

    /// HEAD's commit, nil on an unborn branch.
    func headCommitID() throws(GitError) -> GitObjectID? {
        guard let commit = try headCommitPointer() else { return nil }
        defer { git.git_commit_free(commit) }
        return GitObjectID(git.git_commit_id(commit)!.pointee)
    }

    /// The blobs, `parent`'s tree with the files replaced, and the commit object on `parent`; no
    /// ref moves. Not prepared when HEAD is unborn or detached; failed when it is no longer `parent`.
    fileprivate func writeCommitObjects(
        files: [(path: String, bytes: [UInt8])], message: String, author: Signature, parent parentID: GitObjectID?
    ) throws(GitError) -> PendingCommit.Outcome {
        var head: OpaquePointer?
        try check(git.git_reference_lookup(&head, pointer, "HEAD"), "git_reference_lookup(HEAD)")
        let symbolic = git.git_reference_type(head) == GIT_REFERENCE_SYMBOLIC
        git.git_reference_free(head)
        guard symbolic, let parentID, let parent = try headCommitPointer() else { return .notPrepared }
        defer { git.git_commit_free(parent) }
        var expected = parentID.oid
        guard git.git_oid_equal(git.git_commit_id(parent), &expected) != 0 else {
            // Another program committed since the change began (it read HEAD then).
            return .failed(GitError(code: GIT_ERROR.rawValue, function: "commit", message: "the branch moved while the change was being made"))
        }
        var baseTree: OpaquePointer?
        try check(git.git_commit_tree(&baseTree, parent), "git_commit_tree")
        defer { git.git_tree_free(baseTree) }

        var blobs: [git_oid] = []
        for file in files { blobs.append(try writeBlob(file.bytes, path: file.path)) }
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
        return .written(id: GitObjectID(id), blobs: blobs.map(GitObjectID.init))
    }
}
