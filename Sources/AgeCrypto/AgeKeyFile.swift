#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A tier identity stored as an armored age file encrypted to a passphrase
/// (one scrypt stanza). Its plaintext is a standard age identity file, so
/// `age -d key.age > key.txt` then `age -d -i key.txt entry.age` work, and so
/// does `age -d -i key.age entry.age`.
public enum AgeKeyFile {
    /// Encrypts `identity` to `passphrase`.
    ///
    /// - Parameters:
    ///   - identity: The identity to store.
    ///   - passphrase: The passphrase that will unlock it.
    ///   - workFactor: log2 of scrypt's N (for example 16, 18 or 20).
    /// - Returns: The armored age file, ending in a newline.
    /// - Throws: `.unsupported` if `workFactor` is outside 1...30.
    /// - Complexity: 2^workFactor scrypt work, about 1 KiB × 2^workFactor of memory.
    public static func wrap(identity: X25519Identity, passphrase: String, workFactor: Int) throws(AgeError)
        -> [UInt8]
    {
        let created = Date.now.formatted(.iso8601)
        let text = "# created: \(created)\n# public key: \(identity.recipient.encoded)\n\(identity.encoded)\n"
        return try Age.encrypt(
            Array(text.utf8), to: [ScryptRecipient(passphrase: passphrase, workFactor: workFactor)], armor: true)
    }

    /// Decrypts a wrapped key file and parses the identity inside.
    ///
    /// - Parameters:
    ///   - wrapped: The armored (or binary) age file from `wrap`.
    ///   - passphrase: The passphrase.
    ///   - maxWorkFactor: The largest scrypt work factor accepted.
    /// - Throws: `.wrongPassphrase` for a wrong passphrase, `.noMatch` if the file
    ///   is not passphrase-encrypted, `.invalidKey` if the plaintext is not an
    ///   identity file with exactly one X25519 identity, or the kind of any
    ///   armor, header, MAC or payload failure.
    public static func unwrap(_ wrapped: [UInt8], passphrase: String, maxWorkFactor: Int = 22) throws(AgeError)
        -> X25519Identity
    {
        let plaintext = try Age.decrypt(wrapped, with: [ScryptIdentity(passphrase: passphrase, maxWorkFactor: maxWorkFactor)])
        return try parseIdentityFile(plaintext)
    }

    /// Parses age identity-file text: `#` comments and blank lines are skipped;
    /// exactly one `AGE-SECRET-KEY-1...` line must remain.
    ///
    /// - Throws: `.invalidKey` (never quoting the file's content), or
    ///   `.unsupported` for a post-quantum identity.
    public static func parseIdentityFile(_ text: [UInt8]) throws(AgeError) -> X25519Identity {
        let lines = text.split(separator: 0x0A, omittingEmptySubsequences: false)
        var identities: [X25519Identity] = []
        for (index, rawLine) in lines.enumerated() {
            let line = String(decoding: rawLine, as: UTF8.self).trimmingASCIIWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            do {
                identities.append(try X25519Identity(parsing: line))
            } catch {
                throw AgeError(error.kind, "identity file line \(index + 1): \(error.message)")
            }
        }
        guard identities.count == 1 else {
            throw AgeError(.invalidKey, "the identity file holds \(identities.count) identities, expected exactly one")
        }
        return identities[0]
    }
}
