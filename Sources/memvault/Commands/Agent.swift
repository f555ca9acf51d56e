import ArgumentParser
import Foundation
import Vault

extension Memvault {
    struct Agent: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "agent",
            abstract: "The background key agent (started by unlock).", shouldDisplay: false)

        @Flag(help: "Serve on the per-user socket until no key is left or memvault lock.")
        var serve = false

        func run() async throws {
            try await Output.run {
                guard serve else { throw VaultError(.badInput, "the agent is started by memvault unlock") }
                try KeyAgent.serve(environment: ProcessInfo.processInfo.environment)
            }
        }
    }
}
