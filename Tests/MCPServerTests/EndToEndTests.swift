import Foundation
import MCP
import MCPServer
import TestSupport
import Testing
import Vault

#if canImport(Glibc)
import Glibc
#endif

@Suite("MCP server: stdio and clients nobody here wrote")
struct EndToEndTests {
    /// Runs a Python test script of Tests/MCPEndToEnd with the built binary; needs what
    /// scripts/setup installs (PyPI mcp, bpe-openai).
    func python(_ script: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", Harness.packageRoot.appendingPathComponent("Tests/MCPEndToEnd/\(script)").path,
            BuiltProducts.executable().path,
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test("the official Python MCP SDK spawns memvault mcp: tools, add, search, context, policy")
    func pythonSDK() throws {
        let result = try python("mcp_e2e.py")
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("mcp_e2e: ok"))
    }

    @Test("context blocks stay within budget under bpe-openai's o200k_base and cl100k_base")
    func budgetAgainstOpenAIEncodings() throws {
        let result = try python("context_budget.py")
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("context_budget: ok"))
    }

    @Test("stdin closed right after a write request: the write finishes and its response is sent")
    func closeMidRequest() async throws {
        let harness = try Harness()
        var toServer: [Int32] = [0, 0]
        var fromServer: [Int32] = [0, 0]
        #expect(pipe(&toServer) == 0 && pipe(&fromServer) == 0)
        let lines = [
            #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"#,
            #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            #"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"memory_add","arguments":{"text":"Written as the client hung up","tier":"general"}}}"#,
            #"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"memory_search","arguments":{"query":"hung up","mode":"lexical"}}}"#,
        ]
        let bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
        #expect(write(toServer[1], bytes, bytes.count) == bytes.count)
        close(toServer[1])  // the client is gone before any answer

        let vault = try Vault(at: harness.root, environment: harness.environment)
        let service = MemoryService(vault: vault, user: "alice", client: "raw", loadEmbedder: { nil })
        try await MemvaultMCPServer(service: service).run(on: LineTransport(input: toServer[0], output: fromServer[1]), version: "t")
        close(fromServer[1])
        close(toServer[0])
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(fromServer[0], &buffer, buffer.count)
            if count <= 0 { break }
            output += buffer[0..<count]
        }
        close(fromServer[0])
        let responses = String(decoding: output, as: UTF8.self).split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let ids = Set(responses.compactMap { $0["id"] as? Int })
        #expect(ids == [1, 2, 3])
        let add = try #require(responses.first { $0["id"] as? Int == 2 }?["result"] as? [String: Any])
        #expect(add["isError"] as? Bool != true)
        let memory = try #require((add["structuredContent"] as? [String: Any])?["memory"] as? [String: Any])
        let id = try #require(memory["id"] as? String)
        #expect(try harness.setup.show(id: id).text == "Written as the client hung up")
    }
}
