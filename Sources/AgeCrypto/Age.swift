import Crypto

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// age v1 file encryption (https://age-encryption.org/v1): X25519 and scrypt
/// recipients, STREAM payload in 64 KiB chunks, strict ASCII armor.
public enum Age {
    static let chunkSize = 64 * 1024
    static let tagSize = 16
    /// The length of the random key each file is encrypted with (the age spec: 16 bytes).
    static let fileKeySize = 16
    static let payloadNonceSize = 16

    /// Encrypts `plaintext` to `recipients` under a fresh random file key.
    ///
    /// - Parameters:
    ///   - plaintext: The bytes to encrypt.
    ///   - recipients: One or more `X25519Recipient`s, or exactly one `ScryptRecipient`.
    ///   - armor: Whether to return the ASCII-armored form (the default) instead of binary.
    /// - Returns: The age file, armored text as UTF-8 bytes when `armor` is true.
    /// - Throws: `.unsupported` for no recipients, an scrypt recipient mixed with
    ///   others, an out-of-range work factor or an unknown recipient type;
    ///   `.invalidKey` for a low-order X25519 recipient.
    /// - Complexity: O(n) in the plaintext size; one output buffer, chunk by chunk.
    public static func encrypt(
        _ plaintext: [UInt8], to recipients: [any AgeRecipient], armor: Bool = true
    ) throws(AgeError) -> [UInt8] {
        guard !recipients.isEmpty else {
            throw AgeError(.unsupported, "at least one recipient is needed")
        }
        if recipients.count > 1, recipients.contains(where: { $0 is ScryptRecipient }) {
            throw AgeError(.unsupported, "a passphrase (scrypt) recipient must be the only recipient of a file")
        }
        let fileKey = SymmetricKey(size: .bits128)
        var stanzas: [Stanza] = []
        for recipient in recipients {
            switch recipient {
            case let x25519 as X25519Recipient:
                stanzas.append(try x25519.wrap(fileKey))
            case let scrypt as ScryptRecipient:
                stanzas.append(try scrypt.wrap(fileKey))
            default:
                throw AgeError(.unsupported, "recipient type \(type(of: recipient)) is not supported")
            }
        }
        var header = Header.encodeForMAC(stanzas)
        let mac = headerMAC(fileKey: fileKey, header: header[...])
        header += [0x20] + Base64.encode(mac, padded: false) + [0x0A]

        let nonce = randomBytes(payloadNonceSize)
        let chunks = max(1, (plaintext.count + chunkSize - 1) / chunkSize)
        var binary = header
        binary.reserveCapacity(header.count + nonce.count + plaintext.count + chunks * tagSize)
        binary += nonce
        let key = payloadKey(fileKey: fileKey, nonce: nonce)
        for chunk in 0..<chunks {
            let start = chunk * chunkSize
            let end = min(start + chunkSize, plaintext.count)
            let sealed: ChaChaPoly.SealedBox
            do {
                sealed = try ChaChaPoly.seal(
                    plaintext[start..<end], using: key, nonce: streamNonce(chunk, last: chunk == chunks - 1))
            } catch {
                throw AgeError(.payloadFailure, "sealing payload chunk \(chunk) failed: \(error)")
            }
            sealed.ciphertext.withUnsafeBytes { binary.append(contentsOf: $0) }
            sealed.tag.withUnsafeBytes { binary.append(contentsOf: $0) }
        }
        return armor ? armoredBytes(binary) : binary
    }

    /// Decrypts a binary or armored age file.
    ///
    /// - Parameters:
    ///   - ciphertext: The age file; armored input is recognized by its BEGIN line.
    ///   - identities: Identities tried in order against every stanza.
    /// - Returns: The whole plaintext; nothing is returned unless every chunk verifies.
    /// - Throws: `AgeError` whose kind tells armor, header, MAC, payload, no
    ///   match and wrong passphrase apart.
    /// - Complexity: O(n); scrypt stanzas cost 2^workFactor scrypt work.
    public static func decrypt(
        _ ciphertext: [UInt8], with identities: [any AgeIdentity]
    ) throws(AgeError) -> [UInt8] {
        var plaintext: [UInt8] = []
        plaintext.reserveCapacity(ciphertext.count)
        try decrypt(ciphertext, with: identities, into: { plaintext.append(contentsOf: $0) })
        return plaintext
    }

    /// Decrypts a binary or armored age file chunk by chunk.
    ///
    /// `onChunk` receives each 64 KiB plaintext chunk once its tag verifies, in
    /// order. If a later chunk fails, the error is thrown after the earlier
    /// chunks were delivered: a caller that must not act on partial data should
    /// use `decrypt(_:with:)`.
    ///
    /// - Parameters:
    ///   - ciphertext: The age file; armored input is recognized by its BEGIN line.
    ///   - identities: Identities tried in order against every stanza.
    ///   - onChunk: Receives verified plaintext chunks.
    /// - Throws: `AgeError`, see `decrypt(_:with:)`.
    public static func decrypt(
        _ ciphertext: [UInt8], with identities: [any AgeIdentity], onChunk: (ArraySlice<UInt8>) -> Void
    ) throws(AgeError) {
        try decrypt(ciphertext, with: identities, into: { onChunk(Array($0)[...]) })
    }

    /// The decryption itself; `sink` sees each verified chunk in place, so the
    /// whole-file path copies it only once, into its result.
    private static func decrypt(
        _ ciphertext: [UInt8], with identities: [any AgeIdentity], into sink: (UnsafeRawBufferPointer) -> Void
    ) throws(AgeError) {
        try decrypt(ciphertext, unwrap: { (stanzas) throws(AgeError) in try unwrapFileKey(stanzas, identities) }, into: sink)
    }

    /// The decryption with the file key from `unwrap` (identities here, or a key holder that
    /// unwrapped it elsewhere: `decrypt(_:fileKey:)`).
    static func decrypt(
        _ ciphertext: [UInt8], unwrap: ([Stanza]) throws(AgeError) -> SymmetricKey,
        into sink: (UnsafeRawBufferPointer) -> Void
    ) throws(AgeError) {
        let binary = try isArmored(ciphertext) ? dearmor(ciphertext) : ciphertext
        let header = try Header.parse(binary)
        if header.stanzas.count > 1, let scrypt = header.stanzas.first(where: { $0.type == "scrypt" }) {
            throw AgeError(
                .headerFailure,
                "the scrypt stanza on header line \(scrypt.line) is not alone; passphrase files have exactly one stanza")
        }
        let fileKey = try unwrap(header.stanzas)
        guard
            HMAC<SHA256>.isValidAuthenticationCode(
                header.mac, authenticating: binary[..<header.macedEnd], using: hmacKey(fileKey: fileKey))
        else {
            throw AgeError(.hmacFailure, "the header MAC does not match: the header was modified")
        }
        try decryptPayload(binary, from: header.payloadStart, fileKey: fileKey, sink: sink)
    }

    /// Binary age files start with the version line; anything that, past
    /// leading whitespace, starts with dashes or carries a BEGIN line is armor.
    static func isArmored(_ input: [UInt8]) -> Bool {
        if input.starts(with: Header.intro) { return false }
        let start = input.firstIndex(where: { !isWhitespace($0) }) ?? input.endIndex
        if input[start...].starts(with: [0x2D, 0x2D, 0x2D, 0x2D, 0x2D]) { return true }
        // Data before a BEGIN line is an armor error, not a header error.
        let probe = input.prefix(4096)
        return probe.indices.contains { probe[$0...].starts(with: armorBegin) }
    }

    static func unwrapFileKey(_ stanzas: [Stanza], _ identities: [any AgeIdentity]) throws(AgeError)
        -> SymmetricKey
    {
        guard !identities.isEmpty else {
            throw AgeError(.noMatch, "no identity was given")
        }
        var triedPassphrase = false
        for identity in identities {
            switch identity {
            case let x25519 as X25519Identity:
                for stanza in stanzas where stanza.type == "X25519" {
                    if let key = try x25519.unwrap(stanza) { return key }
                }
            case let scrypt as ScryptIdentity:
                for stanza in stanzas where stanza.type == "scrypt" {
                    triedPassphrase = true
                    if let key = try scrypt.unwrap(stanza) { return key }
                }
            default:
                throw AgeError(.unsupported, "identity type \(type(of: identity)) is not supported")
            }
        }
        if triedPassphrase {
            throw AgeError(.wrongPassphrase, "the passphrase does not decrypt the scrypt stanza")
        }
        var types: [String] = []
        for stanza in stanzas where !types.contains(stanza.type) { types.append(stanza.type) }
        throw AgeError(
            .noMatch,
            "none of the \(identities.count) identities unwraps the file key (stanza types: \(types.joined(separator: ", ")))")
    }

    private static func decryptPayload(
        _ binary: [UInt8], from start: Int, fileKey: SymmetricKey, sink: (UnsafeRawBufferPointer) -> Void
    ) throws(AgeError) {
        guard binary.count - start >= payloadNonceSize else {
            throw AgeError(.headerFailure, "the payload nonce is truncated (\(binary.count - start) of 16 bytes)")
        }
        let key = payloadKey(fileKey: fileKey, nonce: binary[start..<start + payloadNonceSize])
        var offset = start + payloadNonceSize
        guard offset < binary.count else {
            throw AgeError(.payloadFailure, "the payload has no chunks")
        }
        // Chunk boundaries are fixed: every chunk but the last is exactly 64 KiB + tag.
        // A full-size chunk is first tried as a middle chunk, then as the final one,
        // so a final chunk followed by trailing data is still told apart (and,
        // being authentic, delivered before the error, as the reference does).
        let sealedChunkSize = chunkSize + tagSize
        var chunk = 0
        while true {
            let remaining = binary.count - offset
            guard remaining > 0 else {
                throw AgeError(.payloadFailure, "the payload ends after chunk \(chunk - 1) without a final chunk (truncated)")
            }
            if remaining >= sealedChunkSize {
                let sealed = binary[offset..<offset + sealedChunkSize]
                if let plaintext = openChunk(sealed, key: key, counter: chunk, last: false) {
                    plaintext.withUnsafeBytes(sink)
                    offset += sealedChunkSize
                    chunk += 1
                    continue
                }
                guard let plaintext = openChunk(sealed, key: key, counter: chunk, last: true) else {
                    throw AgeError(.payloadFailure, "payload chunk \(chunk) fails authentication (tampered)")
                }
                plaintext.withUnsafeBytes(sink)
                guard remaining == sealedChunkSize else {
                    throw AgeError(.payloadFailure, "\(remaining - sealedChunkSize) bytes of trailing data follow the final chunk \(chunk)")
                }
                return
            }
            guard remaining >= tagSize else {
                throw AgeError(.payloadFailure, "payload chunk \(chunk) is truncated (\(remaining) bytes)")
            }
            guard remaining > tagSize || chunk == 0 else {
                throw AgeError(.payloadFailure, "the final payload chunk \(chunk) is empty")
            }
            guard let plaintext = openChunk(binary[offset...], key: key, counter: chunk, last: true) else {
                throw AgeError(
                    .payloadFailure,
                    "payload chunk \(chunk) fails authentication as the final chunk (tampered, truncated or trailing data)")
            }
            plaintext.withUnsafeBytes(sink)
            return
        }
    }

    /// Opens one sealed STREAM chunk (ciphertext then tag); nil if it does not verify.
    private static func openChunk(_ sealed: ArraySlice<UInt8>, key: SymmetricKey, counter: Int, last: Bool) -> Data? {
        let tagStart = sealed.endIndex - tagSize
        guard
            let box = try? ChaChaPoly.SealedBox(
                nonce: streamNonce(counter, last: last), ciphertext: sealed[..<tagStart], tag: sealed[tagStart...]),
            let plaintext = try? ChaChaPoly.open(box, using: key)
        else { return nil }
        return plaintext
    }

    // MARK: Key schedule

    static func headerMAC(fileKey: SymmetricKey, header: ArraySlice<UInt8>) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: header, using: hmacKey(fileKey: fileKey)))
    }

    static func hmacKey(fileKey: SymmetricKey) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: fileKey, salt: [UInt8](), info: Array("header".utf8), outputByteCount: 32)
    }

    static func payloadKey(fileKey: SymmetricKey, nonce: some DataProtocol) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: fileKey, salt: nonce, info: Array("payload".utf8), outputByteCount: 32)
    }

    /// The STREAM nonce: 11-byte big-endian chunk counter, then the last-chunk flag.
    static func streamNonce(_ counter: Int, last: Bool) -> ChaChaPoly.Nonce {
        var bytes = [UInt8](repeating: 0, count: 12)
        var value = UInt64(counter)
        for index in stride(from: 10, through: 3, by: -1) {
            bytes[index] = UInt8(truncatingIfNeeded: value)
            value >>= 8
        }
        bytes[11] = last ? 1 : 0
        return try! ChaChaPoly.Nonce(data: bytes)  // 12 bytes is always a valid nonce size
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        SymmetricKey(size: SymmetricKeySize(bitCount: count * 8)).withUnsafeBytes { Array($0) }
    }
}
