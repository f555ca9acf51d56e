import ArgumentParser
import Foundation
import Vault

#if canImport(Glibc)
import Glibc
#endif

/// The options of the key commands (unlock, passwd, rotate).
struct TierKeyOptions: ParsableArguments {
    @Argument(help: "The tier: confidential, secret or ultrasecret.")
    var tier: String

    @Option(help: "Read the (current) passphrase from the first line of this file.")
    var passphraseFile: String?

    @Option(help: "Ultrasecret second factor: an age identity file (passwd creates it when missing). Default: $MEMVAULT_KEY_FILE_ULTRASECRET.")
    var keyFile: String?
}

/// Where passphrases come from: a file, `MEMVAULT_PASSPHRASE_<TIER>`, or a prompt on the terminal
/// without echo. Passphrases are never printed or logged.
enum Passphrase {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// Parses a tier argument that must name an encrypted tier.
    static func encryptedTier(_ text: String) throws -> Tier {
        let tier = try Tier(parsing: text)
        guard tier.isEncrypted else {
            throw VaultError(.badInput, "the \(tier.rawValue) tier is plain text and has no key",
                hint: "keys exist for confidential, secret and ultrasecret")
        }
        return tier
    }

    /// The tier's current passphrase: `file`, else the environment variable, else a prompt.
    /// - Throws: `.locked` (exit 3) when none can be had.
    static func current(_ tier: Tier, file: String?) throws -> String {
        if let file { return try read(file: file) }
        if let value = environment[tier.passphraseVariable], !value.isEmpty { return value }
        if let typed = prompt("Passphrase for the \(tier.rawValue) tier: "), !typed.isEmpty { return typed }
        throw VaultError(.locked, "no passphrase for the \(tier.rawValue) tier",
            hint: "type it on a terminal, set \(tier.passphraseVariable), or pass --passphrase-file FILE")
    }

    /// A new passphrase: `file`, else `MEMVAULT_NEW_PASSPHRASE_<TIER>` (or, when `creating`,
    /// `MEMVAULT_PASSPHRASE_<TIER>`), else typed twice.
    static func new(_ tier: Tier, file: String?, creating: Bool) throws -> String {
        if let file { return try read(file: file) }
        let upper = tier.rawValue.uppercased()
        if let value = environment["MEMVAULT_NEW_PASSPHRASE_\(upper)"], !value.isEmpty { return value }
        if creating, let value = environment[tier.passphraseVariable], !value.isEmpty { return value }
        guard let first = prompt("New passphrase for the \(tier.rawValue) tier: ") else {
            throw VaultError(.badInput, "no new passphrase for the \(tier.rawValue) tier",
                hint: "type it on a terminal, set MEMVAULT_NEW_PASSPHRASE_\(upper), or pass --new-passphrase-file FILE")
        }
        guard !first.isEmpty else { throw VaultError(.badInput, "the passphrase is empty") }
        guard prompt("Repeat it: ") == first else { throw VaultError(.badInput, "the passphrases differ; nothing changed") }
        return first
    }

    /// A new passphrase typed twice at init; nil when the person leaves it empty.
    static func optionalNew(_ tier: Tier) throws -> String? {
        guard let first = prompt("Passphrase for the \(tier.rawValue) tier (empty: later, with memvault passwd): ") else {
            throw VaultError(.badInput, "--passphrases needs a terminal", hint: "or set \(tier.passphraseVariable)")
        }
        if first.isEmpty { return nil }
        guard prompt("Repeat it: ") == first else { throw VaultError(.badInput, "the passphrases differ; no key for \(tier.rawValue)") }
        return first
    }

    /// The first line of a passphrase file.
    static func read(file: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw VaultError(.badInput, "cannot read the passphrase file", at: file)
        }
        let line = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let passphrase = line.hasSuffix("\r") ? String(line.dropLast()) : line
        guard !passphrase.isEmpty else { throw VaultError(.badInput, "the passphrase file's first line is empty", at: file) }
        return passphrase
    }

    /// Asks on the controlling terminal with echo off.
    /// - Returns: nil when there is no terminal.
    static func prompt(_ label: String) -> String? {
        let tty = open("/dev/tty", O_RDWR | O_NOCTTY)
        guard tty >= 0 else { return nil }
        defer { close(tty) }
        var saved = termios()
        guard tcgetattr(tty, &saved) == 0 else { return nil }
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        guard tcsetattr(tty, TCSAFLUSH, &quiet) == 0 else { return nil }
        defer {
            _ = tcsetattr(tty, TCSAFLUSH, &saved)
            _ = write(tty, "\n", 1)
        }
        _ = label.withCString { write(tty, $0, strlen($0)) }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while Glibc.read(tty, &byte, 1) == 1, byte != 0x0A, bytes.count < 4096 {
            bytes.append(byte)
        }
        defer { for index in bytes.indices { bytes[index] = 0 } }
        if bytes.last == 0x0D { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}
