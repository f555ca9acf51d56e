#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// An exclusive advisory lock (flock) that serializes memvault processes on one vault.
///
/// The lock is released by `unlock()`, when the value is freed, or when the process dies, so a killed
/// process never leaves a stale lock behind.
public final class VaultLock {
    private var fd: Int32

    /// Waits for the lock at `url`, creating the lock file if needed.
    /// - Parameter timeout: seconds to wait before giving up.
    /// - Throws: `FileError` when the lock cannot be had in time.
    public init(at url: URL, timeout: TimeInterval = 120) throws(FileError) {
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .errno("cannot open lock file", path: url.path) }
        let deadline = Date().addingTimeInterval(timeout)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let error = FileError.errno("cannot lock", path: url.path)
                close(fd)
                throw error
            }
            if Date() > deadline {
                close(fd)
                throw FileError(path: url.path, message: "another memvault process holds the vault lock")
            }
            usleep(5_000)
        }
        self.fd = fd
    }

    /// Releases the lock; also done when the value is freed.
    public func unlock() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit {
        unlock()
    }
}
