import Crypto

/// Something a file key can be wrapped to: `X25519Recipient` or `ScryptRecipient`.
public protocol AgeRecipient: Sendable {}

/// Something that can unwrap a file key: `X25519Identity` or `ScryptIdentity`.
public protocol AgeIdentity: Sendable {}

/// A native age X25519 secret key, written `AGE-SECRET-KEY-1...`.
public struct X25519Identity: AgeIdentity, CustomStringConvertible {
    let privateKey: Curve25519.KeyAgreement.PrivateKey

    static let hrp = "AGE-SECRET-KEY-"

    /// Generates a new identity from the system CSPRNG.
    public static func generate() -> X25519Identity {
        X25519Identity(privateKey: Curve25519.KeyAgreement.PrivateKey())
    }

    private init(privateKey: Curve25519.KeyAgreement.PrivateKey) {
        self.privateKey = privateKey
    }

    /// Parses an `AGE-SECRET-KEY-1...` string; surrounding whitespace is ignored.
    ///
    /// - Throws: `.unsupported` for post-quantum hybrid keys (`AGE-SECRET-KEY-PQ-1...`),
    ///   `.invalidKey` for anything else that is not an X25519 identity.
    public init(parsing text: String) throws(AgeError) {
        let trimmed = text.trimmingASCIIWhitespace()
        if trimmed.hasPrefix("AGE-SECRET-KEY-PQ-") {
            throw AgeError(
                .unsupported, "post-quantum hybrid identities (AGE-SECRET-KEY-PQ-1...) are not supported")
        }
        guard let (hrp, data) = Bech32.decode(trimmed) else {
            throw AgeError(.invalidKey, "the identity is not valid Bech32 (bad character, mixed case or checksum)")
        }
        guard hrp == Self.hrp else {
            throw AgeError(.invalidKey, "the identity does not start with \(Self.hrp)1")
        }
        guard data.count == 32, let key = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: data) else {
            throw AgeError(.invalidKey, "an X25519 identity holds 32 bytes, this one holds \(data.count)")
        }
        self.privateKey = key
    }

    /// The `AGE-SECRET-KEY-1...` encoding. Secret: never log it.
    public var encoded: String {
        Bech32.encode(hrp: Self.hrp, data: Array(privateKey.rawRepresentation))
    }

    /// The public recipient of this identity.
    public var recipient: X25519Recipient {
        X25519Recipient(bytes: Array(privateKey.publicKey.rawRepresentation))
    }

    /// Names the recipient only, so printing an identity never reveals it.
    public var description: String { "X25519Identity(\(recipient.encoded))" }
}

/// A native age X25519 public key, written `age1...`.
public struct X25519Recipient: AgeRecipient, Hashable, CustomStringConvertible {
    let bytes: [UInt8]

    static let hrp = "age"

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Parses an `age1...` string; surrounding whitespace is ignored.
    ///
    /// - Throws: `.unsupported` for post-quantum or plugin recipients (`age1pq1...`,
    ///   `age1tag1...`, `age1<plugin>1...`), `.invalidKey` for anything else that
    ///   is not an X25519 recipient.
    public init(parsing text: String) throws(AgeError) {
        let trimmed = text.trimmingASCIIWhitespace()
        guard let (hrp, data) = Bech32.decode(trimmed) else {
            throw AgeError(.invalidKey, "the recipient is not valid Bech32 (bad character, mixed case or checksum)")
        }
        if hrp.hasPrefix("age1") {
            throw AgeError(.unsupported, "only X25519 recipients (age1...) are supported, not \"\(hrp)1...\"")
        }
        guard hrp == Self.hrp else {
            throw AgeError(.invalidKey, "the recipient does not start with age1 (found prefix \"\(hrp.prefix(24))\")")
        }
        guard data.count == 32 else {
            throw AgeError(.invalidKey, "an X25519 recipient holds 32 bytes, this one holds \(data.count)")
        }
        self.bytes = data
    }

    /// The `age1...` encoding.
    public var encoded: String { Bech32.encode(hrp: Self.hrp, data: bytes) }

    public var description: String { encoded }
}

/// Encrypts to a passphrase through an scrypt stanza. It must be a file's only recipient.
public struct ScryptRecipient: AgeRecipient, CustomStringConvertible {
    let passphrase: String
    let workFactor: Int

    /// - Parameters:
    ///   - passphrase: The passphrase, used as its UTF-8 bytes.
    ///   - workFactor: log2 of scrypt's N (age's default is 18); encryption
    ///     throws `.unsupported` unless it is within 1...30.
    public init(passphrase: String, workFactor: Int) {
        self.passphrase = passphrase
        self.workFactor = workFactor
    }

    public var description: String { "ScryptRecipient(workFactor: \(workFactor))" }
}

/// Decrypts files encrypted to a passphrase.
public struct ScryptIdentity: AgeIdentity, CustomStringConvertible {
    let passphrase: String
    let maxWorkFactor: Int

    /// - Parameters:
    ///   - passphrase: The passphrase, used as its UTF-8 bytes.
    ///   - maxWorkFactor: The largest log2 N accepted; a file asking for more
    ///     fails at once with `.headerFailure` instead of computing for minutes.
    public init(passphrase: String, maxWorkFactor: Int = 22) {
        self.passphrase = passphrase
        self.maxWorkFactor = maxWorkFactor
    }

    public var description: String { "ScryptIdentity(maxWorkFactor: \(maxWorkFactor))" }
}

extension StringProtocol {
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
