import Foundation

/// The small, often rewritten part of a vault index: which base files are current, the
/// state of every indexed file, and every change since the base files were written
/// (hidden base rows, moved lines, new or changed entries with their lexical documents and
/// vector places). Rewritten whole on each change (it stays small: the base absorbs it when
/// it grows), and written last, so it is the commit point of every update.
///
/// File layout: a ``SidecarHeader`` (magic `MVSTATE_`, version 2, checksum of the whole
/// file), then the fields below in order; see docs/index.md.
public struct IndexState: Sendable, Equatable {
    static let magic = Array("MVSTATE_".utf8)
    /// 2: a change lists the delta rows of its extra passages.
    static let version: UInt32 = 2

    /// The size and modification time of an indexed file when it was read.
    public struct FileState: Sendable, Equatable {
        public var size: Int
        /// Nanoseconds since 1970.
        public var modified: Int64

        public init(size: Int, modified: Int64) {
            self.size = size
            self.modified = modified
        }
    }

    /// Where an entry's current vector is.
    public enum VectorPlace: Sendable, Equatable {
        /// None yet (the model was missing).
        case none
        /// This row of the base vector file.
        case base(Int)
        /// This row of the delta vector file.
        case delta(Int)
    }

    /// An entry added or changed since the base was written.
    public struct Change: Sendable, Equatable {
        public var record: EntryRecord
        public var vector: VectorPlace
        public var document: LexicalDocument
        /// The delta rows of the passages after the first of a long entry (``Passages``), when
        /// `vector` is a delta row; empty otherwise (a base row's passages are in the base).
        public var passages: [Int]

        public init(record: EntryRecord, vector: VectorPlace, document: LexicalDocument, passages: [Int] = []) {
            self.record = record
            self.vector = vector
            self.document = document
            self.passages = passages
        }
    }

    /// A base row whose entry only moved within its file (same text, other line).
    public struct Move: Sendable, Equatable {
        public var line: Int
        public var byteRange: Range<Int>

        public init(line: Int, byteRange: Range<Int>) {
            self.line = line
            self.byteRange = byteRange
        }
    }

    /// The embedding model the vectors come from.
    public var modelID: String
    /// The generation of the base files (0: none).
    public var generation: UInt64
    /// The number in the name of the delta vector file (0: none).
    public var deltaSequence: UInt64
    /// Every entry had its current vector when this was written.
    public var vectorsComplete: Bool
    /// Per vault-relative path.
    public var files: [String: FileState]
    /// Base rows that are no longer live, ascending.
    public var hiddenRows: [Int]
    /// Base rows that moved, by row.
    public var moves: [Int: Move]
    /// New or changed entries.
    public var changes: [Change]

    public init(modelID: String) {
        self.modelID = modelID
        generation = 0
        deltaSequence = 0
        vectorsComplete = false
        files = [:]
        hiddenRows = []
        moves = [:]
        changes = []
    }

    /// The state as a file.
    /// - Complexity: O(size).
    public func serialized() -> [UInt8] {
        var w = BinaryWriter(capacity: 4096 + changes.count * 256)
        w.bytes = [UInt8](repeating: 0, count: SidecarHeader.size)
        w.string(modelID)
        w.u64(generation)
        w.u64(deltaSequence)
        w.u32(vectorsComplete ? 1 : 0)
        w.u32(UInt32(files.count))
        for (path, state) in files.sorted(by: { $0.key < $1.key }) {
            w.string(path)
            w.u64(UInt64(state.size))
            w.u64(UInt64(bitPattern: state.modified))
        }
        w.u32(UInt32(hiddenRows.count))
        for row in hiddenRows { w.u32(UInt32(row)) }
        w.u32(UInt32(moves.count))
        for (row, move) in moves.sorted(by: { $0.key < $1.key }) {
            w.u32(UInt32(row))
            w.u32(UInt32(clamping: move.line))
            w.u32(UInt32(clamping: move.byteRange.lowerBound))
            w.u32(UInt32(clamping: move.byteRange.count))
        }
        w.u32(UInt32(changes.count))
        for change in changes {
            let e = change.record.entry
            for s in [e.id, e.user, e.tier, e.path, e.contentHash] { w.string(s) }
            w.u32(UInt32(clamping: e.line))
            w.u8(e.date == nil ? 0 : 1)
            w.f64(e.date?.timeIntervalSince1970 ?? 0)
            for s in [e.title, e.src] {
                w.u8(s == nil ? 0 : 1)
                w.string(s ?? "")
            }
            for list in [e.tags, e.mentions] {
                w.u32(UInt32(list.count))
                for s in list { w.string(s) }
            }
            w.u32(UInt32(clamping: change.record.byteRange.lowerBound))
            w.u32(UInt32(clamping: change.record.byteRange.count))
            switch change.vector {
            case .none: w.u8(0); w.u32(0)
            case .base(let row): w.u8(1); w.u32(UInt32(row))
            case .delta(let row): w.u8(2); w.u32(UInt32(row))
            }
            w.u32(UInt32(change.passages.count))
            for row in change.passages { w.u32(UInt32(row)) }
            w.f32(change.document.length)
            w.u32(UInt32(change.document.terms.count))
            for (term, tf) in zip(change.document.terms, change.document.frequencies) {
                w.string(term)
                w.f32(tf)
            }
        }
        var bytes = w.bytes
        SidecarHeader.fillHeader(&bytes, magic: Self.magic, version: Self.version)
        return bytes
    }

    /// Reads the state file at `url`.
    /// - Throws: `IndexError`: `.io`, `.corrupt` or `.versionMismatch`; never traps.
    /// - Complexity: O(size).
    public init(contentsOf url: URL) throws(IndexError) {
        try self.init(file: MappedFile(url))
    }

    /// Reads a state from bytes in memory (the fuzz targets), like ``init(contentsOf:)``.
    package init(bytes: [UInt8]) throws(IndexError) {
        try self.init(file: MappedFile(copying: bytes, path: "<index state bytes>"))
    }

    init(file: MappedFile) throws(IndexError) {
        var r = try MappedFile.verifiedSidecar(file, magic: Self.magic, version: Self.version)
        let raw = file.bytes
        modelID = try r.string()
        generation = try r.u64()
        deltaSequence = try r.u64()
        vectorsComplete = try r.u32() != 0
        files = [:]
        let fileCount = try r.count(minBytesEach: 20)
        files.reserveCapacity(fileCount)
        for _ in 0..<fileCount {
            let name = try r.string()
            let size = try r.u64()
            let modified = try r.u64()
            guard size <= UInt64(Int.max) else { throw r.fail("impossible size") }
            files[name] = FileState(size: Int(size), modified: Int64(bitPattern: modified))
        }
        let hiddenCount = try r.count(minBytesEach: 4)
        hiddenRows = try r.u32Array(hiddenCount).map(Int.init)
        let moveCount = try r.count(minBytesEach: 16)
        moves = [:]
        moves.reserveCapacity(moveCount)
        for _ in 0..<moveCount {
            let row = Int(try r.u32())
            let line = Int(try r.u32())
            let start = Int(try r.u32())
            let length = Int(try r.u32())
            moves[row] = Move(line: line, byteRange: start..<start + length)
        }
        let changeCount = try r.count(minBytesEach: 64)
        changes = []
        changes.reserveCapacity(changeCount)
        for _ in 0..<changeCount {
            let id = try r.string(), user = try r.string(), tier = try r.string(), filePath = try r.string()
            let hash = try r.string()
            let line = Int(try r.u32())
            let dated = try r.u8() != 0
            let seconds = try r.f64()
            var optionals: [String?] = []
            for _ in 0..<2 {
                let present = try r.u8() != 0
                let s = try r.string()
                optionals.append(present ? s : nil)
            }
            var lists: [[String]] = []
            for _ in 0..<2 {
                let n = try r.count(minBytesEach: 4)
                var list: [String] = []
                for _ in 0..<n { list.append(try r.string()) }
                lists.append(list)
            }
            let start = Int(try r.u32())
            let length = Int(try r.u32())
            let kind = try r.u8()
            let row = Int(try r.u32())
            let vector: VectorPlace
            switch kind {
            case 0: vector = .none
            case 1: vector = .base(row)
            case 2: vector = .delta(row)
            default: throw r.fail("unknown vector place \(kind)")
            }
            let passages = try r.u32Array(try r.count(minBytesEach: 4)).map(Int.init)
            if !passages.isEmpty {
                guard case .delta = vector else { throw r.fail("passages without a delta vector") }
            }
            let docLength = try r.f32()
            let termCount = try r.count(minBytesEach: 8)
            var terms: [String] = [], frequencies: [Float] = []
            terms.reserveCapacity(termCount)
            frequencies.reserveCapacity(termCount)
            for _ in 0..<termCount {
                terms.append(try r.string())
                frequencies.append(try r.f32())
            }
            let entry = IndexedEntry(
                id: id, user: user, tier: tier, path: filePath, line: line,
                date: dated ? Date(timeIntervalSince1970: seconds) : nil, title: optionals[0], contentHash: hash,
                tags: lists[0], mentions: lists[1], src: optionals[1])
            changes.append(Change(
                record: EntryRecord(entry: entry, byteRange: start..<start + length, hasVector: vector != .none),
                vector: vector, document: LexicalDocument(terms: terms, frequencies: frequencies, length: docLength),
                passages: passages))
        }
        guard r.offset == raw.count else { throw r.fail("trailing bytes") }
        withExtendedLifetime(file) {}  // the reader points into the mapping
    }

    /// Writes the state to `url` crash-safely.
    /// - Throws: `IndexError` of kind `.io`.
    public func write(to url: URL) throws(IndexError) {
        try SidecarFile.write(serialized(), to: url)
    }
}
