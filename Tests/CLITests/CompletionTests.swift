import Foundation
import Testing

@Suite("memvault completions")
struct CompletionTests {
    /// Runs `script` in a clean bash with the memvault binary first on PATH.
    func bash(_ script: String, cli: CLI, in directory: URL) throws -> (status: Int32, output: String) {
        var env = cli.environment
        env["PATH"] = CLI.binary.deletingLastPathComponent().path + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        return try CLI.process("/bin/bash", ["--norc", "--noprofile", "-c", script], in: directory, environment: env)
    }

    /// Asks bash's completion function what it offers for `line` (the cursor at its end).
    func complete(_ line: String, script: URL, cli: CLI) throws -> [String] {
        var words = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        if line.hasSuffix(" ") { words[words.count - 1] = "" }
        let array = words.map { "'\($0)'" }.joined(separator: " ")
        let result = try bash("""
            source '\(script.path)'
            COMP_WORDS=(\(array)); COMP_CWORD=\(words.count - 1); COMP_LINE='\(line)'; COMP_POINT=${#COMP_LINE}
            _memvault memvault "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"; printf '%s\\n' "${COMPREPLY[@]}"
            """, cli: cli, in: cli.vault)
        #expect(result.status == 0, "\(result.output)")
        return result.output.split(separator: "\n").map(String.init)
    }

    @Test("the bash script loads (complete -p memvault) and completes ids, tiers and users from the vault")
    func bashCompletesFromTheVault() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok(["init", cli.vault.path, "--user", "alice"])
        try cli.ok(["init", "--user", "bob"])
        var ids: [String] = []
        for number in 0..<3 {
            ids.append(try cli.ok(["add", "memory \(number)", "--tier", "general"]).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        try cli.ok(["reindex"])
        let script = cli.home.appendingPathComponent("memvault.bash")
        try Data(try cli.ok(["completions", "bash"]).utf8).write(to: script)
        let registered = try bash("source '\(script.path)' && complete -p memvault", cli: cli, in: cli.vault)
        #expect(registered.status == 0)
        #expect(registered.output.contains("-F _memvault memvault"), "\(registered.output)")

        #expect(try complete("memvault sh", script: script, cli: cli).contains("show"))
        let all = try complete("memvault show ", script: script, cli: cli)
        #expect(Set(ids).isSubset(of: Set(all)), "\(all)")
        let one = try complete("memvault rm \(ids[2])", script: script, cli: cli)
        #expect(one == [ids[2]])
        #expect(try complete("memvault list --tier co", script: script, cli: cli) == ["confidential"])
        #expect(try complete("memvault list --user b", script: script, cli: cli) == ["bob"])
        // Outside any vault: no ids, no error.
        let outside = try bash("""
            source '\(script.path)'
            COMP_WORDS=(memvault show ''); COMP_CWORD=2; COMP_LINE='memvault show '; COMP_POINT=${#COMP_LINE}
            _memvault memvault "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"; printf '%s\\n' "${COMPREPLY[@]}"
            """, cli: cli, in: cli.home)
        #expect(outside.status == 0)
        #expect(!outside.output.contains(ids[0]))
    }

    @Test("zsh and fish scripts are printed too", arguments: [("zsh", "#compdef memvault"), ("fish", "complete -c 'memvault'")])
    func otherShells(shell: String, marker: String) throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let script = try cli.ok(["completions", shell])
        #expect(script.contains(marker))
        #expect(script.contains("watch"))
    }

    @Test("bad input: an unknown shell is a usage error")
    func unknownShell() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let result = try cli.run(["completions", "powershell"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("unknown shell 'powershell'"))
        #expect(result.stdout.isEmpty)
    }
}
