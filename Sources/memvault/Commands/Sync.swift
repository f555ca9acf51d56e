import ArgumentParser
import Foundation
import Vault

extension Memvault {
    struct Sync: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sync",
            abstract: "Commit direct edits, fetch, merge and push, never losing a memory.",
            discussion: """
                Memory files are merged entry by entry: memories added on either side are all kept; \
                a memory changed on one side takes that change; a memory changed differently on both \
                sides keeps both texts, the other one as a new memory marked conflict-of (memvault \
                status and memvault check list them). Other files merge line by line as git does; \
                overlapping changes stop the sync with exit status 4 and leave your files as they were. Never force-pushes; when \
                the remote moves meanwhile, sync fetches and merges again. See docs/sync.md.

                Examples:
                  memvault sync
                  memvault sync backup --json
                """)

        @OptionGroup var vaultOptions: VaultOptions

        @Argument(help: "The git remote to sync with. Default: the branch's upstream, else origin, else the only remote.")
        var remote: String?

        @Flag(help: "Print what the sync did as JSON.")
        var json = false

        func run() throws {
            try Output.run {
                let (vault, _) = try vaultOptions.open()
                let report = try vault.sync(remote: remote)
                Output.mentionOtherFiles(vault)
                if json {
                    try Output.printJSON(report)
                    return
                }
                if let commit = report.localCommit { print("committed direct edits as \(commit.prefix(12))") }
                let target = "\(report.remote)/\(report.branch)"
                switch report.outcome {
                case "merged":
                    print("merged \(target) (\(report.mergedFiles.count) \(report.mergedFiles.count == 1 ? "file" : "files")) and pushed")
                case "fast-forward": print("fast-forwarded to \(target)")
                case "pushed": print("pushed to \(target)")
                default: print("up to date with \(target)")
                }
                if report.attempts > 1 { print("the remote moved meanwhile; synced after \(report.attempts) attempts") }
                if !report.conflicts.isEmpty {
                    print("\(report.conflicts.count) \(report.conflicts.count == 1 ? "memory was" : "memories were") changed on both sides; both texts kept: \(report.conflicts.joined(separator: ", "))")
                    Output.printError("hint: see the conflict copies with memvault status; merge each into the original, then memvault rm the copy")
                }
                for change in report.untrusted {
                    Output.printError("memvault: warning: not trusted yet: \(change)")
                }
                if !report.untrusted.isEmpty {
                    Output.printError("hint: writes these changes concern are refused until you review and accept them with: memvault trust")
                }
            }
        }
    }
}
