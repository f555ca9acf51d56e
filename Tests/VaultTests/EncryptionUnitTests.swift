import AgeCrypto
import Foundation
import Testing
@testable import Vault

#if canImport(Glibc)
import Glibc
#endif

@Suite("Secret scanner")
struct SecretScannerTests {
    @Test("credentials are found, by kind and line", arguments: [
        ("key AKIAIOSFODNN7EXAMPLE here", SecretScanner.Kind.awsAccessKey),
        ("token ghp_" + String(repeating: "a1B2", count: 9), .githubToken),
        ("github_pat_11ABCDEFG0abcdefghijkl_mnopqrstuvwxyz0123456789ABCDEFGH", .githubToken),
        ("slack xoxb-123456789012-abcdefABCDEF", .slackToken),
        ("stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc", .stripeKey),
        ("openai sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8t", .openAIKey),
        ("AIzaSyA1234567890abcdefghijklmnopqrstuv", .googleAPIKey),
        ("-----BEGIN OPENSSH PRIVATE KEY-----", .privateKey),
        ("-----BEGIN RSA PRIVATE KEY-----", .privateKey),
        ("card 4111 1111 1111 1111 exp 12/29", .cardNumber),
        ("card 5500-0000-0000-0004", .cardNumber),
        ("amex 3782 822463 10005", .cardNumber),
        ("plain 4111111111111111.", .cardNumber),
        ("IBAN DE89 3704 0044 0532 0130 00", .iban),
        ("GB82WEST12345698765432", .iban),
        ("password: hunter2", .password),
        ("Passwort=geheim", .password),
        ("db pwd = s3cr3t", .password),
    ])
    func truePositives(text: String, kind: SecretScanner.Kind) {
        let hits = SecretScanner.scan("first line\n" + text)
        #expect(hits.contains(SecretScanner.Hit(kind: kind, line: 2)), "\(hits)")
    }

    @Test("ordinary text is not a credential", arguments: [
        "Call me at 0151 2345 6789, order 4711",
        "We walked 12 km on 2026-11-22 and paid 1234567890123 cents",
        "card 4111 1111 1111 1112",
        "ids 3704 0044 0532 0130 01 and 4111 11 1111 1111 11",
        "IBAN DE89 3704 0044 0532 0130 01",
        "I forgot my password again",
        "the password field: see the manual",
        "sk-this-is-just-a-long-word-here",
        "Ask about AKIA at the desk",
        "Chapter 11, verse 3",
    ])
    func falsePositives(text: String) {
        #expect(SecretScanner.scan(text).isEmpty, "\(SecretScanner.scan(text))")
    }

    @Test("Luhn and mod 97 by themselves")
    func checksums() {
        #expect(SecretScanner.luhn([4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]))
        #expect(!SecretScanner.luhn([4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]))
        #expect(SecretScanner.hasIBAN("NL91ABNA0417164300"))
        #expect(!SecretScanner.hasIBAN("NL91ABNA0417164301"))
    }
}

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
