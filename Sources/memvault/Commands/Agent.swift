import ArgumentParser
import Foundation
import Vault

extension Memvault {
    struct Agent: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "agent",
            abstract: "The background key agent (started by unlock).", shouldDisplay: false)

        @Flag(help: "Serve on the per-user socket until no key is left or memvault lock.")
        var serve = false

        func run() throws {
            try Output.run {
                guard serve else { throw VaultError(.badInput, "the agent is started by memvault unlock") }
                // "ready" on standard output tells `unlock` the socket is served; then the agent
                // lets go of the pipe, so the one who started it is not tied to its lifetime.
                try KeyAgent.serve(environment: ProcessInfo.processInfo.environment) {
                    _ = "ready\n".withCString { write(STDOUT_FILENO, $0, strlen($0)) }
                    let null = open("/dev/null", O_WRONLY)
                    if null >= 0 {
                        dup2(null, STDOUT_FILENO)
                        close(null)
                    }
                }
            }
        }
    }
}
