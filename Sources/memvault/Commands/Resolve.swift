import ArgumentParser
import Foundation
import Vault

extension Memvault {
    struct Resolve: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "resolve",
            abstract: "Finish a merge that git pull or git merge stopped on conflicts, losing no memory.",
            discussion: """
                Merges every conflicted file from git's index (base, ours, theirs) the way memvault sync \
                does: memory files entry by entry, so both sides' memories are kept and a memory edited \
                on both sides is kept twice (the other text as a conflict copy, listed by status); other \
                files line by line. Encrypted entries merge without unlocking. A conflicted file you \
                already fixed by hand (no markers left) is kept as you wrote it. One commit with both \
                parents; exit 4 when a file outside the memory format needs a person.

                Examples:
                  git pull            # stops: CONFLICT (content): Merge conflict in alice/general/2026-11.md
                  memvault status     # merge  in progress with 3f2a...; conflicts in alice/general/2026-11.md
                  memvault resolve
                """)

        @OptionGroup var vaultOptions: VaultOptions

        @Flag(help: "Print the result as JSON: {\"commit\", \"merged\", \"kept_as_edited\", \"conflicts\"}.")
        var json = false

        func run() throws {
            try Output.run {
                let (vault, _) = try vaultOptions.open()
                let report = try vault.resolveMerge()
                if json {
                    try Output.printJSON(report)
                    return
                }
                print("merged \(report.merged.count + report.keptAsEdited.count) \(report.merged.count + report.keptAsEdited.count == 1 ? "file" : "files") as \(report.commit.prefix(12))"
                    + (report.keptAsEdited.isEmpty ? "" : " (kept as edited: \(report.keptAsEdited.joined(separator: ", ")))"))
                if !report.conflicts.isEmpty {
                    print("edited on both sides, kept twice (see memvault status): \(report.conflicts.joined(separator: ", "))")
                }
            }
        }
    }
}
