import ArgumentParser
import Foundation
import Vault

extension Memvault {
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Summarize the vault: memories per user and tier, locked tiers, git state.",
            discussion: "Examples:\n  memvault status\n  memvault status --json")

        @OptionGroup var vaultOptions: VaultOptions

        @Flag(help: "Print the summary as JSON.")
        var json = false

        func run() throws {
            try Output.run {
                let (vault, user) = try vaultOptions.open()
                let status = try vault.status(user: user)
                if json {
                    try Output.printJSON(status)
                    return
                }
                print("vault  \(status.vault)  (user \(status.user))")
                for name in status.users.keys.sorted() {
                    let counts = status.users[name]!
                    let total = counts.values.reduce(0, +)
                    let parts = Tier.allCases.compactMap { tier in counts[tier.rawValue].map { "\(tier.rawValue) \($0)" } }
                    print("  \(name): \(total) memories\(parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")")")
                }
                if !status.locked.isEmpty { print("locked  \(status.locked.joined(separator: ", "))") }
                if !status.noKey.isEmpty { print("no key  \(status.noKey.joined(separator: ", "))") }
                if let index = status.index {
                    print("index  \(index.indexed)/\(index.total) memories indexed\(index.staleFiles.isEmpty ? "" : ", \(index.staleFiles.count) stale files")")
                }
                print("git    \(status.git.branch ?? "(no branch)") \(status.git.head.map { String($0.prefix(12)) } ?? "(no commits)")"
                    + (status.git.uncommitted.isEmpty ? ", clean" : ", \(status.git.uncommitted.count) uncommitted: \(status.git.uncommitted.prefix(5).joined(separator: ", "))"))
                for change in status.untrusted {
                    print("trust  not trusted yet: \(change) (see memvault trust)")
                }
                if !status.conflicts.isEmpty {
                    print("sync   \(status.conflicts.count) unresolved conflict \(status.conflicts.count == 1 ? "copy" : "copies"): \(status.conflicts.joined(separator: ", "))")
                }
                if let merge = status.merge {
                    print("merge  in progress with \(merge.theirs.prefix(12))"
                        + (merge.conflicted.isEmpty ? "" : "; conflicts in \(merge.conflicted.joined(separator: ", "))")
                        + " (finish it with memvault resolve)")
                }
                if let recovered = status.recovered { print("journal \(recovered.summary)") }
                if status.problems > 0 { print("check  \(status.problems) problems (run memvault check)") }
            }
        }
    }
}
