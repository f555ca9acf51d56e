import Vault

/// The sealed index of an encrypted tier. Inputs starting with byte 0 are a payload (what the
/// seal protects): a payload that decodes encodes to a fixed point, and sealed with a key it
/// opens again with that key. Other inputs are whole sealed files, opened with a fixed key.
enum SealedIndexFuzz {
    static let key = [UInt8](repeating: 7, count: 32)
    static let modelID = "all-MiniLM-L6-v2"

    static func run(_ bytes: [UInt8]) {
        guard let first = bytes.first else { return }
        let rest = Array(bytes.dropFirst())
        if first == 0 {
            guard let encoded = EncryptedIndexCodec.reencodedPayload(rest) else { return }
            law(EncryptedIndexCodec.reencodedPayload(encoded) == encoded, "a re-encoded payload is not a fixed point")
            if let file = EncryptedIndexCodec.encryptedFile(payload: encoded, key: key, modelID: modelID, dimension: 384) {
                law(EncryptedIndexCodec.opens(file, key: key, modelID: modelID, dimension: 384), "a sealed payload does not open")
            }
        } else {
            _ = EncryptedIndexCodec.opens(rest, key: key, modelID: modelID, dimension: 384)
        }
    }
}
