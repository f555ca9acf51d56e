import ArgumentParser
import Foundation
import Vault

extension Memvault {
    struct Mv: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mv",
            abstract: "Move a memory to another tier, keeping its id, in one commit.",
            discussion: """
                The memory goes to the month file of its date in the new tier (or that month's last \
                part, 2026-11.part2.md, once the file holds 4 MiB), encrypted to that \
                tier's key when it is encrypted (no passphrase needed) and decrypted when it leaves \
                an encrypted tier (which must be unlocked). Moving down from an encrypted tier needs \
                --force, and a text that looks like a credential never goes to a plain tier unless \
                --allow-secret. The old bytes leave the working tree; git history keeps them.

                Examples:
                  memvault mv 01JD3K9X2F7Q8R --tier secret
                  memvault unlock confidential && memvault mv 01JD3K9X2F7Q8R --tier general --force
                """)

        @OptionGroup var vaultOptions: VaultOptions

        @Argument(help: "The id of the memory to move.")
        var id: String

        @Option(help: "The tier to move it to: chronological, general, confidential, secret, ultrasecret.")
        var tier: String

        @Flag(help: "Allow moving down from an encrypted tier to a lower one.")
        var force = false

        @Flag(help: "Move text that looks like a credential to a plain-text tier anyway.")
        var allowSecret = false

        @Flag(help: "Print the moved memory as JSON.")
        var json = false

        func run() throws {
            try Output.run {
                let (vault, _) = try vaultOptions.open()
                let target = try Tier(parsing: tier)
                let moved = try vault.move(id: id, to: target, force: force, allowSecrets: allowSecret)
                if json { try Output.printJSON(moved) } else { print("\(moved.id) -> \(moved.path):\(moved.line)") }
            }
        }
    }
}
