import ArgumentParser
import Foundation
import Vault

#if canImport(Glibc)
import Glibc
#endif

extension Memvault {
    struct Trust: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "trust",
            abstract: "Show how the vault's keys and settings differ from what this device trusts, and accept them.",
            discussion: """
                This device keeps the tier keys (.pub recipients) and the security settings it trusts \
                (users, default_tier, .gitignore) outside the synced files, in .git/memvault/trust.json. \
                When a sync or a hand edit changes one of them, memvault refuses to encrypt to a changed \
                key and refuses writes while a setting is weakened, until you accept the change here. \
                Accept a new key only when you or your other device changed it (passwd, rotate); \
                otherwise put the file back with git. On a terminal trust asks before recording; \
                --yes records without asking; without a terminal and without --yes it only shows.

                Examples:
                  memvault trust
                  memvault trust --yes
                  memvault trust --json
                """)

        @OptionGroup var vaultOptions: VaultOptions

        @Flag(help: "Accept the changes without asking (for scripts).")
        var yes = false

        @Flag(help: "Print the changes as JSON ({\"changes\": [...], \"accepted\": bool}).")
        var json = false

        struct Report: Codable {
            var changes: [TrustChange]
            var accepted: Bool
        }

        func run() throws {
            try Output.run {
                let (vault, _) = try vaultOptions.open()
                let changes = try vault.untrustedChanges()
                var accepted = false
                if !changes.isEmpty {
                    if !json {
                        print("changed since this device last trusted the vault:")
                        for change in changes { print("  \(change)") }
                    }
                    if yes {
                        accepted = true
                    } else if !json, isatty(STDIN_FILENO) == 1 {
                        FileHandle.standardError.write(Data("accept these changes? [y/N] ".utf8))
                        let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
                        accepted = answer == "y" || answer == "yes"
                    }
                    if accepted { try vault.acceptTrust() }
                }
                if json {
                    try Output.printJSON(Report(changes: changes, accepted: accepted))
                    return
                }
                if changes.isEmpty {
                    print("nothing changed: the vault's keys and settings are the ones this device trusts")
                } else if accepted {
                    print("trusted: \(changes.count) \(changes.count == 1 ? "change" : "changes") recorded")
                } else {
                    Output.printError("not accepted: writes these changes concern stay refused")
                    Output.printError("hint: run memvault trust --yes to accept them, or put the files back with git")
                }
            }
        }
    }
}
