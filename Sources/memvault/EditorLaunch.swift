import Foundation
import Vault

#if canImport(Glibc)
import Glibc
#endif

/// How `edit` starts `$VISUAL`/`$EDITOR`: for the plaintext of an encrypted memory, the editors
/// memvault knows are told to keep no swap, backup, undo or history file (which would write the
/// text to disk or keep it after the edit); any other editor gets a one-line warning. The
/// editor's environment never holds passphrases or key-file paths.
struct EditorLaunch: Equatable {
    /// The shell command line (`/bin/sh -c`).
    var command: String
    /// The warning to print first, for an editor memvault cannot make keep no copies.
    var warning: String?

    /// Variables never passed to the editor.
    static func isSecretVariable(_ name: String) -> Bool {
        name.hasPrefix("MEMVAULT_PASSPHRASE_") || name.hasPrefix("MEMVAULT_NEW_PASSPHRASE_") || name.hasPrefix("MEMVAULT_KEY_FILE_")
    }

    /// The editor's environment: `environment` without passphrases and key-file paths.
    static func environment(_ environment: [String: String]) -> [String: String] {
        environment.filter { !isSecretVariable($0.key) }
    }

    /// The command line for `editor` (as given in `$EDITOR`, possibly with arguments) on `path`.
    /// - Parameters:
    ///   - programName: the file name of the editor program after links are resolved (`vim.basic`
    ///     for `vi` on Debian), when known.
    ///   - sensitive: the file holds the plaintext of an encrypted memory.
    static func make(editor: String, programName: String? = nil, path: String, line: Int, sensitive: Bool) -> EditorLaunch {
        let program = (editor.split(whereSeparator: \.isWhitespace).first.map(String.init) ?? editor as String)
        let base = (program as NSString).lastPathComponent
        let resolved = programName ?? base
        let quoted = "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'"
        let lineArgument = ["vi", "vim", "nvim", "nano", "emacs"].contains(base) ? "+\(line) " : ""
        guard sensitive else { return EditorLaunch(command: "\(editor) \(lineArgument)\(quoted)", warning: nil) }
        let flags: String?
        switch kind(base: base, resolved: resolved) {
        case .vim:
            // -n: no swap file; -i NONE: no viminfo/shada; no backup, no undo file, no swap.
            flags = "-n -i NONE --cmd 'set nobackup nowritebackup noundofile noswapfile'"
        case .nano:
            // --restricted: no history files, no backups; --ignorercfiles: an rc cannot turn them on.
            flags = "--restricted --ignorercfiles"
        case .emacs:
            flags = "-Q --eval '(setq make-backup-files nil auto-save-default nil create-lockfiles nil)'"
        case .micro:
            flags = "-backup false -saveundo false -savecursor false -savehistory false"
        case .other:
            flags = nil
        }
        guard let flags else {
            return EditorLaunch(
                command: "\(editor) \(lineArgument)\(quoted)",
                warning: "memvault: warning: memvault does not know how to stop '\(base)' from keeping swap, backup, undo or history files; they may hold the decrypted text (vim, neovim, nano, emacs and micro are handled)")
        }
        return EditorLaunch(command: "\(editor) \(flags) \(lineArgument)\(quoted)", warning: nil)
    }

    enum Kind { case vim, nano, emacs, micro, other }

    static func kind(base: String, resolved: String) -> Kind {
        for name in [resolved, base] {
            if ["vi", "vim", "nvim", "gvim", "view", "rvim", "vimdiff"].contains(name) || name.hasPrefix("vim.") || name.hasPrefix("nvim") {
                // Plain `vi` is vim only if it resolves to vim (nvi and busybox vi know none of the flags).
                if name == "vi" && resolved == "vi" && base == "vi" { continue }
                return .vim
            }
            if name == "nano" || name == "rnano" { return .nano }
            if name == "emacs" || name.hasPrefix("emacs-") { return .emacs }
            if name == "micro" { return .micro }
        }
        return .other
    }

    /// The file name of `program` found on `PATH`, after following links (`vi` → `vim.basic`).
    static func resolvedName(_ program: String, environment: [String: String]) -> String? {
        let candidates: [String]
        if program.contains("/") {
            candidates = [program]
        } else {
            candidates = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map { "\($0)/\(program)" }
        }
        for candidate in candidates where access(candidate, X_OK) == 0 {
            guard let real = realpath(candidate, nil) else { return nil }
            defer { free(real) }
            return (String(cString: real) as NSString).lastPathComponent
        }
        return nil
    }

    /// Runs $VISUAL or $EDITOR (else vi) on `path`, waiting for it.
    /// - Throws: `.badInput` when the editor fails.
    static func run(path: String, line: Int, sensitive: Bool) throws {
        let environment = ProcessInfo.processInfo.environment
        let editor = environment["VISUAL"].flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["EDITOR"].flatMap { $0.isEmpty ? nil : $0 } ?? "vi"
        let program = editor.split(whereSeparator: \.isWhitespace).first.map(String.init) ?? editor
        let launch = make(
            editor: editor, programName: resolvedName(program, environment: environment), path: path, line: line, sensitive: sensitive)
        if let warning = launch.warning { Output.printError(warning) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", launch.command]
        process.environment = Self.environment(environment)
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw VaultError(.badInput, "the editor exited with status \(process.terminationStatus); nothing changed")
        }
    }
}
