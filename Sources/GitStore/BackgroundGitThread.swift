import Dispatch
import Foundation
import MemvaultSupport
import Synchronization

/// The one thread of a committing command that sets libgit2 up beside the command's own work,
/// and then stays for that command's ``PendingCommit``.
///
/// A pending commit's thread must have read HEAD by the time the change's bytes are known; a
/// thread that already runs starts the commit's work as soon as its set-up is done, or within
/// tens of microseconds when it waits, where a new thread costs another start.
enum BackgroundGitThread {
    /// Set when the set-up has finished; nil until ``start()``.
    nonisolated(unsafe) private static var setUp: DispatchSemaphore?
    private static let state = Mutex<(started: Bool, running: Bool, work: (@Sendable () -> Void)?)>((false, false, nil))
    private static let wake = DispatchSemaphore(value: 0)

    /// Starts the thread: it opens and initializes libgit2, then waits for work.
    /// - Important: call at most once per process, from the main thread.
    static func start() {
        guard setUp == nil else { return }
        let done = DispatchSemaphore(value: 0)
        setUp = done
        state.withLock { $0.started = true }
        ThreadStart.elsewhere {
            _ = libgit2Setup
            done.signal()
            while true {
                wake.wait()
                let work = state.withLock { state in
                    defer { state.work = nil }
                    state.running = state.work != nil
                    return state.work
                }
                work?()
                state.withLock { $0.running = false }
            }
        }
    }

    /// Waits until the set-up has finished (at once when the thread was never started).
    static func waitForSetUp() {
        guard let done = setUp else { return }
        done.wait()
        done.signal()
    }

    /// Runs `work` on the thread, right after its set-up if that is still going on.
    /// - Returns: false when there is no thread or it has work already; the caller then runs
    ///   `work` on a thread of its own.
    static func run(_ work: @escaping @Sendable () -> Void) -> Bool {
        let taken = state.withLock { state in
            guard state.started, !state.running, state.work == nil else { return false }
            state.work = work
            return true
        }
        if taken { wake.signal() }
        return taken
    }
}

extension GitRepository {
    /// Opens and initializes libgit2 on another thread now, for a command that will commit: its
    /// set-up (loading the library and the ones it links, several milliseconds) then overlaps the
    /// command's own work, and the thread stays for the command's commit (``BackgroundGitThread``).
    /// The first libgit2 call waits for the set-up if it is not done; a failure is reported there.
    ///
    /// A command that stops early (bad input) must call ``finishPreparation()`` before the
    /// process exits: the clean-up at exit (the libraries' destructors, registered while they
    /// load) would otherwise run under the set-up still going on, and crash it.
    /// - Important: call at most once per process, from the main thread, before any libgit2 use.
    public static func prepareInBackground() {
        BackgroundGitThread.start()
    }

    /// Waits until the set-up `prepareInBackground()` started has finished (at once when none
    /// was started, or when it is done); call it before the process exits.
    public static func finishPreparation() {
        BackgroundGitThread.waitForSetUp()
    }
}
