import AgeCrypto
import Foundation

/// `memvault-bench crypto [MiB]`: age encrypt and decrypt throughput on a 16 MiB buffer (armored
/// and binary), per-entry cost for 200-byte memories, and the wall time of opening a tier key file
/// (what `unlock` costs) at each tier's real scrypt work factor (16, 18, 20).
enum CryptoBench {
    static func run(arguments: [String]) throws {
        let mebibytes = arguments.first.flatMap(Int.init) ?? 16
        let identity = X25519Identity.generate()
        let recipient = identity.recipient
        var generator = SystemRandomNumberGenerator()
        let big = (0..<(mebibytes << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let megabytes = Double(big.count) / 1e6

        for armor in [false, true] {
            var best = (encrypt: Double.infinity, decrypt: Double.infinity)
            for _ in 0..<3 {
                var start = Date()
                let encrypted = try Age.encrypt(big, to: [recipient], armor: armor)
                best.encrypt = min(best.encrypt, Date().timeIntervalSince(start))
                start = Date()
                let opened = try Age.decrypt(encrypted, with: [identity])
                best.decrypt = min(best.decrypt, Date().timeIntervalSince(start))
                precondition(opened == big)
            }
            print(String(format: "%@ %d MiB: encrypt %.0f MB/s, decrypt %.0f MB/s (best of 3)",
                         armor ? "armored" : "binary ", mebibytes, megabytes / best.encrypt, megabytes / best.decrypt))
        }

        // Per entry: a 200-byte memory, as add and show handle it (armored).
        let entry = Array(String(repeating: "Bank PIN is in the blue notebook. ", count: 6).prefix(200).utf8)
        let count = 2_000
        var start = Date()
        var blocks: [[UInt8]] = []
        blocks.reserveCapacity(count)
        for _ in 0..<count { blocks.append(try Age.encrypt(entry, to: [recipient], armor: true)) }
        let encryptSeconds = Date().timeIntervalSince(start)
        start = Date()
        for block in blocks { _ = try Age.decrypt(block, with: [identity]) }
        let decryptSeconds = Date().timeIntervalSince(start)
        print(String(format: "200-byte entry: encrypt %.1f µs, decrypt %.1f µs, armored block %d bytes (%d entries)",
                     encryptSeconds / Double(count) * 1e6, decryptSeconds / Double(count) * 1e6, blocks[0].count, count))

        // unlock = opening the tier's key file with its passphrase (scrypt dominates).
        for (tier, factor) in [("confidential", 16), ("secret", 18), ("ultrasecret", 20)] {
            let wrapped = try AgeKeyFile.wrap(identity: identity, passphrase: "correct horse battery staple", workFactor: factor)
            start = Date()
            let opened = try AgeKeyFile.unwrap(wrapped, passphrase: "correct horse battery staple")
            let seconds = Date().timeIntervalSince(start)
            precondition(opened.recipient == recipient)
            print(String(format: "unlock %@ (scrypt 2^%d): %.0f ms", tier, factor, seconds * 1000))
        }
    }
}
