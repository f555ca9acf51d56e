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
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<300 {
            if KeyAgent.isRunning(environment: environment) { return }
            usleep(10_000)
        }
        throw VaultError(.badInput, "the key agent did not start", at: KeyAgent.socketPath(environment: environment))
    }
}
