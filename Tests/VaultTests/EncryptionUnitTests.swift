import AgeCrypto
import Foundation
import Testing
@testable import Vault

#if canImport(Glibc)
import Glibc
#endif

@Suite("Key agent")
struct KeyAgentTests {
    @Test("SO_PEERCRED reports our own uid; any other uid is refused")
    func peerCredentials() throws {
        var fds: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        let peer = try #require(UnixSocket.peerUID(of: fds[0]))
        #expect(peer == getuid())
        #expect(UnixSocket.isPeerAllowed(peerUID: peer, ownUID: getuid()))
        #expect(!UnixSocket.isPeerAllowed(peerUID: getuid() &+ 1, ownUID: getuid()))
        #expect(!UnixSocket.isPeerAllowed(peerUID: 0, ownUID: 1000))
    }

    @Test("the agent's folder must be ours and 0700")
    func privateFolder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agent-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try UnixSocket.makePrivateDirectory(folder)
        #expect(UnixSocket.directoryIsPrivate(folder))
        chmod(folder, 0o755)
        #expect(!UnixSocket.directoryIsPrivate(folder))
        #expect(throws: VaultError.self) { try UnixSocket.makePrivateDirectory(folder) }
    }

    @Test("held keys: put, holds by recipient, expire, refuse junk; no request returns the identity")
    func heldKeys() {
        var held = KeyAgent.HeldKeys()
        let now = Date()
        let identity = X25519Identity.generate()
        let secret = Array(identity.encoded.utf8)
        #expect(held.handle(.put(seconds: 10, identity: Array("junk".utf8)), now: now).response == .error("not an X25519 identity"))
        #expect(held.handle(.put(seconds: 10, identity: secret), now: now).response == .ok)
        #expect(held.handle(.holds(recipient: "age1nope"), now: now).response == .none)
        let recipient = identity.recipient.encoded
        #expect(held.handle(.holds(recipient: recipient), now: now).response == .ok)
        #expect(held.handle(.holds(recipient: recipient), now: now.addingTimeInterval(11)).response == .none)
        // The former identity request, as its text line: refused with the reason, nothing else.
        let legacy = held.answer(Array("GET \(recipient)\n".utf8), now: now)
        #expect(String(decoding: legacy.reply, as: UTF8.self).hasPrefix("ERR the key agent never hands out identities"))
        #expect(!AgentMemoryTests.contains(legacy.reply, Array(identity.encoded.utf8)))
        held.dropExpired(now: now.addingTimeInterval(11))
        #expect(held.isEmpty)
        #expect(held.handle(.lock, now: now).stop)
    }
}
