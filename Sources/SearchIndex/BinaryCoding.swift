/// Little-endian writer for the sidecar formats.
package struct BinaryWriter {
    package var bytes: [UInt8] = []

    package init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    package mutating func u8(_ v: UInt8) { bytes.append(v) }
    package mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    package mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    package mutating func f32(_ v: Float) { u32(v.bitPattern) }
    package mutating func f64(_ v: Double) { u64(v.bitPattern) }
    /// A length-prefixed UTF-8 string.
    package mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            u32(UInt32(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }
    package mutating func pad(to alignment: Int) {
        while bytes.count % alignment != 0 { bytes.append(0) }
    }
}

/// Bounds-checked little-endian reader: every read past the end throws `.corrupt`
/// instead of trapping, so a damaged file can never crash the process.
package struct BinaryReader {
    package let base: UnsafeRawBufferPointer
    package var offset: Int
    package let path: String

    package init(_ base: UnsafeRawBufferPointer, offset: Int = 0, path: String) {
        self.base = base
        self.offset = offset
        self.path = path
    }

    package func fail(_ what: String) -> IndexError {
        IndexError(.corrupt, path: path, "\(what) at byte \(offset)")
    }

    @inline(__always)
    package mutating func need(_ n: Int) throws(IndexError) {
        guard n >= 0, offset <= base.count, base.count - offset >= n else { throw fail("unexpected end of file") }
    }
    package mutating func u8() throws(IndexError) -> UInt8 {
        try need(1)
        defer { offset += 1 }
        return base[offset]
    }
    package mutating func u32() throws(IndexError) -> UInt32 {
        try need(4)
        defer { offset += 4 }
        return UInt32(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
    package mutating func u64() throws(IndexError) -> UInt64 {
        try need(8)
        defer { offset += 8 }
        return UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
    package mutating func f32() throws(IndexError) -> Float { Float(bitPattern: try u32()) }
    package mutating func f64() throws(IndexError) -> Double { Double(bitPattern: try u64()) }
    /// A count that must fit in what is left of the file at `minBytesEach` bytes per item.
    package mutating func count(minBytesEach: Int) throws(IndexError) -> Int {
        let n = Int(try u32())
        guard n <= (base.count - offset) / max(1, minBytesEach) else { throw fail("impossible count \(n)") }
        return n
    }
    /// `n` little-endian 32-bit words, copied in bulk.
    package mutating func u32Array(_ n: Int) throws(IndexError) -> [UInt32] {
        try need(n * 4)
        defer { offset += n * 4 }
        let source = base.baseAddress! + offset
        return [UInt32](unsafeUninitializedCapacity: n) { buffer, initialized in
            if n > 0 { UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: source, byteCount: n * 4) }
            #if _endian(big)
            for i in 0..<n { buffer[i] = UInt32(littleEndian: buffer[i]) }
            #endif
            initialized = n
        }
    }
    package mutating func string() throws(IndexError) -> String {
        let n = Int(try u32())
        try need(n)
        defer { offset += n }
        return String(decoding: UnsafeRawBufferPointer(rebasing: base[offset..<offset + n]), as: UTF8.self)
    }
}

/// The header every sidecar file starts with (32 bytes, little-endian):
///
/// | offset | size | field |
/// | --- | --- | --- |
/// | 0 | 8 | magic, one per file kind |
/// | 8 | 8 | checksum of bytes 16..<length (``SidecarChecksum``) |
/// | 16 | 4 | format version |
/// | 20 | 4 | reserved, zero |
/// | 24 | 8 | total file length |
enum SidecarHeader {
    static let size = 32

    /// Fills in the header of `file`, whose body starts at byte 32.
    static func fillHeader(_ file: UnsafeMutableRawBufferPointer, magic: [UInt8], version: UInt32) {
        precondition(magic.count == 8 && file.count >= size)
        for i in 0..<8 { file[i] = magic[i] }
        file.storeBytes(of: version.littleEndian, toByteOffset: 16, as: UInt32.self)
        file.storeBytes(of: UInt32(0), toByteOffset: 20, as: UInt32.self)
        file.storeBytes(of: UInt64(file.count).littleEndian, toByteOffset: 24, as: UInt64.self)
        let sum = SidecarChecksum.compute(UnsafeRawBufferPointer(rebasing: file[16...]))
        file.storeBytes(of: sum.littleEndian, toByteOffset: 8, as: UInt64.self)
    }

    static func fillHeader(_ bytes: inout [UInt8], magic: [UInt8], version: UInt32) {
        bytes.withUnsafeMutableBytes { fillHeader($0, magic: magic, version: version) }
    }

    /// Checks magic, version, length and checksum, in that order.
    /// - Throws: `.corrupt` or `.versionMismatch`.
    static func verify(_ file: UnsafeRawBufferPointer, magic: [UInt8], version: UInt32, path: String) throws(IndexError) {
        guard file.count >= size else { throw IndexError(.corrupt, path: path, "file of \(file.count) bytes is shorter than its header") }
        for i in 0..<8 where file[i] != magic[i] {
            throw IndexError(.corrupt, path: path, "wrong magic number at byte \(i)")
        }
        let found = UInt32(littleEndian: file.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
        guard found == version else {
            throw IndexError(.versionMismatch, path: path, "format version \(found), this build reads version \(version)")
        }
        let length = UInt64(littleEndian: file.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        guard length == UInt64(file.count) else {
            throw IndexError(.corrupt, path: path, "file is \(file.count) bytes, its header says \(length)")
        }
        let stored = UInt64(littleEndian: file.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        guard stored == SidecarChecksum.compute(UnsafeRawBufferPointer(rebasing: file[16...])) else {
            throw IndexError(.corrupt, path: path, "checksum mismatch")
        }
    }
}
