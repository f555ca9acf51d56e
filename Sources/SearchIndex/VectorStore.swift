import Foundation
import Synchronization

internal import CKernels

/// Dense vectors: a binary sidecar file, memory-mapped, searched exactly.
///
/// The file holds every vector twice: in full precision (fp32) and as an int8 copy
/// with a per-vector scale and error terms. A query scans the int8 copy on both
/// cores, bounds every row's exact score from below and above, and rescores in fp32
/// only the rows whose upper bound reaches the k-th best lower bound. The answer is
/// the same as a full fp32 scan; see ``search(_:k:rowMask:)`` for the proof.
///
/// Opening a file reads only its head: the data is checked chunk by chunk against
/// digests stored in the head, either all at once at load (``Verification/atLoad``,
/// the default) or the first time each chunk is used (``Verification/onFirstUse``:
/// a query then reads the int8 copy, the bounds and its candidates' rows, about a
/// fifth of a 100k file, and ids are parsed only when asked for).
///
/// File layout (little-endian; see docs/index.md):
///
/// | offset | size | field |
/// | --- | --- | --- |
/// | 0 | 32 | magic `MVVECTOR`, XXH64 of bytes 16 to the data, version 2, file length |
/// | 32 | 4 | dimension d |
/// | 36 | 4 | row stride s (d rounded up to 16; padding is zero) |
/// | 40 | 8 | count n |
/// | 48 | 8 | length L of the ids section |
/// | 56 | 4 | chunk size C of the data digests |
/// | 60 | 4 | reserved, zero |
/// | 64 | 4 + m | model id, length-prefixed UTF-8 |
/// | | 8 per chunk | XXH64 of each C-byte chunk of the data (the last may be shorter) |
/// | data | L, padded to 64 | ids: n length-prefixed UTF-8 strings |
/// | | n·s·4 | fp32 vectors, row-major |
/// | | N·s | int8 codes, row-major, N = n rounded up to 16 (padding rows zero) |
/// | | 4·N·4 | bounds, four arrays of N floats: scale, residual bound, code norm bound, slack norm |
///
/// The data starts at the first multiple of 64 after the digests.
///
/// `@unchecked Sendable`: the mapping is read-only and immutable after init; the
/// verifier and the parsed ids are guarded by locks, so any number of threads may
/// search at once.
public final class VectorStore: @unchecked Sendable {
    static let magic = Array("MVVECTOR".utf8)
    static let version: UInt32 = 2
    /// Data digest granularity: small enough that a candidate row costs little to check.
    static let chunkSize = 32 << 10

    /// When a file's data is checked against its digests.
    public enum Verification: Sendable {
        /// All of it while opening; nothing can fail afterwards.
        case atLoad
        /// Each chunk the first time it is read; the throwing members report damage.
        case onFirstUse
    }

    /// Number of vectors.
    public let count: Int
    /// The embedding model the vectors came from.
    public let modelID: String
    /// Components per vector.
    public let dimension: Int

    let stride: Int
    /// `count` rounded up to 16: rows of the int8 copy and of each bounds array.
    let paddedCount: Int
    private let file: MappedFile
    private let verifier: ChunkVerifier
    private let idsLength: Int
    /// Offsets in the data region (where the verifier's byte ranges start).
    private let fp32Start: Int
    private let int8Start: Int
    private let fp32: UnsafePointer<Float>?
    private let int8: UnsafePointer<Int8>?
    private let bounds: UnsafePointer<Float>?
    /// Parsed on first use.
    private let parsedIDs = Mutex<[String]?>(nil)

    /// Relative rounding slack of one fp32 dot product of length d (and of the
    /// approximate score), 2·(d + 4)·2⁻²⁴: the standard γ_d bound with margin.
    static func roundingSlack(dimension: Int) -> Float { Float(2 * (dimension + 4)) * 0x1p-24 }

    /// Sizes of the data sections for n rows of stride s and L bytes of ids.
    struct Layout {
        let idsLength, fp32Start, int8Start, boundsStart, length: Int

        init(count n: Int, stride: Int, idsLength: Int) {
            let padded = (n + 15) / 16 * 16
            self.idsLength = idsLength
            fp32Start = (idsLength + 63) / 64 * 64
            int8Start = fp32Start + n * stride * 4
            boundsStart = int8Start + padded * stride
            length = boundsStart + 16 * padded
        }
    }

    /// Writes a vector file, crash-safely (temporary file, fsync, rename).
    ///
    /// - Parameters:
    ///   - url: where the file goes; its directory must exist.
    ///   - modelID: the embedding model, checked again at load.
    ///   - dimension: components per vector.
    ///   - ids: one id per vector.
    ///   - vectors: `ids.count × dimension` floats, row-major. Non-finite components are stored as 0.
    /// - Throws: `IndexError` of kind `.io`.
    /// - Complexity: O(n·d); holds one file-sized buffer while writing.
    public static func create(at url: URL, modelID: String, dimension: Int, ids: [String], vectors: [Float]) throws(IndexError) {
        precondition(dimension > 0 && vectors.count == ids.count * dimension, "vectors must hold ids.count × dimension floats")
        let n = ids.count
        let stride = (dimension + 15) / 16 * 16
        let padded = (n + 15) / 16 * 16
        var idBytes = BinaryWriter(capacity: n * 32)
        for id in ids { idBytes.string(id) }
        let layout = Layout(count: n, stride: stride, idsLength: idBytes.bytes.count)
        let chunks = (layout.length + chunkSize - 1) / chunkSize
        var head = BinaryWriter(capacity: 128 + 8 * chunks)
        head.bytes = [UInt8](repeating: 0, count: 32)
        head.u32(UInt32(dimension))
        head.u32(UInt32(stride))
        head.u64(UInt64(n))
        head.u64(UInt64(layout.idsLength))
        head.u32(UInt32(chunkSize))
        head.u32(0)
        head.string(modelID)
        let tableOffset = head.bytes.count
        head.bytes += [UInt8](repeating: 0, count: 8 * chunks)
        head.pad(to: 64)
        let dataStart = head.bytes.count

        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: dataStart + layout.length, alignment: 64)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        head.bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
        idBytes.bytes.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: buffer[dataStart...]).copyMemory(from: $0) }

        let gamma = Double(roundingSlack(dimension: dimension))
        let data = buffer.baseAddress! + dataStart
        let fp32 = (data + layout.fp32Start).assumingMemoryBound(to: Float.self)
        let int8 = (data + layout.int8Start).assumingMemoryBound(to: Int8.self)
        let bounds = (data + layout.boundsStart).assumingMemoryBound(to: Float.self)
        vectors.withUnsafeBufferPointer { src in
            for row in 0..<n {
                let x = fp32 + row * stride
                for j in 0..<dimension {
                    let v = src[row * dimension + j]
                    x[j] = v.isFinite ? v : 0
                }
                let codes = int8 + row * stride
                let q = Quantized(x, dimension: dimension, levels: 127) { codes[$0] = Int8($1) }
                bounds[row] = q.scale
                bounds[padded + row] = inflate(q.residualNorm, gamma)
                bounds[2 * padded + row] = inflate(q.codeNorm, gamma)
                bounds[3 * padded + row] = inflate(q.norm + q.codeNorm, gamma)
            }
        }
        let digests = ChunkDigests.compute(UnsafeRawBufferPointer(rebasing: buffer[dataStart...]), chunkSize: chunkSize)
        for (c, digest) in digests.enumerated() {
            buffer.storeBytes(of: digest.littleEndian, toByteOffset: tableOffset + 8 * c, as: UInt64.self)
        }
        fillHead(buffer, dataStart: dataStart)
        try SidecarFile.write(UnsafeRawBufferPointer(buffer), to: url)
    }

    /// Fills in magic, version, length and the head checksum (bytes 16..<dataStart).
    private static func fillHead(_ file: UnsafeMutableRawBufferPointer, dataStart: Int) {
        for i in 0..<8 { file[i] = magic[i] }
        file.storeBytes(of: version.littleEndian, toByteOffset: 16, as: UInt32.self)
        file.storeBytes(of: UInt64(file.count).littleEndian, toByteOffset: 24, as: UInt64.self)
        let sum = XXH64.hash(UnsafeRawBufferPointer(rebasing: file[16..<dataStart]))
        file.storeBytes(of: sum.littleEndian, toByteOffset: 8, as: UInt64.self)
    }

    /// Rounds `x·(1 + γ)` up to a Float, so stored bounds never understate.
    static func inflate(_ x: Double, _ gamma: Double) -> Float { Float(x * (1 + gamma)).nextUp }

    /// Maps a vector file and checks its head (and, with ``Verification/atLoad``, all its data).
    ///
    /// - Parameters:
    ///   - url: the file.
    ///   - expectedModelID: the model the caller embeds queries with.
    ///   - expectedDimension: the caller's vector length.
    ///   - verification: when the data is checked against its digests. With
    ///     ``Verification/onFirstUse``, use the throwing members (``loadIDs()``,
    ///     ``checkedVector(at:)``, ``search(_:k:rowMask:)``); the others stop the
    ///     process if they meet a damaged chunk.
    /// - Throws: `IndexError`: `.io` if unreadable; `.corrupt` for a wrong magic, length,
    ///   checksum or layout; `.versionMismatch`; `.modelMismatch` for another model id
    ///   or dimension.
    /// - Complexity: O(head) with ``Verification/onFirstUse`` (about 50 KB for 100k
    ///   rows of 384); O(file size) on every core with ``Verification/atLoad``.
    public convenience init(
        contentsOf url: URL, expectedModelID: String, expectedDimension: Int, verification: Verification = .atLoad
    ) throws(IndexError) {
        try self.init(
            file: MappedFile(url, populate: verification == .atLoad), expectedModelID: expectedModelID,
            expectedDimension: expectedDimension, verification: verification)
    }

    /// Reads a vector file from bytes in memory (the fuzz targets), like ``init(contentsOf:expectedModelID:expectedDimension:verification:)``.
    package convenience init(
        bytes: [UInt8], expectedModelID: String, expectedDimension: Int, verification: Verification = .atLoad
    ) throws(IndexError) {
        try self.init(
            file: MappedFile(copying: bytes, path: "<vector bytes>"), expectedModelID: expectedModelID,
            expectedDimension: expectedDimension, verification: verification)
    }

    init(file: MappedFile, expectedModelID: String, expectedDimension: Int, verification: Verification) throws(IndexError) {
        let bytes = file.bytes
        let path = file.path
        guard bytes.count >= 64 else { throw IndexError(.corrupt, path: path, "file of \(bytes.count) bytes is shorter than its head") }
        for i in 0..<8 where bytes[i] != Self.magic[i] {
            throw IndexError(.corrupt, path: path, "wrong magic number at byte \(i)")
        }
        var r = BinaryReader(bytes, offset: 16, path: path)
        let version = try r.u32()
        guard version == Self.version else {
            throw IndexError(.versionMismatch, path: path, "format version \(version), this build reads version \(Self.version)")
        }
        _ = try r.u32()
        guard try r.u64() == UInt64(bytes.count) else { throw IndexError(.corrupt, path: path, "file length differs from its head") }
        let dimension = Int(try r.u32())
        let stride = Int(try r.u32())
        let n64 = try r.u64()
        let idsLength64 = try r.u64()
        let chunkSize = Int(try r.u32())
        _ = try r.u32()
        let modelID = try r.string()
        let tableOffset = r.offset
        guard dimension > 0, stride == (dimension + 15) / 16 * 16, n64 <= UInt64(bytes.count / stride),
              idsLength64 <= UInt64(bytes.count), chunkSize >= 64
        else { throw IndexError(.corrupt, path: path, "impossible dimension \(dimension), stride \(stride), count \(n64) or chunk size \(chunkSize)") }
        let n = Int(n64)
        let layout = Layout(count: n, stride: stride, idsLength: Int(idsLength64))
        let chunks = (layout.length + chunkSize - 1) / chunkSize
        let dataStart = (tableOffset + 8 * chunks + 63) / 64 * 64
        guard dataStart + layout.length == bytes.count else {
            throw IndexError(.corrupt, path: path, "layout of \(n) rows of \(dimension) does not match the file length")
        }
        let stored = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        guard stored == XXH64.hash(UnsafeRawBufferPointer(rebasing: bytes[16..<dataStart])) else {
            throw IndexError(.corrupt, path: path, "checksum mismatch in the head")
        }
        guard modelID == expectedModelID, dimension == expectedDimension else {
            throw IndexError(.modelMismatch, path: path, "vectors of \(modelID) (\(dimension)-d), expected \(expectedModelID) (\(expectedDimension)-d)")
        }
        let data = UnsafeRawBufferPointer(rebasing: bytes[dataStart...])
        verifier = ChunkVerifier(region: data, chunkSize: chunkSize, table: bytes.baseAddress! + tableOffset, path: path)
        if verification == .atLoad { try verifier.verifyAll() }

        self.file = file
        self.count = n
        self.modelID = modelID
        self.dimension = dimension
        self.stride = stride
        paddedCount = (n + 15) / 16 * 16
        idsLength = layout.idsLength
        fp32Start = layout.fp32Start
        int8Start = layout.int8Start
        let base = data.baseAddress
        fp32 = base.map { UnsafePointer(($0 + layout.fp32Start).assumingMemoryBound(to: Float.self)) }
        int8 = base.map { UnsafePointer(($0 + layout.int8Start).assumingMemoryBound(to: Int8.self)) }
        bounds = base.map { UnsafePointer(($0 + layout.boundsStart).assumingMemoryBound(to: Float.self)) }
    }

    /// Stops the process if `body` found damage: only reachable with
    /// ``Verification/onFirstUse`` through a non-throwing member.
    private static func checked<T>(_ body: () throws(IndexError) -> T) -> T {
        do {
            return try body()
        } catch {
            fatalError("\(error); open the file with verification .atLoad or use the throwing members")
        }
    }

    /// Checks all data not checked yet.
    /// - Throws: `.corrupt` if any chunk is damaged.
    /// - Complexity: O(unchecked bytes), on every core.
    public func verifyAll() throws(IndexError) { try verifier.verifyAll() }

    /// The id of each row, in row order, parsed on first use.
    /// - Complexity: O(n) the first time.
    public var ids: [String] { Self.checked { () throws(IndexError) in try loadIDs() } }

    /// The id of each row, in row order, parsed (and checked) on first use.
    /// - Throws: `.corrupt` if the ids section is damaged.
    /// - Complexity: O(n) the first time.
    public func loadIDs() throws(IndexError) -> [String] {
        try parsedIDs.withLock { (parsed) throws(IndexError) -> [String] in
            if let parsed { return parsed }
            try verifier.verify(0..<idsLength)
            var r = BinaryReader(UnsafeRawBufferPointer(rebasing: verifier.region[..<idsLength]), path: verifier.path)
            var ids: [String] = []
            ids.reserveCapacity(count)
            for _ in 0..<count { ids.append(try r.string()) }
            guard r.offset == idsLength else { throw r.fail("ids section longer than its \(count) ids") }
            parsed = ids
            return ids
        }
    }

    /// The stored full-precision vector of `row`.
    public func vector(at row: Int) -> [Float] { Self.checked { () throws(IndexError) in try checkedVector(at: row) } }

    /// The stored full-precision vector of `row`, its chunk checked on first use.
    /// - Throws: `.corrupt` if that part of the file is damaged.
    public func checkedVector(at row: Int) throws(IndexError) -> [Float] {
        precondition(row >= 0 && row < count)
        try verifier.verify(rowRange(row))
        return Array(UnsafeBufferPointer(start: fp32! + row * stride, count: dimension))
    }

    /// Checks, block by block as ``search(_:k:rowMask:)`` scans them, the chunks a scan reads (the
    /// int8 codes and the bounds), for as long as `keepGoing` says so, on this thread only. A
    /// search that has to wait for its query's vector calls this meanwhile: the first scan then
    /// finds its pages checked and mapped. Damage found here is thrown later, by the search.
    /// - Complexity: O(bytes of the unchecked chunks it gets to).
    public func prepareScan(while keepGoing: () -> Bool) {
        guard count > 0, !verifier.isComplete else { return }
        let blockRows = Self.scanBlockRows(count: count, paddedCount: paddedCount)
        var start = 0
        while start < paddedCount && keepGoing() {
            let end = min(start + blockRows, paddedCount)
            do throws(IndexError) {
                try verifier.verify(chunks: scanChunks(start..<end), parallel: false)
            } catch {
                return
            }
            start = end
        }
    }

    /// Rows per block of a scan: 4096 (1.5 MB of codes at d = 384), taken by whichever core is
    /// free; one block when there are few.
    private static func scanBlockRows(count: Int, paddedCount: Int) -> Int { count >= 8192 ? 4096 : paddedCount }

    /// The chunks holding the int8 codes and the four bounds of `rows`.
    private func scanChunks(_ rows: Range<Int>) -> [ClosedRange<Int>] {
        let boundsStart = int8Start + paddedCount * stride
        let arrays = (0..<4).map { a in boundsStart + (a * paddedCount + rows.lowerBound) * 4..<boundsStart + (a * paddedCount + rows.upperBound) * 4 }
        return ([int8Start + rows.lowerBound * stride..<int8Start + rows.upperBound * stride] + arrays).compactMap { verifier.chunks($0) }
    }

    /// The byte range of `row`'s fp32 vector in the data region.
    private func rowRange(_ row: Int) -> Range<Int> {
        let start = fp32Start + row * stride * 4
        return start..<start + stride * 4
    }

    /// Exact top-k by cosine (the vectors are L2-normalized, so by dot product),
    /// restricted to the rows where `allowed(row)` is true (nil: all rows).
    ///
    /// - Parameters:
    ///   - query: `dimension` floats.
    ///   - k: how many results at most.
    ///   - allowed: the filter, called once per row before the scan (nil: all rows).
    /// - Returns: up to k rows, best first; equal scores by ascending row.
    /// - Complexity: that of ``search(_:k:rowMask:)`` plus n calls of `allowed`.
    public func search(_ query: [Float], k: Int, allowed: ((Int) -> Bool)?) -> [(row: Int, score: Float)] {
        let mask = allowed.map { RowSet(capacity: count, where: $0) }
        return Self.checked { () throws(IndexError) in try search(query, k: k, rowMask: mask) }
    }

    /// Exact top-k by cosine (the vectors are L2-normalized, so by dot product),
    /// restricted to the rows whose bit is set in `rowMask`.
    ///
    /// Why the answer is exact. For a row x with int8 codes c and scale s, the
    /// approximation x̂ = s·c leaves a residual e = x − x̂ whose norm r was stored
    /// (rounded up) at creation; the query q is quantized the same way (to Int16 codes)
    /// into q̂ with residual e_q. Then q·x − q̂·x̂ = q·e + e_q·x̂, so by Cauchy–Schwarz
    /// |q·x − q̂·x̂| ≤ ‖q‖·r + ‖e_q‖·‖x̂‖. q̂·x̂ is computed as s_q·s·(integer dot),
    /// the integer dot being exact; the float rounding of that product and of the
    /// fp32 dot that defines the "exact" score are each within γ·(‖q‖+‖q̂‖)·(‖x‖+‖x̂‖),
    /// γ = ``roundingSlack(dimension:)``, which is added too. So every row's fp32
    /// score lies in [lb, ub] = approx ∓ err. Let T be the k-th largest lb over the
    /// allowed rows: k rows score at least T. A row with ub < T scores strictly below
    /// all of those k rows, so it is in no top-k, whatever the tie-break. The scan
    /// keeps every row whose ub reaches the k-th largest lb seen so far, which is at
    /// most T, so no row with ub ≥ T is dropped. Rescoring those in fp32 and taking
    /// the k best (ties by row) therefore returns exactly what a full fp32 scan returns.
    ///
    /// - Parameters:
    ///   - query: `dimension` floats.
    ///   - k: how many results at most.
    ///   - rowMask: the allowed rows; nil = every row.
    /// - Returns: up to k rows, best first; equal scores by ascending row.
    /// - Throws: `.corrupt` if a chunk of the file read for the first time is damaged
    ///   (only with ``Verification/onFirstUse``).
    /// - Complexity: O(n·d) over the int8 copy on two threads, then O(c·d) in fp32 for
    ///   the c candidates the bounds cannot exclude (tens of rows on real data).
    public func search(_ query: [Float], k: Int, rowMask: RowSet?) throws(IndexError) -> [(row: Int, score: Float)] {
        precondition(query.count == dimension, "query must have \(dimension) components")
        guard k > 0, count > 0 else { return [] }
        // The scan reads the mask a word (64 rows) at a time.
        let rowMask = rowMask?.words(forCapacity: count)
        if let rowMask, !rowMask.contains(where: { $0 != 0 }) { return [] }
        let blockRows = Self.scanBlockRows(count: count, paddedCount: paddedCount)
        // Unless all is checked already, each block checks its codes and bounds just
        // before scanning them (one pass over memory instead of two on a first query).
        let checkScan = !verifier.isComplete
        var failures = [IndexError?](repeating: nil, count: (paddedCount + blockRows - 1) / blockRows)
        // The query, padded to the stride, in fp32 and as Int16 codes.
        var qf = [Float](repeating: 0, count: stride)
        for j in 0..<dimension { qf[j] = query[j].isFinite ? query[j] : 0 }
        var codes = [Int16](repeating: 0, count: stride)
        let q = qf.withUnsafeBufferPointer { p in
            Quantized(p.baseAddress!, dimension: dimension, levels: ScanKernel.queryLevels(stride: stride)) {
                codes[$0] = Int16($1)
            }
        }
        let gamma = Double(Self.roundingSlack(dimension: dimension))
        let kk = min(k, count)
        var partials = [ScanKernel.Partial](repeating: .init(lows: [], candidates: []), count: (paddedCount + blockRows - 1) / blockRows)
        codes.withUnsafeBufferPointer { codes in
            partials.withUnsafeMutableBufferPointer { partials in
                failures.withUnsafeMutableBufferPointer { failures in
                    let out = partials.baseAddress!, failed = failures.baseAddress!
                    let p = paddedCount
                    let scan = ScanKernel(
                        int8: int8!, scales: bounds!, residuals: bounds! + p, codeNorms: bounds! + 2 * p, slacks: bounds! + 3 * p,
                        stride: stride, count: count, query: codes.baseAddress!, qScale: q.scale, qNorm: Self.inflate(q.norm, gamma),
                        qResidual: Self.inflate(q.residualNorm, gamma), qSlack: Float(gamma) * Self.inflate(q.norm + q.codeNorm, gamma))
                    let run = { (block: Int, range: Range<Int>) in
                        if checkScan {
                            do throws(IndexError) {
                                try self.verifier.verify(chunks: self.scanChunks(range), parallel: false)
                            } catch {
                                failed[block] = error
                                return
                            }
                        }
                        out[block] = rowMask.map { m in m.withUnsafeBufferPointer { scan.run(range, k: kk, mask: $0.baseAddress) } }
                            ?? scan.run(range, k: kk, mask: nil)
                    }
                    if partials.count > 1 { Parallel.forEachBlock(count: p, blockSize: blockRows, run) } else { run(0, 0..<p) }
                }
            }
        }
        if let failure = failures.lazy.compactMap({ $0 }).first { throw failure }
        // T: the k-th largest lower bound among allowed rows (−∞ if fewer than k).
        var lows = partials.flatMap(\.lows)
        lows.sort(by: >)
        let threshold = lows.count >= kk ? lows[kk - 1] : -.infinity
        let rows = partials.flatMap { $0.candidates.lazy.filter { $0.upper >= threshold }.map { Int($0.row) } }
        try verifier.verify(chunks: rows.compactMap { verifier.chunks(rowRange($0)) })
        var hits: [(row: Int, score: Float)] = []
        hits.reserveCapacity(rows.count)
        qf.withUnsafeBufferPointer { qp in
            for row in rows { hits.append((row, Self.dot(qp.baseAddress!, fp32! + row * stride, stride))) }
        }
        hits.sort { $0.score != $1.score ? $0.score > $1.score : $0.row < $1.row }
        return Array(hits.prefix(kk))
    }

    /// The reference: every allowed row scored in fp32 with the same dot product.
    /// - Complexity: O(n·d). For tests and benchmarks.
    public func bruteForceSearch(_ query: [Float], k: Int, allowed: ((Int) -> Bool)?) -> [(row: Int, score: Float)] {
        guard k > 0, count > 0 else { return [] }
        Self.checked { () throws(IndexError) in try verifier.verify(fp32Start..<int8Start) }
        var qf = [Float](repeating: 0, count: stride)
        for j in 0..<dimension { qf[j] = query[j].isFinite ? query[j] : 0 }
        var all: [(row: Int, score: Float)] = []
        qf.withUnsafeBufferPointer { qp in
            for row in 0..<count where allowed?(row) ?? true {
                all.append((row, Self.dot(qp.baseAddress!, fp32! + row * stride, stride)))
            }
        }
        all.sort { $0.score != $1.score ? $0.score > $1.score : $0.row < $1.row }
        return Array(all.prefix(k))
    }

    /// fp32 dot product of two stride-length rows (stride a multiple of 16), `mv_dot`.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ stride: Int) -> Float {
        mv_dot(a, b, stride)
    }
}

/// A vector quantized to integer codes within ±levels with one scale (max |x| / levels),
/// and the norms the error bounds need, computed in Double.
struct Quantized {
    var scale: Float
    var norm: Double
    var codeNorm: Double
    var residualNorm: Double

    /// - Parameter store: receives each component's index and code (an integer-valued Float).
    init(_ x: UnsafePointer<Float>, dimension: Int, levels: Float, store: (Int, Float) -> Void) {
        var maxAbs: Float = 0
        for j in 0..<dimension { maxAbs = max(maxAbs, abs(x[j])) }
        scale = maxAbs / levels
        var n2 = 0.0, c2 = 0.0, r2 = 0.0
        for j in 0..<dimension {
            let code: Float = scale > 0 ? min(levels, max(-levels, (x[j] / scale).rounded())) : 0
            store(j, code)
            let approx = Double(scale) * Double(code)
            n2 += Double(x[j]) * Double(x[j])
            c2 += approx * approx
            r2 += (Double(x[j]) - approx) * (Double(x[j]) - approx)
        }
        norm = n2.squareRoot()
        codeNorm = c2.squareRoot()
        residualNorm = r2.squareRoot()
    }
}
