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
    /// on stderr and exits with the status of DESIGN.md.
    static func run(_ body: () async throws -> Void) async throws {
        do {
            try await body()
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
    /// Opens the vault these options name and resolves the user.
    func open() throws -> (vault: Vault, user: String) {
        let vault = try Vault(at: try Vault.locate(explicit: self.vault))
        // Ultrasecret is never cached: a person at a terminal is asked each time it is read.
        if isatty(STDIN_FILENO) == 1 {
            vault.askPassphrase = { tier in Passphrase.prompt("Passphrase for the \(tier.rawValue) tier: ") }
        }
        return (vault, try vault.resolveUser(user))
    }
}
