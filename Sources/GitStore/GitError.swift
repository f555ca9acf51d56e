// GitStore: a small libgit2 wrapper for the vault and sync.
internal import CGit2
internal import CGit2Loader
import Foundation

/// A failed libgit2 call (or a GitStore precondition), with the library's own message.
///
/// `message` is read from `git_error_last()` right after the failing call, on the
/// same thread, because libgit2 keeps it thread-local.
public struct GitError: Error, Sendable, CustomStringConvertible {
    /// The libgit2 return code (`git_error_code`), e.g. -3 for "not found".
    public var code: Int32
    /// The C function (or GitStore operation) that failed.
    public var function: String
    /// What libgit2 said.
    public var message: String
    /// The repository path or file the error applies to, when known.
    public var path: String?

    public init(code: Int32, function: String, message: String, path: String? = nil) {
        self.code = code
        self.function = function
        self.message = message
        self.path = path
    }

    public var description: String {
        let location = path.map { "\($0): " } ?? ""
        return "\(location)\(function) failed (\(code)): \(message)"
    }

    /// The object, reference, revision or path does not exist.
    public var isNotFound: Bool { code == GIT_ENOTFOUND.rawValue }
    /// A push was refused because the remote branch moved on (fetch and merge first).
    public var isRejectedNonFastForward: Bool { code == GIT_ENONFASTFORWARD.rawValue }
    /// A checkout would have overwritten local changes.
    public var isCheckoutConflict: Bool { code == GIT_ECONFLICT.rawValue }
    /// The remote refused every credential we could offer.
    public var isAuthenticationFailure: Bool { code == GIT_EAUTH.rawValue }

    /// Builds an error from the thread's last libgit2 error; call it right after the failure.
    static func last(_ code: Int32, _ function: String, path: String? = nil) -> GitError {
        var message = "unknown libgit2 error"
        if let last = git.git_error_last(), let text = last.pointee.message {
            message = String(cString: text)
        }
        return GitError(code: code, function: function, message: message, path: path)
    }
}

/// Throws the thread's last libgit2 error when `result` is negative.
///
/// - Returns: `result` unchanged when it is zero or positive.
@discardableResult
func check(_ result: Int32, _ function: String, path: String? = nil) throws(GitError) -> Int32 {
    if result < 0 { throw GitError.last(result, function, path: path) }
    return result
}

/// libgit2's functions, from the library opened on first use rather than linked
/// (Sources/CGit2Loader: a process that never touches git never loads it). Every way into a
/// repository calls `ensureLibgit2()` first, which opens it or throws why it cannot.
nonisolated(unsafe) let git: memvault_git = {
    var error: UnsafePointer<CChar>?
    guard let table = memvault_git_open(&error) else {
        preconditionFailure("libgit2 used before ensureLibgit2(): \(error.map { String(cString: $0) } ?? "")")
    }
    return table.pointee
}()

/// libgit2 is opened and initialized once per process; a global `let` is lazily and atomically set up.
let libgit2Setup: GitError? = {
    var error: UnsafePointer<CChar>?
    guard let table = memvault_git_open(&error) else {
        return GitError(code: -1, function: "dlopen", message: error.map { String(cString: $0) } ?? "libgit2 cannot be opened")
    }
    // The system's CA certificates are read only before a fetch, push or clone (loader.c).
    if memvault_git_init(table) < 0 { return GitError.last(-1, "git_libgit2_init") }
    // Vaults and CI checkouts may belong to another uid; git's "dubious ownership"
    // check would refuse them, and memvault opens only paths the user named.
    if memvault_git_set_owner_validation(table, 0) < 0 {
        return GitError.last(-1, "git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION)")
    }
    // A commit is memvault's point of no return: its objects and the moved ref must be on
    // disk before the crash journal is removed, as git itself does with core.fsync.
    if memvault_git_enable_fsync_gitdir(table, 1) < 0 {
        return GitError.last(-1, "git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR)")
    }
    // A commit's tree is its parent's with the staged paths' blobs, just written: re-reading
    // the header of every entry of each changed folder (one inflated loose object per month
    // file, 104 of 137 object reads of an add) is left to `git fsck` (git's own write-tree only
    // checks that each exists).
    if memvault_git_enable_strict_object_creation(table, 0) < 0 {
        return GitError.last(-1, "git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION)")
    }
    return nil
}()

/// Makes sure libgit2 is initialized before any other call.
func ensureLibgit2() throws(GitError) {
    if let error = libgit2Setup { throw error }
}

/// Makes sure the system's CA certificates, which set-up only noted, are read: before every
/// operation that may reach a remote over TLS.
func ensureCertificates() throws(GitError) {
    try ensureLibgit2()
    if withUnsafePointer(to: git, { memvault_git_load_certificates($0) }) < 0 {
        throw GitError.last(-1, "git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS)")
    }
}
