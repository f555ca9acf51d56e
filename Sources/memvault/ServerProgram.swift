import Foundation
import MemvaultSupport

#if canImport(Glibc)
import Glibc
#endif

/// Programs installed beside `memvault` that a command hands its process over to: the MCP server
/// (`memvault-mcp`) lives apart so that every other command starts without the MCP SDK's
/// networking libraries.
enum ServerProgram {
    struct Missing: ReportableError {
        let path: String
        var exitStatus: ExitStatus { .badInput }
        var description: String { "the MCP server program is not installed beside memvault (\(path))" }
        var hint: String? { "install both programs: scripts/install, or swift build builds both" }
    }

    struct Failed: ReportableError {
        let path: String
        let code: Int32
        var exitStatus: ExitStatus { .badInput }
        var description: String { "could not run \(path): \(String(cString: strerror(code)))" }
    }

    /// Replaces this process with `name` from memvault's own folder (standard input, output,
    /// error and the environment stay); returns only by throwing.
    static func replaceProcess(with name: String, arguments: [String]) throws {
        let path = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent(name).path
        guard access(path, X_OK) == 0 else { throw Missing(path: path) }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        execv(path, argv)
        throw Failed(path: path, code: errno)
    }
}
