import ArgumentParser
import Foundation
import MemvaultSupport
import Vault

#if canImport(Glibc)
import Glibc
#endif

/// Printing and error reporting shared by the commands.
enum Output {
    /// Runs a command body; reports a failure as one `memvault: error: ...` line (and a hint)
    /// on stderr and exits with the error's `ExitStatus` (the table in docs/cli.md).
    static func run(_ body: () throws -> Void) throws {
        // A return or a thrown `ExitCode` reaches `Memvault.main`, which waits for libgit2's
        // set-up before the process exits; `fail` exits here, so it waits itself.
        do {
            try body()
        } catch let error as ExitCode {
            throw error
        } catch let error as ValidationError {
            throw error
        } catch let error as any ReportableError {
            fail(error.description, hint: error.hint, status: error.exitStatus)
        } catch {
            fail("\(error)", hint: nil, status: .badInput)
        }
    }

    static func fail(_ message: String, hint: String?, status: ExitStatus) -> Never {
        printError("memvault: error: \(message)")
        if let hint { printError("hint: \(hint)") }
        Vault.finishGitPreparation()
        exit(status.rawValue)
    }

    static func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Mentions, in one line on stderr, changed files that are not the vault's own and were
    /// therefore not committed (an editor's .obsidian/ or .vscode/, a stray note at the root).
    static func mentionOtherFiles(_ vault: Vault) {
        guard let others = try? vault.changedPathsOutsideVault(), !others.isEmpty else { return }
        let shown = others.prefix(8).joined(separator: ", ") + (others.count > 8 ? " and \(others.count - 8) more" : "")
        printError("memvault: notice: not committed (not the vault's own files): \(shown)")
    }

    /// Prints a value as one JSON object on stdout.
    static func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }

    /// Memory text as it may be printed: on a terminal, control characters and escape sequences
    /// (C0 controls but tab and line feed, DEL, C1 controls, and the bidirectional overrides that
    /// reorder what is shown) are written visibly as `\u{1B}`, so a memory cannot move the cursor,
    /// retitle the window or write the clipboard (OSC 52). Unchanged to a pipe or a file, and
    /// `--json` prints raw JSON (where the encoder escapes controls anyway).
    static func safe(_ text: String) -> String {
        isatty(STDOUT_FILENO) == 1 ? escapingControls(text) : text
    }

    /// `text` with every control character written as `\u{XX}` (tab and line feed kept).
    static func escapingControls(_ text: String) -> String {
        func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar.value {
            case 0x09, 0x0A: return false
            case 0x00...0x1F, 0x7F...0x9F: return true
            case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
            default: return false
            }
        }
        guard text.unicodeScalars.contains(where: isUnsafe) else { return text }
        var output = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar) {
                output.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                output.append(scalar)
            }
        }
        return String(output)
    }

    /// One stderr note per encrypted memory that its tier's current key did not open (an older
    /// key), or a count when there are many: they were shown locked or left out, the rest worked.
    static func reportOtherKeyEntries(_ vault: Vault) {
        let entries = vault.otherKeyEntries
        guard !entries.isEmpty else { return }
        if entries.count <= 10 {
            for entry in entries { printError("memvault: note: \(escapingControls(entry.description))") }
        } else {
            printError("memvault: note: \(entries.count) memories are encrypted to another key than their tier's current one (first: \(entries[0].location))")
        }
        let tiers = Set(entries.map(\.tier.rawValue)).sorted().joined(separator: ", ")
        printError("hint: memvault rotate \(tiers) re-encrypts them when an earlier key file in git history opens with the passphrase")
    }

    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil }
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// ANSI styling, only on a terminal.
    static func style(_ text: String, _ code: String) -> String {
        stdoutIsTerminal ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    /// Reads all of standard input, which must be UTF-8.
    static func readStandardInput() throws -> String {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        guard let text = String(validating: data, as: UTF8.self) else {
            throw VaultError(.badInput, "standard input is not valid UTF-8")
        }
        return text
    }

    /// A progress bar on stderr, only when stderr is a terminal.
    static func progress(_ label: String) -> (Int, Int) -> Void {
        guard stderrIsTerminal else { return { _, _ in } }
        return { done, total in
            let width = 30
            let filled = total == 0 ? width : width * done / total
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(done)/\(total)\(done == total ? "\n" : "")".utf8))
        }
    }
}

extension VaultOptions {
    /// The folder of the vault these options name (`--vault`, `$MEMVAULT_DIR`, or found upward).
    func root(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> URL {
        try Vault.locate(explicit: vault, environment: environment)
    }

    /// Opens the vault these options name and resolves the user. (A command that commits has
    /// had libgit2 set up on the other core since `Memvault.main` began: ``CommitsChanges``.)
    /// - Parameter root: the vault's folder when the command has located it already (``root()``).
    func open(at root: URL? = nil) throws -> (vault: Vault, user: String) {
        // Plaintext an edit killed by SIGKILL left in /dev/shm is removed by the next command.
        ScratchFile.removeStale()
        let environment = ProcessInfo.processInfo.environment  // copied once: 0.1 ms
        let vault = try Vault(at: try root ?? self.root(environment: environment), environment: environment)
        vault.installDebugHooks()
        vault.recoveryHandler = { report in
            FileHandle.standardError.write(Data("memvault: \(report.summary)\n".utf8))
        }
        // A change a killed process left half done is rolled back (or finished) before anything else.
        try vault.recoverUnfinishedChange()
        // Ultrasecret is never cached: a person at a terminal is asked each time it is read.
        if isatty(STDIN_FILENO) == 1 {
            vault.askPassphrase = { tier in Passphrase.prompt("Passphrase for the \(tier.rawValue) tier: ") }
        }
        return (vault, try vault.resolveUser(user))
    }
}
