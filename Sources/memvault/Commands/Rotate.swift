import ArgumentParser
import Foundation
import Vault

extension Memvault {
    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
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

        @Argument(help: "The tier: confidential, secret or ultrasecret.")
        var tier: String

        @Option(help: "The ultrasecret key file (second factor), if the key was made with one. Default: $MEMVAULT_KEY_FILE_ULTRASECRET.")
        var keyFile: String?

        @Option(help: "Read the passphrase from the first line of this file.")
        var passphraseFile: String?

        func run() async throws {
            try await Output.run {
                let (vault, user) = try vaultOptions.open()
                vault.keyFile = keyFile
                let tier = try Passphrase.encryptedTier(self.tier)
                let count = try vault.rotate(user: user, tier: tier, passphrase: try Passphrase.current(tier, file: passphraseFile))
                print("new \(tier.rawValue) key; \(count) \(count == 1 ? "memory" : "memories") re-encrypted")
            }
        }
    }
}
