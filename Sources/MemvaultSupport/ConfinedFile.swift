#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// File operations confined to a folder (a vault): paths are relative to `root`, and no symbolic
/// link, device, socket or FIFO below `root` is ever followed, opened or created.
///
/// Every path is walked from a descriptor of `root`, one component at a time with
/// `openat(..., O_NOFOLLOW)`, so a link placed anywhere in the path (a month file, a tier folder,
/// `.memvault/cache`) is refused with one error naming it instead of being read or written through.
/// `root` itself may be reached through links: the person chose it.
extension AtomicFile {
    /// Reads a whole regular file below `root`; nil when it (or a folder on the way) does not exist.
    /// - Throws: `FileError` (exit 5) naming the link or special file in the way; `FileError` for I/O errors.
    public static func read(_ relativePath: String, in root: URL) throws(FileError) -> [UInt8]? {
        guard let opened = try openRegular(relativePath, in: root) else { return nil }
        let (fd, size) = opened
        defer { close(fd) }
        var result: [UInt8] = []
        result.reserveCapacity(size)
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw .errno("cannot read", path: relativePath)
            }
            if n == 0 { break }
            result.append(contentsOf: buffer[0..<n])
        }
        return result
    }

    /// Reads the bytes of `range` of a regular file below `root` (fewer where the file is
    /// shorter), confined as `read(_:in:)` is: one entry of a large month file without the rest.
    /// - Returns: nil when the file (or a folder on the way) does not exist.
    /// - Throws: `FileError` (exit 5) naming the link or special file in the way; `FileError` for I/O errors.
    public static func read(_ relativePath: String, in root: URL, range: Range<Int>) throws(FileError) -> [UInt8]? {
        guard let opened = try openRegular(relativePath, in: root) else { return nil }
        let (fd, size) = opened
        defer { close(fd) }
        let count = max(0, min(range.upperBound, size) - max(0, range.lowerBound))
        var result = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = result.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(range.lowerBound + done)) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw .errno("cannot read", path: relativePath)
            }
            if n == 0 { break }
            done += n
        }
        return done == count ? result : Array(result[..<done])
    }

    /// Opens a regular file below `root` for reading, confined (no link followed on the way):
    /// its descriptor, which the caller closes, and its size; nil when it does not exist.
    private static func openRegular(_ relativePath: String, in root: URL) throws(FileError) -> (Int32, Int)? {
        let (folder, name) = try split(relativePath)
        guard let directory = try openDirectory(folder, in: root, create: false) else { return nil }
        defer { close(directory) }
        let fd = openat(directory, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw refusal(at: directory, name: name, path: relativePath, doing: "cannot read")
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else { close(fd); throw .errno("cannot read", path: relativePath) }
        guard st.st_mode & S_IFMT == S_IFREG else { close(fd); throw notRegular(relativePath, mode: st.st_mode) }
        return (fd, Int(st.st_size))
    }

    /// Writes `bytes` to the file at `relativePath` below `root` atomically (temporary file, fsync,
    /// rename, fsync of the folder), creating missing folders with mode 0700.
    ///
    /// The file gets `permissions` whatever the umask. An existing link or special file at the
    /// destination is refused, never replaced or followed.
    /// - Throws: `FileError` naming the path.
    public static func write(
        _ bytes: some Collection<UInt8>, to relativePath: String, in root: URL, permissions: mode_t = 0o600
    ) throws(FileError) {
        let (folder, name) = try split(relativePath)
        guard let directory = try openDirectory(folder, in: root, create: true) else {
            throw FileError(path: folder, message: "cannot create folder")
        }
        defer { close(directory) }
        var st = stat()
        if fstatat(directory, name, &st, AT_SYMLINK_NOFOLLOW) == 0, st.st_mode & S_IFMT != S_IFREG {
            throw notRegular(relativePath, mode: st.st_mode)
        }
        let temporary = ".\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = openat(directory, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, permissions)
        guard fd >= 0 else { throw .errno("cannot create temporary file", path: relativePath) }
        var ok = false
        defer { if !ok { unlinkat(directory, temporary, 0) } }
        let written = writeAll(bytes, to: fd)
        guard written, fchmod(fd, permissions) == 0, fsync(fd) == 0 else {
            let error = FileError.errno("cannot write", path: relativePath)
            close(fd)
            throw error
        }
        close(fd)
        guard renameat(directory, temporary, directory, name) == 0 else { throw .errno("cannot replace", path: relativePath) }
        ok = true
        fsync(directory)
    }

    /// Removes a regular file below `root` if present, then syncs its folder unless
    /// `syncingFolder` is false (a removal that may come undone at a power loss).
    /// - Throws: `FileError` (exit 5) when a link or special file is in the way.
    public static func remove(_ relativePath: String, in root: URL, syncingFolder: Bool = true) throws(FileError) {
        let (folder, name) = try split(relativePath)
        guard let directory = try openDirectory(folder, in: root, create: false) else { return }
        defer { close(directory) }
        var st = stat()
        guard fstatat(directory, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else {
            if errno == ENOENT { return }
            throw .errno("cannot remove", path: relativePath)
        }
        guard st.st_mode & S_IFMT == S_IFREG else { throw notRegular(relativePath, mode: st.st_mode) }
        guard unlinkat(directory, name, 0) == 0 || errno == ENOENT else { throw .errno("cannot remove", path: relativePath) }
        if syncingFolder { fsync(directory) }
    }

    /// Creates the folder `relativePath` below `root` (and missing parents) with mode 0700.
    /// - Throws: `FileError` (exit 5) when a link or special file is in the way.
    public static func createDirectory(_ relativePath: String, in root: URL) throws(FileError) {
        if let fd = try openDirectory(relativePath, in: root, create: true) { close(fd) }
    }

    /// The kind of the entry at `relativePath` below `root`, without following links anywhere on the way.
    /// Nil when absent or when a folder on the way is not a real folder.
    public static func kind(_ relativePath: String, in root: URL) -> FileKind? {
        guard let parts = try? split(relativePath),
            let directory = try? openDirectory(parts.folder, in: root, create: false)
        else { return nil }
        defer { close(directory) }
        var st = stat()
        guard fstatat(directory, parts.name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return nil }
        return FileKind(mode: st.st_mode)
    }

    /// Every file below the folder `relativePath` whose name ends in `suffix`, as paths relative to
    /// `root`, sorted; hidden names are skipped and links are never descended.
    ///
    /// A link or special file with a matching name, or a link in place of a sub-folder, is listed too,
    /// so that reading it reports it.
    /// - Returns: empty when the folder does not exist.
    /// - Throws: `FileError` (exit 5) when the folder itself, or one on the way, is a link.
    public static func listFiles(under relativePath: String, in root: URL, suffix: String) throws(FileError) -> [String] {
        guard let directory = try openDirectory(relativePath, in: root, create: false) else { return [] }
        var found: [String] = []
        collect(directory, prefix: try components(relativePath).joined(separator: "/"), suffix: suffix, into: &found)
        return found.sorted()
    }

    /// Walks `relativePath` below `root` with `O_NOFOLLOW` on each component and returns a descriptor of
    /// the folder (the caller closes it); nil when a component is missing and `create` is false.
    /// - Parameter create: make missing folders, mode 0700 whatever the umask.
    /// - Throws: `FileError` (exit 5) naming the first component that is a link or not a folder.
    public static func openDirectory(_ relativePath: String, in root: URL, create: Bool) throws(FileError) -> Int32? {
        let parts = try components(relativePath)
        var fd = open(root.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT && create {
                do {
                    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                } catch {
                    throw FileError(path: root.path, message: "cannot create folder")
                }
                fd = open(root.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            }
            if fd < 0 {
                if errno == ENOENT { return nil }
                throw .errno("cannot open folder", path: root.path)
            }
        }
        for (index, name) in parts.enumerated() {
            let shown = parts[...index].joined(separator: "/")
            var next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if next < 0 && errno == ENOENT && create {
                if mkdirat(fd, name, 0o700) != 0 && errno != EEXIST {
                    let error = FileError.errno("cannot create folder", path: shown)
                    close(fd)
                    throw error
                }
                next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                if next >= 0 { fchmod(next, 0o700) }
            }
            if next < 0 {
                if errno == ENOENT {
                    close(fd)
                    return nil
                }
                let error = refusal(at: fd, name: name, path: shown, doing: "cannot open folder")
                close(fd)
                throw error
            }
            close(fd)
            fd = next
        }
        return fd
    }

    // MARK: Internals

    /// The components of a relative path; refuses absolute paths, `.` and `..`.
    static func components(_ relativePath: String) throws(FileError) -> [String] {
        let parts = relativePath.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard !relativePath.hasPrefix("/"), !parts.contains(where: { $0 == "." || $0 == ".." }) else {
            throw FileError(path: relativePath, message: "not a path inside the vault")
        }
        return parts
    }

    private static func split(_ relativePath: String) throws(FileError) -> (folder: String, name: String) {
        let parts = try components(relativePath)
        guard let name = parts.last else { throw FileError(path: relativePath, message: "not a file path") }
        return (parts.dropLast().joined(separator: "/"), name)
    }

    /// The error for an `openat` that failed on `name` in `directory`: a clear refusal for a link or
    /// special file, else the system's reason.
    private static func refusal(at directory: Int32, name: String, path: String, doing what: String) -> FileError {
        let saved = errno
        var st = stat()
        if fstatat(directory, name, &st, AT_SYMLINK_NOFOLLOW) == 0 {
            let kind = FileKind(mode: st.st_mode)
            if kind == .symbolicLink || (saved == ENOTDIR && kind != .directory) || saved == ELOOP {
                return notRegular(path, mode: st.st_mode)
            }
        }
        errno = saved
        return .errno(what, path: path)
    }

    private static func notRegular(_ path: String, mode: mode_t) -> FileError {
        let kind = FileKind(mode: mode)
        if kind == .directory { return FileError(path: path, message: "a folder where a file was expected") }
        return FileError(
            path: path,
            message: "refusing \(kind.description) inside the vault; nothing was read or written through it",
            exitStatus: .integrity,
            hint: kind == .symbolicLink
                ? "a vault holds only regular files and folders; replace the link with the file itself (ls -l \(path)), then try again"
                : "a vault holds only regular files and folders; move it away, then try again")
    }

    private static func collect(_ directory: Int32, prefix: String, suffix: String, into found: inout [String]) {
        guard let stream = fdopendir(directory) else {
            close(directory)
            return
        }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if !name.hasPrefix(".") { names.append(name) }
        }
        for name in names {
            let path = prefix.isEmpty ? name : prefix + "/" + name
            var st = stat()
            guard fstatat(directory, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            switch FileKind(mode: st.st_mode) {
            case .directory:
                let child = openat(directory, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                if child >= 0 { collect(child, prefix: path, suffix: suffix, into: &found) }
            case .regular:
                if name.hasSuffix(suffix) { found.append(path) }
            case .symbolicLink:
                found.append(path)
            case .other:
                if name.hasSuffix(suffix) { found.append(path) }
            }
        }
    }
}

/// What a directory entry is, as far as a vault cares.
public enum FileKind: Sendable, Equatable, CustomStringConvertible {
    case regular, directory, symbolicLink, other

    init(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFREG: self = .regular
        case S_IFDIR: self = .directory
        case S_IFLNK: self = .symbolicLink
        default: self = .other
        }
    }

    public var description: String {
        switch self {
        case .regular: "a regular file"
        case .directory: "a folder"
        case .symbolicLink: "a symbolic link"
        case .other: "a device, socket or pipe"
        }
    }
}
