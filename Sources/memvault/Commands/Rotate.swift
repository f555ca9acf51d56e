import ArgumentParser
import Foundation
import Vault

extension Memvault {
    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate",
            abstract: "Make a new key for a tier and re-encrypt every memory of it, in one commit.",
            discussion: """
                The passphrase stays the same. Old commits keep the old ciphertext, readable with \
                the old key file from history. Keys cached by the agent for the old key no longer \
                match: unlock again.

                Examples:
                  memvault rotate secret
                  MEMVAULT_PASSPHRASE_SECRET=... memvault rotate secret
                """)

        @OptionGroup var vaultOptions: VaultOptions

        @OptionGroup var key: TierKeyOptions

        func run() throws {
            try Output.run {
                let (vault, user) = try vaultOptions.open()
                vault.keyFile = key.keyFile
                let tier = try Passphrase.encryptedTier(key.tier)
                let count = try vault.rotate(user: user, tier: tier, passphrase: try Passphrase.current(tier, file: key.passphraseFile))
                print("new \(tier.rawValue) key; \(count) \(count == 1 ? "memory" : "memories") re-encrypted")
                if !vault.otherKeyEntries.isEmpty {
                    Output.printError("memvault: note: \(vault.otherKeyEntries.count) encrypted to an older key that no previous key file in git history opens with this passphrase; kept as they were:")
                    for entry in vault.otherKeyEntries { Output.printError("  \(entry.location) \(entry.id ?? "")") }
                }
            }
        }
    }
}
