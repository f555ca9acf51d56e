import Crypto

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One recipient stanza of an age header (`-> type args...` and its body), as a key holder
/// that never sees the rest of the file needs it: a process holding an identity can unwrap the
/// file key from it without being given the file, and a process holding the file can decrypt
/// it with that file key without being given the identity.
public struct AgeStanza: Sendable, Hashable {
    /// The type first (`X25519`), then its arguments, each printable ASCII without spaces.
    public var arguments: [String]
    /// The decoded body.
    public var body: [UInt8]

    public init(arguments: [String], body: [UInt8]) {
        self.arguments = arguments
        self.body = body
    }

    /// The stanza type: `X25519`, `scrypt`, or anything else (skipped).
    public var type: String { arguments.first ?? "" }

    init(_ stanza: Stanza) {
        self.init(arguments: stanza.arguments, body: stanza.body)
    }
}

/// The 16-byte key of one age file. Whoever holds it reads that file and no other: it is what
/// a key holder hands out instead of an identity. Secret: never log it; `description` hides it.
public struct AgeFileKey: Sendable, CustomStringConvertible {
    let key: SymmetricKey

    init(_ key: SymmetricKey) {
        self.key = key
    }

    /// A file key from its 16 bytes, as received from a key holder.
    /// - Throws: `.invalidKey` for any other length.
    public init(bytes: [UInt8]) throws(AgeError) {
        guard bytes.count == Age.fileKeySize else {
            throw AgeError(.invalidKey, "a file key holds \(Age.fileKeySize) bytes, not \(bytes.count)")
        }
        key = SymmetricKey(data: bytes)
    }

    /// The 16 bytes, to send to the process that decrypts the file.
    public var bytes: [UInt8] { key.withUnsafeBytes { Array($0) } }

    public var description: String { "AgeFileKey(16 bytes)" }
}

extension Age {
    /// The recipient stanzas of a binary or armored age file, in header order.
    /// - Throws: `.armorFailure` or `.headerFailure` as `decrypt` would.
    /// - Complexity: O(header length) after de-armoring.
    public static func recipientStanzas(of ciphertext: [UInt8]) throws(AgeError) -> [AgeStanza] {
        let binary = try isArmored(ciphertext) ? dearmor(ciphertext) : ciphertext
        return try Header.parse(binary).stanzas.map(AgeStanza.init)
    }

    /// Unwraps the file key from `stanzas` (the recipient stanzas of one file) with `identities`,
    /// exactly as `decrypt` does before it reads the payload; the caller gets a key for that file
    /// only. The header MAC cannot be checked here: `decrypt(_:fileKey:)` checks it.
    ///
    /// - Throws: `.noMatch` when no identity opens any stanza, `.headerFailure` for a malformed
    ///   stanza of a type one of the identities reads, `.wrongPassphrase` for a passphrase that
    ///   opens no scrypt stanza.
    public static func unwrapFileKey(from stanzas: [AgeStanza], with identities: [any AgeIdentity]) throws(AgeError)
        -> AgeFileKey
    {
        if stanzas.count > 1, stanzas.contains(where: { $0.type == "scrypt" }) {
            throw AgeError(.headerFailure, "an scrypt stanza is not alone; passphrase files have exactly one stanza")
        }
        let parsed = stanzas.enumerated().map { Stanza(arguments: $0.element.arguments, body: $0.element.body, line: $0.offset + 2) }
        guard parsed.allSatisfy({ !$0.arguments.isEmpty }) else {
            throw AgeError(.headerFailure, "a stanza has no type")
        }
        return AgeFileKey(try unwrapFileKey(parsed, identities))
    }

    /// Decrypts a binary or armored age file with its file key (from `unwrapFileKey(from:with:)`,
    /// usually computed by another process that holds the identity). The header MAC is checked
    /// with the key, so a key for another file, or a modified header, fails with `.hmacFailure`.
    ///
    /// - Returns: the whole plaintext; nothing is returned unless every chunk verifies.
    /// - Throws: `AgeError` as `decrypt(_:with:)`, but never `.noMatch`.
    public static func decrypt(_ ciphertext: [UInt8], fileKey: AgeFileKey) throws(AgeError) -> [UInt8] {
        var plaintext: [UInt8] = []
        plaintext.reserveCapacity(ciphertext.count)
        try decrypt(ciphertext, unwrap: { _ throws(AgeError) in fileKey.key }, into: { plaintext.append(contentsOf: $0) })
        return plaintext
    }
}
