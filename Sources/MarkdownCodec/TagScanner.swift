/// Finds `#tags` and `@mentions` in the plain text of one block.
///
/// The caller feeds text-node bytes and a separator byte (0) wherever markup that is
/// not text interrupts (code spans, links, inline HTML), so a tag never spans markup.
struct TagScanner {
    private(set) var tags: [String] = []
    private(set) var mentions: [String] = []
    /// The names already in `tags` and `mentions`: deduplication stays linear however many there are.
    private var seenTags: Set<String> = []
    private var seenMentions: Set<String> = []
    /// Text of the current block; reused between blocks.
    var buffer: [UInt8] = []

    static let separator: UInt8 = 0

    /// Scans the buffered text and empties the buffer.
    mutating func flush() {
        guard !buffer.isEmpty else { return }
        defer { buffer.removeAll(keepingCapacity: true) }
        var found: [(isTag: Bool, name: String)] = []
        buffer.withUnsafeBufferPointer { text in
            var index = 0
            while index < text.count {
                let byte = text[index]
                if byte == .hash || byte == .at {
                    let isTag = byte == .hash
                    if Self.mayStart(text, at: index, isTag: isTag),
                        let (name, end) = Self.name(text, from: index + 1, isTag: isTag)
                    {
                        found.append((isTag, name))
                        index = end
                        continue
                    }
                }
                index += 1
            }
        }
        // Sets, not `contains` on the arrays: 200,000 distinct tags made that quadratic.
        for (isTag, name) in found {
            if isTag {
                if seenTags.insert(name).inserted { tags.append(name) }
            } else if seenMentions.insert(name).inserted {
                mentions.append(name)
            }
        }
    }

    /// A tag or mention may start only after the start of text, a blank, or punctuation
    /// other than `#`, `@`, `/`, `\` (and, for mentions, `.`, `+`, `-`): never after a
    /// word character, so `C#`, `a#b`, `page/#frag` and `me@example.com` are not found.
    private static func mayStart(_ text: UnsafeBufferPointer<UInt8>, at index: Int, isTag: Bool) -> Bool {
        guard index > 0 else { return true }
        var start = index - 1
        while start > 0, text[start] & 0xC0 == 0x80 { start -= 1 }
        let previous = decode(text, at: start).scalar
        switch previous {
        case "#", "@", "/", "\\": return false
        case ".", "+", "-": return isTag
        default: return !isWordScalar(previous)
        }
    }

    /// The name after `#`/`@`: tags start with a letter and go on with letters, digits,
    /// `_`, `-`, `/` (trailing `-` and `/` dropped); mentions start with a letter, digit
    /// or `_` and go on with those, `-` and `.` (trailing `.` dropped).
    private static func name(_ text: UnsafeBufferPointer<UInt8>, from start: Int, isTag: Bool) -> (String, Int)? {
        guard start < text.count else { return nil }
        let first = decode(text, at: start).scalar
        guard isTag ? isLetter(first) : isWordScalar(first) else { return nil }
        var end = start
        var lastKept = start
        while end < text.count {
            let (scalar, length) = decode(text, at: end)
            let allowed: Bool
            let trailingDropped: Bool
            switch scalar {
            case "_": (allowed, trailingDropped) = (true, false)
            case "-": (allowed, trailingDropped) = (true, isTag)
            case "/": (allowed, trailingDropped) = (isTag, true)
            case ".": (allowed, trailingDropped) = (!isTag, true)
            default: (allowed, trailingDropped) = (isWordScalar(scalar) || isMark(scalar), false)
            }
            guard allowed else { break }
            end += length
            if !trailingDropped { lastKept = end }
        }
        guard lastKept > start else { return nil }
        return (String(decoding: UnsafeBufferPointer(rebasing: text[start..<lastKept]), as: UTF8.self), end)
    }

    private static func decode(_ text: UnsafeBufferPointer<UInt8>, at index: Int) -> (scalar: Unicode.Scalar, length: Int) {
        let lead = text[index]
        if lead < 0x80 { return (Unicode.Scalar(lead), 1) }
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
        guard index + length <= text.count else { return ("\u{FFFD}", 1) }
        var value = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        for offset in 1..<length { value = value << 6 | UInt32(text[index + offset] & 0x3F) }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", length)
    }

    private static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII ? UInt8(scalar.value).isASCIILetter : scalar.properties.isAlphabetic
    }

    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let byte = UInt8(scalar.value)
            return byte.isASCIIAlphanumeric || byte == .underscore
        }
        return scalar.properties.isAlphabetic || scalar.properties.numericType == .decimal
    }

    private static func isMark(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }
}
