import Foundation

/// A memory's Markdown body as one line of prose for the digest: list and task markers,
/// quote and heading marks, emphasis, code ticks, HTML comments and link targets removed;
/// list items and paragraphs joined into sentences. The result reads well as plain text and
/// renders as the same text, because only what Markdown would otherwise take as markup is escaped.
enum Prose {
    /// The prose of `markdown`, whole.
    static func of(_ markdown: String) -> String {
        var pieces: [String] = []
        var inFence = false
        for rawLine in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("```") || line.hasPrefix("~~~") {
                inFence.toggle()
                continue
            }
            if line.isEmpty || line.hasPrefix("<!--") { continue }
            if !inFence {
                line = stripBlockMarkers(line)
                // A table's separator row says nothing; its cells read as a list.
                if line.hasPrefix("|") {
                    let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                    if cells.allSatisfy({ $0.allSatisfy { "-: ".contains($0) } }) { continue }
                    line = cells.joined(separator: ", ")
                }
                line = stripInline(line)
            }
            line = line.trimmingCharacters(in: .whitespaces)
            if !line.isEmpty { pieces.append(line) }
        }
        var result = ""
        // Runs of spaces left where markup was removed become one.
        pieces = pieces.map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        for piece in pieces {
            if result.isEmpty {
                result = piece
            } else if let last = result.last, ".!?".contains(last) {
                // A new sentence (a list item after a sentence starts with a capital).
                result += " " + piece.prefix(1).uppercased() + piece.dropFirst()
            } else if let last = result.last, ":;…".contains(last) {
                result += " " + piece
            } else {
                result += "; " + piece
            }
        }
        return result
    }

    /// Removes a line's quote, heading, list and task markers (nested ones too).
    static func stripBlockMarkers(_ line: String) -> String {
        var text = Substring(line)
        var changed = true
        while changed {
            changed = false
            let trimmed = text.drop { $0 == " " }
            if trimmed.hasPrefix(">") {
                text = trimmed.dropFirst()
                changed = true
                continue
            }
            if trimmed.hasPrefix("#") {
                let hashes = trimmed.prefix { $0 == "#" }
                if hashes.count <= 6, trimmed.dropFirst(hashes.count).first == " " {
                    text = trimmed.dropFirst(hashes.count + 1)
                    changed = true
                    continue
                }
            }
            for marker in ["- ", "* ", "+ "] where trimmed.hasPrefix(marker) {
                text = trimmed.dropFirst(2)
                changed = true
            }
            if changed { continue }
            let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
            if !digits.isEmpty, digits.count <= 9 {
                let rest = trimmed.dropFirst(digits.count)
                if rest.hasPrefix(". ") || rest.hasPrefix(") ") {
                    text = rest.dropFirst(2)
                    changed = true
                    continue
                }
            }
            for box in ["[ ] ", "[x] ", "[X] "] where trimmed.hasPrefix(box) {
                text = trimmed.dropFirst(4)
                changed = true
            }
        }
        return String(text)
    }

    /// Removes inline markup: links and images keep their text, emphasis and code lose their marks.
    static func stripInline(_ line: String) -> String {
        let characters = Array(line)
        var output: [Character] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            // ![alt](target) and [text](target): the text.
            if character == "[" || (character == "!" && index + 1 < characters.count && characters[index + 1] == "[") {
                let open = character == "[" ? index : index + 1
                if let close = matching(characters, from: open, open: "[", close: "]"),
                    close + 1 < characters.count, characters[close + 1] == "(",
                    let end = matching(characters, from: close + 1, open: "(", close: ")")
                {
                    output += stripInline(String(characters[(open + 1)..<close]))
                    index = end + 1
                    continue
                }
            }
            // <https://...> autolinks keep the address; other HTML tags go.
            if character == "<", let end = characters[index...].firstIndex(of: ">") {
                let inner = String(characters[(index + 1)..<end])
                if inner.hasPrefix("http://") || inner.hasPrefix("https://") || inner.hasPrefix("mailto:") {
                    output += inner
                } else if inner.first.map({ $0.isLetter || $0 == "/" || $0 == "!" }) ?? false {
                    // a tag or a comment: dropped
                } else {
                    output.append(character)
                    index += 1
                    continue
                }
                index = end + 1
                continue
            }
            if character == "`" {
                index += 1
                continue
            }
            // Emphasis marks: a run of * or _ (or ~~) next to a word character.
            if character == "*" || character == "_" || character == "~" {
                var run = index
                while run < characters.count, characters[run] == character { run += 1 }
                let before = index > 0 ? characters[index - 1] : " "
                let after = run < characters.count ? characters[run] : " "
                let isMark = character == "~" ? run - index == 2 : !(before.isLetter || before.isNumber) || !(after.isLetter || after.isNumber)
                let intraword = character == "_" && (before.isLetter || before.isNumber) && (after.isLetter || after.isNumber)
                if isMark && !intraword && !(before == " " && after == " ") {
                    index = run
                    continue
                }
                output += characters[index..<run]
                index = run
                continue
            }
            if character == "\\", index + 1 < characters.count, characters[index + 1].isPunctuation || characters[index + 1].isSymbol {
                output.append(characters[index + 1])
                index += 2
                continue
            }
            output.append(character)
            index += 1
        }
        return String(output)
    }

    private static func matching(_ characters: [Character], from start: Int, open: Character, close: Character) -> Int? {
        var depth = 0
        var index = start
        while index < characters.count {
            if characters[index] == open { depth += 1 }
            if characters[index] == close {
                depth -= 1
                if depth == 0 { return index }
            }
            index += 1
        }
        return nil
    }

    /// The first words of `prose`, at most `limit` characters, cut at a word, with "…" when cut.
    static func firstWords(_ prose: String, limit: Int) -> String {
        Snippet.make(prose, limit: limit)
    }

    /// `prose` without `label` at its start, nil when nothing is left to say: a title-less
    /// memory's label is its first words, so the snippet goes on from there; a title is left
    /// out only where the text repeats it as a lead-in ("Books: returned three..."), not where
    /// it is part of a sentence.
    static func remainder(_ prose: String, after label: String, isTitle: Bool) -> String? {
        let bare = label.hasSuffix("…") ? String(label.dropLast()) : label
        guard !bare.isEmpty, prose.lowercased().hasPrefix(bare.lowercased()) else { return prose.isEmpty ? nil : prose }
        let after = prose.dropFirst(bare.count)
        if isTitle, let next = after.first, !".:;,!?—–-".contains(next) { return prose }
        let rest = after.drop { $0 == " " || ".:;,!?—–-".contains($0) }
        if rest.isEmpty { return nil }
        return (label.hasSuffix("…") ? "…" : "") + String(rest)
    }

    /// Escapes only what Markdown would take as markup in a line of prose: backslashes, code
    /// ticks, emphasis marks at a word's edge, `<` before a letter, and brackets that would
    /// form a link. Ordinary text keeps its exact characters, so the plain text reads clean.
    static func escape(_ text: String) -> String {
        let characters = Array(text)
        var result = ""
        for (index, character) in characters.enumerated() {
            let before = index > 0 ? characters[index - 1] : " "
            let after = index + 1 < characters.count ? characters[index + 1] : " "
            var needsEscape = false
            switch character {
            case "\\", "`":
                needsEscape = true
            case "*", "_":
                let intraword = (before.isLetter || before.isNumber) && (after.isLetter || after.isNumber)
                needsEscape = !(before == " " && after == " ") && !(character == "_" && intraword)
            case "<":
                needsEscape = after.isLetter || after == "/" || after == "!"
            case "[":
                // Only a bracket that closes into a link or reference: "[x](" or "[x][".
                if let close = characters[index...].firstIndex(of: "]"), close + 1 < characters.count,
                    characters[close + 1] == "(" || characters[close + 1] == "["
                {
                    needsEscape = true
                }
            default:
                break
            }
            if needsEscape { result.append("\\") }
            result.append(character)
        }
        return result
    }
}
