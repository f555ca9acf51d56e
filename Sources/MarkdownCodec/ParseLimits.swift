/// Limits a file (or one decrypted entry) must keep before it is parsed, so that a small
/// hostile input cannot make cmark-gfm or the tag scan run for minutes or take gigabytes:
/// a 24 KB GFM table can declare 3,000 × 3,000 cells, 600 KB of `![[]()` keep every bracket
/// open at once, 200,000 distinct tags in one entry made the tag scan quadratic.
///
/// One linear pass over the bytes, without parsing Markdown: fenced code is skipped for the
/// bracket and tag counts (cmark does not parse inlines there); tables, brackets and tags are
/// counted conservatively, so a file within the limits is always parsed in time and memory
/// linear in its size. docs/format.md lists the limits.
public struct ParseLimits: Sendable {
    /// Bytes of one file.
    public var maximumFileSize = 16 << 20
    /// Bytes of one entry, from its level-2 heading to the next.
    public var maximumEntrySize = 2 << 20
    /// Cells of one GFM table: the delimiter row's columns times the table's rows.
    public var maximumTableCells = 100_000
    /// Link and image brackets open at once in one paragraph; `>` block-quote markers on one line.
    public var maximumNesting = 256
    /// `#tags` in one entry.
    public var maximumTagsPerEntry = 1_000

    /// The limits every memvault file and entry is held to.
    public static let standard = ParseLimits()

    public init() {}

    /// Checks `bytes` against the limits.
    /// - Throws: `CodecError` (with `exceedsLimit` set) naming the line where a limit is passed.
    /// - Complexity: O(n) in the number of bytes.
    public func check(_ bytes: [UInt8]) throws(CodecError) {
        try bytes.withUnsafeBufferPointer { (buffer) throws(CodecError) in try check(buffer) }
    }

    /// Checks `bytes` against the limits; see `check(_:)`.
    public func check(_ bytes: UnsafeBufferPointer<UInt8>) throws(CodecError) {
        func failure(_ line: Int, _ message: String) -> CodecError {
            var error = CodecError(line: line, message: message)
            error.exceedsLimit = true
            return error
        }
        guard bytes.count <= maximumFileSize else {
            throw failure(1, "file too large (\(bytes.count) bytes; the limit is \(maximumFileSize)): split it into several files")
        }
        var lineStart = 0, lineNumber = 0
        var fence: (byte: UInt8, count: Int)?
        var entry = (start: 0, line: 1, tags: 0)
        var bracketDepth = 0
        var table: (line: Int, columns: Int, rows: Int)?
        var previousLineBlank = true
        let n = bytes.count
        while lineStart < n {
            lineNumber += 1
            var lineEnd = lineStart
            while lineEnd < n && bytes[lineEnd] != 0x0A { lineEnd += 1 }
            let line = UnsafeBufferPointer(rebasing: bytes[lineStart..<lineEnd])
            defer { lineStart = lineEnd + 1 }
            let blank = line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
            if let open = fence {
                if Self.closesFence(line, open) { fence = nil }
                previousLineBlank = false
                continue
            }
            if let opened = Self.opensFence(line) {
                fence = opened
                table = nil
                bracketDepth = 0
                previousLineBlank = false
                continue
            }
            if Self.isLevel2Heading(line) {
                guard lineStart - entry.start <= maximumEntrySize else {
                    throw failure(entry.line, "memory too large (\(lineStart - entry.start) bytes; the limit is \(maximumEntrySize))")
                }
                entry = (lineStart, lineNumber, 0)
            }
            if blank {
                bracketDepth = 0
                table = nil
                previousLineBlank = true
                continue
            }
            // Tables: a delimiter row under a non-blank line starts one; every following
            // non-blank line is a row (GFM pads short rows to the delimiter row's width).
            if var current = table {
                current.rows += 1
                guard current.columns * current.rows <= maximumTableCells else {
                    throw failure(current.line, "table too large (\(current.columns) columns; more than \(maximumTableCells) cells)")
                }
                table = current
            } else if !previousLineBlank, let columns = Self.delimiterRowColumns(line) {
                guard columns * 2 <= maximumTableCells else {
                    throw failure(lineNumber - 1, "table too large (\(columns) columns; more than \(maximumTableCells) cells)")
                }
                table = (lineNumber - 1, columns, 2)
            }
            // Block quotes: `>` markers at the start of the line.
            var quotes = 0, index = 0
            while index < line.count, line[index] == 0x3E || line[index] == 0x20 || line[index] == 0x09 {
                if line[index] == 0x3E { quotes += 1 }
                index += 1
            }
            guard quotes <= maximumNesting else {
                throw failure(lineNumber, "block quotes nested too deep (\(quotes); the limit is \(maximumNesting))")
            }
            // Brackets open at once, and tags (`#` after a blank or the line start, then a letter).
            index = 0
            while index < line.count {
                let byte = line[index]
                switch byte {
                case 0x5C:  // backslash: the next byte is literal
                    index += 1
                case 0x5B:
                    bracketDepth += 1
                    guard bracketDepth <= maximumNesting else {
                        throw failure(lineNumber, "links or images nested too deep (more than \(maximumNesting) brackets open)")
                    }
                case 0x5D:
                    bracketDepth = max(0, bracketDepth - 1)
                case 0x23:
                    let afterBlank = index == 0 || line[index - 1] == 0x20 || line[index - 1] == 0x09
                    if afterBlank, index + 1 < line.count {
                        let next = line[index + 1]
                        if next >= 0x80 || (next | 0x20 >= 0x61 && next | 0x20 <= 0x7A) {
                            entry.tags += 1
                            guard entry.tags <= maximumTagsPerEntry else {
                                throw failure(entry.line, "too many #tags in one memory (the limit is \(maximumTagsPerEntry))")
                            }
                        }
                    }
                default:
                    break
                }
                index += 1
            }
            previousLineBlank = false
        }
        guard n - entry.start <= maximumEntrySize else {
            throw failure(entry.line, "memory too large (\(n - entry.start) bytes; the limit is \(maximumEntrySize))")
        }
    }

    static func isLevel2Heading(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i < min(line.count, 3) && line[i] == 0x20 { i += 1 }
        guard line.count >= i + 2, line[i] == 0x23, line[i + 1] == 0x23 else { return false }
        return line.count == i + 2 || line[i + 2] == 0x20 || line[i + 2] == 0x09 || line[i + 2] == 0x0D
    }

    /// The number of columns when `line` is a GFM table delimiter row (`| --- | :-: |`), else nil.
    static func delimiterRowColumns(_ line: UnsafeBufferPointer<UInt8>) -> Int? {
        var pipes = 0, dashes = 0, cells = 0, inCell = false
        for byte in line {
            switch byte {
            case 0x7C:
                pipes += 1
                if inCell { cells += 1 }
                inCell = false
            case 0x2D:
                dashes += 1
                inCell = true
            case 0x3A:
                inCell = true
            case 0x20, 0x09, 0x0D:
                continue
            default:
                return nil
            }
        }
        if inCell { cells += 1 }
        guard dashes > 0, pipes > 0 || cells > 1, cells > 0 else { return nil }
        return cells
    }

    /// A fence opening: up to 3 spaces, then 3 or more backticks or tildes.
    static func opensFence(_ line: UnsafeBufferPointer<UInt8>) -> (byte: UInt8, count: Int)? {
        var i = 0
        while i < min(line.count, 3) && line[i] == 0x20 { i += 1 }
        guard i < line.count, line[i] == 0x60 || line[i] == 0x7E else { return nil }
        let byte = line[i]
        var count = 0
        while i < line.count && line[i] == byte {
            i += 1
            count += 1
        }
        return count >= 3 ? (byte, count) : nil
    }

    /// A fence closing: the opening's character at least as many times, then only blanks.
    static func closesFence(_ line: UnsafeBufferPointer<UInt8>, _ open: (byte: UInt8, count: Int)) -> Bool {
        guard let candidate = opensFence(line), candidate.byte == open.byte, candidate.count >= open.count else { return false }
        var i = 0
        while i < line.count && (line[i] == 0x20 || line[i] == open.byte) { i += 1 }
        while i < line.count && (line[i] == 0x20 || line[i] == 0x09 || line[i] == 0x0D) { i += 1 }
        return i == line.count
    }
}
