/// An error from reading, writing or decrypting an age file.
///
/// The message says what went wrong and where (header line, armor line, payload
/// chunk). It never contains plaintext, file keys, identities or passphrases, so
/// it is safe to log and to show to a user.
public struct AgeError: Error, Sendable, CustomStringConvertible {
    /// The class of failure, matching the outcomes of the age test vectors.
    public enum Kind: Sendable {
        /// No identity could unwrap any recipient stanza of the file.
        case noMatch
        /// The file key was unwrapped but the header MAC does not verify: the
        /// header was modified.
        case hmacFailure
        /// The header is malformed, or a stanza addressed to one of our identity
        /// types is malformed.
        case headerFailure
        /// A payload chunk failed authentication, or the STREAM is truncated or
        /// has trailing data.
        case payloadFailure
        /// The ASCII armor is not strict PEM as the age spec requires.
        case armorFailure
        /// A feature outside what this implementation supports (for example
        /// post-quantum hybrid identities) or an invalid combination of recipients.
        case unsupported
        /// A passphrase did not unlock the scrypt stanza.
        case wrongPassphrase
        /// A key string or key file is malformed.
        case invalidKey
    }

    /// The class of failure.
    public var kind: Kind
    /// A human-readable explanation, free of secrets.
    public var message: String

    /// Creates an error of `kind` with `message`.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String {
        "age: \(kind.label): \(message)"
    }
}

extension AgeError.Kind {
    var label: String {
        switch self {
        case .noMatch: "no identity matched"
        case .hmacFailure: "header MAC mismatch"
        case .headerFailure: "malformed header"
        case .payloadFailure: "payload failure"
        case .armorFailure: "malformed armor"
        case .unsupported: "unsupported"
        case .wrongPassphrase: "wrong passphrase"
        case .invalidKey: "invalid key"
        }
    }
}
