import Foundation
import GitStore
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
private let streamSocket = Int32(SOCK_STREAM.rawValue)
#elseif canImport(Darwin)
import Darwin
private let streamSocket = SOCK_STREAM
#endif

/// A loopback HTTP server that answers every request with 401, so libgit2 keeps asking
/// for credentials; it counts the requests it saw.
final class RefusingHTTPServer: @unchecked Sendable {
    // @unchecked: the socket is closed once, by `stop()`.
    private let listener: Int32
    let port: UInt16
    private let count = Mutex(0)
    var requests: Int { count.withLock { $0 } }

    init() throws {
        let descriptor = socket(AF_INET, streamSocket, 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && listen(descriptor, 16) == 0
                    && getsockname(descriptor, generic, &length) == 0
            }
        }
        try #require(descriptor >= 0 && bound, "cannot listen on 127.0.0.1")
        listener = descriptor
        port = UInt16(bigEndian: address.sin_port)
        Thread.detachNewThread { [self] in serve() }
    }

    private func serve() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 { return }
            var buffer = [UInt8](repeating: 0, count: 4096)
            var received: [UInt8] = []
            while !String(decoding: received, as: UTF8.self).contains("\r\n\r\n") {
                let read = recv(connection, &buffer, buffer.count, 0)
                if read <= 0 { break }
                received += buffer[0..<read]
            }
            count.withLock { $0 += 1 }
            let response = "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"vault\"\r\n"
                + "Content-Length: 0\r\nConnection: close\r\n\r\n"
            _ = response.withCString { send(connection, $0, strlen($0), 0) }
            close(connection)
        }
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}

@Suite("GitRepository: credentials")
struct CredentialTests {
    @Test func refusedCredentialsEndInAnAuthenticationError() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let server = try RefusingHTTPServer()
        defer { server.stop() }
        let repository = try GitRepository.initialize(at: root)
        try repository.addRemote(name: "origin", url: "http://127.0.0.1:\(server.port)/vault.git")

        let error = #expect(throws: GitError.self) { try repository.fetch(remote: "origin") }
        #expect(error?.isAuthenticationFailure == true)
        #expect(error?.description.contains("127.0.0.1") == true)
        // Every refusal costs one request; the callback gives up long before a loop.
        #expect(server.requests >= 1)
        #expect(server.requests <= 10)
    }
}
