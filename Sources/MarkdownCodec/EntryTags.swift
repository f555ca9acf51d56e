/// Changes which `#tags` an entry's body carries, touching as little of the text as it can.
///
/// A tag to remove loses its `#` where it is a word of a sentence ("at the #museum today"
/// becomes "at the museum today"); where it stands apart, with only blanks and other tags after
/// it on its line and a line start, punctuation or another tag before it ("... with Maria.
/// #friends", "#friends #work"), it is removed whole, and a line left empty goes with it. A tag to add joins a last line that holds only tags, else goes on a line of
/// its own after a blank line.
///
/// Which `#name` occurrences are tags is decided by the parser itself (cmark-gfm and the tag
/// scanner): one in code, in a link or in a comment is left alone. The result is parsed again,
/// and nil is returned unless its tags are exactly the ones asked for.
public enum EntryTags {
    /// The tags of a body, in first-seen order.
    public static func tags(of body: String) -> [String] {
        EntryFile.parse("## 2000-01-01 00:00\n\n" + body + "\n").entries.first?.tags ?? []
    }

    /// `body` with exactly `wanted` as its tags (names without `#`, valid tag names), or nil
    /// when the text cannot be changed that way.
    /// - Complexity: one parse of the body per occurrence of a tag to remove, and two more.
    public static func setting(_ wanted: [String], in body: String) -> String? {
        var seen = Set<String>()
        let target = wanted.filter { seen.insert($0).inserted }
        let remove = Set(tags(of: body)).subtracting(target)
        var text = Array(body.utf8)
        var occurrences: [Range<Int>] = []
        for name in remove { occurrences += tagOccurrences(of: name, in: text) }
        // From the end, so that each edit leaves the earlier offsets valid.
        for occurrence in occurrences.sorted(by: { $0.lowerBound > $1.lowerBound }) {
            text = removing(occurrence, from: text)
        }
        let present = Set(tags(of: String(decoding: text, as: UTF8.self)))
        let missing = target.filter { !present.contains($0) }
        if !missing.isEmpty {
            while let last = text.last, isBlank(last) || last == newline { text.removeLast() }
            let lastLineStart = (text.lastIndex(of: newline).map { $0 + 1 }) ?? 0
            let addition = Array(missing.map { "#" + $0 }.joined(separator: " ").utf8)
            if text.isEmpty {
                text = addition
            } else if isTagLine(text[lastLineStart...]) {
                text += [UInt8(ascii: " ")] + addition
            } else {
                text += [newline, newline] + addition
            }
        }
        while let last = text.last, isBlank(last) || last == newline { text.removeLast() }
        let result = String(decoding: text, as: UTF8.self)
        guard Set(tags(of: result)) == Set(target) else { return nil }
        return result
    }

    private static let newline = UInt8(ascii: "\n")
    private static let hash = UInt8(ascii: "#")

    private static func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

    /// The byte ranges of `#name` that the parser reads as the tag `name`.
    static func tagOccurrences(of name: String, in text: [UInt8]) -> [Range<Int>] {
        let needle = [hash] + Array(name.utf8)
        let probe = Array("mvtagprobeq".utf8)
        var found: [Range<Int>] = []
        var index = 0
        while index + needle.count <= text.count {
            guard text[index] == hash, text[index..<(index + needle.count)].elementsEqual(needle) else {
                index += 1
                continue
            }
            // A name found nowhere else in its place: when the parser reads that tag, this
            // occurrence is a tag (not code, not part of a longer name, not inside a link).
            let end = index + needle.count
            let probed = Array(text[...index]) + probe + Array(text[end...])
            if tags(of: String(decoding: probed, as: UTF8.self)).contains("mvtagprobeq") {
                found.append(index..<end)
            }
            index = end
        }
        return found
    }

    /// Removes one tag occurrence: whole where it stands apart from a sentence, else only its `#`.
    static func removing(_ occurrence: Range<Int>, from text: [UInt8]) -> [UInt8] {
        let lineEnd = text[occurrence.upperBound...].firstIndex(of: newline) ?? text.count
        let lineStart = text[..<occurrence.lowerBound].lastIndex(of: newline).map { $0 + 1 } ?? 0
        let rest = text[occurrence.upperBound..<lineEnd]
        let before = text[lineStart..<occurrence.lowerBound]
        // Whole when it ends its line and stands apart from a sentence: first on the line, after
        // punctuation, or after another tag. Else it is a word of the sentence and keeps it.
        let previousWord = before.split(whereSeparator: isBlank).last
        let apart = previousWord.map { word in word.first == hash || ".!?:;,)".utf8.contains(word.last!) } ?? true
        guard apart && (rest.allSatisfy(isBlank) || isTagLine(rest)) else {
            var result = text
            result.remove(at: occurrence.lowerBound)
            return result
        }
        var start = occurrence.lowerBound
        while start > 0, isBlank(text[start - 1]) { start -= 1 }
        var end = occurrence.upperBound
        if start == 0 || text[start - 1] == newline {
            // First on its line: the blanks after it go with it.
            while end < lineEnd, isBlank(text[end]) { end += 1 }
            if end == lineEnd {
                // The line is left empty: it goes, with its line ending.
                if lineEnd < text.count {
                    end += 1
                } else if start > 0 {
                    start -= 1
                }
                // Where that leaves two blank lines in a row (or a blank line at the end), one goes.
                let previousBlank = start >= 2 && text[start - 1] == newline && text[start - 2] == newline
                let nextBlank = end >= text.count || text[end] == newline
                if previousBlank && nextBlank { start -= 1 }
            }
        }
        return Array(text[..<start]) + Array(text[end...])
    }

    /// Whether a line holds only `#name` words (at least one).
    static func isTagLine(_ line: ArraySlice<UInt8>) -> Bool {
        let words = line.split(whereSeparator: isBlank)
        return !words.isEmpty && words.allSatisfy { $0.count > 1 && $0.first == hash && $0.dropFirst().first != hash }
    }
}
