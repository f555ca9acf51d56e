import Foundation
import Logging
import MCP

#if canImport(Glibc)
import Glibc
#endif

/// The MCP stdio transport: one JSON-RPC message per line on two file descriptors.
///
/// Used instead of the SDK's `StdioTransport`, which puts standard input into non-blocking mode
/// and polls it every 10 ms: that costs up to 10 ms per request and wakes an idle server a
/// hundred times a second. Here a dedicated thread blocks in `read`, so a request is handled
/// the moment it arrives and an idle server uses no CPU. The transport also counts the requests
/// it received and the responses it sent, so that after the client closes its end the process
/// can wait until every request has been answered (`drained()`) before it exits.
public actor LineTransport: Transport {
    public nonisolated let logger: Logger
    private let input: Int32
    private let output: Int32
    private let stream: AsyncThrowingStream<Data, any Error>
    private let continuation: AsyncThrowingStream<Data, any Error>.Continuation
    private var started = false
    /// Ids of requests received and not yet answered, as their JSON text.
    private var unanswered: Set<String> = []
    private var drainWaiters: [CheckedContinuation<Void, Never>] = []

    /// - Parameters:
    ///   - input: the descriptor requests are read from (standard input).
    ///   - output: the descriptor responses are written to (standard output).
    public init(input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO, logger: Logger? = nil) {
        self.input = input
        self.output = output
        self.logger = logger ?? Logger(label: "memvault.mcp.transport", factory: { _ in SwiftLogNoOpLogHandler() })
        (stream, continuation) = AsyncThrowingStream.makeStream(of: Data.self, throwing: (any Error).self)
    }

    public func connect() async throws {
        guard !started else { return }
        started = true
        let input = self.input
        let reader = Thread { [weak self] in
            var pending: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                pending.append(contentsOf: buffer[0..<count])
                var start = 0
                while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                    var line = pending[start..<newline]
                    if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
                    if !line.isEmpty, let self {
                        let data = Data(line)
                        let semaphore = DispatchSemaphore(value: 0)
                        // Registered before the server sees the message, so a response can never be missed.
                        Task { await self.received(data); semaphore.signal() }
                        semaphore.wait()
                    }
                    start = newline + 1
                }
                pending.removeFirst(start)
            }
            if let self { Task { await self.finishInput() } }
        }
        reader.name = "memvault-mcp-stdin"
        reader.start()
    }

    private func received(_ data: Data) {
        let messages = MessageSkim.messages(in: data)
        for message in messages where message.isRequest { unanswered.insert(message.id!) }
        // A cancelled request gets no response (the protocol says so): stop waiting for it.
        for id in messages.compactMap(\.cancelledID) { unanswered.remove(id) }
        continuation.yield(data)
    }

    private func finishInput() {
        continuation.finish()
        if unanswered.isEmpty { resumeDrainWaiters() }
    }

    public func disconnect() async {
        continuation.finish()
    }

    public func send(_ data: Data) async throws {
        var bytes = [UInt8](data)
        bytes.append(UInt8(ascii: "\n"))
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(output, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw MCPError.transportError(POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO))
            }
            offset += written
        }
        for id in Self.responseIDs(in: data) { unanswered.remove(id) }
        if unanswered.isEmpty { resumeDrainWaiters() }
    }

    public func receive() -> AsyncThrowingStream<Data, any Error> { stream }

    /// Returns once every request received has been answered (call after input ended).
    public func drained() async {
        if unanswered.isEmpty { return }
        await withCheckedContinuation { drainWaiters.append($0) }
    }

    private func resumeDrainWaiters() {
        let waiters = drainWaiters
        drainWaiters = []
        for waiter in waiters { waiter.resume() }
    }

    // MARK: Message ids

    /// The ids of requests (messages with a method and an id) in a message or batch.
    static func requestIDs(in data: Data) -> [String] {
        MessageSkim.messages(in: data).compactMap { $0.isRequest ? $0.id : nil }
    }

    /// The ids of responses (messages with a result or an error) in a message or batch.
    static func responseIDs(in data: Data) -> [String] {
        MessageSkim.messages(in: data).compactMap { $0.isResponse ? $0.id : nil }
    }

    /// The ids a `notifications/cancelled` message cancels.
    static func cancelledIDs(in data: Data) -> [String] {
        MessageSkim.messages(in: data).compactMap(\.cancelledID)
    }
}
