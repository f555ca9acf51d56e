/// What an entry heading's text says.
enum ParsedHeading: Equatable {
    /// A date (and time) with an optional title.
    case dated(EntryDate, title: String?)
    /// A single id-like token: the ultrasecret form, valid only over an age block.
    case idOnly(String)
    /// Starts like a date but names no real date or time.
    case invalidDate(String)
    /// No date at all.
    case noDate
}

/// Reads entry headings from raw line bytes (never from cmark's inline text, so
/// titles keep their exact spelling).
enum HeadingParser {
    /// The content of an ATX heading line (`##` plus text) of `level`, without the
    /// opening and optional closing sequence and surrounding blanks; nil when the line
    /// is not such a heading.
    static func atxContent(_ line: ArraySlice<UInt8>, level: Int) -> ArraySlice<UInt8>? {
        var index = line.startIndex
        var indent = 0
        while index < line.endIndex, line[index] == .space, indent < 3 {
            index += 1
            indent += 1
        }
        var hashes = 0
        while index < line.endIndex, line[index] == .hash {
            index += 1
            hashes += 1
        }
        guard hashes == level else { return nil }
        if index < line.endIndex, !line[index].isBlank { return nil }
        var end = line.endIndex
        while end > index, line[end - 1].isBlank { end -= 1 }
        // Strip one closing sequence: a run of '#' preceded by a blank (or alone).
        var closing = end
        while closing > index, line[closing - 1] == .hash { closing -= 1 }
        if closing < end, closing == index || line[closing - 1].isBlank {
            end = closing
            while end > index, line[end - 1].isBlank { end -= 1 }
        }
        while index < end, line[index].isBlank { index += 1 }
        return line[index..<end]
    }

    /// Parses heading content (as returned by `atxContent`).
    static func parse(_ content: ArraySlice<UInt8>) -> ParsedHeading {
        var cursor = content.startIndex
        let end = content.endIndex
        func digits(_ count: Int) -> Int? {
            guard end - cursor >= count else { return nil }
            var value = 0
            for i in cursor..<cursor + count {
                guard content[i].isDigit else { return nil }
                value = value * 10 + Int(content[i] - .zero)
            }
            cursor += count
            return value
        }
        func take(_ byte: UInt8) -> Bool {
            guard cursor < end, content[cursor] == byte else { return false }
            cursor += 1
            return true
        }
        func atBoundary(_ position: Int) -> Bool { position == end || content[position].isBlank }

        guard let year = digits(4), take(.minus), let month = digits(2), take(.minus), let day = digits(2),
            cursor == end || content[cursor].isBlank || content[cursor] == UInt8(ascii: "T")
        else {
            return idToken(content).map { .idOnly($0) } ?? .noDate
        }
        var date = EntryDate(year: year, month: month, day: day)
        let dateText = String(decoding: content[content.startIndex..<cursor], as: UTF8.self)

        // Optional time: [ T]H:MM or HH:MM, optional :SS (ignored).
        let afterDate = cursor
        if cursor < end, content[cursor] == UInt8(ascii: "T") {
            cursor += 1
        } else {
            while cursor < end, content[cursor].isBlank { cursor += 1 }
        }
        let timeStart = cursor
        var hour: Int? = digits(2)
        if hour == nil {
            cursor = timeStart
            hour = digits(1)
        }
        if let hour, take(.colon), let minute = digits(2) {
            let beforeSeconds = cursor
            if !(take(.colon) && digits(2) != nil && atBoundaryOrOffset(content, cursor)) {
                cursor = beforeSeconds
            }
            if atBoundaryOrOffset(content, cursor) {
                date.hour = hour
                date.minute = minute
            } else {
                cursor = afterDate
            }
        } else {
            cursor = afterDate
        }
        if cursor == afterDate, afterDate < end, content[afterDate] == UInt8(ascii: "T") {
            return .noDate
        }

        // Optional offset: Z, +HH:MM or +HHMM; with or without a blank before it.
        if cursor > afterDate {
            var probe = cursor
            while probe < end, content[probe].isBlank { probe += 1 }
            if let (minutes, next) = offset(content, from: probe), atBoundary(next) {
                date.utcOffsetMinutes = minutes
                cursor = next
            }
        }
        guard date.isValid else {
            let text = String(decoding: content[content.startIndex..<cursor], as: UTF8.self)
            return .invalidDate("'\(text)' is not a valid date and time (\(dateText))")
        }
        return .dated(date, title: title(content[cursor..<end]))
    }

    /// A title after the date: strips one `:`, then one separator (`·`, `-`, `—`, `–`, `|`)
    /// followed by a blank, and the blanks around.
    private static func title(_ rest: ArraySlice<UInt8>) -> String? {
        var start = rest.startIndex
        let end = rest.endIndex
        if start < end, rest[start] == .colon { start += 1 }
        while start < end, rest[start].isBlank { start += 1 }
        for separator in separators where rest[start...].starts(with: separator) {
            let after = start + separator.count
            if after == end || rest[after].isBlank {
                start = after
                while start < end, rest[start].isBlank { start += 1 }
            }
            break
        }
        return start < end ? String(decoding: rest[start..<end], as: UTF8.self) : nil
    }

    private static let separators: [[UInt8]] = ["·", "—", "–", "-", "|"].map { Array($0.utf8) }

    private static func atBoundaryOrOffset(_ content: ArraySlice<UInt8>, _ position: Int) -> Bool {
        guard position < content.endIndex else { return true }
        let byte = content[position]
        return byte.isBlank || byte == .plus || byte == .minus || byte == UInt8(ascii: "Z") || byte == .colon
    }

    private static func offset(_ content: ArraySlice<UInt8>, from start: Int) -> (Int, Int)? {
        guard start < content.endIndex else { return nil }
        if content[start] == UInt8(ascii: "Z") { return (0, start + 1) }
        guard content[start] == .plus || content[start] == .minus else { return nil }
        let sign = content[start] == .minus ? -1 : 1
        var position = start + 1
        func two() -> Int? {
            guard content.endIndex - position >= 2, content[position].isDigit, content[position + 1].isDigit
            else { return nil }
            defer { position += 2 }
            return Int(content[position] - .zero) * 10 + Int(content[position + 1] - .zero)
        }
        guard let hours = two() else { return nil }
        if position < content.endIndex, content[position] == .colon { position += 1 }
        guard let minutes = two(), minutes < 60 else { return nil }
        return (sign * (hours * 60 + minutes), position)
    }

    /// The heading as an id: one token of ASCII letters, digits, `_` or `-`.
    private static func idToken(_ content: ArraySlice<UInt8>) -> String? {
        guard !content.isEmpty,
            content.allSatisfy({ $0.isASCIIAlphanumeric || $0 == .underscore || $0 == .minus })
        else { return nil }
        return String(decoding: content, as: UTF8.self)
    }
}

extension UInt8 {
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let lineFeed = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let hash = UInt8(ascii: "#")
    static let at = UInt8(ascii: "@")
    static let minus = UInt8(ascii: "-")
    static let plus = UInt8(ascii: "+")
    static let colon = UInt8(ascii: ":")
    static let zero = UInt8(ascii: "0")
    static let underscore = UInt8(ascii: "_")
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")

    var isBlank: Bool { self == .space || self == .tab }
    var isWhitespace: Bool { self == .space || self == .tab || self == .lineFeed || self == .carriageReturn }
    /// JSON and HTML whitespace, plus vertical tab and form feed.
    var isASCIIWhitespace: Bool { isWhitespace || self == 0x0B || self == 0x0C }
    var isDigit: Bool { self >= .zero && self <= UInt8(ascii: "9") }
    var isASCIILetter: Bool { (self | 0x20) >= UInt8(ascii: "a") && (self | 0x20) <= UInt8(ascii: "z") }
    var isASCIIAlphanumeric: Bool { isDigit || isASCIILetter }
}
