import Foundation
import Vault

#if canImport(Glibc)
import Glibc
#endif

/// Starting the background agent: this same binary, re-executed as `memvault agent --serve`.
enum AgentProcess {
    static func ensureRunning(environment: [String: String]) throws {
        if KeyAgent.isRunning(environment: environment) { return }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["agent", "--serve"]
        // The agent lives on: it must not carry passphrases in its environment.
        process.environment = environment.filter { !$0.key.hasPrefix("MEMVAULT_PASSPHRASE_") && !$0.key.hasPrefix("MEMVAULT_NEW_PASSPHRASE_") }
        process.standardInput = FileHandle.nullDevice
        let started = Pipe()
        process.standardOutput = started
        process.standardError = FileHandle.nullDevice
        try process.run()
        try? started.fileHandleForWriting.close()
        // The agent writes "ready" once it serves the socket, and lets go of the pipe; an agent
        // that fails closes it without a word.
        let readFD = started.fileHandleForReading.fileDescriptor
        var said: [UInt8] = []
        var poller = pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)
        while !said.contains(UInt8(ascii: "\n")), poll(&poller, 1, 3_000) > 0 {
            var chunk = [UInt8](repeating: 0, count: 16)
            let count = read(readFD, &chunk, chunk.count)
            if count <= 0 { break }
            said += chunk[..<count]
        }
        try? started.fileHandleForReading.close()
        if said.starts(with: Array("ready".utf8)), KeyAgent.isRunning(environment: environment) { return }
        throw VaultError(.badInput, "the key agent did not start", at: KeyAgent.socketPath(environment: environment))
    }
}
