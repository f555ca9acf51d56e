import AgeCrypto
internal import CLinuxProcess
import Crypto
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
/// The protocol (AgentProtocol.swift) is one binary request and answer per connection. No answer
/// carries an identity: the agent unwraps the file keys of files a client presents (their age
/// recipient stanzas) and derives purpose-bound keys, and the identities stay inside it.
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

    /// The agent's folder for `environment` (memvault's socket folder, UnixSocket.swift).
    public static func directory(environment: [String: String]) -> String {
        UnixSocket.directory(environment: environment)
    }

    public static func socketPath(environment: [String: String]) -> String {
        directory(environment: environment) + "/agent.sock"
    }

    // MARK: Client

    /// How many files one UNWRAP request carries at most; more are sent in several requests.
    static let filesPerRequest = 8192

    /// Whether a running agent holds the identity of `recipient` (nothing secret is sent or received).
    static func holds(recipient: String, environment: [String: String]) -> Bool {
        guard case .success(.ok)? = exchange(.holds(recipient: recipient), expected: .status, environment: environment) else {
            return false
        }
        return true
    }

    /// The file keys of the files whose recipient stanzas are `files`, unwrapped by the agent with
    /// the identity of `recipient`; one answer per file, in order. Files are sent in requests of
    /// `filesPerRequest`, so thousands of entries cost a few round trips, not one each.
    /// - Throws: `.locked` (exit 3) when no agent runs or it no longer holds the key (locked or
    ///   expired meanwhile); `.badInput` when the agent answers something else.
    static func unwrap(recipient: String, files: [[AgeStanza]], environment: [String: String]) throws(VaultError)
        -> [AgentProtocol.Unwrapped]
    {
        var results: [AgentProtocol.Unwrapped] = []
        results.reserveCapacity(files.count)
        var start = 0
        while start < files.count {
            let part = Array(files[start..<min(start + filesPerRequest, files.count)])
            switch try answer(.unwrap(recipient: recipient, files: part), expected: .fileKeys(count: part.count), environment: environment) {
            case .fileKeys(let keys): results += keys
            default: throw VaultError(.badInput, "the key agent answered an unwrap request with something else", at: socketPath(environment: environment))
            }
            start += part.count
        }
        return results
    }

    /// The key the agent derives from the identity of `recipient` for `purpose` (32 bytes).
    /// - Throws: as `unwrap(recipient:files:environment:)`.
    static func derivedKey(recipient: String, purpose: KeyPurpose, environment: [String: String]) throws(VaultError) -> SymmetricKey {
        switch try answer(.derive(recipient: recipient, purpose: purpose.label), expected: .derivedKey, environment: environment) {
        case .derivedKey(var bytes):
            defer { wipe(&bytes) }
            return SymmetricKey(data: bytes)
        default: throw VaultError(.badInput, "the key agent answered a derive request with something else", at: socketPath(environment: environment))
        }
    }

    /// The answer to a request that needs the key of a tier, as a value or a thrown error.
    private static func answer(_ request: AgentProtocol.Request, expected: AgentProtocol.Expected, environment: [String: String])
        throws(VaultError) -> AgentProtocol.Response
    {
        let path = socketPath(environment: environment)
        switch exchange(request, expected: expected, environment: environment) {
        case nil:
            throw VaultError(.locked, "the key agent stopped: the tier was locked meanwhile", at: path, hint: "unlock it again with memvault unlock")
        case .failure(let error)?:
            throw VaultError(.badInput, "the key agent's answer is not understood: \(error.message)", at: path)
        case .success(.none)?:
            throw VaultError(.locked, "the key agent no longer holds the tier's key (locked or expired meanwhile)", at: path,
                hint: "unlock it again with memvault unlock")
        case .success(.error(let message))?:
            throw VaultError(.badInput, "the key agent refused the \(request.name) request: \(message)", at: path)
        case .success(let response)?:
            return response
        }
    }

    /// Gives the agent an identity to hold for `ttl` seconds.
    /// - Throws: `.badInput` when the agent cannot be reached or refuses.
    public static func store(_ key: UnlockedKey, ttl: Int, environment: [String: String]) throws(VaultError) {
        try validateTTL(ttl)
        var secret = Array(key.secret.utf8)
        defer { wipe(&secret) }
        switch exchange(.put(seconds: UInt32(ttl), identity: secret), expected: .status, environment: environment) {
        case nil:
            throw VaultError(.badInput, "the key agent is not reachable", at: socketPath(environment: environment))
        case .success(.ok)?:
            return
        case .success(.error(let message))?:
            throw VaultError(.badInput, "the key agent refused the key: \(message)", at: socketPath(environment: environment))
        case .success?:
            throw VaultError(.badInput, "the key agent refused the key", at: socketPath(environment: environment))
        case .failure(let error)?:
            throw VaultError(.badInput, "the key agent's answer is not understood: \(error.message)", at: socketPath(environment: environment),
                hint: "an agent of an older memvault may be running: memvault lock, then unlock again")
        }
    }

    /// Wipes the agent's keys and stops it.
    /// - Returns: whether an agent was running.
    @discardableResult
    public static func lock(environment: [String: String]) -> Bool {
        if case .success(.ok)? = exchange(.lock, expected: .status, environment: environment) { return true }
        // An agent of an older memvault (the former line protocol) is stopped all the same.
        return legacyLine("LOCK", environment: environment) == "OK"
    }

    /// Whether an agent answers on the socket.
    public static func isRunning(environment: [String: String]) -> Bool {
        // Any answer counts, so that an older agent is not mistaken for none (store then names it).
        exchange(.ping, expected: .status, environment: environment) != nil
    }

    /// Sends one request frame and decodes the answer frame.
    /// - Returns: nil when no agent of ours answers (none running, a socket planted by another user).
    static func exchange(_ request: AgentProtocol.Request, expected: AgentProtocol.Expected, environment: [String: String])
        -> Result<AgentProtocol.Response, AgentProtocol.ProtocolError>?
    {
        var bytes = AgentProtocol.encode(request)
        defer { wipe(&bytes) }
        guard var answer = roundTrip(bytes, environment: environment, readAnswer: readFrame) else { return nil }
        defer { wipe(&answer) }
        return AgentProtocol.decodeResponse(answer, expected: expected)
    }

    /// One line of the former text protocol, to stop an older agent; nil when none answers.
    private static func legacyLine(_ line: String, environment: [String: String]) -> String? {
        roundTrip(Array((line + "\n").utf8), environment: environment, readAnswer: { readLine($0) })
            .map { String(decoding: $0, as: UTF8.self) }
    }

    /// Connects to the agent (checking it runs as us), sends `bytes` and reads one answer.
    static func roundTrip(_ bytes: [UInt8], environment: [String: String], readAnswer: (Int32) -> [UInt8]?) -> [UInt8]? {
        // The agent must be ourselves too: a socket planted by another user is not trusted.
        guard let fd = UnixSocket.connect(socketPath(environment: environment), folder: directory(environment: environment)) else {
            return nil
        }
        defer { close(fd) }
        UnixSocket.setTimeout(fd, seconds: 10)
        guard UnixSocket.writeAll(fd, bytes) else { return nil }
        return readAnswer(fd)
    }

    // MARK: Server

    /// Runs the agent until it holds no key (after a short grace period) or is told to lock.
    /// Call from a detached process (`memvault agent --serve`): it hardens the process (no core
    /// dumps, not dumpable, its own session) and serves the socket.
    /// `ready` is called once an agent serves the socket (this one, or one already running), so
    /// whoever started it waits for that event instead of polling.
    /// - Throws: `.badInput` when the socket cannot be created.
    public static func serve(environment: [String: String], ready: () -> Void = {}) throws(VaultError) {
        SecureProcess.disableCoreDumps()
        SecureProcess.disableDumping()
        _ = setsid()
        signal(SIGPIPE, SIG_IGN)
        signal(SIGHUP, SIG_IGN)
        try listenAndServe(environment: environment, ready: ready)
    }

    /// Serves the agent socket in this process until no key is held (after a grace period of
    /// `idleGrace` seconds) or a LOCK request. `serve(environment:ready:)` without the process
    /// hardening.
    static func listenAndServe(environment: [String: String], idleGrace: TimeInterval = 10, ready: () -> Void = {}) throws(VaultError) {
        let folder = directory(environment: environment)
        let path = socketPath(environment: environment)
        try UnixSocket.makePrivateDirectory(folder)
        // One agent per folder: the lock is held for the agent's lifetime and released by exit.
        let lockFD = open(folder + "/agent.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lockFD >= 0 else { throw VaultError(.badInput, "cannot open the agent lock (errno \(errno))", at: folder) }
        defer { close(lockFD) }
        guard flock(lockFD, LOCK_EX | LOCK_NB) == 0 else {
            // Another agent holds the folder: it serves the socket.
            ready()
            return
        }
        let listener = try UnixSocket.listen(path)
        defer {
            close(listener)
            unlink(path)
        }
        ready()
        var held = HeldKeys()
        let started = Date()
        while true {
            held.dropExpired(now: Date())
            if held.isEmpty && Date().timeIntervalSince(started) > idleGrace { return }
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(min(1000, max(10, held.millisecondsToNextExpiry(now: Date()) ?? 1000))))
            guard ready > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            defer { close(client) }
            guard UnixSocket.peerIsUs(client) else { continue }
            UnixSocket.setTimeout(client, seconds: 5)
            guard var message = readRequest(client) else { continue }
            defer { wipe(&message) }
            var answer = held.answer(message, now: Date())
            // The socket is gone before a stop is answered: whoever asked finds none once answered.
            if answer.stop { unlink(path) }
            _ = UnixSocket.writeAll(client, answer.reply)
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
    /// when the agent exits. (Parsing an identity, on PUT and for each UNWRAP or DERIVE request,
    /// makes short-lived copies inside swift-crypto.) No answer ever carries an identity: clients
    /// get the file keys of files they present and keys derived for a named purpose.
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

        /// Answers one message as read from the socket (a frame, or a line of the former text
        /// protocol, which gets a text line back); the answer's bytes are the caller's to send and wipe.
        mutating func answer(_ message: [UInt8], now: Date) -> (reply: [UInt8], stop: Bool) {
            switch AgentProtocol.decodeRequest(message) {
            case .success(let request):
                let answer = handle(request, now: now)
                return (AgentProtocol.encode(answer.response), answer.stop)
            case .failure(let error):
                if !message.starts(with: AgentProtocol.magic) { return (Array("ERR \(error.message)\n".utf8), false) }
                return (AgentProtocol.encode(.error(error.message)), false)
            }
        }

        /// Answers one decoded request.
        mutating func handle(_ request: AgentProtocol.Request, now: Date) -> (response: AgentProtocol.Response, stop: Bool) {
            switch request {
            case .ping: return (.ok, false)
            case .lock: return (.ok, true)
            case .holds(let recipient): return (slots[recipient].map { $0.expires > now } == true ? .ok : .none, false)
            case .put(let seconds, var secret):
                defer { KeyAgent.wipe(&secret) }
                guard seconds >= 1, Int(seconds) <= KeyAgent.maximumTTL else {
                    return (.error("the time-to-live must be from 1 second to 7 days"), false)
                }
                guard secret.count <= LockedPage.slotSize - 1,
                    let identity = try? X25519Identity(parsing: String(decoding: secret, as: UTF8.self))
                else { return (.error("not an X25519 identity"), false) }
                let recipient = identity.recipient.encoded
                let slot = slots[recipient]?.slot ?? page.freeSlot(excluding: Set(slots.values.map(\.slot)))
                guard let slot else { return (.error("the agent holds too many keys"), false) }
                page.write(secret, slot: slot)
                slots[recipient] = (slot, now.addingTimeInterval(TimeInterval(seconds)))
                return (.ok, false)
            case .unwrap(let recipient, let files):
                guard let identity = identity(recipient, now: now) else { return (.none, false) }
                return (.fileKeys(files.map { (stanzas) -> AgentProtocol.Unwrapped in
                    do throws(AgeError) {
                        return .key(try Age.unwrapFileKey(from: stanzas, with: [identity]).bytes)
                    } catch {
                        return error.kind == .noMatch ? .noMatch : .malformed(error.message)
                    }
                }), false)
            case .derive(let recipient, let label):
                guard let purpose = KeyPurpose(label: label) else { return (.error("no key is derived for that purpose"), false) }
                guard let identity = identity(recipient, now: now) else { return (.none, false) }
                return (.derivedKey(KeyAgent.derive(from: identity, for: purpose).withUnsafeBytes { Array($0) }), false)
            }
        }

        /// The held identity of `recipient`, parsed for one request; nil when not held or expired.
        private func identity(_ recipient: String, now: Date) -> X25519Identity? {
            guard let held = slots[recipient], held.expires > now else { return nil }
            var secret = page.read(slot: held.slot)
            defer { KeyAgent.wipe(&secret) }
            return try? X25519Identity(parsing: String(decoding: secret, as: UTF8.self))
        }

        /// The bytes held in the locked page for the key of `recipient`, for tests of the wiping.
        func heldBytes(recipient: String) -> [UInt8]? {
            slots[recipient].map { page.read(slot: $0.slot) }
        }

        /// All bytes of the locked page, for tests of the wiping.
        var pageBytes: [UInt8] { Array(UnsafeRawBufferPointer(start: page.base, count: page.size)) }

        var isMemoryLocked: Bool { page.isLocked }
    }

    /// The key for `purpose` derived from `identity`: HKDF-SHA-256 without salt over the
    /// identity's `AGE-SECRET-KEY-1...` text (a lossless encoding of its 32-byte secret), info
    /// the purpose's label, 32 bytes. The agent and a process that opened the key file itself
    /// derive the same key.
    static func derive(from identity: X25519Identity, for purpose: KeyPurpose) -> SymmetricKey {
        var secret = Array(identity.encoded.utf8)
        defer { wipe(&secret) }
        return HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: secret), info: Array(purpose.label.utf8), outputByteCount: 32)
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

    /// Reads up to the first newline (at most 4 KiB), without it.
    static func readLine(_ fd: Int32, prefix: [UInt8] = []) -> [UInt8]? {
        var line = prefix
        if let newline = line.firstIndex(of: 0x0A) { return Array(line[..<newline]) }
        var byte: UInt8 = 0
        while line.count < 4096 {
            let count = recv(fd, &byte, 1, 0)
            if count <= 0 { return line.isEmpty ? nil : line }
            if byte == 0x0A { return line }
            line.append(byte)
        }
        return nil
    }

    /// Reads one whole frame (header and body); a header that announces too much is returned
    /// alone, for the decoder to refuse.
    static func readFrame(_ fd: Int32) -> [UInt8]? {
        guard let header = UnixSocket.readExactly(fd, 8, partial: true) else { return nil }
        guard header.count == 8, let length = try? AgentProtocol.bodyLength(header: header) else {
            // Not a frame: an older agent's text answer, read to its end of line.
            return header.starts(with: AgentProtocol.magic) ? header : readLine(fd, prefix: header)
        }
        guard let body = UnixSocket.readExactly(fd, length) else { return header }
        return header + body
    }

    /// Reads one request: a frame, or a line of the former text protocol (answered with an error).
    private static func readRequest(_ fd: Int32) -> [UInt8]? {
        guard let start = UnixSocket.readExactly(fd, 4) else { return nil }
        guard start == AgentProtocol.magic else { return readLine(fd, prefix: start) }
        guard let count = UnixSocket.readExactly(fd, 4) else { return start }
        let header = start + count
        guard let length = try? AgentProtocol.bodyLength(header: header) else { return header }
        guard let body = UnixSocket.readExactly(fd, length) else { return header }
        return header + body
    }

    /// Overwrites a buffer that held key material.
    static func wipe(_ bytes: inout [UInt8]) {
        for index in bytes.indices { bytes[index] = 0 }
    }
}
