import ArgumentParser
import Foundation
import Vault

extension Memvault {
    struct Lock: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lock",
            abstract: "Forget every cached key: wipes the agent's memory and stops it.",
            discussion: """
                Examples:
                  memvault lock
                """)

        @OptionGroup var vaultOptions: VaultOptions

        func run() throws {
            try Output.run {
                if KeyAgent.lock(environment: ProcessInfo.processInfo.environment) {
                    print("locked: the agent forgot every key")
                } else {
                    print("nothing was unlocked")
                }
            }
        }
    }
}
