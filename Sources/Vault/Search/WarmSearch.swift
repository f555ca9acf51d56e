import Crypto
import Embedder
import Foundation
import MemvaultSupport
import SearchIndex

#if canImport(Glibc)
import Glibc
#endif

/// Warm search: a running `memvault watch` keeps the model loaded and the index mapped, and
/// answers the searches of `memvault search` over a Unix socket, so that a one-shot search does
/// not load the model, embed its first query cold and fault the index in (docs/watch.md,
/// "Warm search").
///
/// The answer is the one the command would compute itself, or none at all, in which case the
/// command searches in its own process as before:
/// - the server never reads a key (its vault has `keysDisabled`), so a request goes to it only
///   when no encrypted tier the search covers can be read by the asking process (no tier
///   unlocked, no passphrase in its environment, none typed); the tiers it reports locked are
///   then exactly the ones the command would report;
/// - it answers only for the same release, the same `memvault.toml` (by digest, re-read for
///   each request), the same time zone and the same model folder, and only with the model loaded
///   when the search needs it; any error, and any other doubt, is no answer;
/// - the socket is in memvault's private socket folder (UnixSocket.swift), and both ends check
///   with `SO_PEERCRED` that the other runs as the same user.
public enum WarmSearch {
    /// Changes whenever the request or the answer changes shape.
    static let protocolVersion = "memvault-warm-search/1 " + Release.version

    /// The largest request a server reads (a query is at most a command line).
    static let maximumRequest = 4 << 20
    /// The largest answer a client reads.
    static let maximumAnswer = 1 << 30
    /// How long a client waits for an answer before searching itself.
    static let answerTimeout = 60

    /// The socket of the server for the vault at `root`, in memvault's socket folder.
    static func socketPath(root: URL, environment: [String: String]) -> String {
        UnixSocket.directory(environment: environment) + "/search-\(vaultKey(root)).sock"
    }

    /// The socket's path when the socket is there (a `watch` of the vault may be running), else nil.
    static func presentSocket(root: URL, environment: [String: String]) -> String? {
        let path = socketPath(root: root, environment: environment)
        return access(path, F_OK) == 0 ? path : nil
    }

    /// 16 hex digits naming the vault by its real path.
    static func vaultKey(_ root: URL) -> String {
        let path = realPath(root.path) ?? root.standardizedFileURL.path
        return SHA256.hash(data: Array(path.utf8)).prefix(8).hexString
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// A search as it crosses the socket: the request with its dates resolved, and what the
    /// server must share with the asking process for its answer to be the same. Both messages
    /// are little-endian binary (BinaryCoding.swift): decoding JSON cost the asking process a
    /// millisecond of Codable's first use, a twentieth of its whole run.
    struct Request {
        var protocolVersion: String
        var configDigest: String
        var timeZone: String
        var modelDirectory: String?
        var user: String
        var query: String
        var k: Int
        var mode: String
        var users: [String]?
        var tiers: [String]?
        var since: Double?
        var until: Double?
        var tags: [String]?
        var mentions: [String]?
    }

    static let requestMagic = Array("MVWSQ001".utf8)
    static let answerMagic = Array("MVWSA001".utf8)

    /// The server's answer: the response as `search` prints it, with its notices for stderr.
    static func encode(_ response: SearchResponse) -> [UInt8] {
        var writer = BinaryWriter()
        writer.bytes += answerMagic
        writer.string(response.query)
        writer.string(response.mode)
        writer.f64(response.tookMs)
        writer.strings(response.locked)
        writer.strings(response.notices)
        writer.u64(UInt64(response.results.count))
        for result in response.results {
            for text in [result.id, result.user, result.tier] { writer.string(text) }
            writer.f32(result.score)
            writer.optional(result.date) { $0.string($1) }
            writer.string(result.path)
            writer.u64(UInt64(clamping: result.line))
            writer.optional(result.title) { $0.string($1) }
            writer.string(result.snippet)
            writer.strings(result.tags)
            writer.optional(result.src) { $0.string($1) }
        }
        return writer.bytes
    }

    /// - Throws: `IndexError` for bytes that are not a whole answer.
    static func decodeAnswer(_ bytes: [UInt8]) throws -> SearchResponse {
        try bytes.withUnsafeBytes { raw in
            var reader = BinaryReader(raw, path: "warm search answer")
            try reader.expect(answerMagic)
            var response = SearchResponse(
                query: try reader.string(), mode: try reader.string(), tookMs: try reader.f64(), locked: try reader.strings(), results: [])
            response.notices = try reader.strings()
            let count = try reader.count64(minBytesEach: 40)
            response.results.reserveCapacity(count)
            for _ in 0..<count {
                let id = try reader.string(), user = try reader.string(), tier = try reader.string()
                let score = try reader.f32()
                let date = try reader.optional { (r) throws(IndexError) in try r.string() }
                let path = try reader.string()
                let line = Int(clamping: try reader.u64())
                let title = try reader.optional { (r) throws(IndexError) in try r.string() }
                let snippet = try reader.string()
                let tags = try reader.strings()
                let src = try reader.optional { (r) throws(IndexError) in try r.string() }
                response.results.append(SearchResult(
                    id: id, score: score, user: user, tier: tier, date: date, path: path, line: line, title: title,
                    snippet: snippet, tags: tags, src: src))
            }
            try reader.expectEnd()
            return response
        }
    }
}

extension WarmSearch.Request {
    init(_ request: SearchRequest, user: String, vault: Vault, modelDirectory: String?) {
        protocolVersion = WarmSearch.protocolVersion
        configDigest = vault.configDigest
        timeZone = vault.config.timeZone.identifier
        self.modelDirectory = modelDirectory
        self.user = user
        query = request.query
        k = request.k
        mode = request.mode.rawValue
        users = request.users?.sorted()
        tiers = request.tiers?.map(\.rawValue).sorted()
        since = request.since?.timeIntervalSince1970
        until = request.until?.timeIntervalSince1970
        tags = request.tags?.sorted()
        mentions = request.mentions?.sorted()
    }

    /// The search request, or nil when a field is not one this release knows.
    var searchRequest: SearchRequest? {
        guard let mode = SearchMode(rawValue: mode) else { return nil }
        var request = SearchRequest(query: query, k: k, mode: mode)
        if let tiers {
            let parsed = tiers.compactMap(Tier.init(rawValue:))
            guard parsed.count == tiers.count else { return nil }
            request.tiers = Set(parsed)
        }
        request.users = users.map(Set.init)
        request.since = since.map(Date.init(timeIntervalSince1970:))
        request.until = until.map(Date.init(timeIntervalSince1970:))
        request.tags = tags.map(Set.init)
        request.mentions = mentions.map(Set.init)
        return request
    }

    var encoded: [UInt8] {
        var writer = BinaryWriter()
        writer.bytes += WarmSearch.requestMagic
        for text in [protocolVersion, configDigest, timeZone] { writer.string(text) }
        writer.optional(modelDirectory) { $0.string($1) }
        for text in [user, query] { writer.string(text) }
        writer.u64(UInt64(clamping: k))
        writer.string(mode)
        writer.optional(users) { $0.strings($1) }
        writer.optional(tiers) { $0.strings($1) }
        writer.optional(since) { $0.f64($1) }
        writer.optional(until) { $0.f64($1) }
        writer.optional(tags) { $0.strings($1) }
        writer.optional(mentions) { $0.strings($1) }
        return writer.bytes
    }

    /// - Throws: `IndexError` for bytes that are not a whole request.
    init(decoding bytes: [UInt8]) throws {
        self = try bytes.withUnsafeBytes { raw in
            var reader = BinaryReader(raw, path: "warm search request")
            try reader.expect(WarmSearch.requestMagic)
            let decoded = Self(
                protocolVersion: try reader.string(), configDigest: try reader.string(), timeZone: try reader.string(),
                modelDirectory: try reader.optional { (r) throws(IndexError) in try r.string() },
                user: try reader.string(), query: try reader.string(), k: Int(clamping: try reader.u64()),
                mode: try reader.string(), users: try reader.optional { (r) throws(IndexError) in try r.strings() },
                tiers: try reader.optional { (r) throws(IndexError) in try r.strings() },
                since: try reader.optional { (r) throws(IndexError) in try r.f64() },
                until: try reader.optional { (r) throws(IndexError) in try r.f64() },
                tags: try reader.optional { (r) throws(IndexError) in try r.strings() },
                mentions: try reader.optional { (r) throws(IndexError) in try r.strings() })
            try reader.expectEnd()
            return decoded
        }
    }
}

extension BinaryWriter {
    mutating func strings(_ texts: [String]) {
        u64(UInt64(texts.count))
        for text in texts { string(text) }
    }

    /// A presence byte, then the value when there is one.
    mutating func optional<Value>(_ value: Value?, _ write: (inout BinaryWriter, Value) -> Void) {
        u8(value == nil ? 0 : 1)
        if let value { write(&self, value) }
    }
}

extension BinaryReader {
    mutating func expect(_ magic: [UInt8]) throws(IndexError) {
        for byte in magic where try u8() != byte { throw fail("not a memvault warm search message") }
    }

    mutating func expectEnd() throws(IndexError) {
        guard offset == base.count else { throw fail("bytes after the message") }
    }

    /// A 64-bit count that must fit in what is left at `minBytesEach` bytes per item.
    mutating func count64(minBytesEach: Int) throws(IndexError) -> Int {
        let n = try u64()
        guard n <= UInt64((base.count - offset) / max(1, minBytesEach)) else { throw fail("impossible count \(n)") }
        return Int(n)
    }

    mutating func strings() throws(IndexError) -> [String] {
        let count = try count64(minBytesEach: 4)
        var texts: [String] = []
        texts.reserveCapacity(count)
        for _ in 0..<count { texts.append(try string()) }
        return texts
    }

    mutating func optional<Value>(_ read: (inout BinaryReader) throws(IndexError) -> Value) throws(IndexError) -> Value? {
        switch try u8() {
        case 0: return nil
        case 1: return try read(&self)
        default: throw fail("not a presence byte")
        }
    }
}

extension Vault {
    /// Whether a `watch` of the vault at `root` may be running to answer searches (its socket
    /// is there), asked before the vault is opened.
    public static func watchMayAnswer(root: URL, environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        WarmSearch.presentSocket(root: root, environment: environment) != nil
    }

    /// The search answered by a running `watch` of this vault (see `WarmSearch`), or nil when
    /// none runs or it does not answer: the caller then searches itself, as before.
    /// - Parameter modelDirectory: the model folder this process would load (the server must
    ///   have loaded the same one).
    public func warmSearch(_ request: SearchRequest, user: String, modelDirectory: String?) -> SearchResponse? {
        // No socket (no `watch` running), the usual case: the tiers and keys are not looked at
        // here, only by the search this process then makes.
        guard let path = WarmSearch.presentSocket(root: root, environment: environment) else { return nil }
        // A search that could read an encrypted tier stays here: the server reads none. Asked
        // before connecting: it may prompt for a passphrase, and the server serves one at a time.
        guard !searchMayDecrypt(request, user: user) else { return nil }
        guard let fd = UnixSocket.connect(path, folder: UnixSocket.directory(environment: environment)) else { return nil }
        defer { close(fd) }
        UnixSocket.setTimeout(fd, seconds: WarmSearch.answerTimeout)
        let message = WarmSearch.Request(request, user: user, vault: self, modelDirectory: modelDirectory)
        guard UnixSocket.writeAll(fd, message.encoded) else { return nil }
        _ = shutdown(fd, Int32(SHUT_WR))
        guard let answer = UnixSocket.readToEnd(fd, limit: WarmSearch.maximumAnswer), !answer.isEmpty else { return nil }
        return try? WarmSearch.decodeAnswer(answer)
    }
}

/// The server side of warm search: a thread of `memvault watch` answering on the vault's
/// socket, one connection at a time, with a vault of its own that never reads a key.
public final class WarmSearchServer: @unchecked Sendable {
    private let root: URL
    private let environment: [String: String]
    private let embedder: (any SentenceEmbedding)?
    private let modelDirectory: String?
    private let socketPath: String
    private let listener: Int32
    private let lockDescriptor: Int32
    private let wakePipe: WakePipe
    private let finished = DispatchSemaphore(value: 0)
    /// Touched by the serving thread only.
    private var vault: Vault?
    /// How many searches were answered (written by the serving thread, read after it ended).
    private var answered = 0

    /// Starts answering warm searches for the vault at `root` on a thread of its own.
    /// - Parameters:
    ///   - embedder: the model the searches use; nil answers lexical searches only.
    ///   - modelDirectory: the folder `embedder` was loaded from.
    /// - Returns: nil when another process serves this vault already.
    /// - Throws: `.badInput` when the socket cannot be set up.
    public static func start(
        root: URL, environment: [String: String] = ProcessInfo.processInfo.environment,
        embedder: (any SentenceEmbedding)?, modelDirectory: String?
    ) throws(VaultError) -> WarmSearchServer? {
        let folder = UnixSocket.directory(environment: environment)
        try UnixSocket.makePrivateDirectory(folder)
        let path = WarmSearch.socketPath(root: root, environment: environment)
        // One server per vault: the lock is held for the server's life and released by exit.
        let lockPath = String(path.dropLast(".sock".count)) + ".lock"
        let lockDescriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lockDescriptor >= 0 else { throw VaultError(.badInput, "cannot open the warm search lock (errno \(errno))", at: lockPath) }
        guard flock(lockDescriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(lockDescriptor)
            return nil
        }
        let listener: Int32
        do {
            listener = try UnixSocket.listen(path)
        } catch {
            close(lockDescriptor)
            throw error
        }
        guard let wakePipe = WakePipe() else {
            close(listener)
            unlink(path)
            close(lockDescriptor)
            throw VaultError(.badInput, "cannot create a pipe (errno \(errno))")
        }
        let server = WarmSearchServer(
            root: root, environment: environment, embedder: embedder, modelDirectory: modelDirectory, socketPath: path,
            listener: listener, lockDescriptor: lockDescriptor, wakePipe: wakePipe)
        let thread = Thread { server.serve() }
        thread.name = "memvault warm search"
        thread.start()
        return server
    }

    private init(
        root: URL, environment: [String: String], embedder: (any SentenceEmbedding)?, modelDirectory: String?,
        socketPath: String, listener: Int32, lockDescriptor: Int32, wakePipe: WakePipe
    ) {
        self.root = root
        self.environment = environment
        self.embedder = embedder
        self.modelDirectory = modelDirectory
        self.socketPath = socketPath
        self.listener = listener
        self.lockDescriptor = lockDescriptor
        self.wakePipe = wakePipe
    }

    /// Stops answering (after the search under way, if any) and removes the socket.
    /// - Returns: how many searches it answered.
    @discardableResult
    public func stop() -> Int {
        wakePipe.wake()
        finished.wait()
        return answered
    }

    private func serve() {
        defer {
            // The socket goes before the lock: a server started next finds neither in the way.
            unlink(socketPath)
            close(listener)
            close(lockDescriptor)
            vault = nil
            finished.signal()
        }
        // The weights are faulted in and the settings read before the first search asks.
        _ = embedder?.embed(["memvault"])
        _ = currentVault()
        while true {
            switch wakePipe.wait(on: listener, milliseconds: -1) {
            case .ready: break
            case .interrupted, .timedOut: continue
            case .woken, .failed: return
            }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            defer { close(client) }
            guard UnixSocket.peerIsUs(client) else { continue }
            UnixSocket.setTimeout(client, seconds: 10)
            guard let request = UnixSocket.readToEnd(client, limit: WarmSearch.maximumRequest) else { continue }
            // No answer (the connection closed empty) makes the client search itself.
            if let answer = answer(request), UnixSocket.writeAll(client, answer) { answered += 1 }
        }
    }

    /// The answer to one request, or nil to decline it.
    func answer(_ bytes: [UInt8]) -> [UInt8]? {
        guard let message = try? WarmSearch.Request(decoding: bytes),
            message.protocolVersion == WarmSearch.protocolVersion, let request = message.searchRequest,
            let vault = currentVault(), message.configDigest == vault.configDigest,
            message.timeZone == vault.config.timeZone.identifier,
            request.mode == .lexical || (embedder != nil && message.modelDirectory == modelDirectory),
            vault.config.users.contains(message.user)
        else { return nil }
        guard let response = try? vault.search(request, user: message.user, embedder: request.mode == .lexical ? nil : embedder) else {
            return nil
        }
        return WarmSearch.encode(response)
    }

    /// The server's vault, opened again when `memvault.toml` changed since it was opened.
    private func currentVault() -> Vault? {
        if let vault, let text = try? Vault.configText(root: root), Vault.digest(of: text) == vault.configDigest {
            return vault
        }
        guard let opened = try? Vault(at: root, environment: environment) else {
            vault = nil
            return nil
        }
        opened.keysDisabled = true
        opened.askPassphrase = nil
        vault = opened
        return opened
    }
}
