import MemvaultSupport
import SearchIndex

/// An error of a vault operation: one readable line naming what and where, an exit status, an optional hint.
///
/// Never carries plaintext of an encrypted tier.
public struct VaultError: ReportableError, Sendable {
    public var exitStatus: ExitStatus
    public var message: String
    /// The file (and line) the error applies to, if any: `alice/general/2026-11.md:12`.
    public var location: String?
    public var hint: String?
    /// Set when a sidecar index file turned out damaged while being read (files are checked
    /// chunk by chunk as they are first used): the caller rebuilds the index and tries again.
    var damagedIndex = false
    /// Set when an encrypted block is not encrypted to the key tried (an older key of the tier):
    /// readers show that entry locked and go on (Vault+Binding.swift).
    var otherKey = false

    /// A damaged index file found while reading it; see ``damagedIndex``.
    static func damaged(_ error: IndexError) -> VaultError {
        var result = VaultError(.integrity, "damaged search index: \(error.description)")
        result.damagedIndex = true
        return result
    }

    public init(_ status: ExitStatus, _ message: String, at location: String? = nil, hint: String? = nil) {
        self.exitStatus = status
        self.message = message
        self.location = location
        self.hint = hint
    }

    public var description: String {
        if let location { "\(message) (\(location))" } else { message }
    }

    /// A file error: its exit status (5 for a link or special file inside the vault), message, path and hint.
    init(_ error: FileError) {
        self.init(error.exitStatus, error.message, at: error.path, hint: error.hint)
    }

    /// Wraps any lower-level error; keeps its exit status when it has one.
    static func wrap(_ error: any Error, _ what: String? = nil) -> VaultError {
        if let error = error as? VaultError { return error }
        if let error = error as? any ReportableError {
            return VaultError(error.exitStatus, what.map { "\($0): \(error.description)" } ?? error.description, hint: error.hint)
        }
        return VaultError(.badInput, what.map { "\($0): \(error)" } ?? "\(error)")
    }
}
