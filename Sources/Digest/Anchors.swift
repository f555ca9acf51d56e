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
    /// - Complexity: O(n) in the file's length.
    public static func anchors(of text: String) -> [Int: String] {
        var result: [Int: String] = [:]
        var seen: [String: Int] = [:]
        var fence: Substring?
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            let trimmed = line.drop(while: { $0 == " " })
            guard line.count - trimmed.count <= 3 else { continue }
            if let open = fence {
                if trimmed.hasPrefix(open) { fence = nil }
                continue
            }
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                fence = trimmed.prefix(3)
                continue
            }
            let hashes = trimmed.prefix(while: { $0 == "#" }).count
            guard (1...6).contains(hashes) else { continue }
            let rest = trimmed.dropFirst(hashes)
            guard rest.isEmpty || rest.first == " " || rest.first == "\t" else { continue }
            var content = rest.trimmingCharacters(in: .whitespaces)
            // A closing sequence of #s is not part of the heading.
            if let closing = content.range(of: #"(^|\s)#+$"#, options: .regularExpression) {
                content = String(content[..<closing.lowerBound]).trimmingCharacters(in: .whitespaces)
            }
            let base = slug(content)
            var anchor = base
            if let count = seen[base] {
                anchor = "\(base)-\(count)"
                seen[base] = count + 1
            } else {
                seen[base] = 1
            }
            result[index + 1] = anchor
        }
        return result
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
