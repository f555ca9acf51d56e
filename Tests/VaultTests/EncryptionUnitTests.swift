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
        let peer = try #require(KeyAgent.peerUID(of: fds[0]))
        #expect(peer == getuid())
        #expect(KeyAgent.isPeerAllowed(peerUID: peer, ownUID: getuid()))
        #expect(!KeyAgent.isPeerAllowed(peerUID: getuid() &+ 1, ownUID: getuid()))
        #expect(!KeyAgent.isPeerAllowed(peerUID: 0, ownUID: 1000))
    }

    @Test("the agent's folder must be ours and 0700")
    func privateFolder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agent-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try KeyAgent.makePrivateDirectory(folder)
        #expect(KeyAgent.directoryIsPrivate(folder))
        chmod(folder, 0o755)
        #expect(!KeyAgent.directoryIsPrivate(folder))
        #expect(throws: VaultError.self) { try KeyAgent.makePrivateDirectory(folder) }
    }

    @Test("held keys: put, get by recipient, expire, refuse junk")
    func heldKeys() {
        var held = KeyAgent.HeldKeys()
        let now = Date()
        let identity = X25519Identity.generate()
        let secret = identity.encoded
        #expect(held.handle("PUT 10 junk", now: now).text.hasPrefix("ERR"))
        #expect(held.handle("PUT 10 \(secret)", now: now).text == "OK")
        #expect(held.handle("GET age1nope", now: now).text == "NONE")
        let recipient = identity.recipient.encoded
        #expect(held.handle("GET \(recipient)", now: now).text == "KEY \(secret)")
        #expect(held.handle("GET \(recipient)", now: now.addingTimeInterval(11)).text == "NONE")
        held.dropExpired(now: now.addingTimeInterval(11))
        #expect(held.isEmpty)
        #expect(held.handle("LOCK", now: now).stop)
    }
}
