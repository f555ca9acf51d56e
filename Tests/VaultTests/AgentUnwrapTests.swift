@testable import AgeCrypto
import Crypto
import Foundation
import Testing
@testable import Vault

/// A live agent (the real socket server, run on a thread of the test process) and a client on
/// its socket: the identity never comes back, batches of file keys decrypt, a file for another
/// recipient fails alone, and LOCK wipes.
@Suite("Key agent: file keys instead of identities, over the socket")
struct AgentUnwrapTests {
    /// An agent serving a private folder of its own until LOCK.
    final class LiveAgent: @unchecked Sendable {  // the folder and semaphore are only read after start
        let folder: String
        let environment: [String: String]
        let finished = DispatchSemaphore(value: 0)

        init() throws {
            // Short, so that the socket path fits sockaddr_un.
            folder = "/tmp/mva-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            environment = ["XDG_RUNTIME_DIR": folder]
            let environment = environment, finished = finished
            let serving = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                try? KeyAgent.listenAndServe(environment: environment, idleGrace: 60) { serving.signal() }
                serving.signal()
                finished.signal()
            }
            _ = serving.wait(timeout: .now() + 30)
        }

        func stop() {
            KeyAgent.lock(environment: environment)
            _ = finished.wait(timeout: .now() + 10)
            try? FileManager.default.removeItem(atPath: folder)
        }

        /// The raw answer to raw request bytes.
        func raw(_ bytes: [UInt8]) -> [UInt8] {
            KeyAgent.roundTrip(bytes, environment: environment) { fd in
                // Whatever comes back, frame or text line, read to the end of the connection.
                var all: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 65536)
                while true {
                    let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                    if count <= 0 { break }
                    all += buffer[..<count]
                }
                return all
            } ?? []
        }
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        AgentMemoryTests.contains(haystack, needle)
    }

    static func encrypt(_ text: String, to recipient: X25519Recipient) throws -> String {
        String(decoding: try Age.encrypt(Array(text.utf8), to: [recipient], armor: true), as: UTF8.self)
    }

    @Test("no request, valid or not, brings back the identity's bech32 text or its raw scalar")
    func noIdentityInAnyAnswer() throws {
        let agent = try LiveAgent()
        defer { agent.stop() }
        let identity = X25519Identity.generate()
        let recipient = identity.recipient.encoded
        try KeyAgent.store(UnlockedKey(identity: identity), ttl: 60, environment: agent.environment)
        #expect(KeyAgent.holds(recipient: recipient, environment: agent.environment))

        let block = try Self.encrypt("a secret memory", to: identity.recipient)
        let stanzas = try TierKey.agentStanzas(block)
        let purpose = KeyPurpose.sealedIndex(user: "alice", tier: .secret).label
        var requests: [[UInt8]] = [
            AgentProtocol.encode(.ping),
            AgentProtocol.encode(.holds(recipient: recipient)),
            AgentProtocol.encode(.unwrap(recipient: recipient, files: [stanzas, stanzas])),
            AgentProtocol.encode(.derive(recipient: recipient, purpose: purpose)),
            AgentProtocol.encode(.derive(recipient: recipient, purpose: "AGE-SECRET-KEY")),
            AgentProtocol.encode(.derive(recipient: recipient, purpose: "")),
            AgentProtocol.encode(.put(seconds: 60, identity: Array(identity.encoded.utf8))),
            Array("GET \(recipient)\n".utf8),
            Array("GET \(recipient.uppercased())\n".utf8),
            Array("KEY \(recipient)\n".utf8),
            Array("PING\n".utf8),
            AgentProtocol.magic + [0xFF, 0xFF, 0xFF, 0xFF],
            AgentProtocol.frame([42]),
            AgentProtocol.frame([5, 0, 4] + Array("age1".utf8) + [0, 0, 0, 9]),
        ]
        // Every truncation of an unwrap request, too.
        let unwrap = AgentProtocol.encode(.unwrap(recipient: recipient, files: [stanzas]))
        for length in stride(from: 9, to: unwrap.count, by: 7) {
            requests.append(AgentProtocol.frame(Array(unwrap[8..<length])))
        }
        let bech32 = Array(identity.encoded.utf8)
        let lower = Array(identity.encoded.lowercased().utf8)
        let scalar = Array(identity.privateKey.rawRepresentation)
        #expect(scalar.count == 32)
        var answered = 0
        for request in requests {
            let answer = agent.raw(request)
            if !answer.isEmpty { answered += 1 }
            #expect(!Self.contains(answer, bech32) && !Self.contains(answer, lower), "identity text in the answer to \(request.prefix(12))")
            #expect(!Self.contains(answer, scalar), "raw scalar in the answer to \(request.prefix(12))")
            #expect(!Self.contains(answer, Array("AGE-SECRET-KEY-1".utf8)))
        }
        #expect(answered == requests.count, "every request gets an answer (an error at least)")
        // The identity request is refused with its reason.
        let legacy = String(decoding: agent.raw(Array("GET \(recipient)\n".utf8)), as: UTF8.self)
        #expect(legacy.hasPrefix("ERR the key agent never hands out identities"))
        // The agent still works after all that junk.
        #expect(KeyAgent.holds(recipient: recipient, environment: agent.environment))
    }

    @Test("a batch of 500 files: each key decrypts its file; another recipient's and a malformed stanza fail alone")
    func batchUnwrap() throws {
        let agent = try LiveAgent()
        defer { agent.stop() }
        let identity = X25519Identity.generate(), other = X25519Identity.generate()
        try KeyAgent.store(UnlockedKey(identity: identity), ttl: 60, environment: agent.environment)
        let texts = (0..<500).map { "memory number \($0) " + String(repeating: "x", count: $0 % 40) }
        var blocks = try texts.map { try Self.encrypt($0, to: identity.recipient) }
        blocks[17] = try Self.encrypt("for another tier", to: other.recipient)
        var files = try blocks.map { try TierKey.agentStanzas($0) }
        files[42] = [AgeStanza(arguments: ["X25519", "c2hvcnQ"], body: Array(repeating: 0, count: 32))]  // a 5-byte share

        let answers = try KeyAgent.unwrap(recipient: identity.recipient.encoded, files: files, environment: agent.environment)
        #expect(answers.count == files.count)
        for (index, answer) in answers.enumerated() {
            switch (index, answer) {
            case (17, .noMatch), (42, .malformed): continue
            case (_, .key(let bytes)):
                #expect(index != 17 && index != 42)
                let plaintext = try Age.decrypt(Array(blocks[index].utf8), fileKey: try AgeFileKey(bytes: bytes))
                #expect(String(decoding: plaintext, as: UTF8.self) == texts[index])
            default:
                Issue.record("file \(index): unexpected answer \(answer)")
            }
        }
        // A key for one file does not open another (the header MAC fails).
        if case .key(let first) = answers[0] {
            #expect(throws: AgeError.self) { try Age.decrypt(Array(blocks[1].utf8), fileKey: try AgeFileKey(bytes: first)) }
        }

        // Through the tier key, as the vault reads: one prefetch, then every block opens.
        let key = TierKey(agentHolding: identity.recipient, environment: agent.environment)
        try key.prefetch(blocks)
        #expect(String(decoding: try key.open(blocks[3]), as: UTF8.self) == texts[3])
        #expect(throws: AgeError.self) { try key.open(blocks[17]) }
        // The derived key is the one a process holding the identity derives.
        let purpose = KeyPurpose.sealedIndex(user: "alice", tier: .secret)
        #expect(try key.derivedKey(for: purpose) == KeyAgent.derive(from: identity, for: purpose))
        #expect(try key.derivedKey(for: purpose) == EncryptedIndex.key(identity: identity, user: "alice", tier: .secret))
        // Another recipient than the one held: none.
        #expect(throws: VaultError.self) {
            try KeyAgent.unwrap(recipient: other.recipient.encoded, files: files, environment: agent.environment)
        }
    }

    @Test("LOCK wipes: afterwards unwrap and derive fail with exit status 3")
    func lockThenRequestsFail() throws {
        let agent = try LiveAgent()
        let identity = X25519Identity.generate()
        try KeyAgent.store(UnlockedKey(identity: identity), ttl: 60, environment: agent.environment)
        let block = try Self.encrypt("soon locked", to: identity.recipient)
        let key = TierKey(agentHolding: identity.recipient, environment: agent.environment)
        #expect(String(decoding: try key.open(block), as: UTF8.self) == "soon locked")
        agent.stop()
        #expect(!KeyAgent.isRunning(environment: agent.environment))
        let files = [try TierKey.agentStanzas(block)]
        do {
            _ = try KeyAgent.unwrap(recipient: identity.recipient.encoded, files: files, environment: agent.environment)
            Issue.record("unwrap after lock succeeded")
        } catch {
            #expect(error.exitStatus == .locked)
        }
        do {
            _ = try KeyAgent.derivedKey(recipient: identity.recipient.encoded, purpose: .sealedIndex(user: "a", tier: .secret), environment: agent.environment)
            Issue.record("derive after lock succeeded")
        } catch {
            #expect(error.exitStatus == .locked)
        }
    }
}
