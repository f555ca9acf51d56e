/// The command line's exit codes, one per kind of failure (listed in docs/cli.md).
public enum ExitStatus: Int32, Sendable {
    case success = 0
    /// Bad input or not found.
    case badInput = 1
    /// A tier is locked, or the passphrase was wrong.
    case locked = 3
    /// A sync conflict needs a person.
    case conflict = 4
    /// Tampered or corrupt data.
    case integrity = 5
    /// Usage error, as swift-argument-parser reports it.
    case usage = 64
}

/// An error that knows how the command line should report it.
///
/// `description` is the one-line `what (where)` text; `hint` an optional second line.
public protocol ReportableError: Error, CustomStringConvertible {
    var exitStatus: ExitStatus { get }
    var hint: String? { get }
}

extension ReportableError {
    public var hint: String? { nil }
}
