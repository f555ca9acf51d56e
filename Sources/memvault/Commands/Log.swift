import ArgumentParser
import Foundation
import Vault

extension Memvault {
    struct Log: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "log",
            abstract: "List the vault's commits, newest first.",
            discussion: """
                Follows first parents, like git log --first-parent; merges made by sync appear as one commit.

                Examples:
                  memvault log -n 20
                  memvault log --tier general --json
                """)

        @OptionGroup var vaultOptions: VaultOptions

        @Option(help: "Show only commits that changed this tier's files.", completion: VaultCompletion.tiers)
        var tier: String?

        @Option(name: .short, help: "Show at most this many commits.")
        var n: Int?

        @Flag(help: "Print the commits as JSON.")
        var json = false

        func validate() throws {
            if let n, n < 1 { throw ValidationError("-n must be at least 1") }
        }

        struct Listing: Codable {
            var commits: [LogEntry]
        }

        func run() throws {
            try Output.run {
                let (vault, _) = try vaultOptions.open()
                let entries = try vault.log(tier: try tier.map { (name) throws(VaultError) in try Tier(parsing: name) }, limit: n)
                if json {
                    try Output.printJSON(Listing(commits: entries))
                    return
                }
                for entry in entries {
                    print("\(Output.style(entry.shortCommit, "33")) \(entry.date)  \(Output.safe(entry.author))  \(Output.safe(entry.summary))")
                }
            }
        }
    }
}
