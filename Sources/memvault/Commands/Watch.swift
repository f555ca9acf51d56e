import ArgumentParser
import Embedder
import Foundation
import Vault

extension Memvault {
    struct Watch: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "watch",
            abstract: "Commit and index hand edits as they are saved, until stopped.",
            discussion: """
                Waits on inotify for changes in the tier folders (no polling: idle, it uses no CPU). \
                When the files have been left alone for the quiet period, the edits are checked \
                (ids assigned; a plain-text tier file that looks like it holds a credential, has \
                conflict markers or a malformed memory is left as it is, with one line saying why), \
                committed as one commit "memvault: edit by hand: alice/general/2026-11.md (+2 ~1 -0)" \
                (added, changed, removed memories), and the search index is refreshed. Editors' swap \
                and backup files are ignored; only the vault's own files are committed, other \
                changed files (.obsidian/, .vscode/, a stray note at the root) are mentioned once.

                Other memvault commands run between its commits (it holds the vault lock only while \
                committing), a git pull or memvault sync under it is fine, and encrypted tiers are \
                never decrypted. While it runs, `memvault search` asks it first: with the model loaded \
                and the index mapped it answers a search that reads no encrypted tier sooner, with \
                the same results (docs/watch.md, "Warm search"). With --sync-every it also syncs with the remote on that interval \
                and after each commit; an unreachable remote is one line and a longer wait. \
                Ctrl-C (SIGINT) or SIGTERM stop it. See docs/watch.md; scripts/install sets it up \
                as the systemd user service memvault-watch.service.

                Examples:
                  memvault watch
                  memvault watch --quiet-period 5s --sync-every 15m
                """)

        @OptionGroup var vaultOptions: VaultOptions

        @Option(help: "How long the files must be left alone before the edits are committed (500ms, 2s, 1m).")
        var quietPeriod: String = "2s"

        @Option(help: "Also sync with the remote this often and after each commit (15m, 1h). Default: never.")
        var syncEvery: String?

        @Option(help: "The git remote to sync with. Default: the branch's upstream, else origin, else the only remote.")
        var remote: String?

        func validate() throws {
            do {
                _ = try WatchDuration(parsing: quietPeriod)
                if let syncEvery { _ = try WatchDuration(parsing: syncEvery) }
            } catch {
                throw ValidationError(error.description)
            }
            if remote != nil && syncEvery == nil {
                throw ValidationError("--remote needs --sync-every")
            }
        }

        func run() throws {
            try Output.run {
                let (vault, _) = try vaultOptions.open()
                // Never asks for a passphrase: watch does not read encrypted tiers.
                vault.askPassphrase = nil
                let options = WatchOptions(
                    quietPeriod: try WatchDuration(parsing: quietPeriod).seconds,
                    syncEvery: try syncEvery.map { (text) throws(VaultError) in try WatchDuration(parsing: text).seconds },
                    remote: remote)
                var embedder: Embedder?
                let modelDirectory = Embedder.defaultModelDirectory()
                do {
                    embedder = try Embedder(modelDirectory: modelDirectory)
                } catch {
                    Output.printError("memvault: notice: \(error); only the lexical index is kept fresh")
                }
                // Searches of this vault that read no encrypted tier are answered here, warm.
                var warmSearch: WarmSearchServer?
                if let embedder {
                    do {
                        warmSearch = try WarmSearchServer.start(root: vault.root, embedder: embedder, modelDirectory: modelDirectory.path)
                    } catch {
                        Output.printError("memvault: notice: searches are not answered warm: \(error)")
                    }
                }
                defer {
                    if let answered = warmSearch?.stop(), answered > 0 {
                        FileHandle.standardOutput.write(Data("answered \(answered) \(answered == 1 ? "search" : "searches") warm\n".utf8))
                    }
                }
                let watcher = try VaultWatcher(vault: vault, options: options, embedder: embedder) { note in
                    switch note.kind {
                    case .info, .committed:
                        // Unbuffered, one line at a time, also into a pipe or the journal.
                        FileHandle.standardOutput.write(Data((note.text + "\n").utf8))
                    case .problem, .offline:
                        Output.printError("memvault watch: \(note.text)")
                    }
                }
                watcher.stopOnSignals()
                try watcher.run()
            }
        }
    }
}
