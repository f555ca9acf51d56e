import AgeCrypto

/// age files through the identities of the age test kit (the corpus holds its files): the
/// header, its stanzas, armor and the STREAM payload. Laws: armor and dearmor are inverse;
/// decryption that succeeds gives the same plaintext whole and chunk by chunk.
enum AgeFuzz {
    /// The test kit's X25519 identities and its passphrase, with a small scrypt limit so that a
    /// mutated work factor costs at most 2^10.
    static let identities: [any AgeIdentity] = {
        var list: [any AgeIdentity] = testKitIdentities.compactMap { try? X25519Identity(parsing: $0) }
        list.append(ScryptIdentity(passphrase: "password", maxWorkFactor: 10))
        return list
    }()

    static let testKitIdentities = [
        "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0",
        "AGE-SECRET-KEY-143WN7DCXU4G8R5AXQSSYD9AEPYDNT3HXSLWSPK36CDU6E8M59SSSAGZ3KG",
    ]

    static func run(_ bytes: [UInt8]) {
        // Armor: any binary armors and dearmors back; a dearmored text armors to itself.
        if bytes.count <= 4096 {
            let armored = Age.armor(bytes)
            law((try? Age.dearmor(Array(armored.utf8))) == bytes, "dearmor(armor(x)) != x")
        }
        if let binary = try? Age.dearmor(bytes) {
            law((try? Age.dearmor(Array(Age.armor(binary).utf8))) == binary, "armor of a dearmored file does not dearmor back")
        }
        let whole: [UInt8]
        do {
            whole = try Age.decrypt(bytes, with: identities)
        } catch {
            return
        }
        law(whole.count <= bytes.count, "plaintext of \(whole.count) bytes from \(bytes.count) bytes")
        var chunks: [UInt8] = []
        do {
            try Age.decrypt(bytes, with: identities, onChunk: { chunks += $0 })
        } catch {
            law(false, "chunked decryption failed where whole decryption succeeded: \(error)")
        }
        law(chunks == whole, "chunked and whole decryption differ")
    }
}
