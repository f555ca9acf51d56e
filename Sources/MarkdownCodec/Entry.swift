/// A GFM task list item (`- [ ] ...` / `- [x] ...`) in an entry's body.
public struct TaskItem: Sendable, Hashable {
    /// The item's first paragraph as plain text (markup removed, line breaks as spaces).
    public var text: String
    public var checked: Bool
    /// 1-based line of the item in the file.
    public var line: Int

    public init(text: String, checked: Bool, line: Int) {
        self.text = text
        self.checked = checked
        self.line = line
    }
}

/// One memory: a level-2 heading with a date (or, encrypted, only an id) and
/// everything up to the next level-2 heading.
public struct Entry: Sendable {
    /// From the metadata comment (or the heading of an id-only encrypted entry); nil for
    /// hand-written entries not yet given one.
    public var id: String?
    /// Nil only for ultrasecret entries whose heading shows only the id.
    public var date: EntryDate?
    public var title: String?
    /// Every metadata field except the first `id`, in comment order (`src` included).
    public var meta: [MetaField]
    /// The metadata field `src`.
    public var src: String? { meta.first(where: { $0.key == "src" })?.value }
    /// The text after the heading and metadata comment; leading blank lines and
    /// trailing whitespace trimmed, line endings normalized to `\n`.
    public var body: String
    /// `#tags` in body text, without `#`, in first-seen order, without duplicates.
    public var tags: [String]
    /// `@mentions` in body text, without `@`, in first-seen order, without duplicates.
    public var mentions: [String]
    public var tasks: [TaskItem]
    /// 1-based line of the heading in the file.
    public var line: Int
    /// Last line (inclusive) of the entry's segment.
    public var endLine: Int
    /// The segment's bytes in the file: the heading through to before the next heading.
    public var byteRange: Range<Int>
    /// Exact bytes of the segment.
    public var rawText: String
    /// FNV-1a 64 (16 lowercase hex digits) of `rawText` with trailing whitespace trimmed.
    public var contentHash: String
    /// For encrypted entries: the armor inside the ```` ```age ```` fence, from the BEGIN
    /// line through the END line plus `\n`, line endings normalized to `\n`; else nil.
    public var armoredBlock: String?
    public var isEncrypted: Bool { armoredBlock != nil }

    /// Where the metadata comment stands, for `assignMissingIDs`.
    var metadataSlot: MetadataSlot
}

/// The state of an entry's metadata comment.
enum MetadataSlot: Sendable {
    /// No comment: an id line goes at this byte offset (after the heading line).
    case absent(insertAt: Int, headingHasLineEnding: Bool)
    /// A parsed comment without `id`: ` id: X` goes at this offset (right after `<!--`).
    case withoutID(insertAt: Int)
    /// A comment with an id, or one that does not parse (left for the user to fix).
    case settled
}

/// One piece of a file: the preamble, an entry, or a level-2 heading that is not an entry.
public struct Segment: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// Text before the first level-2 heading (front matter included); may be empty.
        case preamble
        /// An entry: `entryIndex` is its position in `EntryFile.entries`.
        case entry
        /// A level-2 heading without a valid date; kept byte for byte, reported as a problem.
        case invalidHeading
    }
    public var kind: Kind
    /// 1-based first line (for an empty preamble, 1).
    public var line: Int
    /// Last line, inclusive (`line - 1` for an empty segment).
    public var endLine: Int
    public var byteRange: Range<Int>
    public var entryIndex: Int?
}

/// Something in a file that does not follow the entry format.
public struct FormatProblem: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case textBeforeFirstEntry, headingWithoutDate, otherHeadingLevel, duplicateID, malformedMetadata,
            invalidDate
    }
    public var kind: Kind
    /// 1-based line in the file.
    public var line: Int
    public var message: String
    /// False for warnings: text before the first entry (it is kept as is) and headings
    /// of another level or setext style inside a body.
    public var isError: Bool

    public init(kind: Kind, line: Int, message: String, isError: Bool) {
        self.kind = kind
        self.line = line
        self.message = message
        self.isError = isError
    }

    public var description: String { "line \(line): \(isError ? "error" : "warning"): \(message)" }
}

/// A file that cannot be read as entries at all (invalid UTF-8).
public struct CodecError: Error, Sendable, CustomStringConvertible {
    public var line: Int
    public var message: String
    /// The file, when the caller knows it (see `withPath(_:)`).
    public var path: String?
    /// Whether the input passed one of `ParseLimits` (it was not parsed) rather than being invalid UTF-8.
    public var exceedsLimit = false

    public init(line: Int, message: String, path: String? = nil) {
        self.line = line
        self.message = message
        self.path = path
    }

    /// The same error naming `path`.
    public func withPath(_ path: String) -> CodecError {
        var error = CodecError(line: line, message: message, path: path)
        error.exceedsLimit = exceedsLimit
        return error
    }

    public var description: String { "\(path ?? "<input>"):\(line): \(message)" }
}
