import AgeCrypto
import Foundation
import Testing
@testable import Vault

/// The agent's key storage: one copy in a locked page, wiped on expiry and on lock; TTL bounds.
@Suite("Key agent memory and time-to-live")
struct AgentMemoryTests {
    static func occurrences(of needle: [UInt8], in haystack: [UInt8]) -> Int {
        guard needle.count <= haystack.count else { return 0 }
        return (0...(haystack.count - needle.count)).filter { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }.count
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool { occurrences(of: needle, in: haystack) > 0 }

    static func put(_ identity: X25519Identity, seconds: UInt32) -> AgentProtocol.Request {
        .put(seconds: seconds, identity: Array(identity.encoded.utf8))
    }

    @Test("a held key is one copy in the locked page, wiped when it expires and on LOCK")
    func heldOnceAndWiped() {
        var held = KeyAgent.HeldKeys()
        let now = Date()
        let first = X25519Identity.generate(), second = X25519Identity.generate()
        #expect(held.handle(Self.put(first, seconds: 10), now: now).response == .ok)
        #expect(held.handle(Self.put(second, seconds: 100), now: now).response == .ok)
        #expect(held.handle(Self.put(first, seconds: 10), now: now).response == .ok, "the same key again takes the same slot")
        #expect(Self.occurrences(of: Array(first.encoded.utf8), in: held.pageBytes) == 1)
        #expect(Self.occurrences(of: Array(second.encoded.utf8), in: held.pageBytes) == 1)
        held.dropExpired(now: now.addingTimeInterval(11))
        #expect(Self.occurrences(of: Array(first.encoded.utf8), in: held.pageBytes) == 0)
        #expect(held.handle(.holds(recipient: first.recipient.encoded), now: now).response == .none)
        #expect(held.handle(.holds(recipient: second.recipient.encoded), now: now).response == .ok)
        held.removeAll()
        #expect(held.pageBytes.allSatisfy { $0 == 0 })
        #expect(held.isEmpty)
    }

    @Test("TTLs beyond seven days (or overflowing) are refused by the agent and by the client")
    func ttlBounds() {
        var held = KeyAgent.HeldKeys()
        let identity = X25519Identity.generate()
        #expect(held.handle(Self.put(identity, seconds: UInt32.max), now: Date()).response != .ok)
        #expect(held.handle(Self.put(identity, seconds: UInt32(KeyAgent.maximumTTL + 1)), now: Date()).response != .ok)
        #expect(held.handle(Self.put(identity, seconds: 0), now: Date()).response != .ok)
        #expect(held.handle(Self.put(identity, seconds: UInt32(KeyAgent.maximumTTL)), now: Date()).response == .ok)
        // Far expiries never overflow the poll timeout.
        #expect(held.millisecondsToNextExpiry(now: Date()) ?? 0 <= 3_600_000)
        #expect(throws: VaultError.self) { try KeyAgent.validateTTL(36_000_000_000_000_000) }
        #expect(throws: VaultError.self) { try KeyAgent.validateTTL(0) }
        #expect(throws: Never.self) { try KeyAgent.validateTTL(900) }
    }

    @Test("a process holding keys can be made not dumpable (PR_SET_DUMPABLE 0)")
    func notDumpable() {
        // The test process itself: no core files, no same-user ptrace; harmless for the other tests.
        SecureProcess.disableDumping()
        #expect(!SecureProcess.isDumpable)
    }
}
