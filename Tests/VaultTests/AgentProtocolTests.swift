import AgeCrypto
import Foundation
import Testing
@testable import Vault

/// The agent's wire format as pure functions: every request round-trips, and every malformed
/// input (truncated, oversized, wrong types, the former text protocol) is an error, never a trap.
@Suite("Key agent protocol decoding")
struct AgentProtocolTests {
    static let stanza = AgeStanza(arguments: ["X25519", "dGVzdA"], body: Array(repeating: 7, count: 32))

    static let requests: [AgentProtocol.Request] = [
        .ping, .lock,
        .put(seconds: 900, identity: Array("AGE-SECRET-KEY-1QQQQ".utf8)),
        .holds(recipient: "age1example"),
        .unwrap(recipient: "age1example", files: [[stanza], [stanza, AgeStanza(arguments: ["grease", "a", "b"], body: [])]]),
        .unwrap(recipient: "age1example", files: []),
        .derive(recipient: "age1example", purpose: KeyPurpose.sealedIndex(user: "alice", tier: .secret).label),
    ]

    @Test("every request round-trips through encode and decodeRequest", arguments: requests)
    func roundTrip(request: AgentProtocol.Request) throws {
        let decoded = AgentProtocol.decodeRequest(AgentProtocol.encode(request))
        #expect(try decoded.get() == request)
    }

    @Test("every answer round-trips through encode and decodeResponse")
    func answers() throws {
        let keys: [AgentProtocol.Unwrapped] = [.key(Array(repeating: 1, count: 16)), .noMatch, .malformed("the X25519 stanza needs a share")]
        #expect(try AgentProtocol.decodeResponse(AgentProtocol.encode(.fileKeys(keys)), expected: .fileKeys(count: 3)).get() == .fileKeys(keys))
        #expect(try AgentProtocol.decodeResponse(AgentProtocol.encode(.derivedKey(Array(repeating: 9, count: 32))), expected: .derivedKey).get()
            == .derivedKey(Array(repeating: 9, count: 32)))
        for simple in [AgentProtocol.Response.ok, .none, .error("why")] {
            #expect(try AgentProtocol.decodeResponse(AgentProtocol.encode(simple), expected: .status).get() == simple)
        }
        // An answer with another number of keys than files sent is refused.
        #expect(throws: AgentProtocol.ProtocolError.self) {
            try AgentProtocol.decodeResponse(AgentProtocol.encode(.fileKeys(keys)), expected: .fileKeys(count: 2)).get()
        }
    }

    @Test("every truncation of a valid request and answer is an error, and so are trailing bytes")
    func truncated() {
        for request in Self.requests {
            let bytes = AgentProtocol.encode(request)
            for length in 0..<bytes.count {
                #expect(throws: AgentProtocol.ProtocolError.self, "\(request.name) cut at \(length)") {
                    try AgentProtocol.decodeRequest(Array(bytes.prefix(length))).get()
                }
            }
            // The frame length kept but the body one byte longer: trailing data.
            var longer = AgentProtocol.frame(Array(bytes[8...]) + [0])
            #expect(throws: AgentProtocol.ProtocolError.self) { try AgentProtocol.decodeRequest(longer).get() }
            longer = bytes + [0]
            #expect(throws: AgentProtocol.ProtocolError.self) { try AgentProtocol.decodeRequest(longer).get() }
        }
        let answer = AgentProtocol.encode(.fileKeys([.key(Array(repeating: 1, count: 16)), .noMatch]))
        for length in 0..<answer.count {
            #expect(throws: AgentProtocol.ProtocolError.self) {
                try AgentProtocol.decodeResponse(Array(answer.prefix(length)), expected: .fileKeys(count: 2)).get()
            }
        }
    }

    static func error(_ bytes: [UInt8]) -> String? {
        if case .failure(let error) = AgentProtocol.decodeRequest(bytes) { return error.message }
        return nil
    }

    static func frame(_ body: [UInt8]) -> [UInt8] { AgentProtocol.frame(body) }

    @Test("huge lengths and counts are refused before anything is allocated for them")
    func hugeLengths() throws {
        // A header announcing 4 GiB.
        #expect(Self.error(AgentProtocol.magic + [0xFF, 0xFF, 0xFF, 0xFF])?.contains("more than") == true)
        #expect(throws: AgentProtocol.ProtocolError.self) { try AgentProtocol.bodyLength(header: AgentProtocol.magic + [0x7F, 0xFF, 0xFF, 0xFF]) }
        // An UNWRAP announcing 4 billion files in a few bytes.
        var body: [UInt8] = [5, 0, 1, 0x61, 0xFF, 0xFF, 0xFF, 0xFF]
        #expect(Self.error(Self.frame(body))?.contains("more than") == true)
        // Within the cap, but more files than bytes left.
        body = [5, 0, 1, 0x61, 0, 0, 0x10, 0]
        #expect(Self.error(Self.frame(body))?.contains("bytes left") == true)
        // A stanza body announced at 4 GiB.
        body = [5, 0, 1, 0x61, 0, 0, 0, 1, 1, 1, 0, 1, 0x58, 0xFF, 0xFF, 0xFF, 0xFF]
        #expect(Self.error(Self.frame(body))?.contains("more than") == true)
        // A string announced at 65535 bytes with 3 present.
        body = [4, 0xFF, 0xFF, 0x61, 0x62, 0x63]
        #expect(Self.error(Self.frame(body)) != nil)
        // A PUT identity longer than any identity.
        body = [3, 0, 0, 0, 10, 0x01, 0x00] + Array(repeating: 0x41, count: 256)
        #expect(Self.error(Self.frame(body))?.contains("more than") == true)
    }

    @Test("wrong types: unknown request, empty or non-ASCII arguments, zero counts, non-UTF-8 text, no magic")
    func wrongTypes() {
        #expect(Self.error(Self.frame([])) != nil, "an empty body has no request type")
        #expect(Self.error(Self.frame([99]))?.contains("unknown request type 99") == true)
        #expect(Self.error(Self.frame([4, 0, 2, 0xC3, 0x28]))?.contains("not UTF-8") == true)
        // A file with no stanza; a stanza with no argument; an argument with a space or a control byte.
        #expect(Self.error(Self.frame([5, 0, 1, 0x61, 0, 0, 0, 1, 0]))?.contains("stanzas") == true)
        #expect(Self.error(Self.frame([5, 0, 1, 0x61, 0, 0, 0, 1, 1, 0]))?.contains("arguments") == true)
        #expect(Self.error(Self.frame([5, 0, 1, 0x61, 0, 0, 0, 1, 1, 1, 0, 1, 0x20, 0, 0, 0, 0]))?.contains("printable") == true)
        #expect(Self.error(Self.frame([5, 0, 1, 0x61, 0, 0, 0, 1, 1, 1, 0, 1, 0x07, 0, 0, 0, 0]))?.contains("printable") == true)
        #expect(Self.error(Self.frame([5, 0, 1, 0x61, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]))?.contains("empty") == true)
        #expect(Self.error(Array("MVA2".utf8) + [0, 0, 0, 1, 1])?.contains("magic") == true)
        #expect(Self.error([]) != nil)
        // A DERIVE answer shorter than a key, a file key status that does not exist.
        #expect(throws: AgentProtocol.ProtocolError.self) {
            try AgentProtocol.decodeResponse(Self.frame([0, 1, 2]), expected: .derivedKey).get()
        }
        #expect(throws: AgentProtocol.ProtocolError.self) {
            try AgentProtocol.decodeResponse(Self.frame([0, 0, 0, 0, 1, 7]), expected: .fileKeys(count: 1)).get()
        }
    }

    @Test("the former identity request (GET) gets its own clear error; other old lines are named too")
    func legacyRequests() {
        let recipient = X25519Identity.generate().recipient.encoded
        #expect(AgentProtocol.decodeRequest(Array("GET \(recipient)\n".utf8)) == .failure(.identityRequest))
        #expect(Self.error(Array("GET \(recipient)".utf8))?.contains("never hands out identities") == true)
        #expect(Self.error(Array("PING".utf8))?.contains("former agent protocol") == true)
        #expect(Self.error(Array("PUT 10 AGE-SECRET-KEY-1".utf8))?.contains("former agent protocol") == true)
        // An older agent's answer to a new client: named, not misread as a frame.
        #expect(throws: AgentProtocol.ProtocolError.self) {
            try AgentProtocol.decodeResponse(Array("KEY AGE-SECRET-KEY-1XYZ".utf8), expected: .status).get()
        }
    }

    @Test("ten thousand random and mutated inputs decode to a request or an error, never a trap")
    func randomInputs() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
        let seeds = Self.requests.map(AgentProtocol.encode)
        var decoded = 0
        for round in 0..<10_000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int(next() % 64)).map { _ in UInt8(truncatingIfNeeded: next()) }
                if round % 4 == 0 { bytes = AgentProtocol.frame(bytes) }
            } else {
                bytes = seeds[Int(next() % UInt64(seeds.count))]
                for _ in 0...Int(next() % 3) where !bytes.isEmpty {
                    bytes[Int(next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: next())
                }
            }
            if case .success = AgentProtocol.decodeRequest(bytes) { decoded += 1 }
            _ = AgentProtocol.decodeResponse(bytes, expected: .fileKeys(count: Int(next() % 4)))
        }
        // Some mutations leave a valid request (a changed key byte, TTL or recipient letter).
        #expect(decoded > 0 && decoded < 10_000)
    }

    @Test("purposes: only the sealed index label of an encrypted tier is one")
    func purposes() {
        let purpose = KeyPurpose.sealedIndex(user: "alice", tier: .secret)
        #expect(purpose.label == "memvault-sealed-index/v1/user=alice/tier=secret")
        #expect(KeyPurpose(label: purpose.label) == purpose)
        #expect(KeyPurpose(label: "memvault-sealed-index/v1/user=alice/tier=general") == nil)
        #expect(KeyPurpose(label: "memvault-sealed-index/v1/user=/tier=secret") == nil)
        #expect(KeyPurpose(label: "anything else") == nil)
    }
}
