/// A named instant inside a change, where a test may stop or disturb the process.
///
/// The points mark the instants that matter for crash safety: after the journal is on disk,
/// after each file is replaced, after the commit, before a push. Production code only calls
/// `Vault.reach(_:)`; nothing happens unless a `FaultInjection` was handed to the vault.
public struct FaultPoint: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// The undo journal of a change is written and synced; no file is replaced yet.
    public static let journalWritten = FaultPoint(rawValue: "journal-written")
    /// One more file of a change was replaced (reached once per file).
    public static let fileWritten = FaultPoint(rawValue: "file-written")
    /// The change's commit was written and the branch moved; the journal is still there.
    public static let committed = FaultPoint(rawValue: "committed")
    /// `sync`: direct edits are committed.
    public static let syncCommit = FaultPoint(rawValue: "commit")
    /// `sync`: the remote is fetched.
    public static let syncFetch = FaultPoint(rawValue: "fetch")
    /// `sync`: the merge commit is written and checked out.
    public static let syncMergeCommit = FaultPoint(rawValue: "merge-commit")
    /// `sync`: just before the first push (a test may move the remote here).
    public static let syncBeforePush = FaultPoint(rawValue: "before-push")
    /// The search index wrote its vectors (or a new base) but not yet its state file.
    public static let indexBeforeSave = FaultPoint(rawValue: "index-before-save")
}

/// Fault injection for tests: handed to a `Vault` (`vault.faults = ...`), never read from the
/// environment by the library. The command line installs one only in debug builds.
public protocol FaultInjection: AnyObject {
    /// Called when the vault reaches `point`; may end the process, sleep, or change files.
    func reached(_ point: FaultPoint)
}
