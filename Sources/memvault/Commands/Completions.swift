import ArgumentParser
import Foundation

extension Memvault {
    struct Completions: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "completions",
            abstract: "Print the completion script for bash, zsh or fish.",
            discussion: """
                Completes commands and options, and ids, tiers and users from the vault being \
                worked on (--vault, else $MEMVAULT_DIR, else the vault around the current folder). \
                scripts/install puts the scripts where each shell finds them.

                Examples:
                  memvault completions bash > ~/.local/share/bash-completion/completions/memvault
                  memvault completions zsh > ~/.zfunc/_memvault
                  memvault completions fish > ~/.config/fish/completions/memvault.fish
                """)

        @Argument(help: "The shell: bash, zsh or fish.", completion: .list(["bash", "zsh", "fish"]))
        var shell: String

        func validate() throws {
            guard CompletionShell(rawValue: shell) != nil else {
                throw ValidationError("unknown shell '\(shell)'; use bash, zsh or fish")
            }
        }

        func run() throws {
            print(Memvault.completionScript(for: CompletionShell(rawValue: shell)!), terminator: "")
        }
    }
}
