import Crypto
import CryptoExtras

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// ChaCha20-Poly1305 with the all-zero nonce, as every native stanza uses it
/// (each wrap key encrypts exactly one file key).
private let zeroNonce = try! ChaChaPoly.Nonce(data: [UInt8](repeating: 0, count: 12))

private func wrapFileKey(_ fileKey: SymmetricKey, with wrapKey: SymmetricKey) throws(AgeError) -> [UInt8] {
    do {
        let box = try fileKey.withUnsafeBytes { try ChaChaPoly.seal(Array($0), using: wrapKey, nonce: zeroNonce) }
        return Array(box.ciphertext) + Array(box.tag)
    } catch {
        throw AgeError(.unsupported, "wrapping the file key failed: \(error)")
    }
}

/// Opens a 32-byte stanza body; nil means the tag does not verify (not ours).
private func openFileKey(_ body: [UInt8], with wrapKey: SymmetricKey) -> SymmetricKey? {
    guard let box = try? ChaChaPoly.SealedBox(nonce: zeroNonce, ciphertext: body[..<16], tag: body[16...]),
        let fileKey = try? ChaChaPoly.open(box, using: wrapKey)
    else { return nil }
    return SymmetricKey(data: fileKey)
}

extension Stanza {
    /// Checks a native stanza's shape before any key is computed: the argument
    /// count, the first argument after the type as canonical base64 of
    /// `base64Bytes` bytes, and a 32-byte body (a wrapped 16-byte file key and
    /// its tag), as the spec requires against partitioning oracles.
    ///
    /// - Returns: The decoded first argument.
    /// - Throws: `.headerFailure` naming the stanza's header line.
    func validated(argumentCount: Int, base64Bytes: Int, usage: String) throws(AgeError) -> [UInt8] {
        guard arguments.count == argumentCount,
            let value = Base64.decode(arguments[1].utf8, padded: false), value.count == base64Bytes
        else {
            throw AgeError(.headerFailure, "the \(type) stanza on header line \(line) needs \(usage)")
        }
        guard body.count == 32 else {
            throw AgeError(.headerFailure, "the \(type) stanza on header line \(line) has a body of \(body.count) bytes, not 32")
        }
        return value
    }
}

// MARK: X25519

private let x25519Label = Array("age-encryption.org/v1/X25519".utf8)

private func x25519WrapKey(sharedSecret: SharedSecret, share: [UInt8], recipient: [UInt8]) throws(AgeError)
    -> SymmetricKey
{
    // An all-zero shared secret means a low-order point: contributory behaviour is required.
    let allZero = sharedSecret.withUnsafeBytes { $0.allSatisfy { $0 == 0 } }
    guard !allZero else {
        throw AgeError(.headerFailure, "the X25519 share is a low-order point (all-zero shared secret)")
    }
    return sharedSecret.hkdfDerivedSymmetricKey(
        using: SHA256.self, salt: share + recipient, sharedInfo: x25519Label, outputByteCount: 32)
}

extension X25519Recipient {
    func wrap(_ fileKey: SymmetricKey) throws(AgeError) -> Stanza {
        let ephemeral = Curve25519.KeyAgreement.PrivateKey()
        let share = Array(ephemeral.publicKey.rawRepresentation)
        let wrapKey: SymmetricKey
        do {
            let publicKey = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: bytes)
            let secret = try ephemeral.sharedSecretFromKeyAgreement(with: publicKey)
            wrapKey = try x25519WrapKey(sharedSecret: secret, share: share, recipient: bytes)
        } catch {
            throw AgeError(.invalidKey, "the recipient \(encoded) is not a usable X25519 public key")
        }
        return Stanza(
            arguments: ["X25519", String(decoding: Base64.encode(share, padded: false), as: UTF8.self)],
            body: try wrapFileKey(fileKey, with: wrapKey), line: 0)
    }
}

extension X25519Identity {
    /// The file key if `stanza` (of type X25519) is addressed to this identity, nil if not.
    ///
    /// - Throws: `.headerFailure` for a malformed X25519 stanza.
    func unwrap(_ stanza: Stanza) throws(AgeError) -> SymmetricKey? {
        let share = try stanza.validated(argumentCount: 2, base64Bytes: 32, usage: "one argument, a 32-byte base64 share")
        let wrapKey: SymmetricKey
        do {
            let secret = try privateKey.sharedSecretFromKeyAgreement(
                with: Curve25519.KeyAgreement.PublicKey(rawRepresentation: share))
            wrapKey = try x25519WrapKey(sharedSecret: secret, share: share, recipient: recipient.bytes)
        } catch let error as AgeError {
            throw AgeError(error.kind, error.message + " (header line \(stanza.line))")
        } catch {
            throw AgeError(.headerFailure, "the X25519 share on header line \(stanza.line) is unusable")
        }
        return openFileKey(stanza.body, with: wrapKey)
    }
}

// MARK: scrypt

private let scryptLabel = Array("age-encryption.org/v1/scrypt".utf8)

private func scryptWrapKey(passphrase: String, salt: [UInt8], workFactor: Int) throws(AgeError) -> SymmetricKey {
    do {
        return try KDF.Scrypt.deriveKey(
            from: Array(passphrase.utf8), salt: scryptLabel + salt, outputByteCount: 32,
            rounds: 1 << workFactor, blockSize: 8, parallelism: 1)
    } catch {
        throw AgeError(.unsupported, "scrypt with work factor \(workFactor) failed (out of memory?)")
    }
}

extension ScryptRecipient {
    static let workFactors = 1...30

    func wrap(_ fileKey: SymmetricKey) throws(AgeError) -> Stanza {
        guard Self.workFactors.contains(workFactor) else {
            throw AgeError(.unsupported, "scrypt work factor \(workFactor) is outside 1...30")
        }
        let salt = Age.randomBytes(16)
        let wrapKey = try scryptWrapKey(passphrase: passphrase, salt: salt, workFactor: workFactor)
        return Stanza(
            arguments: ["scrypt", String(decoding: Base64.encode(salt, padded: false), as: UTF8.self), String(workFactor)],
            body: try wrapFileKey(fileKey, with: wrapKey), line: 0)
    }
}

extension ScryptIdentity {
    /// The file key if the passphrase opens `stanza` (of type scrypt), nil if not.
    ///
    /// - Throws: `.headerFailure` for a malformed stanza or a work factor above
    ///   `maxWorkFactor`.
    func unwrap(_ stanza: Stanza) throws(AgeError) -> SymmetricKey? {
        let salt = try stanza.validated(
            argumentCount: 3, base64Bytes: 16, usage: "two arguments, a 16-byte base64 salt and a work factor")
        // Decimal without sign or leading zero: ^[1-9][0-9]*$, and small enough to compute.
        let digits = Array(stanza.arguments[2].utf8)
        guard let first = digits.first, (0x31...0x39).contains(first), digits.count <= 2,
            digits.allSatisfy({ (0x30...0x39).contains($0) }), let workFactor = Int(stanza.arguments[2])
        else {
            throw AgeError(
                .headerFailure,
                "the scrypt work factor on header line \(stanza.line) is not a decimal number from 1 to 99")
        }
        guard workFactor <= maxWorkFactor else {
            throw AgeError(
                .headerFailure,
                "the scrypt work factor \(workFactor) on header line \(stanza.line) exceeds the accepted maximum \(maxWorkFactor)")
        }
        let wrapKey = try scryptWrapKey(passphrase: passphrase, salt: salt, workFactor: workFactor)
        return openFileKey(stanza.body, with: wrapKey)
    }
}
