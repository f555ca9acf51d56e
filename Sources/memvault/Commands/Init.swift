import ArgumentParser
import Foundation
import Vault

extension Memvault {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Create a vault from the template, as a git repository, with its first user.",
            discussion: """
                Copies vault-template (memvault.toml, .gitignore, .memvault/), makes a git repository \
                and commits. Run in an existing vault with a new --user to add that user. With \
                --passphrases, asks a passphrase for each encrypted tier (empty skips it; set it later \
                with memvault passwd TIER); MEMVAULT_PASSPHRASE_<TIER> variables that are set create \
                those tiers' keys without asking.

                The folder must be new, empty, or an existing vault: init refuses a folder that \
                already holds other files (such as your home folder), since the next commit or sync \
                would record them. --force makes a vault there anyway and lists what was there in \
                .gitignore, so it is never committed. The vault is created private (folders 0700, \
                files 0600) whatever the umask. User names are at most 64 bytes in UTF-8, stored in \
                Unicode NFC, and may not look like an existing user's (case, accents, Cyrillic or \
                Greek look-alikes).

                Examples:
                  memvault init ~/memories --user alice
                  memvault init --vault ~/memories --user bob
                  memvault init ~/memories --user alice --remote git@example.com:alice/memories.git
                  memvault init ~/memories --user alice --passphrases
                  memvault init . --force --user alice
                """)

        @OptionGroup var vaultOptions: VaultOptions

        @Argument(help: "The folder for the new vault. Default: --vault, else the current directory.")
        var path: String?

        @Option(help: "A git remote (URL or path) to sync with, added as origin. A second device starts with memvault clone instead.")
        var remote: String?

        @Flag(help: "Ask a passphrase for each encrypted tier (confidential, secret, ultrasecret).")
        var passphrases = false

        @Flag(help: "Make a vault in a folder that already holds other files; they are added to .gitignore and never committed.")
        var force = false

        func run() throws {
            try Output.run {
                let folder = path ?? vaultOptions.vault ?? ProcessInfo.processInfo.environment["MEMVAULT_DIR"] ?? "."
                let url = URL(fileURLWithPath: folder).standardizedFileURL
                let user = vaultOptions.user ?? ProcessInfo.processInfo.environment["MEMVAULT_USER"]
                    ?? ProcessInfo.processInfo.environment["USER"] ?? "me"
                let vault = try Vault.create(at: url, user: user, force: force)
                vault.installDebugHooks()
                var keys: [(tier: Tier, passphrase: String)] = []
                for tier in Tier.allCases where tier.isEncrypted && !vault.hasKey(user: user, tier: tier) {
                    let preset = ProcessInfo.processInfo.environment[tier.passphraseVariable].flatMap { $0.isEmpty ? nil : $0 }
                    guard preset != nil || passphrases else { continue }
                    let passphrase = try preset ?? Passphrase.optionalNew(tier)
                    guard let passphrase else { continue }
                    keys.append((tier, passphrase))
                }
                // All tiers' keys in one commit: a crash leaves all of them or none.
                for tier in try vault.createKeys(user: user, passphrases: keys) {
                    print("created the \(tier.rawValue) key")
                }
                if let remote { try vault.addRemote(name: "origin", url: remote) }
                print("vault ready at \(vault.root.path) (user \(user))")
            }
        }
    }
}
