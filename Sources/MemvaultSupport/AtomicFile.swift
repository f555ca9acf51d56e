#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// An I/O failure, with the path and the system's reason.
public struct FileError: ReportableError, Sendable {
    public var path: String
    public var message: String
    /// `.integrity` for a symbolic link, device or other non-regular entry inside a vault; else `.badInput`.
    public var exitStatus: ExitStatus
    public var hint: String?
    public var description: String { "\(message) (\(path))" }

    public init(path: String, message: String, exitStatus: ExitStatus = .badInput, hint: String? = nil) {
        self.path = path
        self.message = message
        self.exitStatus = exitStatus
        self.hint = hint
    }

    static func errno(_ what: String, path: String) -> FileError {
        FileError(path: path, message: "\(what): \(String(cString: strerror(Glibc.errno)))")
    }
}

/// Crash-safe whole-file writes: a temporary file in the same folder, fsync, rename, fsync of the folder.
///
/// A reader sees either the old bytes or the new ones, never a mix, even if the process is killed.
public enum AtomicFile {
    /// Writes all of `bytes` to `fd`, retrying after signals; false on the first failed write.
    static func writeAll(_ bytes: some Collection<UInt8>, to fd: Int32) -> Bool {
        let contiguous = Array(bytes)
        return contiguous.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return true
        }
    }

    /// Writes `bytes` to `url`, creating parent folders as needed.
    /// - Parameters:
    ///   - bytes: the whole new content.
    ///   - url: the destination.
    ///   - permissions: mode of the new file (default 0644).
    /// - Throws: `FileError` naming the path.
    public static func write(_ bytes: some Collection<UInt8>, to url: URL, permissions: mode_t = 0o644) throws(FileError) {
        let directory = url.deletingLastPathComponent()
        let path = url.path
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw FileError(path: directory.path, message: "cannot create folder")
        }
        let tempPath = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        let fd = open(tempPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
        guard fd >= 0 else { throw .errno("cannot create temporary file", path: tempPath) }
        var ok = false
        defer {
            if !ok { unlink(tempPath) }
        }
        let written = writeAll(bytes, to: fd)
        guard written else {
            let error = FileError.errno("cannot write", path: path)
            close(fd)
            throw error
        }
        guard fsync(fd) == 0 else {
            let error = FileError.errno("cannot sync", path: path)
            close(fd)
            throw error
        }
        close(fd)
        guard rename(tempPath, path) == 0 else { throw .errno("cannot replace", path: path) }
        ok = true
        syncDirectory(directory.path)
    }

    /// Reads a whole file; nil when it does not exist.
    public static func read(_ url: URL) throws(FileError) -> [UInt8]? {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw .errno("cannot read", path: url.path)
        }
        defer { close(fd) }
        var result: [UInt8] = []
        var st = stat()
        if fstat(fd, &st) == 0 { result.reserveCapacity(Int(st.st_size)) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .errno("cannot read", path: url.path)
            }
            if n == 0 { break }
            result.append(contentsOf: buffer[0..<n])
        }
        return result
    }

    /// Removes a file if present, then syncs its folder.
    public static func remove(_ url: URL) throws(FileError) {
        if unlink(url.path) != 0 && errno != ENOENT { throw .errno("cannot remove", path: url.path) }
        syncDirectory(url.deletingLastPathComponent().path)
    }

    private static func syncDirectory(_ path: String) {
        let dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
    }
}
