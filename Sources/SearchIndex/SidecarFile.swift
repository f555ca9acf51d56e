import Foundation
import MemvaultSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash-safe writes and fast reads of sidecar files.
public enum SidecarFile {
    /// Replaces the file at `url` with `bytes` so that a crash at any moment leaves
    /// either the old file or the new one, never a mix: a temporary file in the same
    /// directory, fsync, rename over the target, fsync of the directory.
    /// - Throws: `IndexError` of kind `.io`, naming the step and errno.
    public static func write(_ bytes: [UInt8], to url: URL) throws(IndexError) {
        let result: Result<Void, IndexError> = bytes.withUnsafeBytes { raw in
            Result { () throws(IndexError) in try write(raw, to: url) }
        }
        try result.get()
    }

    static func write(_ bytes: UnsafeRawBufferPointer, to url: URL) throws(IndexError) {
        let path = url.path
        let dir = url.deletingLastPathComponent().path
        let temp = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        func failure(_ step: String, _ at: String) -> IndexError {
            IndexError(.io, path: at, "\(step) failed: \(String(cString: strerror(errno)))")
        }
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("open", temp) }
        var written = 0
        while written < bytes.count {
            let n = Glibc_write(fd, bytes.baseAddress! + written, bytes.count - written)
            if n < 0 {
                if errno == EINTR { continue }
                let error = failure("write", temp)
                close(fd)
                unlink(temp)
                throw error
            }
            written += n
        }
        if fsync(fd) != 0 {
            let error = failure("fsync", temp)
            close(fd)
            unlink(temp)
            throw error
        }
        if close(fd) != 0 {
            let error = failure("close", temp)
            unlink(temp)
            throw error
        }
        if rename(temp, path) != 0 {
            let error = failure("rename", path)
            unlink(temp)
            throw error
        }
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dfd >= 0 else { throw failure("open", dir) }
        defer { close(dfd) }
        if fsync(dfd) != 0 { throw failure("fsync", dir) }
    }

    /// The whole file at `url`.
    /// - Throws: `IndexError` of kind `.io`.
    public static func read(_ url: URL) throws(IndexError) -> [UInt8] {
        let map = try MappedFile(url)
        return Array(map.bytes)
    }
}

@inline(__always)
private func Glibc_write(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, p, n)
    #else
    return Darwin.write(fd, p, n)
    #endif
}

/// A read-only memory map of a whole file, unmapped on deinit.
///
/// `@unchecked Sendable`: the mapping is private and read-only and never changes
/// after init, so concurrent reads from any thread are safe.
final class MappedFile: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    let path: String
    /// True when `bytes` is a heap copy (``init(copying:path:)``), freed instead of unmapped.
    private let isCopy: Bool

    /// A heap copy of `source` read like a mapped file: the fuzz targets read sidecar bytes
    /// this way, so that the address sanitizer sees every read past the end.
    init(copying source: [UInt8], path: String) {
        self.path = path
        isCopy = true
        guard !source.isEmpty else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: source.count, alignment: 64)
        copy.copyBytes(from: source)
        bytes = UnsafeRawBufferPointer(copy)
    }

    /// Maps `url` read-only.
    /// - Parameter populate: map every page now (`MAP_POPULATE`), for a file that is read
    ///   whole anyway (checksummed at open); false for one read in parts, whose untouched
    ///   pages then cost nothing (a 100k vector file is 194 MB, a query reads a fifth of it).
    init(_ url: URL, populate: Bool = true) throws(IndexError) {
        isCopy = false
        path = url.path
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw IndexError(.io, path: path, "open failed: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw IndexError(.io, path: path, "fstat failed: \(String(cString: strerror(errno)))") }
        let size = Int(st.st_size)
        if size == 0 {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let p = ReadOnlyMapping.map(descriptor: fd, length: size, populate: populate) else {
            throw IndexError(.io, path: path, "mmap failed: \(String(cString: strerror(errno)))")
        }
        bytes = UnsafeRawBufferPointer(start: p, count: size)
    }

    deinit {
        guard let base = bytes.baseAddress else { return }
        if isCopy {
            base.deallocate()
        } else {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        }
    }
}
