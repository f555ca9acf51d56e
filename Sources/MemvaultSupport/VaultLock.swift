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
    public convenience init(at url: URL, timeout: TimeInterval = 120) throws(FileError) {
        try self.init(url.lastPathComponent, in: url.deletingLastPathComponent(), timeout: timeout)
    }

    /// Waits for the lock file `relativePath` below `root`, creating it (and its folders, 0700) if
    /// needed; no link on the way is followed (see `AtomicFile.openDirectory`).
    /// - Throws: `FileError` when the lock cannot be had in time, or a link is in the way (exit 5).
    /// The message of the error thrown when another process holds the lock past the timeout.
    public static let heldMessage = "another memvault process holds the vault lock"

    public init(_ relativePath: String, in root: URL, timeout: TimeInterval = 120) throws(FileError) {
        let parts = try AtomicFile.components(relativePath)
        guard let name = parts.last,
            let directory = try AtomicFile.openDirectory(parts.dropLast().joined(separator: "/"), in: root, create: true)
        else { throw FileError(path: relativePath, message: "not a lock file path") }
        let fd = openat(directory, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if fd < 0 {
            let error: FileError = errno == ELOOP
                ? FileError(path: relativePath, message: "refusing a symbolic link inside the vault; nothing was read or written through it", exitStatus: .integrity)
                : .errno("cannot open lock file", path: relativePath)
            close(directory)
            throw error
        }
        close(directory)
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw FileError(path: relativePath, message: "the lock file is not a regular file", exitStatus: .integrity)
        }
        let url = root.appendingPathComponent(relativePath)
        let deadline = Date().addingTimeInterval(timeout)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let error = FileError.errno("cannot lock", path: url.path)
                close(fd)
                throw error
            }
            if Date() > deadline {
                close(fd)
                throw FileError(path: url.path, message: Self.heldMessage)
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
