/// Makes arbitrary bytes carry a valid sidecar header and checksums, so that the fuzz targets'
/// mutated inputs reach the readers past the checksums (which otherwise reject almost every
/// mutation before any parsing). Never used on files: the index only reads what it wrote.
package enum SidecarHeaderFilling {
    /// The sidecar files of a vault's index.
    package enum Kind: Sendable, CaseIterable {
        case entryTable, postings, state, vectors
    }

    /// Writes magic, version, length and checksum into `bytes` (of at least the header's size),
    /// and for a vector file whose head describes the rest of its bytes, the data digests.
    package static func fillHeaders(_ bytes: inout [UInt8], as kind: Kind) {
        switch kind {
        case .entryTable:
            guard bytes.count >= SidecarHeader.size else { return }
            SidecarHeader.fillHeader(&bytes, magic: EntryTable.magic, version: EntryTable.version)
        case .postings:
            guard bytes.count >= SidecarHeader.size else { return }
            SidecarHeader.fillHeader(&bytes, magic: PostingsFile.magic, version: PostingsFile.version)
        case .state:
            guard bytes.count >= SidecarHeader.size else { return }
            SidecarHeader.fillHeader(&bytes, magic: IndexState.magic, version: IndexState.version)
        case .vectors:
            bytes.withUnsafeMutableBytes { VectorStore.refillHead($0) }
        }
    }
}

extension VectorStore {
    /// Magic, version and length always; the data digests and the head checksum when the head's
    /// numbers describe a layout that fits the bytes exactly (as the reader computes it).
    static func refillHead(_ file: UnsafeMutableRawBufferPointer) {
        guard file.count >= 68 else { return }
        for i in 0..<8 { file[i] = magic[i] }
        file.storeBytes(of: version.littleEndian, toByteOffset: 16, as: UInt32.self)
        file.storeBytes(of: UInt64(file.count).littleEndian, toByteOffset: 24, as: UInt64.self)
        func u32(_ at: Int) -> Int { Int(UInt32(littleEndian: file.loadUnaligned(fromByteOffset: at, as: UInt32.self))) }
        func u64(_ at: Int) -> UInt64 { UInt64(littleEndian: file.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
        let dimension = u32(32), stride = u32(36), n64 = u64(40), ids64 = u64(48), chunkSize = u32(56)
        let modelLength = u32(64)
        guard dimension > 0, stride == (dimension + 15) / 16 * 16, n64 <= UInt64(file.count / stride),
            ids64 <= UInt64(file.count), chunkSize >= 64, modelLength <= file.count - 68
        else { return }
        let tableOffset = 68 + modelLength
        let layout = Layout(count: Int(n64), stride: stride, idsLength: Int(ids64))
        let chunks = (layout.length + chunkSize - 1) / chunkSize
        let dataStart = (tableOffset + 8 * chunks + 63) / 64 * 64
        guard dataStart + layout.length == file.count else { return }
        let digests = ChunkDigests.compute(UnsafeRawBufferPointer(rebasing: file[dataStart...]), chunkSize: chunkSize)
        for (c, digest) in digests.enumerated() {
            file.storeBytes(of: digest.littleEndian, toByteOffset: tableOffset + 8 * c, as: UInt64.self)
        }
        let sum = XXH64.hash(UnsafeRawBufferPointer(rebasing: file[16..<dataStart]))
        file.storeBytes(of: sum.littleEndian, toByteOffset: 8, as: UInt64.self)
    }
}
