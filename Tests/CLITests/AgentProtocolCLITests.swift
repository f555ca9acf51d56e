import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The key agent as started by `memvault unlock`: readers get file keys, no client gets the
/// identity, and after `lock` reading commands exit with 3.
@Suite("Key agent through the memvault binary: no identities handed out")
struct AgentProtocolCLITests {
    typealias E = EncryptionTests

    /// Sends `bytes` to the agent socket at `path` and returns everything it answers.
    static func exchange(_ bytes: [UInt8], socketPath path: String) throws -> [UInt8] {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        try #require(pathBytes.count < MemoryLayout.size(ofValue: address.sun_path))
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in pathBytes.enumerated() { buffer[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(connected == 0, "cannot connect to the agent at \(path)")
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            answer += buffer[..<count]
        }
        return answer
    }

    @Test("after unlock: reading works through file keys; GET of the identity is refused; after lock edit exits 3")
    func identityNeverLeaves() throws {
        // A short home, so that the socket path fits sockaddr_un.
        let cli = try E.vaultWithKeys()
        defer {
            _ = try? E.run(cli, ["lock"])
            cli.cleanup()
        }
        let ids = try (0..<3).map { try E.ok(cli, ["add", "agent memory \($0) about the lighthouse", "--tier", "secret"]) }
        #expect(try E.run(cli, ["unlock", "secret", "--ttl", "120"], env: E.secretEnv("secret")).status == 0)
        // Read without any passphrase in the environment: through the agent only.
        let listed = try E.ok(cli, ["list", "--tier", "secret", "--json"])
        for index in 0..<3 { #expect(listed.contains("agent memory \(index) about the lighthouse")) }
        #expect(try cli.json(try E.ok(cli, ["show", ids[1], "--json"]))["text"] as? String == "agent memory 1 about the lighthouse")
        let found = try cli.json(try E.ok(cli, ["search", "lighthouse", "--mode", "lexical", "--json"]))
        #expect(found["locked"] as? [String] == [])
        #expect((found["results"] as? [[String: Any]])?.count == 3)

        let socket = cli.home.appendingPathComponent("memvault/agent.sock").path
        let recipient = try cli.read(".memvault/keys/alice/secret.pub").trimmingCharacters(in: .whitespacesAndNewlines)
        for request in ["GET \(recipient)\n", "KEY \(recipient)\n", "PING\n", "GET\n", "\u{0}\u{1}junk\n"] {
            let answer = try Self.exchange(Array(request.utf8), socketPath: socket)
            let text = String(decoding: answer, as: UTF8.self)
            #expect(!text.contains("AGE-SECRET-KEY-1") && !text.lowercased().contains("age-secret-key-1"), "\(request)")
            if request.hasPrefix("GET ") { #expect(text.hasPrefix("ERR the key agent never hands out identities"), "\(text)") }
        }
        // The agent still serves readers after those requests.
        #expect(try cli.json(try E.ok(cli, ["show", ids[0], "--json"]))["text"] as? String == "agent memory 0 about the lighthouse")

        #expect(try E.ok(cli, ["lock"]).contains("forgot"))
        #expect(!FileManager.default.fileExists(atPath: socket))
        let edit = try E.run(cli, ["edit", ids[0]], env: ["EDITOR": "true"])
        #expect(edit.status == 3, "\(edit.stderr)")
        #expect(edit.stderr.contains("locked"))
        #expect(try cli.json(try E.ok(cli, ["show", ids[0], "--json"]))["text"] == nil)
    }
}
