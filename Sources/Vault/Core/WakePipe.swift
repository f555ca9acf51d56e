import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A pipe whose read end a `poll` waits on beside the descriptor it is really waiting for, so
/// that `wake()` (from any thread, or a signal handler: it only writes one byte) ends the wait
/// at once. `watch`'s inotify loop and the warm search server wait this way, using no CPU.
final class WakePipe {
    let readEnd: Int32
    /// For a signal handler, which may only call `write(2)` on it.
    let writeEnd: Int32

    /// - Returns: nil when the pipe cannot be created (`errno` says why).
    init?() {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return nil }
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, O_NONBLOCK)
        }
        readEnd = ends[0]
        writeEnd = ends[1]
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    /// Ends a `wait` under way, or the next one.
    func wake() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    enum Wait: Equatable {
        /// `fd` can be read.
        case ready
        /// `wake()` was called (the pipe is drained).
        case woken
        case timedOut
        /// A signal interrupted the wait.
        case interrupted
        /// `poll` failed with this errno.
        case failed(Int32)
    }

    /// Blocks until `fd` can be read, `wake()` is called, or `milliseconds` pass (-1: no limit).
    func wait(on fd: Int32, milliseconds: Int32) -> Wait {
        var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)]
        let ready = poll(&fds, 2, milliseconds)
        if ready < 0 { return errno == EINTR ? .interrupted : .failed(errno) }
        if ready == 0 { return .timedOut }
        if fds[1].revents != 0 {
            var drain = [UInt8](repeating: 0, count: 64)
            while read(readEnd, &drain, drain.count) > 0 {}
            return .woken
        }
        return .ready
    }
}
