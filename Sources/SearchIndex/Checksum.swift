import Foundation
import Synchronization

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
/// 4 MiB chunks, so that the cores can share the verifying of a large vector file at load.
enum SidecarChecksum {
    static let chunkSize = 4 << 20

    /// - Complexity: O(n), split across two threads above 8 MiB.
    static func compute(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let digests = ChunkDigests.compute(bytes, chunkSize: chunkSize)
        return (digests.isEmpty ? [XXH64.hash(bytes)] : digests).withUnsafeBytes { XXH64.hash($0) }
    }
}

/// XXH64 digests of the fixed-size chunks of a byte region (the last one may be short).
enum ChunkDigests {
    /// One digest per chunk; none for an empty region.
    /// - Complexity: O(n), on every core when there are more than two chunks.
    static func compute(_ bytes: UnsafeRawBufferPointer, chunkSize: Int) -> [UInt64] {
        let chunks = (bytes.count + chunkSize - 1) / chunkSize
        var digests = [UInt64](repeating: 0, count: chunks)
        digests.withUnsafeMutableBufferPointer { out in
            let outBase = out.baseAddress
            let work = { (range: Range<Int>) in
                for c in range { outBase![c] = XXH64.hash(chunk(c, of: bytes, chunkSize: chunkSize)) }
            }
            if chunks <= 2 { work(0..<chunks) } else { Parallel.forEachPart(count: chunks, work) }
        }
        return digests
    }

    static func chunk(_ c: Int, of bytes: UnsafeRawBufferPointer, chunkSize: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[c * chunkSize..<min(bytes.count, (c + 1) * chunkSize)])
    }
}

/// Checks the chunks of a mapped region against their stored digests the first time
/// each chunk is used, so that a large file is never read whole just to be opened and
/// a damaged chunk is never used.
///
/// Once a chunk fails, every later check throws the same error: the file is damaged
/// and the caller rebuilds it.
///
/// `@unchecked Sendable`: what has been checked is behind a `Mutex`; the region and the digest
/// table are read-only mappings.
final class ChunkVerifier: @unchecked Sendable {
    let region: UnsafeRawBufferPointer
    let chunkSize: Int
    let path: String
    /// The stored digests, little-endian UInt64, one per chunk.
    private let table: UnsafeRawPointer?
    private struct Progress {
        var verified: RowSet
        var unverifiedCount: Int
        var damage: IndexError?
    }
    private let progress: Mutex<Progress>

    init(region: UnsafeRawBufferPointer, chunkSize: Int, table: UnsafeRawPointer?, path: String) {
        self.region = region
        self.chunkSize = chunkSize
        self.table = table
        self.path = path
        let chunkCount = (region.count + chunkSize - 1) / chunkSize
        progress = Mutex(Progress(verified: RowSet(capacity: chunkCount), unverifiedCount: chunkCount))
    }

    /// Checks every chunk overlapping `range` (byte offsets in the region) not checked before.
    /// - Throws: `.corrupt` naming the first damaged chunk's byte range.
    /// - Complexity: O(bytes of the unchecked chunks), on every core above a few chunks.
    func verify(_ range: Range<Int>) throws(IndexError) {
        guard let chunks = chunks(range) else { return }
        try verify(chunks: [chunks])
    }

    /// Checks every chunk.
    func verifyAll() throws(IndexError) { try verify(0..<region.count) }

    /// Whether every chunk has been checked.
    var isComplete: Bool { progress.withLock { $0.unverifiedCount == 0 } }

    /// The chunk numbers overlapping `range` (byte offsets in the region), nil if it is empty.
    func chunks(_ range: Range<Int>) -> ClosedRange<Int>? {
        range.isEmpty ? nil : range.lowerBound / chunkSize...(range.upperBound - 1) / chunkSize
    }

    /// Checks the chunks in `chunks` (ranges of chunk numbers, possibly overlapping).
    /// - Parameter parallel: hash on every core when there are many (false inside parallel work).
    func verify(chunks: [ClosedRange<Int>], parallel: Bool = true) throws(IndexError) {
        var todo: [Int] = []
        let known: IndexError? = progress.withLock { progress in
            if progress.damage == nil && progress.unverifiedCount > 0 {
                for range in chunks {
                    for c in range where !progress.verified.contains(c) && todo.last != c { todo.append(c) }
                }
            }
            return progress.damage
        }
        if let known { throw known }
        if todo.isEmpty { return }
        var good = [Bool](repeating: false, count: todo.count)
        good.withUnsafeMutableBufferPointer { out in
            let outBase = out.baseAddress
            let work = { (range: Range<Int>) in
                for i in range {
                    let c = todo[i]
                    let stored = UInt64(littleEndian: self.table!.loadUnaligned(fromByteOffset: 8 * c, as: UInt64.self))
                    outBase![i] = XXH64.hash(ChunkDigests.chunk(c, of: self.region, chunkSize: self.chunkSize)) == stored
                }
            }
            if todo.count <= 8 || !parallel { work(0..<todo.count) } else { Parallel.forEachPart(count: todo.count, work) }
        }
        let failure: IndexError? = progress.withLock { progress in
            for (i, c) in todo.enumerated() where good[i] && !progress.verified.contains(c) {
                progress.verified.insert(c)
                progress.unverifiedCount -= 1
            }
            if progress.damage == nil, let bad = good.firstIndex(of: false) {
                let start = todo[bad] * chunkSize
                progress.damage = IndexError(.corrupt, path: path, "checksum mismatch in bytes \(start)..<\(min(region.count, start + chunkSize)) of the data")
            }
            return progress.damage
        }
        if let failure { throw failure }
    }
}
