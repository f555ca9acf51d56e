import Embedder
import Foundation
import Vault

#if canImport(Glibc)
import Glibc
#endif

/// `memvault-bench mcp [N] [--model-index]`: `memvault mcp` on an N-memory vault (default
/// 100,000), measured through its stdio transport as a client sees it: start to a served
/// `initialize`, and in a warm server `memory_search` (hybrid), `memory_context` (2,000 tokens)
/// and `memory_add` (commit included), p50 and p95 of round trips.
///
/// The index is built from hash-derived unit vectors (seconds instead of minutes of embedding;
/// `--model-index` embeds every memory with the model); queries are embedded by the model either
/// way, so the timed work is the same.
enum MCPBench {
    static func run(arguments: [String]) throws {
        let count = arguments.first.flatMap(Int.init) ?? 100_000
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("memvault-mcp-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: root) }
        let vaultURL = root.appendingPathComponent("vault")
        let vault = try Vault.create(at: vaultURL, user: "alice")
        var generator = SystemRandomNumberGenerator()
        let words = ["coffee", "Maria", "museum", "run", "Isar", "book", "dinner", "Jonas", "garden", "work", "Tom", "trip", "Alps", "concert", "family"]
        var lines: [String] = []
        for i in 0..<count {
            let year = 2015 + i % 12, month = 1 + (i / 12) % 12, day = 1 + (i / 144) % 28
            let text = (0..<12).map { _ in words.randomElement(using: &generator)! }.joined(separator: " ")
            let tier = i % 3 == 0 ? "general" : "chronological"
            lines.append("{\"text\": \"Memory \(i): \(text). #tag\(i % 50) @person\(i % 30)\", \"tier\": \"\(tier)\", \"date\": \"\(year)-\(String(format: "%02d", month))-\(String(format: "%02d", day)) \(String(format: "%02d", i % 24)):\(String(format: "%02d", i % 60))\"}")
        }
        _ = try vault.importRecords(Array((lines.joined(separator: "\n") + "\n").utf8), user: "alice")
        if arguments.contains("--model-index") {
            _ = try vault.reindex(full: true, embedder: try Embedder(modelDirectory: Embedder.defaultModelDirectory()))
        } else {
            _ = try vault.reindex(full: true, embedder: VaultBench.HashVectors())
        }
        print("vault: \(count) memories, index built")
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("memvault")

        // Start to a served initialize: a new process each time.
        var starts: [Double] = []
        for _ in 0..<15 {
            let server = try ServerProcess(binary: binary, vault: vaultURL)
            let began = server.started
            _ = try server.request(initialize(id: 1))
            starts.append(Date().timeIntervalSince(began) * 1000)
            server.close()
        }
        report("start to initialize (process start to its response)", starts)

        let server = try ServerProcess(binary: binary, vault: vaultURL)
        defer { server.close() }
        _ = try server.request(initialize(id: 1))
        try server.send(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        var id = 2
        func call(_ tool: String, _ arguments: String) throws -> Double {
            id += 1
            let start = Date()
            let response = try server.request(#"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"\#(tool)","arguments":\#(arguments)}}"#)
            let ms = Date().timeIntervalSince(start) * 1000
            guard response.contains("\"structuredContent\""), !response.contains("\"isError\":true") else {
                throw VaultError(.badInput, "\(tool) failed: \(response.prefix(300))")
            }
            return ms
        }
        // Warm: the model, the index and the file cache.
        for _ in 0..<3 { _ = try call("memory_search", #"{"query":"coffee with Maria"}"#) }
        let queries = ["coffee with Maria at the museum", "trip to the Alps", "dinner with Jonas", "concert in the garden",
                       "family book club", "run along the Isar", "work with Tom", "Maria's birthday"]
        var search: [Double] = []
        for i in 0..<60 { search.append(try call("memory_search", #"{"query":"\#(queries[i % queries.count])","k":10}"#)) }
        report("memory_search (hybrid, k 10), warm", search)
        var context: [Double] = []
        for i in 0..<40 { context.append(try call("memory_context", #"{"query":"\#(queries[i % queries.count])","budget_tokens":2000}"#)) }
        report("memory_context (2,000 tokens), warm", context)
        var add: [Double] = []
        for i in 0..<21 { add.append(try call("memory_add", #"{"text":"benchmark memory \#(i) about the Alps","tier":"general"}"#)) }
        report("memory_add (commit included)", add)
    }

    static func initialize(id: Int) -> String {
        #"{"jsonrpc":"2.0","id":\#(id),"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}"#
    }

    static func report(_ what: String, _ values: [Double]) {
        let sorted = values.sorted()
        print(String(format: "%@: p50 %.1f ms, p95 %.1f ms (n = %d)", what, sorted[sorted.count / 2], sorted[sorted.count * 95 / 100], sorted.count))
    }

    /// `memvault mcp` as a child process with pipes on its standard input and output.
    final class ServerProcess {
        let process = Process()
        let input = Pipe()
        let output = Pipe()
        let started: Date
        private var pending: [UInt8] = []

        init(binary: URL, vault: URL) throws {
            process.executableURL = binary
            process.arguments = ["mcp", "--client", "bench", "--vault", vault.path]
            process.standardInput = input
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            started = Date()
            try process.run()
        }

        func send(_ line: String) throws {
            try input.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
        }

        /// Sends one request and returns the next line the server writes (its response).
        func request(_ line: String) throws -> String {
            try send(line)
            let fd = output.fileHandleForReading.fileDescriptor
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let response = String(decoding: pending[..<newline], as: UTF8.self)
                    pending.removeFirst(newline + 1)
                    return response
                }
                let count = read(fd, &buffer, buffer.count)
                guard count > 0 else { throw VaultError(.badInput, "memvault mcp closed its output") }
                pending += buffer[0..<count]
            }
        }

        func close() {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        }
    }
}
