#if canImport(Glibc)
import Glibc
#endif

/// A Markdown file of entries, held as its exact bytes.
///
/// Parsing never changes a byte (`EntryFile.parse(b).bytes == b` for every valid
/// UTF-8 `b`), and each mutation changes only the bytes it must, then re-parses.
public struct EntryFile: Sendable {
    /// The file's current bytes.
    public private(set) var bytes: [UInt8]
    /// The entries, in file order.
    public private(set) var entries: [Entry] = []
    /// Everything that does not follow the format, by line.
    public private(set) var problems: [FormatProblem] = []
    /// The preamble, entries and non-entry headings, covering every byte in order.
    public private(set) var segments: [Segment] = []
    /// `"\r\n"` if the file has more CRLF than LF line endings, else `"\n"`.
    public private(set) var lineEnding = "\n"
    private var indexOfID: [String: Int] = [:]

    /// Parses a file's bytes.
    /// - Throws: `CodecError` naming the line of the first byte that is not UTF-8, or where
    ///   the file passes one of `ParseLimits.standard` (checked first, before any parsing).
    /// - Complexity: O(n) in the file size.
    public static func parse(_ data: [UInt8]) throws(CodecError) -> EntryFile {
        try ParseLimits.standard.check(data)
        if let offset = UTF8Check.firstInvalidByte(data) {
            let line = UTF8Check.line(of: offset, in: data)
            throw CodecError(line: line, message: "invalid UTF-8 at byte \(offset) (0x\(String(data[offset], radix: 16)))")
        }
        return EntryFile(validBytes: data)
    }

    /// Parses text.
    /// - Complexity: O(n) in the text size.
    public static func parse(_ text: String) -> EntryFile {
        EntryFile(validBytes: Array(text.utf8))
    }

    private init(validBytes: [UInt8]) {
        bytes = validBytes
        reparse()
    }

    private mutating func reparse() {
        take(bytes.withUnsafeBufferPointer { FileParser.parse($0) })
    }

    private mutating func take(_ result: FileParser.Result) {
        entries = result.entries
        segments = result.segments
        problems = result.problems
        lineEnding = result.lineEnding
        indexOfID = result.indexOfID
    }

    /// The first entry with `id`.
    /// - Complexity: O(1).
    public func entry(id: String) -> Entry? {
        indexOfID[id].map { entries[$0] }
    }

    /// Gives every dated entry without an id one, inserting only a metadata comment line
    /// `<!-- id: X -->` under its heading (or ` id: X` right after `<!--` when it already
    /// has a metadata comment without an id). Entries whose metadata comment does not
    /// parse are left alone: they need a person.
    ///
    /// - Parameter makeID: makes one new id per call.
    /// - Returns: the new ids in file order.
    @discardableResult
    public mutating func assignMissingIDs(using makeID: () -> String) -> [String] {
        var insertions: [(offset: Int, text: String)] = []
        var newIDs: [String] = []
        for entry in entries where entry.id == nil && entry.date != nil {
            switch entry.metadataSlot {
            case .absent(let offset, let headingHasLineEnding):
                let id = makeID()
                let comment = MetadataCodec.render(id: id, meta: [])
                insertions.append((offset, headingHasLineEnding ? comment + lineEnding : lineEnding + comment))
                newIDs.append(id)
            case .withoutID(let offset):
                let id = makeID()
                // `<!--key: v -->` has no space after `<!--`: one goes after the id too, or the
                // id would run into the key that follows (found by the entry-file fuzz target).
                let spaced = offset < bytes.count && (bytes[offset] == .space || bytes[offset] == .tab)
                insertions.append((offset, " id: " + MetadataCodec.encodeValue(id) + (spaced ? "" : " ")))
                newIDs.append(id)
            case .settled:
                continue
            }
        }
        guard !insertions.isEmpty else { return [] }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + insertions.count * 40)
        var copied = 0
        for (offset, text) in insertions {
            output.append(contentsOf: bytes[copied..<offset])
            output.append(contentsOf: text.utf8)
            copied = offset
        }
        output.append(contentsOf: bytes[copied...])
        bytes = output
        reparse()
        return newIDs
    }

    /// Adds a rendered entry, placed by (date, id) among the existing entries: after the
    /// last entry that does not sort after it, which is the end of the file for entries
    /// written in order. Exactly one blank line separates it from what precedes it (only
    /// line endings are added for that), and one follows it when another entry does.
    /// Line endings are converted to the file's.
    ///
    /// - Returns: false, leaving the file unchanged, when the text is not one entry or
    ///   the file would not read it as one (say, after an unclosed code fence).
    @discardableResult
    public mutating func insert(_ renderedEntry: String) -> Bool {
        let rendered = EntryFile.parse(renderedEntry).entries
        guard rendered.count == 1 else { return false }
        let text = Self.trimmedLines(renderedEntry, lineEnding: lineEnding)
        let position = insertionOffset(for: rendered[0])
        var insertion = Self.separation(after: bytes[..<position], lineEnding: lineEnding)
        insertion += text + lineEnding
        if position < bytes.count { insertion += lineEnding }
        var changed = bytes
        changed.insert(contentsOf: insertion.utf8, at: position)
        return commit(changed, from: position, entryCountChange: 1, keeping: rendered[0].id)
    }

    /// Removes the entry's whole segment.
    /// - Returns: false, leaving the file unchanged, if no entry has `id` (or, which
    ///   should not happen, the rest would then read differently).
    @discardableResult
    public mutating func remove(id: String) -> Bool {
        guard let entry = entry(id: id) else { return false }
        var changed = bytes
        changed.removeSubrange(entry.byteRange)
        return commit(changed, from: entry.byteRange.lowerBound, entryCountChange: -1, keeping: nil)
    }

    /// Replaces the entry's text, keeping the blank lines that end its segment (and a
    /// missing final line ending stays missing).
    /// - Returns: false, leaving the file unchanged, if no entry has `id` or the text is
    ///   not read back as exactly one entry in its place.
    @discardableResult
    public mutating func replace(id: String, with renderedEntry: String) -> Bool {
        guard let entry = entry(id: id) else { return false }
        let range = entry.byteRange
        // End of the last line that is not blank, after its line ending if it has one.
        var contentEnd = range.upperBound
        while contentEnd > range.lowerBound, bytes[contentEnd - 1].isWhitespace { contentEnd -= 1 }
        var hasLineEnding = false
        if contentEnd < range.upperBound {
            var index = contentEnd
            while index < range.upperBound, bytes[index].isBlank { index += 1 }
            if index < range.upperBound {
                hasLineEnding = true
                index += bytes[index] == .carriageReturn && index + 1 < range.upperBound && bytes[index + 1] == .lineFeed ? 2 : 1
            }
            contentEnd = index
        }
        let rendered = EntryFile.parse(renderedEntry).entries
        guard rendered.count == 1 else { return false }
        var text = Self.trimmedLines(renderedEntry, lineEnding: lineEnding)
        if hasLineEnding { text += lineEnding }
        var changed = bytes
        changed.replaceSubrange(range.lowerBound..<contentEnd, with: text.utf8)
        return commit(changed, from: range.lowerBound, entryCountChange: 0, keeping: rendered[0].id)
    }

    /// Takes `changed` (these bytes with the ones from `changeStart` on changed) if it reads as
    /// the same entries plus `entryCountChange`, with an entry `id` when given; otherwise keeps
    /// the file as it was.
    private mutating func commit(_ changed: [UInt8], from changeStart: Int, entryCountChange: Int, keeping id: String?) -> Bool {
        let candidate = reparsed(changed, from: changeStart)
        guard candidate.entries.count == entries.count + entryCountChange,
            id.map({ candidate.entry(id: $0) != nil }) ?? true
        else { return false }
        self = candidate
        return true
    }

    /// The file `changed` reads as, where `changed` is these bytes with the ones from
    /// `changeStart` on changed. Only the segments from the last one whose heading line ends
    /// before `changeStart` are parsed again (`FileParser.parse(_:resuming:of:)`): an entry added
    /// at the end of a month's file parses that file's last entry and itself, not the whole file.
    /// The whole file is parsed when no such segment exists or the file defines a link reference
    /// or a footnote (`]:`), whose effect reaches text before it.
    /// - Complexity: O(n) to find the lines, plus a parse of the bytes from that segment on.
    func reparsed(_ changed: [UInt8], from changeStart: Int) -> EntryFile {
        var candidate = self
        candidate.bytes = changed
        guard let segment = resumableSegment(before: changeStart), !Self.mayDefineReferences(changed) else {
            candidate.reparse()
            return candidate
        }
        let previous = FileParser.Result(entries: entries, segments: segments, problems: problems, lineEnding: lineEnding, indexOfID: indexOfID)
        candidate.take(changed.withUnsafeBufferPointer { FileParser.parse($0, resuming: segment, of: previous) })
        return candidate
    }

    /// The last segment that starts at a level-2 heading (an entry, or a heading without a valid
    /// date) whose line, line ending included, ends at or before `offset`.
    func resumableSegment(before offset: Int) -> Int? {
        for index in segments.indices.reversed() where segments[index].kind != .preamble {
            var end = segments[index].byteRange.lowerBound
            while end < bytes.count, bytes[end] != .lineFeed, bytes[end] != .carriageReturn { end += 1 }
            if end < bytes.count { end += bytes[end] == .carriageReturn && end + 1 < bytes.count && bytes[end + 1] == .lineFeed ? 2 : 1 }
            if end <= offset { return index }
        }
        return nil
    }

    /// Whether `bytes` hold `]:`, which every link reference and footnote definition does.
    private static func mayDefineReferences(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return false }
            var offset = 0
            while offset + 1 < buffer.count, let found = memchr(base + offset, 0x5D, buffer.count - offset - 1) {
                let bracket = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                if buffer[bracket + 1] == 0x3A { return true }
                offset = bracket + 1
            }
            return false
        }
    }

    // MARK: Placement helpers

    /// Where a new entry goes: after the last entry that does not sort after it, and
    /// after any non-entry headings that follow that entry.
    private func insertionOffset(for newEntry: Entry?) -> Int {
        guard let newEntry else { return bytes.count }
        guard let anchor = entries.lastIndex(where: { !Self.sortsBefore(newEntry, $0) }) else {
            return entries.first?.byteRange.lowerBound ?? bytes.count
        }
        let next = anchor + 1
        return next < entries.count ? entries[next].byteRange.lowerBound : bytes.count
    }

    /// (date, id) order; entries without a date (ultrasecret) compare by id only.
    private static func sortsBefore(_ lhs: Entry, _ rhs: Entry) -> Bool {
        if let left = lhs.date, let right = rhs.date, left != right { return left < right }
        return (lhs.id ?? "") < (rhs.id ?? "")
    }

    /// Line endings needed after `prefix` so that one blank line precedes new text.
    private static func separation(after prefix: ArraySlice<UInt8>, lineEnding: String) -> String {
        var content = prefix
        if content.starts(with: [0xEF, 0xBB, 0xBF]) { content = content.dropFirst(3) }
        if content.allSatisfy(\.isWhitespace) { return "" }
        guard let last = content.last, last == .lineFeed || last == .carriageReturn else {
            return lineEnding + lineEnding
        }
        var index = content.endIndex - 1
        if content[index] == .lineFeed, index > content.startIndex, content[index - 1] == .carriageReturn { index -= 1 }
        while index > content.startIndex, content[index - 1].isBlank { index -= 1 }
        let previous = index > content.startIndex ? content[index - 1] : UInt8.lineFeed
        return previous == .lineFeed || previous == .carriageReturn ? "" : lineEnding
    }

    /// `text` without leading blank lines and trailing whitespace, with `lineEnding`.
    private static func trimmedLines(_ text: String, lineEnding: String) -> String {
        let block = text.trimmedBlock()
        return lineEnding == "\n" ? block : block.split(separator: "\n", omittingEmptySubsequences: false)
            .joined(separator: lineEnding)
    }
}

/// UTF-8 validation that reports where it fails.
enum UTF8Check {
    /// Offset of the first byte that does not start or continue a valid scalar.
    /// - Complexity: O(n).
    static func firstInvalidByte(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { buffer in
            var index = 0
            let count = buffer.count
            while index < count {
                let lead = buffer[index]
                if lead < 0x80 {
                    index += 1
                    continue
                }
                let length: Int
                let minimum: UInt32
                switch lead {
                case 0xC2...0xDF: (length, minimum) = (2, 0x80)
                case 0xE0...0xEF: (length, minimum) = (3, 0x800)
                case 0xF0...0xF4: (length, minimum) = (4, 0x10000)
                default: return index
                }
                guard index + length <= count else { return index }
                var value = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
                for offset in 1..<length {
                    let next = buffer[index + offset]
                    guard next & 0xC0 == 0x80 else { return index }
                    value = value << 6 | UInt32(next & 0x3F)
                }
                guard value >= minimum, value <= 0x10FFFF, !(0xD800...0xDFFF).contains(value) else { return index }
                index += length
            }
            return nil
        }
    }

    /// The 1-based line holding byte `offset` (LF, CRLF and lone CR end lines).
    static func line(of offset: Int, in bytes: [UInt8]) -> Int {
        var line = 1
        for index in 0..<offset {
            if bytes[index] == .lineFeed || (bytes[index] == .carriageReturn && bytes[index + 1] != .lineFeed) {
                line += 1
            }
        }
        return line
    }
}
