import Foundation
import TestSupport
import Testing

/// What a `memvault` process loads at start: neither libgit2 (opened by the commands that touch
/// git) nor the MCP SDK's networking libraries (the server is the separate `memvault-mcp`).
@Suite("Start-up: libraries loaded on demand, the MCP server apart")
struct StartupTests {
    @Test("the binary links neither libgit2 nor libcurl")
    func linkedLibraries() throws {
        let (status, output) = try CLI.process("/usr/bin/ldd", [CLI.binary.path])
        #expect(status == 0, "\(output)")
        #expect(output.contains("libc.so"), "ldd printed no libraries: \(output)")
        #expect(!output.contains("libgit2"), "memvault links libgit2 at start:\n\(output)")
        #expect(!output.contains("libcurl"), "memvault links libcurl at start:\n\(output)")
    }

    @Test("--version and list load no libgit2; add opens it and commits")
    func libgit2OnDemand() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try #require(try cli.run(["init", cli.vault.path, "--user", "alice"]).status == 0)

        let version = try cli.run(["--version"], env: ["LD_DEBUG": "files"])
        #expect(version.status == 0)
        #expect(version.stderr.contains("file="), "LD_DEBUG=files printed no trace")
        #expect(!version.stderr.contains("libgit2"), "--version loaded libgit2")
        let list = try cli.run(["list"], env: ["LD_DEBUG": "files"])
        #expect(list.status == 0)
        #expect(!list.stderr.contains("libgit2"), "list loaded libgit2")

        let add = try cli.run(["add", "a memory written through libgit2 opened on demand", "--tier", "general"], env: ["LD_DEBUG": "files"])
        #expect(add.status == 0, "\(add.stderr.suffix(2000))")
        #expect(add.stderr.contains("libgit2"), "add did not open libgit2")
        #expect(try cli.commitCount() == 2)
    }

    @Test("libgit2's set-up leaves the CA certificates to memvault, which reads them before a sync")
    func certificatesOnDemand() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let remote = cli.home.appendingPathComponent("remote.git")
        _ = try CLI.git(["init", "--bare", "--quiet", "--initial-branch=main", remote.path], in: cli.home, environment: cli.environment)
        try #require(try cli.run(["init", cli.vault.path, "--user", "alice", "--remote", remote.path]).status == 0)

        // libgit2 (and mbedTLS's folder reader) call memvault's two readers, not mbedTLS's.
        let add = try cli.run(["add", "a memory committed without reading certificates", "--tier", "general"], env: ["LD_DEBUG": "bindings"])
        #expect(add.status == 0, "\(add.stderr.suffix(2000))")
        for reader in ["mbedtls_x509_crt_parse_file", "mbedtls_x509_crt_parse_path"] {
            let bound = add.stderr.split(separator: "\n").contains {
                $0.contains("libgit2.so") && $0.contains("/\(CLI.binary.lastPathComponent) [0]") && $0.contains("`\(reader)'")
            }
            #expect(bound, "libgit2 does not call memvault's \(reader)")
        }
        // A sync reads the noted certificates first (a file that cannot be read fails it).
        let sync = try cli.run(["sync"])
        #expect(sync.status == 0, "\(sync.stderr)")
        let pushed = try CLI.git(["rev-parse", "main"], in: remote, environment: cli.environment).output
        #expect(pushed == (try cli.git(["rev-parse", "HEAD"]).output), "the remote's main is \(pushed)")
    }

    @Test("a command that commits starts libgit2 before parsing, and exits cleanly when its arguments stop it")
    func committingCommandStoppedEarly() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try #require(try cli.run(["init", cli.vault.path, "--user", "alice"]).status == 0)

        let help = try cli.run(["add", "--help"], env: ["LD_DEBUG": "files"])
        #expect(help.status == 0, "\(help.stderr.suffix(2000))")
        #expect(help.stdout.contains("USAGE: memvault add"), "\(help.stdout)")
        #expect(help.stderr.contains("libgit2"), "add --help did not start setting libgit2 up")
        // The parser stops these while libgit2 may still be loading: the process must wait for
        // it, not crash in the libraries' clean-up at exit.
        for arguments in [["add", "--bogus"], ["rm"], ["mv", "01JD3K9X2F7Q8R", "--tier", "nowhere"], ["commit", "--bogus"]] {
            let stopped = try cli.run(arguments)
            #expect([64, 1].contains(stopped.status), "\(arguments): status \(stopped.status), \(stopped.stderr)")
            #expect(!stopped.stderr.isEmpty, "\(arguments) printed no error")
        }
        let list = try cli.run(["list"], env: ["LD_DEBUG": "files"])
        #expect(!list.stderr.contains("libgit2"), "list loaded libgit2")
        #expect(try cli.commitCount() == 1)
    }

    @Test("OpenBLAS is opened by the first product a short query does not need, and the two embed alike")
    func openBLASOnDemand() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try #require(try cli.run(["init", cli.vault.path, "--user", "alice"]).status == 0)
        // A short query's projections run on the embedder's own kernel: no OpenBLAS.
        let short = try cli.run(["embed", "trip to the mountains", "--json"], env: ["LD_DEBUG": "files"])
        #expect(short.status == 0, "\(short.stderr.suffix(2000))")
        #expect(short.stderr.contains("file="), "LD_DEBUG=files printed no trace")
        #expect(!short.stderr.contains("libopenblas"), "a four-word query opened OpenBLAS")
        // Forty tokens: sgemm, so OpenBLAS is opened.
        let words = (1...40).map { "word\($0)" }.joined(separator: " ")
        let long = try cli.run(["embed", words, "--json"], env: ["LD_DEBUG": "files"])
        #expect(long.status == 0, "\(long.stderr.suffix(2000))")
        #expect(long.stderr.contains("libopenblas"), "a forty-token text did not open OpenBLAS")
        #expect(short.stdout.contains("\"dimension\": 384"), "\(short.stdout.prefix(200))")
    }

    @Test("memvault mcp without memvault-mcp beside it: one error line, exit 1")
    func missingServerProgram() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try #require(try cli.run(["init", cli.vault.path, "--user", "alice"]).status == 0)
        let lone = cli.home.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: lone, withIntermediateDirectories: true)
        let copy = lone.appendingPathComponent("memvault")
        try FileManager.default.copyItem(at: CLI.binary, to: copy)
        let (status, output) = try CLI.process(copy.path, ["mcp", "--vault", cli.vault.path], environment: cli.environment)
        #expect(status == 1)
        #expect(output.hasPrefix("memvault: error: the MCP server program is not installed beside memvault (\(lone.path)/memvault-mcp)"), "\(output)")
    }
}
