import ArgumentParser
import Foundation
import Vault

extension Memvault {
    struct Restore: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "restore",
            abstract: "Put back the text a memory had in an earlier commit, as one new commit.",
            discussion: """
                The current text stays in history. A memory deleted since is written back into the \
                file it was in. Find the commit with memvault history ID.

                Examples:
                  memvault restore 01JD3K9X2F7Q8R3M@a1b2c3d
                  memvault restore 01JD3K9X2F7Q8R3M@HEAD~2
                """)

        @OptionGroup var vaultOptions: VaultOptions

        @Argument(help: "The memory's id and the commit to restore from, as ID@REV (a commit id, HEAD~N or a branch).", completion: VaultCompletion.ids)
        var target: String

        func validate() throws {
            guard Vault.splitRevision(target).revision != nil else {
                throw ValidationError("give the revision too, as ID@REV (for example \(target)@HEAD~1)")
            }
        }

        func run() throws {
            try Output.run {
                let (vault, _) = try vaultOptions.open()
                let (id, revision) = Vault.splitRevision(target)
                let (memory, commit) = try vault.restore(id: id, from: revision!)
                if let commit {
                    print("restored \(memory.id) from \(revision!) as \(commit.prefix(12)) (\(memory.path):\(memory.line))")
                } else {
                    print("\(memory.id) already has the text of \(revision!); nothing to restore")
                }
            }
        }
    }
}
