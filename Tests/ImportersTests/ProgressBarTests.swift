import Foundation
import SyntheticExports
import Testing
import Vault

/// The progress bar `memvault import --from` draws on standard error: on a terminal only.
@Suite("The import progress bar: drawn on a terminal (a pty), never when stderr is not one")
struct ProgressBarTests {
    /// Runs `command` through `sh -c` inside script(1), which gives it a pty as stdin, stdout and
    /// stderr and copies everything written to the pty to its own stdout; returns status and that copy.
    static func inPTY(_ command: String, environment: [String: String]) throws -> (status: Int32, output: String) {
        let script = Process()
        script.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        script.arguments = ["-q", "-e", "-c", command, "/dev/null"]
        var env = environment
        env["SHELL"] = "/bin/sh"
        env["TERM"] = "xterm"
        script.environment = env
        // stdin stays open (a pipe) until the command is done: script ends when its input does.
        let input = Pipe()
        let output = Pipe()
        script.standardInput = input
        script.standardOutput = output
        script.standardError = FileHandle.nullDevice
        try script.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        script.waitUntilExit()
        try? input.fileHandleForWriting.close()
        return (script.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func quoted(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    @Test("on a pty the bar is redrawn in place and ends its line before the summary; with stderr a file or a pipe, stderr stays empty")
    func barOnlyOnATerminal() throws {
        let t = try TestVault()
        defer { t.cleanup() }
        let env = CommandTests.environment(t)
        let export = t.home.appendingPathComponent("conversations.json")
        // About 50 conversations, 3 MB: enough for the bar to be redrawn many times.
        let conversations = try SyntheticExport.writeChatGPT(to: export, bytes: 3_000_000)
        let arguments = ["import", "--vault", t.root.path, "--from", "chatgpt", export.path, "--tier", "general", "--dry-run"]
        let command = ([Paths.binary.path] + arguments).map(Self.quoted).joined(separator: " ")

        // A terminal: stdout and stderr are the pty.
        let terminal = try Self.inPTY(command, environment: env)
        #expect(terminal.status == 0, "\(terminal.output)")
        let draws = terminal.output.components(separatedBy: "\rreading [")
        #expect(draws.count > 3, "the bar was drawn \(draws.count - 1) times: \(terminal.output.debugDescription)")
        // The last draw is the full bar, then the line ends (the pty shows \n as \r\n) and the summary follows.
        let last = try #require(draws.last)
        #expect(last.hasPrefix(String(repeating: "#", count: 30) + "] "), "\(last.prefix(80).debugDescription)")
        #expect(last.contains(" MB\r\ndry run, nothing written: would add \(conversations), update 0, skip 0 from chatgpt"),
            "\(last.prefix(200).debugDescription)")
        #expect(!terminal.output.contains("\u{1B}"), "no escape sequences: the bar is drawn with \\r only")

        // stdout a terminal, stderr a file: no bar anywhere.
        let errors = t.home.appendingPathComponent("stderr.txt")
        let redirected = try Self.inPTY(command + " 2>" + Self.quoted(errors.path), environment: env)
        #expect(redirected.status == 0, "\(redirected.output)")
        #expect(!redirected.output.contains("reading ["), "\(redirected.output.debugDescription)")
        #expect(redirected.output.hasPrefix("dry run, nothing written: would add \(conversations)"), "\(redirected.output.debugDescription)")
        #expect(try String(contentsOf: errors, encoding: .utf8) == "")

        // No terminal at all (files), the real import: stderr is empty, no \r or escape left behind.
        let plain = try memvault(Array(arguments.dropLast()), environment: env, scratch: t.home)
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stderr == "", "\(plain.stderr.debugDescription)")
        #expect(plain.stdout.hasPrefix("imported from chatgpt: \(conversations) added"), "\(plain.stdout)")
        #expect(!plain.stdout.contains("\r") && !plain.stdout.contains("\u{1B}"))
    }
}
