import ArgumentParser
import MemvaultSupport

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
    static func main() {
        var none = sigset_t()
        sigemptyset(&none)
        sigprocmask(SIG_SETMASK, &none, nil)
        main(nil)
    }
}
