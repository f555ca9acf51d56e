import AgeCrypto
internal import CLinuxProcess
import Foundation
import MemvaultSupport

#if canImport(Glibc)
import Glibc
#endif

/// The per-user key agent: a background process holding confidential and secret identities in
/// memory for a time-to-live, reachable only over a Unix socket of the same user.
///
/// The socket lives in `$XDG_RUNTIME_DIR/memvault/` or `/tmp/memvault-<uid>/` (a 0700 folder the
/// user owns), has mode 0600, and every connection's peer uid is checked with `SO_PEERCRED`.
/// The protocol is one line per connection: `GET <age1...>`, `PUT <seconds> <AGE-SECRET-KEY-1...>`,
/// `LOCK`, `PING`; the answer is one line (`KEY <identity>`, `NONE`, `OK`, `ERR <why>`).
public enum KeyAgent {
    /// The longest time-to-live a key may be held: one week. Longer (or overflowing) TTLs are refused.
    public static let maximumTTL = 7 * 24 * 3600

    /// Checks a time-to-live in seconds.
    /// - Throws: `.badInput` when it is not between 1 second and `maximumTTL`.
    public static func validateTTL(_ seconds: Int) throws(VaultError) {
        guard seconds >= 1, seconds <= maximumTTL else {
            throw VaultError(.badInput, "a key can be held from 1 second to 7 days (168h), not \(seconds) seconds",
                hint: "pass --ttl 15m, 2h or at most 168h")
        }
    }

    /// The agent's folder for `environment`.
    public static func directory(environment: [String: String]) -> String {
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty {
            return runtime + "/memvault"
        }
        return "/tmp/memvault-\(getuid())"
    }

    public static func socketPath(environment: [String: String]) -> String {
        directory(environment: environment) + "/agent.sock"
    }

    /// Whether a connection from `peerUID` may talk to an agent of `ownUID`: only the same user.
    public static func isPeerAllowed(peerUID: UInt32, ownUID: UInt32) -> Bool { peerUID == ownUID }

    /// The uid of the process at the other end of a connected Unix socket.
    /// - Returns: nil if the kernel does not say.
    public static func peerUID(of socket: Int32) -> UInt32? {
        // struct ucred (pid, uid, gid); declared here because glibc hides it without _GNU_SOURCE.
        struct PeerCredentials { var pid: Int32 = 0; var uid: UInt32 = 0; var gid: UInt32 = 0 }
        var credentials = PeerCredentials()
        var length = socklen_t(MemoryLayout<PeerCredentials>.size)
        guard getsockopt(socket, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0 else { return nil }
        return credentials.uid
    }

    // MARK: Client

    /// Asks a running agent for the identity of `recipient`.
    /// - Returns: the `AGE-SECRET-KEY-1...` string, or nil when no agent runs or it does not hold it.
    static func fetch(recipient: String, environment: [String: String]) -> String? {
        guard let answer = request("GET \(recipient)", environment: environment), answer.hasPrefix("KEY ") else { return nil }
        return String(answer.dropFirst(4))
    }

    /// Gives the agent an identity to hold for `ttl` seconds.
    /// - Throws: `.badInput` when the agent cannot be reached or refuses.
    public static func store(_ key: UnlockedKey, ttl: Int, environment: [String: String]) throws(VaultError) {
        try validateTTL(ttl)
        guard let answer = request("PUT \(ttl) \(key.secret)", environment: environment) else {
            throw VaultError(.badInput, "the key agent is not reachable", at: socketPath(environment: environment))
        }
        guard answer == "OK" else {
            throw VaultError(.badInput, "the key agent refused the key: \(answer)", at: socketPath(environment: environment))
        }
    }

    /// Wipes the agent's keys and stops it.
    /// - Returns: whether an agent was running.
    @discardableResult
    public static func lock(environment: [String: String]) -> Bool {
        request("LOCK", environment: environment) == "OK"
    }

    /// Whether an agent answers on the socket.
    public static func isRunning(environment: [String: String]) -> Bool {
        request("PING", environment: environment) == "OK"
    }

    /// Sends one request line and returns the answer line, or nil when no agent answers.
    static func request(_ line: String, environment: [String: String]) -> String? {
        let path = socketPath(environment: environment)
        guard directoryIsPrivate(directory(environment: environment)) else { return nil }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard var address = socketAddress(path) else { return nil }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { return nil }
        // The agent must be ourselves too: a socket planted by another user is not trusted.
        guard let peer = peerUID(of: fd), isPeerAllowed(peerUID: peer, ownUID: getuid()) else { return nil }
        setTimeout(fd, seconds: 5)
        var bytes = Array((line + "\n").utf8)
        defer { wipe(&bytes) }
        guard writeAll(fd, bytes) else { return nil }
        guard var answer = readLine(fd) else { return nil }
        defer { wipe(&answer) }
        return String(decoding: answer, as: UTF8.self)
    }

    // MARK: Server

    /// Runs the agent until it holds no key (after a short grace period) or is told to lock.
    /// Call from a detached process (`memvault agent --serve`).
    /// - Throws: `.badInput` when the socket cannot be created.
    public static func serve(environment: [String: String]) throws(VaultError) {
        SecureProcess.disableCoreDumps()
        SecureProcess.disableDumping()
        _ = setsid()
        signal(SIGPIPE, SIG_IGN)
        signal(SIGHUP, SIG_IGN)
        let folder = directory(environment: environment)
        let path = socketPath(environment: environment)
        try makePrivateDirectory(folder)
        // One agent per folder: the lock is held for the agent's lifetime and released by exit.
        let lockFD = open(folder + "/agent.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lockFD >= 0 else { throw VaultError(.badInput, "cannot open the agent lock (errno \(errno))", at: folder) }
        defer { close(lockFD) }
        guard flock(lockFD, LOCK_EX | LOCK_NB) == 0 else { return }
        unlink(path)
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw VaultError(.badInput, "cannot create the agent socket", at: path) }
        defer {
            close(listener)
            unlink(path)
        }
        guard var address = socketAddress(path) else {
            throw VaultError(.badInput, "the agent socket path is too long", at: path)
        }
        let previousMask = umask(0o177)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        umask(previousMask)
        guard bound == 0, chmod(path, 0o600) == 0, listen(listener, 8) == 0 else {
            throw VaultError(.badInput, "cannot listen on the agent socket (errno \(errno))", at: path)
        }
        var held = HeldKeys()
        let started = Date()
        while true {
            held.dropExpired(now: Date())
            if held.isEmpty && Date().timeIntervalSince(started) > 10 { return }
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(min(1000, max(10, held.millisecondsToNextExpiry(now: Date()) ?? 1000))))
            guard ready > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            defer { close(client) }
            guard let peer = peerUID(of: client), isPeerAllowed(peerUID: peer, ownUID: getuid()) else { continue }
            setTimeout(client, seconds: 2)
            guard var line = readLine(client) else { continue }
            defer { wipe(&line) }
            var answer = held.handle(line, now: Date())
            _ = writeAll(client, answer.reply)
            wipe(&answer.reply)
            if answer.stop {
                held.removeAll()
                return
            }
        }
    }

    /// The identities the agent holds, by recipient, with their expiry.
    ///
    /// Each identity (its `AGE-SECRET-KEY-1...` text) is kept once, in a slot of one page mapped
    /// privately, locked into RAM (`mlock`: never swapped) and excluded from core dumps
    /// (`MADV_DONTDUMP`); a slot is zeroed when its key expires and on `LOCK`, and the whole page
    /// when the agent exits. (Parsing a PUT still makes short-lived copies inside swift-crypto.)
    struct HeldKeys {
        private var slots: [String: (slot: Int, expires: Date)] = [:]
        private let page: LockedPage

        init() { page = LockedPage() }

        var isEmpty: Bool { slots.isEmpty }

        mutating func dropExpired(now: Date) {
            for (recipient, held) in slots where held.expires <= now {
                page.wipe(slot: held.slot)
                slots[recipient] = nil
            }
        }

        mutating func removeAll() {
            for held in slots.values { page.wipe(slot: held.slot) }
            slots.removeAll()
        }

        func millisecondsToNextExpiry(now: Date) -> Int? {
            guard let next = slots.values.map(\.expires).min() else { return nil }
            // Clamped before converting: an expiry far away must not overflow Int.
            return Int(min(max(next.timeIntervalSince(now) * 1000, 0), 3_600_000).rounded(.up))
        }

        /// Answers one request line; the answer's bytes are the caller's to send and wipe.
        mutating func handle(_ line: [UInt8], now: Date) -> (reply: [UInt8], stop: Bool) {
            func text(_ answer: String) -> [UInt8] { Array((answer + "\n").utf8) }
            let parts = line.split(separator: 0x20, omittingEmptySubsequences: true)
            switch parts.first.map({ String(decoding: $0, as: UTF8.self) }) {
            case "PING": return (text("OK"), false)
            case "LOCK": return (text("OK"), true)
            case "GET" where parts.count == 2:
                let recipient = String(decoding: parts[1], as: UTF8.self)
                guard let held = slots[recipient], held.expires > now else { return (text("NONE"), false) }
                return (Array("KEY ".utf8) + page.read(slot: held.slot) + [0x0A], false)
            case "PUT" where parts.count == 3:
                guard let ttl = Int(String(decoding: parts[1], as: UTF8.self)), ttl >= 1, ttl <= KeyAgent.maximumTTL else {
                    return (text("ERR the time-to-live must be from 1 second to 7 days"), false)
                }
                var secret = Array(parts[2])
                defer { KeyAgent.wipe(&secret) }
                guard secret.count <= LockedPage.slotSize - 1,
                    let identity = try? X25519Identity(parsing: String(decoding: secret, as: UTF8.self))
                else { return (text("ERR bad request"), false) }
                let recipient = identity.recipient.encoded
                let slot = slots[recipient]?.slot ?? page.freeSlot(excluding: Set(slots.values.map(\.slot)))
                guard let slot else { return (text("ERR the agent holds too many keys"), false) }
                page.write(secret, slot: slot)
                slots[recipient] = (slot, now.addingTimeInterval(TimeInterval(ttl)))
                return (text("OK"), false)
            default:
                return (text("ERR unknown request"), false)
            }
        }

        /// `handle(_:now:)` for a text line, answering text (without the line feed).
        mutating func handle(_ line: String, now: Date) -> (text: String, stop: Bool) {
            var answer = handle(Array(line.utf8), now: now)
            defer { KeyAgent.wipe(&answer.reply) }
            return (String(decoding: answer.reply.dropLast(), as: UTF8.self), answer.stop)
        }

        /// The bytes held in the locked page for the key of `recipient`, for tests of the wiping.
        func heldBytes(recipient: String) -> [UInt8]? {
            slots[recipient].map { page.read(slot: $0.slot) }
        }

        /// All bytes of the locked page, for tests of the wiping.
        var pageBytes: [UInt8] { Array(UnsafeRawBufferPointer(start: page.base, count: page.size)) }

        var isMemoryLocked: Bool { page.isLocked }
    }

    /// One page of memory outside Swift's heap for key material: `mmap`ed privately, `mlock`ed,
    /// excluded from core dumps, zeroed and unmapped when released.
    final class LockedPage {
        static let slotSize = 128
        let size: Int
        let base: UnsafeMutableRawPointer
        /// Whether `mlock` succeeded (it can fail under a low RLIMIT_MEMLOCK; the page is still private).
        let isLocked: Bool

        init() {
            size = max(Int(sysconf(Int32(_SC_PAGESIZE))), 4096)
            let mapping: UnsafeMutableRawPointer? = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            guard let mapped = mapping, mapped != UnsafeMutableRawPointer(bitPattern: -1) else {
                fatalError("cannot map memory for the key agent")
            }
            base = mapped
            isLocked = mlock(base, size) == 0
            _ = madvise(base, size, 16)  // MADV_DONTDUMP
        }

        var slotCount: Int { size / Self.slotSize }

        func freeSlot(excluding used: Set<Int>) -> Int? {
            (0..<slotCount).first { !used.contains($0) }
        }

        func write(_ bytes: [UInt8], slot: Int) {
            wipe(slot: slot)
            let start = base + slot * Self.slotSize
            start.storeBytes(of: UInt8(bytes.count), as: UInt8.self)
            bytes.withUnsafeBytes { (start + 1).copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        }

        func read(slot: Int) -> [UInt8] {
            let start = base + slot * Self.slotSize
            let count = Int(start.load(as: UInt8.self))
            return Array(UnsafeRawBufferPointer(start: start + 1, count: count))
        }

        func wipe(slot: Int) {
            memset(base + slot * Self.slotSize, 0, Self.slotSize)
        }

        deinit {
            memset(base, 0, size)
            if isLocked { munlock(base, size) }
            munmap(base, size)
        }
    }

    // MARK: Socket helpers

    /// Creates the agent folder with mode 0700, or checks an existing one is ours and private.
    static func makePrivateDirectory(_ path: String) throws(VaultError) {
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw VaultError(.badInput, "cannot create the agent folder (errno \(errno))", at: path)
        }
        guard directoryIsPrivate(path) else {
            throw VaultError(.badInput, "the agent folder is not a private folder of this user (it must be mode 0700)", at: path)
        }
    }

    /// Whether `path` is a real directory owned by us that nobody else can enter.
    static func directoryIsPrivate(_ path: String) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0 else { return false }
        return (info.st_mode & mode_t(S_IFMT)) == mode_t(S_IFDIR) && info.st_uid == getuid() && (info.st_mode & 0o077) == 0
    }

    private static func socketAddress(_ path: String) -> sockaddr_un? {
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

    private static func setTimeout(_ fd: Int32, seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }

    /// Reads up to the first newline (at most 4 KiB).
    private static func readLine(_ fd: Int32) -> [UInt8]? {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while line.count < 4096 {
            let count = recv(fd, &byte, 1, 0)
            if count <= 0 { return line.isEmpty ? nil : line }
            if byte == 0x0A { return line }
            line.append(byte)
        }
        return nil
    }

    /// Overwrites a buffer that held key material.
    static func wipe(_ bytes: inout [UInt8]) {
        for index in bytes.indices { bytes[index] = 0 }
    }
}
