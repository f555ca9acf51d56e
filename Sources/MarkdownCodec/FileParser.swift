/// Splits a file into segments and entries from one cmark-gfm parse.
///
/// Everything is located through the line table over the original bytes; cmark only
/// says where top-level blocks start, so no byte of the file is ever re-encoded.
struct FileParser: TopBlockVisitor {
    struct Result {
        var entries: [Entry] = []
        var segments: [Segment] = []
        var problems: [FormatProblem] = []
        var lineEnding = "\n"
        /// Index in `entries` of the first entry with each id.
        var indexOfID: [String: Int] = [:]
    }

    /// The entry being read; nil while in the preamble.
    private struct Pending {
        var line: Int
        var heading: ParsedHeading
        var sawFirstBlock = false
        var id: String?
        var meta: [MetaField] = []
        var slot: MetadataSlot
        var bodyStartLine: Int
        var armored: String?
        var tasks: [TaskItem] = []
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private let lines: LineTable
    /// File line of cmark's line 1, minus one (the front matter's length).
    private let lineOffset: Int
    private let frontMatterLines: Int
    private var pending: Pending?
    /// Parsing resumed at a heading (``parse(_:resuming:of:)``): no preamble precedes it.
    private var resumed = false
    private var segmentStart = 0
    private var result = Result()
    var scanner = TagScanner()

    /// Parses valid UTF-8 `bytes`.
    /// - Complexity: O(n) in the file size, one cmark parse.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result {
        let lines = lineTable(bytes)
        let frontMatter = frontMatterLineCount(bytes, lines)
        var parser = FileParser(bytes: bytes, lines: lines, frontMatterLines: frontMatter)
        return parser.run(from: lines.start(ofLine: frontMatter + 1))
    }

    private static func lineTable(_ bytes: UnsafeBufferPointer<UInt8>) -> LineTable {
        let bom = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
        return LineTable(bytes, firstLineStart: bom)
    }

    /// Parses the Markdown from byte `start` on into `result`.
    private mutating func run(from start: Int) -> Result {
        CmarkTree.parse(UnsafeBufferPointer(rebasing: bytes[start...]), into: &self)
        finishSegment(before: lines.count + 1)
        result.lineEnding = lines.crlfCount > lines.lfCount ? "\r\n" : "\n"
        result.problems.sort { $0.line < $1.line }
        return result
    }

    /// Parses valid UTF-8 `bytes` again after a change that left everything before segment
    /// `resumeSegment` of `previous` (the parse of the bytes before the change) as it was, that
    /// segment's heading line included: that segment and the rest are parsed anew, the earlier
    /// ones kept. The result is the one ``parse(_:)`` gives when (see `EntryFile.resumableSegment`)
    /// that segment starts at a level-2 heading and the file defines no link reference or
    /// footnote: that heading's line then starts at the top level of the document, whatever
    /// precedes it (cmark parses blocks line after line, and a top-level heading closes every
    /// open block), and nothing after it changes how the text before it reads.
    /// - Complexity: O(n) to find the lines, plus one cmark parse of the bytes from that segment on.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, resuming resumeSegment: Int, of previous: Result) -> Result {
        let first = previous.segments[resumeSegment]
        var parser = FileParser(bytes: bytes, lines: lineTable(bytes), frontMatterLines: 0, lineOffset: first.line - 1)
        parser.resumed = true
        parser.segmentStart = first.byteRange.lowerBound
        let keptEntries = previous.segments[..<resumeSegment].last(where: { $0.entryIndex != nil })?.entryIndex.map { $0 + 1 } ?? 0
        parser.result.segments = Array(previous.segments[..<resumeSegment])
        parser.result.entries = Array(previous.entries[..<keptEntries])
        parser.result.problems = previous.problems.filter { $0.line < first.line }
        parser.result.indexOfID = previous.indexOfID.filter { $0.value < keptEntries }
        return parser.run(from: first.byteRange.lowerBound)
    }

    private init(bytes: UnsafeBufferPointer<UInt8>, lines: LineTable, frontMatterLines: Int, lineOffset: Int? = nil) {
        self.bytes = bytes
        self.lines = lines
        self.lineOffset = lineOffset ?? frontMatterLines
        self.frontMatterLines = frontMatterLines
    }

    /// Lines of YAML front matter: a first line `---` and a closing `---` or `...` line,
    /// with no dated entry heading between them (then the first `---` was a rule).
    private static func frontMatterLineCount(_ bytes: UnsafeBufferPointer<UInt8>, _ lines: LineTable) -> Int {
        func content(_ line: Int) -> ArraySlice<UInt8> {
            ArraySlice(UnsafeBufferPointer(rebasing: bytes[lines.start(ofLine: line)..<lines.contentEnd(ofLine: line)]))
        }
        func lineIs(_ line: Int, _ marker: String) -> Bool {
            var text = content(line)
            while let last = text.last, last.isBlank { text = text.dropLast() }
            return marker.utf8.elementsEqual(text)
        }
        guard lines.count >= 2, lineIs(1, "---") else { return 0 }
        for line in 2...lines.count {
            if lineIs(line, "---") || lineIs(line, "...") { return line }
            if let heading = HeadingParser.atxContent(content(line), level: 2),
                case .dated = HeadingParser.parse(heading)
            {
                return 0
            }
        }
        return 0
    }

    /// The bytes of 1-based `line` without its line ending.
    private func lineBytes(_ line: Int) -> ArraySlice<UInt8> {
        ArraySlice(UnsafeBufferPointer(rebasing: bytes[lines.start(ofLine: line)..<lines.contentEnd(ofLine: line)]))
    }

    // MARK: TopBlockVisitor

    mutating func visit(_ block: TopBlock) -> Bool {
        let line = block.startLine + lineOffset
        if block.kind == .heading(level: 2), let content = HeadingParser.atxContent(lineBytes(line), level: 2) {
            finishSegment(before: line)
            pending = Pending(
                line: line, heading: HeadingParser.parse(content), slot: absentSlot(headingLine: line),
                bodyStartLine: line + 1)
            return false
        }
        guard pending != nil else { return false }  // preamble: kept, not analysed
        if !pending!.sawFirstBlock {
            pending!.sawFirstBlock = true
            if block.kind == .htmlBlock, line == pending!.line + 1, let open = commentOpening(line) {
                readMetadata(commentAt: open, line: line)
                return false
            }
        }
        switch block.kind {
        case .heading(let level) where level == 1 || level == 2:
            let style = level == 1 ? "a level-1 heading" : "a setext level-2 heading (text underlined with ---)"
            result.problems.append(
                FormatProblem(
                    kind: .otherHeadingLevel, line: line,
                    message: "\(style) inside an entry is body text; entries start with '## YYYY-MM-DD HH:MM'",
                    isError: false))
            return true
        case .ageBlock(let literal):
            if pending!.armored == nil {
                pending!.armored = literal.trimmingWhitespace().replacingCarriageReturns() + "\n"
            }
            return false
        default:
            return true
        }
    }

    mutating func task(text: String, checked: Bool, line: Int) {
        pending?.tasks.append(TaskItem(text: text, checked: checked, line: line + lineOffset))
    }

    // MARK: Metadata

    private func absentSlot(headingLine line: Int) -> MetadataSlot {
        let contentEnd = lines.contentEnd(ofLine: line)
        let next = lines.start(ofLine: line + 1)
        return .absent(insertAt: next, headingHasLineEnding: next > contentEnd)
    }

    /// Byte offset of `<!--` when `line` opens a comment (after at most three spaces).
    private func commentOpening(_ line: Int) -> Int? {
        var index = lines.start(ofLine: line)
        let end = lines.contentEnd(ofLine: line)
        var indent = 0
        while index < end, bytes[index] == .space, indent < 3 {
            index += 1
            indent += 1
        }
        guard end - index >= 4, "<!--".utf8.elementsEqual(bytes[index..<index + 4]) else { return nil }
        return index
    }

    private mutating func readMetadata(commentAt open: Int, line: Int) {
        func malformed(_ message: String, bodyStartLine: Int) {
            pending!.bodyStartLine = bodyStartLine
            pending!.slot = .settled
            result.problems.append(
                FormatProblem(kind: .malformedMetadata, line: line, message: message, isError: true))
        }
        // `<!-->` and `<!--->` are whole (empty) comments in CommonMark: an id inserted after
        // `<!--` would open a comment that swallows the body (found by the entry-file fuzz target).
        let gt = UInt8(ascii: ">"), dash = UInt8(ascii: "-")
        if open + 4 < bytes.count, bytes[open + 4] == gt || (bytes[open + 4] == dash && open + 5 < bytes.count && bytes[open + 5] == gt) {
            malformed("the metadata comment under the heading is empty (<!-->)", bodyStartLine: line + 1)
            return
        }
        guard let close = find("-->", from: open + 4) else {
            malformed("the metadata comment under the heading is not closed with -->", bodyStartLine: line + 1)
            return
        }
        let commentEnd = close + 3
        var endLine = line
        while lines.start(ofLine: endLine + 1) <= close { endLine += 1 }
        pending!.bodyStartLine = endLine + 1
        let afterComment = bytes[commentEnd..<lines.contentEnd(ofLine: endLine)]
        guard afterComment.allSatisfy(\.isBlank) else {
            malformed("text after --> on the metadata comment's line", bodyStartLine: endLine + 1)
            return
        }
        switch MetadataCodec.parse(comment: UnsafeBufferPointer(rebasing: bytes[open..<commentEnd])) {
        case .failure(let error):
            malformed("malformed metadata comment: \(error.message)", bodyStartLine: endLine + 1)
        case .success(let fields):
            if let idIndex = fields.firstIndex(where: { $0.key == "id" }) {
                pending!.id = fields[idIndex].value
                pending!.meta = fields
                pending!.meta.remove(at: idIndex)
                pending!.slot = .settled
            } else {
                pending!.meta = fields
                pending!.slot = .withoutID(insertAt: open + 4)
            }
        }
    }

    private func find(_ needle: String, from start: Int) -> Int? {
        let pattern = Array(needle.utf8)
        guard bytes.count >= pattern.count else { return nil }
        var index = start
        while index <= bytes.count - pattern.count {
            if bytes[index] == pattern[0], pattern.indices.allSatisfy({ bytes[index + $0] == pattern[$0] }) {
                return index
            }
            index += 1
        }
        return nil
    }

    // MARK: Segments

    /// Closes the preamble or the pending entry at the start of 1-based `nextLine`.
    private mutating func finishSegment(before nextLine: Int) {
        let end = lines.start(ofLine: nextLine)
        defer {
            segmentStart = end
            scanner = TagScanner()
            pending = nil
        }
        guard let entry = pending else {
            if !resumed { finishPreamble(end: end, nextLine: nextLine) }
            return
        }
        let range = segmentStart..<end
        var segment = Segment(kind: .invalidHeading, line: entry.line, endLine: nextLine - 1, byteRange: range)
        var id = entry.id
        let date: EntryDate?
        let title: String?
        switch entry.heading {
        case .dated(let headingDate, let headingTitle):
            (date, title) = (headingDate, headingTitle)
        case .idOnly(let token) where entry.armored != nil:
            (date, title) = (nil, nil)
            if let metadataID = id, metadataID != token {
                result.problems.append(
                    FormatProblem(
                        kind: .malformedMetadata, line: entry.line,
                        message: "the heading shows id \(token) but the metadata comment says \(metadataID)",
                        isError: true))
            }
            id = id ?? token
        case .invalidDate(let message):
            result.problems.append(FormatProblem(kind: .invalidDate, line: entry.line, message: message, isError: true))
            result.segments.append(segment)
            return
        case .idOnly, .noDate:
            let text = String(decoding: lineBytes(entry.line), as: UTF8.self)
            result.problems.append(
                FormatProblem(
                    kind: .headingWithoutDate, line: entry.line,
                    message: "'\(text)' has no date; entries start with '## YYYY-MM-DD HH:MM'", isError: true))
            result.segments.append(segment)
            return
        }
        if let id {
            if let first = result.indexOfID[id] {
                result.problems.append(
                    FormatProblem(
                        kind: .duplicateID, line: entry.line,
                        message: "id \(id) is also used by the entry on line \(result.entries[first].line)", isError: true))
            } else {
                result.indexOfID[id] = result.entries.count
            }
        }
        segment.kind = .entry
        segment.entryIndex = result.entries.count
        result.segments.append(segment)
        let raw = UnsafeBufferPointer(rebasing: bytes[range])
        result.entries.append(
            Entry(
                id: id, date: date, title: title, meta: entry.meta,
                body: body(from: lines.start(ofLine: min(entry.bodyStartLine, nextLine)), to: end),
                tags: scanner.tags, mentions: scanner.mentions, tasks: entry.tasks, line: entry.line,
                endLine: nextLine - 1, byteRange: range, rawText: String(decoding: raw, as: UTF8.self),
                contentHash: ContentHash.fnv1a64Hex(raw.trimmingTrailingWhitespace()),
                armoredBlock: entry.armored, metadataSlot: entry.slot))
    }

    private mutating func finishPreamble(end: Int, nextLine: Int) {
        result.segments.append(
            Segment(kind: .preamble, line: 1, endLine: nextLine - 1, byteRange: 0..<end, entryIndex: nil))
        // Text after the front matter is reported where it starts; front matter alone on line 1.
        let textStart = lines.count > 0 ? lines.start(ofLine: min(frontMatterLines + 1, nextLine)) : end
        let line: Int
        let what: String
        if let firstText = bytes[textStart..<end].firstIndex(where: { !$0.isWhitespace }) {
            (line, what) = (lines.line(containing: firstText), "text")
        } else if frontMatterLines > 0 {
            (line, what) = (1, "front matter")
        } else {
            return
        }
        let message =
            nextLine > lines.count
            ? "\(what) but no entry: entries start with '## YYYY-MM-DD HH:MM'"
            : "\(what) before the first entry (kept as is)"
        result.problems.append(
            FormatProblem(kind: .textBeforeFirstEntry, line: line, message: message, isError: false))
    }

    /// The body between `start` and `end`: leading blank lines and trailing whitespace
    /// dropped, line endings as `\n`.
    private func body(from start: Int, to end: Int) -> String {
        var lineStart = start
        var index = start
        while index < end, bytes[index].isWhitespace {
            if bytes[index] == .lineFeed || bytes[index] == .carriageReturn { lineStart = index + 1 }
            index += 1
        }
        if index == end { return "" }
        var stop = end
        while stop > lineStart, bytes[stop - 1].isWhitespace { stop -= 1 }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[lineStart..<stop]), as: UTF8.self)
        return lines.hasCarriageReturn ? text.replacingCarriageReturns() : text
    }
}

extension String {
    /// CRLF and lone CR as LF.
    func replacingCarriageReturns() -> String {
        guard utf8.contains(.carriageReturn) else { return self }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count)
        var previousWasCR = false
        for byte in utf8 {
            if byte == .carriageReturn {
                out.append(.lineFeed)
                previousWasCR = true
                continue
            }
            if !(byte == .lineFeed && previousWasCR) { out.append(byte) }
            previousWasCR = false
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension UnsafeBufferPointer<UInt8> {
    func trimmingTrailingWhitespace() -> UnsafeBufferPointer<UInt8> {
        var end = count
        while end > 0, self[end - 1].isWhitespace { end -= 1 }
        return UnsafeBufferPointer(rebasing: self[0..<end])
    }
}

/// FNV-1a 64: a fast, stable, non-cryptographic fingerprint for change detection.
enum ContentHash {
    static func fnv1a64Hex(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
