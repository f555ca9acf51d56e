/// XXH64 (Yann Collet's xxHash, 64-bit), used as the sidecar files' checksum.
///
/// Not cryptographic: it detects damage (truncation, bit flips), not tampering. The
/// files are derived data; a damaged one is rebuilt.
enum XXH64 {
    private static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let p3: UInt64 = 0x1656_67B1_9E37_79F9
    private static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63
    private static let p5: UInt64 = 0x27D4_EB2F_1656_67C5

    @inline(__always)
    private static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

    @inline(__always)
    private static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        rotl(acc &+ input &* p2, 31) &* p1
    }

    @inline(__always)
    private static func merge(_ acc: UInt64, _ val: UInt64) -> UInt64 {
        (acc ^ round(0, val)) &* p1 &+ p4
    }

    /// The XXH64 digest of `bytes` with `seed`.
    /// - Complexity: O(n), about one cycle per 8 bytes.
    static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        let n = bytes.count
        guard let base = bytes.baseAddress else { return finish(seed &+ p5, base: nil, from: 0, to: 0) }
        var i = 0
        var h: UInt64
        if n >= 32 {
            var v1 = seed &+ p1 &+ p2, v2 = seed &+ p2, v3 = seed, v4 = seed &- p1
            let limit = n - 32
            while i <= limit {
                v1 = round(v1, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
                v2 = round(v2, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)))
                v3 = round(v3, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self)))
                v4 = round(v4, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)))
                i += 32
            }
            h = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
            h = merge(merge(merge(merge(h, v1), v2), v3), v4)
        } else {
            h = seed &+ p5
        }
        h &+= UInt64(n)
        return finish(h, base: base, from: i, to: n)
    }

    private static func finish(_ hIn: UInt64, base: UnsafeRawPointer?, from start: Int, to n: Int) -> UInt64 {
        var h = hIn
        var i = start
        if let base {
            while i + 8 <= n {
                let k = round(0, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
                h = rotl(h ^ k, 27) &* p1 &+ p4
                i += 8
            }
            if i + 4 <= n {
                h ^= UInt64(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt32.self))) &* p1
                h = rotl(h, 23) &* p2 &+ p3
                i += 4
            }
            while i < n {
                h ^= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) &* p5
                h = rotl(h, 11) &* p1
                i += 1
            }
        }
        h ^= h >> 33
        h &*= p2
        h ^= h >> 29
        h &*= p3
        h ^= h >> 32
        return h
    }
}

/// The checksum of a sidecar file's body: XXH64 over the XXH64 digests of its
/// 4 MiB chunks, so that both cores can verify a large vector file at load.
enum SidecarChecksum {
    static let chunkSize = 4 << 20

    /// - Complexity: O(n), split across two threads above 8 MiB.
    static func compute(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let chunks = max(1, (bytes.count + chunkSize - 1) / chunkSize)
        var digests = [UInt64](repeating: 0, count: chunks)
        digests.withUnsafeMutableBufferPointer { out in
            let outBase = out.baseAddress!
            let work = { (c: Int) in
                let start = c * chunkSize
                let end = min(bytes.count, start + chunkSize)
                outBase[c] = XXH64.hash(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
            }
            if chunks < 3 {
                for c in 0..<chunks { work(c) }
            } else {
                Parallel.forEachHalf(count: chunks) { range in for c in range { work(c) } }
            }
        }
        return digests.withUnsafeBytes { XXH64.hash($0) }
    }
}
