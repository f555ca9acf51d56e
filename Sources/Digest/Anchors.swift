import Foundation

/// Heading anchors as GitHub renders them, so links work on GitHub, in Obsidian and in editors.
public enum HeadingAnchors {
    /// The slug of one heading's text: lowercased, spaces to `-`, punctuation other than `-` and `_` dropped.
    public static func slug(_ heading: String) -> String {
        var result = ""
        for character in heading.lowercased() {
            if character == " " {
                result.append("-")
            } else if character == "-" || character == "_" || character.isLetter || character.isNumber {
                result.append(character)
            }
        }
        return result
    }

    /// The anchor of every ATX heading of a Markdown file, by 1-based line number; repeated slugs get
    /// `-1`, `-2` in file order. Headings inside fenced code blocks are skipped.
    /// - Complexity: O(n) in the file's length; works on UTF-8 bytes, building strings only for headings.
    public static func anchors(of text: String) -> [Int: String] {
        var result: [Int: String] = [:]
        var seen: [String: Int] = [:]
        var fence: UInt8?
        let bytes = Array(text.utf8)
        var lineStart = 0, lineNumber = 0
        while lineStart <= bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != 10 { lineEnd += 1 }
            lineNumber += 1
            defer { lineStart = lineEnd + 1 }
            var end = lineEnd
            if end > lineStart && bytes[end - 1] == 13 { end -= 1 }
            var i = lineStart
            while i < end && i - lineStart < 3 && bytes[i] == 32 { i += 1 }
            // Fences: three backticks or tildes open; the same three close (as cmark, simplified).
            let isFence = i + 3 <= end && (bytes[i] == 96 || bytes[i] == 126) && bytes[i + 1] == bytes[i] && bytes[i + 2] == bytes[i]
            if let open = fence {
                if isFence && bytes[i] == open { fence = nil }
                continue
            }
            if isFence {
                fence = bytes[i]
                continue
            }
            var hashes = 0
            while i + hashes < end && bytes[i + hashes] == 35 { hashes += 1 }
            guard (1...6).contains(hashes) else { continue }
            var from = i + hashes
            guard from == end || bytes[from] == 32 || bytes[from] == 9 else { continue }
            while from < end && (bytes[from] == 32 || bytes[from] == 9) { from += 1 }
            var to = end
            while to > from && (bytes[to - 1] == 32 || bytes[to - 1] == 9) { to -= 1 }
            // A closing sequence of #s (alone, or after a space) is not part of the heading.
            var closing = to
            while closing > from && bytes[closing - 1] == 35 { closing -= 1 }
            if closing < to && (closing == from || bytes[closing - 1] == 32 || bytes[closing - 1] == 9) {
                to = closing
                while to > from && (bytes[to - 1] == 32 || bytes[to - 1] == 9) { to -= 1 }
            }
            let base = slug(bytes[from..<to])
            var anchor = base
            if let count = seen[base] {
                anchor = "\(base)-\(count)"
                seen[base] = count + 1
            } else {
                seen[base] = 1
            }
            result[lineNumber] = anchor
        }
        return result
    }

    /// `slug(_:)` of UTF-8 heading bytes: ASCII bytes directly, each run of non-ASCII bytes (with
    /// the ASCII byte before it, which a combining mark may belong to) through `slug(_:)` of its string.
    static func slug(_ bytes: ArraySlice<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let byte = bytes[i]
            if byte >= 128 || (i + 1 < bytes.endIndex && bytes[i + 1] >= 128) {
                var end = i + 1
                while end < bytes.endIndex && bytes[end] >= 128 { end += 1 }
                out += Array(slug(String(decoding: bytes[i..<end], as: UTF8.self)).utf8)
                i = end
                continue
            }
            switch byte {
            case 65...90: out.append(byte + 32)
            case 97...122, 48...57, 45, 95: out.append(byte)
            case 32: out.append(45)
            default: break
            }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The relative path from the folder of `from` to `to`, both relative to the same root.
    public static func relativePath(from: String, to: String) -> String {
        let fromDir = from.split(separator: "/").dropLast()
        let target = to.split(separator: "/")
        var common = 0
        while common < fromDir.count, common < target.count - 1, fromDir[fromDir.startIndex + common] == target[common] {
            common += 1
        }
        let ups = Array(repeating: "..", count: fromDir.count - common)
        return (ups + target[common...].map(String.init)).joined(separator: "/")
    }
}
