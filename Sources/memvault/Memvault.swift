import ArgumentParser
import MemvaultSupport
import Vault

#if canImport(Glibc)
import Glibc
#endif

/// The `memvault` command line: parses, calls the libraries, prints.
@main
struct Memvault: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memvault",
        abstract: "Keep your memories as plain Markdown in a git repository.",
        discussion: """
            Memories are filed per user and per tier (chronological, general, confidential, \
            secret, ultrasecret). The vault is --vault, else $MEMVAULT_DIR, else found from the \
            current directory upward; the user is --user, else $MEMVAULT_USER, else the vault's \
            default user.
            """,
        version: Release.version,
        subcommands: [
            Init.self, Add.self, Import.self, List.self, Show.self, Edit.self, Rm.self,
            Check.self, Commit.self, Export.self, Status.self, Search.self, Reindex.self, Embed.self,
            Sync.self, Log.self, History.self, Restore.self, Clone.self, DigestCommand.self,
            Unlock.self, Lock.self, Passwd.self, Rotate.self, Agent.self, Trust.self, Resolve.self,
            Classify.self, Mv.self, Context.self, Mcp.self, Watch.self, Completions.self,
        ]
    )

    /// Runs the command with no signal blocked: a parent may start memvault with signals blocked
    /// (Foundation's `Process` does), and `watch`, `agent` and the editor's scratch file rely on
    /// SIGINT and SIGTERM reaching them. The commands run on this thread, synchronously: none of
    /// them awaits anything, and starting Swift's concurrency runtime (its threads) costs every
    /// command, completion included, 1.5 to 2 ms (docs/benchmarks.md).
    ///
    /// A command that commits (``CommitsChanges``) starts setting libgit2 up on the other core
    /// before its arguments are parsed. Loading it (2.7 ms) and its TLS back end's parse of the
    /// system's CA certificates (5 ms) took 8 ms; started once `add` had parsed its arguments
    /// and opened the vault, the set-up was still running when `add` reached its commit
    /// (docs/benchmarks.md, "Start-up without an exported symbol table, libgit2 set up before parsing").
    static func main() {
        var none = sigset_t()
        sigemptyset(&none)
        sigprocmask(SIG_SETMASK, &none, nil)
        let arguments = Array(CommandLine.arguments.dropFirst())
        if commits(arguments) { Vault.prepareGitInBackground() }
        // `main(nil)` of swift-argument-parser, with the set-up finished before any exit.
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            Vault.finishGitPreparation()
            exit(withError: error)
        }
        Vault.finishGitPreparation()
    }

    /// Whether the subcommand `arguments` name (the first one: `memvault` itself has no options
    /// before it) commits.
    static func commits(_ arguments: [String]) -> Bool {
        guard let name = arguments.first,
            let command = configuration.subcommands.first(where: { $0._commandName == name })
        else { return false }
        return command is any CommitsChanges.Type
    }
}

/// A subcommand that commits a change to the vault: `Memvault.main` sets libgit2 up for it on
/// the other core from the start, and waits for that set-up however the command ends.
protocol CommitsChanges {}

extension Memvault.Add: CommitsChanges {}
extension Memvault.Import: CommitsChanges {}
extension Memvault.Edit: CommitsChanges {}
extension Memvault.Rm: CommitsChanges {}
extension Memvault.Mv: CommitsChanges {}
extension Memvault.Commit: CommitsChanges {}
extension Memvault.Restore: CommitsChanges {}
extension Memvault.Resolve: CommitsChanges {}
extension Memvault.Sync: CommitsChanges {}
extension Memvault.Passwd: CommitsChanges {}
extension Memvault.Rotate: CommitsChanges {}
