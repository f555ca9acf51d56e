import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The Unix-socket plumbing memvault's local servers share (the key agent, and the warm search
/// a running `watch` answers): a private per-user folder, connections checked with
/// `SO_PEERCRED` to come from the same user, timeouts, whole reads and writes.
enum UnixSocket {
    /// The folder of memvault's sockets for `environment`: `$XDG_RUNTIME_DIR/memvault/`, else
    /// `/tmp/memvault-<uid>/` (created 0700 by the server that first needs it).
    static func directory(environment: [String: String]) -> String {
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty {
            return runtime + "/memvault"
        }
        return "/tmp/memvault-\(getuid())"
    }

    /// Whether a connection from `peerUID` may talk to a server of `ownUID`: only the same user.
    static func isPeerAllowed(peerUID: UInt32, ownUID: UInt32) -> Bool { peerUID == ownUID }

    /// The uid of the process at the other end of a connected Unix socket.
    /// - Returns: nil if the kernel does not say.
    static func peerUID(of socket: Int32) -> UInt32? {
        // struct ucred (pid, uid, gid); declared here because glibc hides it without _GNU_SOURCE.
        struct PeerCredentials { var pid: Int32 = 0; var uid: UInt32 = 0; var gid: UInt32 = 0 }
        var credentials = PeerCredentials()
        var length = socklen_t(MemoryLayout<PeerCredentials>.size)
        guard getsockopt(socket, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0 else { return nil }
        return credentials.uid
    }

    /// Whether the other end of `socket` runs as this process's user.
    static func peerIsUs(_ socket: Int32) -> Bool {
        guard let peer = peerUID(of: socket) else { return false }
        return isPeerAllowed(peerUID: peer, ownUID: getuid())
    }

    /// Creates the sockets' folder with mode 0700, or checks an existing one is ours and private.
    static func makePrivateDirectory(_ path: String) throws(VaultError) {
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw VaultError(.badInput, "cannot create memvault's socket folder (errno \(errno))", at: path)
        }
        guard directoryIsPrivate(path) else {
            throw VaultError(.badInput, "memvault's socket folder is not a private folder of this user (it must be mode 0700)", at: path)
        }
    }

    /// Whether `path` is a real directory owned by us that nobody else can enter.
    static func directoryIsPrivate(_ path: String) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0 else { return false }
        return (info.st_mode & mode_t(S_IFMT)) == mode_t(S_IFDIR) && info.st_uid == getuid() && (info.st_mode & 0o077) == 0
    }

    static func address(_ path: String) -> sockaddr_un? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = byte }
            buffer[bytes.count] = 0
        }
        return address
    }

    /// Connects to the socket at `path` in the private `folder`, checking the server runs as us.
    /// - Returns: the connected descriptor (the caller closes it), or nil: no server, a folder
    ///   that is not private, or a socket planted by another user.
    static func connect(_ path: String, folder: String) -> Int32? {
        guard directoryIsPrivate(folder), var address = address(path) else { return nil }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0, peerIsUs(fd) else {
            close(fd)
            return nil
        }
        return fd
    }

    /// A listening socket at `path` (an old socket file there is replaced), mode 0600.
    /// - Throws: `.badInput` when it cannot be created.
    static func listen(_ path: String, backlog: Int32 = 8) throws(VaultError) -> Int32 {
        unlink(path)
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard listener >= 0 else { throw VaultError(.badInput, "cannot create a socket (errno \(errno))", at: path) }
        guard var address = address(path) else {
            close(listener)
            throw VaultError(.badInput, "the socket path is too long", at: path)
        }
        // No umask around bind: it is the whole process's, and a server in a process that starts
        // others meanwhile (the tests) would hand them a umask of 0177. The socket is made inside
        // the 0700 folder, set to 0600 at once, and every connection's peer is checked.
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, chmod(path, 0o600) == 0, Glibc.listen(listener, backlog) == 0 else {
            let code = errno
            close(listener)
            throw VaultError(.badInput, "cannot listen on the socket (errno \(code))", at: path)
        }
        return listener
    }

    static func setTimeout(_ fd: Int32, seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }

    /// Reads exactly `count` bytes; nil on end of stream, error or timeout (or, with `partial`,
    /// the bytes read until then, nil only when there were none).
    static func readExactly(_ fd: Int32, _ count: Int, partial: Bool = false) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let read = buffer[offset...].withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if read < 0 && errno == EINTR { continue }
            if read <= 0 { return partial && offset > 0 ? Array(buffer[..<offset]) : nil }
            offset += read
        }
        return buffer
    }

    /// Reads until the other side closes its end, at most `limit` bytes.
    /// - Returns: nil on an error, a timeout, or more than `limit` bytes.
    static func readToEnd(_ fd: Int32, limit: Int) -> [UInt8]? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let read = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if read < 0 && errno == EINTR { continue }
            if read < 0 { return nil }
            if read == 0 { return bytes }
            guard bytes.count + read <= limit else { return nil }
            bytes += chunk[..<read]
        }
    }
}
