import Embedder
import Foundation
import ProcessTimer
import Vault

#if canImport(Glibc)
import Glibc
#endif

/// `memvault-bench mcp [N] [--model-index] [--vault DIR]`: `memvault mcp` on an N-memory vault
/// (default 100,000; kept in DIR, or reused from it, with `--vault`), measured through its stdio transport as a client sees it: start to a served
/// `initialize`, and in a warm server `memory_search` (hybrid), `memory_context` (2,000 tokens)
/// and `memory_add` (commit included), p50 and p95 of round trips, and the server's mean CPU
/// time per call.
///
/// The index is built from hash-derived unit vectors (seconds instead of minutes of embedding;
/// `--model-index` embeds every memory with the model); queries are embedded by the model either
/// way, so the timed work is the same.
enum MCPBench {
    static func run(arguments: [String]) throws {
        let count = arguments.first.flatMap(Int.init) ?? 100_000
        // A server that died makes a write fail with an error instead of killing the bench.
        signal(SIGPIPE, SIG_IGN)
        // `--vault DIR`: build the vault there and keep it, or reuse the one already there.
        let place: Int? = arguments.firstIndex(of: "--vault")
        let kept: String? = place.flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("memvault-mcp-bench-\(getpid())")
        defer { if kept == nil { try? FileManager.default.removeItem(at: root) } }
        let vaultURL = kept.map { URL(fileURLWithPath: $0) } ?? root.appendingPathComponent("vault")
        if FileManager.default.fileExists(atPath: vaultURL.appendingPathComponent("memvault.toml").path) {
            print("vault: reusing \(vaultURL.path)")
        } else {
            try build(at: vaultURL, count: count, modelIndex: arguments.contains("--model-index"))
        }
        try measure(vaultURL: vaultURL)
    }

    /// A vault of `count` generated memories with its index.
    static func build(at vaultURL: URL, count: Int, modelIndex: Bool) throws {
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
        if modelIndex {
            _ = try vault.reindex(full: true, embedder: try Embedder(modelDirectory: Embedder.defaultModelDirectory()))
        } else {
            _ = try vault.reindex(full: true, embedder: VaultBench.HashVectors())
        }
        print("vault: \(count) memories, index built")
    }

    static func measure(vaultURL: URL) throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("memvault")

        // Start to a served initialize: a new process each time.
        var starts: [Double] = []
        for _ in 0..<15 {
            let server = try ServerProcess(binary: binary, vault: vaultURL)
            _ = try server.request(initialize(id: 1))
            starts.append((ProcessTimer.now() - server.started) * 1000)
            try server.close()
        }
        report("start to initialize (process start to its response)", starts)

        let server = try ServerProcess(binary: binary, vault: vaultURL)
        _ = try server.request(initialize(id: 1))
        try server.send(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        var id = 2
        var tookMs: [Double] = []
        func call(_ tool: String, _ arguments: String) throws -> Double {
            id += 1
            let start = ProcessTimer.now()
            let response = try server.request(#"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"\#(tool)","arguments":\#(arguments)}}"#)
            let ms = (ProcessTimer.now() - start) * 1000
            guard response.contains("\"structuredContent\""), !response.contains("\"isError\":true") else {
                throw VaultError(.badInput, "\(tool) failed: \(response.prefix(300))")
            }
            if tool == "memory_search", let range = response.range(of: #""took_ms":"#) {
                let digits = response[range.upperBound...].prefix { $0.isNumber || $0 == "." }
                if let value = Double(digits) { tookMs.append(value) }
            }
            return ms
        }
        // Warm: the model, the index and the file cache.
        for _ in 0..<3 { _ = try call("memory_search", #"{"query":"coffee with Maria"}"#) }
        tookMs = []
        // The server's CPU time per call (user + system of all its threads, dead ones included),
        // which a machine loaded by other work inflates far less than the wall time.
        func cpuPerCall(_ what: String, _ calls: Int, since: Double) {
            print(String(format: "  server CPU per call, mean of %d: %.1f ms", calls, (server.cpuMilliseconds() - since) / Double(calls)))
        }
        var cpuStart = server.cpuMilliseconds()
        let queries = ["coffee with Maria at the museum", "trip to the Alps", "dinner with Jonas", "concert in the garden",
                       "family book club", "run along the Isar", "work with Tom", "Maria's birthday"]
        var search: [Double] = []
        for i in 0..<60 { search.append(try call("memory_search", #"{"query":"\#(queries[i % queries.count])","k":10}"#)) }
        report("memory_search (hybrid, k 10), warm", search)
        cpuPerCall("memory_search", search.count, since: cpuStart)
        report("  of which the search itself (took_ms in the response)", tookMs)
        cpuStart = server.cpuMilliseconds()
        var context: [Double] = []
        for i in 0..<40 { context.append(try call("memory_context", #"{"query":"\#(queries[i % queries.count])","budget_tokens":2000}"#)) }
        report("memory_context (2,000 tokens), warm", context)
        cpuPerCall("memory_context", context.count, since: cpuStart)
        cpuStart = server.cpuMilliseconds()
        var add: [Double] = []
        for i in 0..<21 { add.append(try call("memory_add", #"{"text":"benchmark memory \#(i) about the Alps","tier":"general"}"#)) }
        report("memory_add (commit included)", add)
        cpuPerCall("memory_add", add.count, since: cpuStart)
        let shutdown = try server.close()
        print(String(format: "server: %.2f s CPU over its life of %.1f s, exit status %d (wait4)",
                     shutdown.cpu, shutdown.wall, shutdown.status))
    }

    static func initialize(id: Int) -> String {
        #"{"jsonrpc":"2.0","id":\#(id),"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}"#
    }

    static func report(_ what: String, _ values: [Double]) {
        guard !values.isEmpty else { return print("\(what): no values") }
        let sorted = values.sorted()
        print(String(format: "%@: p50 %.1f ms, p95 %.1f ms (n = %d)", what, sorted[sorted.count / 2], sorted[sorted.count * 95 / 100], sorted.count))
    }

    /// `memvault mcp` as a child process with pipes on its standard input and output, started
    /// with `posix_spawn` and reaped with `wait4` (`ProcessTimer`), never a polling wait.
    final class ServerProcess {
        let child: SpawnedProcess
        /// `ProcessTimer.now()` just before the spawn.
        var started: Double { child.started }

        init(binary: URL, vault: URL) throws {
            child = try ProcessTimer.spawn(binary.path, ["mcp", "--client", "bench", "--vault", vault.path])
        }

        func send(_ line: String) throws {
            try child.write(Array((line + "\n").utf8))
        }

        /// Sends one request and returns the next line the server writes (its response).
        func request(_ line: String) throws -> String {
            try send(line)
            return try child.readLine()
        }

        /// The server's user + system CPU time so far (`/proc/PID/stat`, clock ticks), in milliseconds.
        func cpuMilliseconds() -> Double {
            guard let stat = try? String(contentsOfFile: "/proc/\(child.pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return 0 }
            // After "pid (name)": field 3 is the state; utime and stime are fields 14 and 15.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
            return (user + system) * 1000 / Double(sysconf(Int32(_SC_CLK_TCK)))
        }

        /// Closes the server's standard input and waits for it to exit; its exit status must be 0.
        @discardableResult
        func close() throws -> ProcessRun {
            let run = try child.wait()
            guard run.status == 0 else { throw VaultError(.badInput, "memvault mcp exited with status \(run.status)") }
            return run
        }
    }
}
