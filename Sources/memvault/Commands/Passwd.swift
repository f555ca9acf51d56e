import ArgumentParser
import Foundation
import Vault

extension Memvault {
    struct Passwd: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "passwd",
            abstract: "Create a tier's key, or change its passphrase (entries are not re-encrypted).",
            discussion: """
                Without a key, makes a new identity for the tier and wraps it with the new passphrase \
                (.memvault/keys/<user>/<tier>.pub and .key.age, committed). With a key, asks the \
                current passphrase (MEMVAULT_PASSPHRASE_<TIER> or --passphrase-file) and the new one \
                (MEMVAULT_NEW_PASSPHRASE_<TIER> or --new-passphrase-file), and re-wraps the identity.

                Examples:
                  memvault passwd confidential
                  memvault passwd ultrasecret --key-file /media/usb/memvault-ultrasecret.key
                  MEMVAULT_NEW_PASSPHRASE_SECRET=... memvault passwd secret --passphrase-file old.pass
                """)

        @OptionGroup var vaultOptions: VaultOptions

        @OptionGroup var key: TierKeyOptions

        @Option(help: "Read the new passphrase from the first line of this file.")
        var newPassphraseFile: String?

        func run() throws {
            try Output.run {
                let (vault, user) = try vaultOptions.open()
                vault.keyFile = key.keyFile
                let tier = try Passphrase.encryptedTier(key.tier)
                if let keyFile = key.keyFile {
                    guard tier == .ultrasecret else { throw VaultError(.badInput, "--key-file is for the ultrasecret tier") }
                    if !FileManager.default.fileExists(atPath: keyFile) {
                        try Vault.createKeyFile(at: keyFile)
                        print("created the key file \(keyFile): keep it apart from the vault (it is needed with the passphrase)")
                    }
                }
                let creating = !vault.hasKey(user: user, tier: tier)
                let old = creating ? nil : try Passphrase.current(tier, file: key.passphraseFile)
                if let old { _ = try vault.unlock(user: user, tier: tier, passphrase: old) }
                let new = try Passphrase.new(tier, file: newPassphraseFile, creating: creating)
                try vault.setPassphrase(user: user, tier: tier, old: old, new: new)
                print(creating ? "created the \(tier.rawValue) key of \(user)" : "changed the \(tier.rawValue) passphrase of \(user)")
            }
        }
    }
}
