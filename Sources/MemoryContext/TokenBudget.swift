/// A token count that is never below what OpenAI's `o200k_base` or `cl100k_base` encoding
/// gives for the same text, computed without their vocabularies.
///
/// Both encodings first cut text into pieces with a regular expression, and no token crosses a
/// piece; every token is at least one byte. So a piece never costs more tokens than its UTF-8
/// bytes. Two kinds of piece are known to be cheaper and are counted as such:
/// - an ASCII word, alone at the start of a line or after a space, that is one token in both
///   encodings (the list in SingleTokenWords.swift, generated from them by
///   `scripts/gen-token-words`): one token;
/// - a run of ASCII digits, which both encodings cut into groups of up to three, each one
///   token: one per group.
/// Everything else counts one token per byte. English prose comes out at about 1.5 times the
/// real count; Chinese and emoji at about 1.5 to 3 times. Safe for any text, random or not.
public enum TokenBudget {
    /// The conservative token count of `text`.
    /// - Complexity: O(n) in the text's Unicode scalars.
    public static func count(_ text: String) -> Int {
        let scalars = Array(text.unicodeScalars)
        // Read once per call: each access to a global goes through its lazy initialization check.
        let spaced = SingleTokenWordSet.spaced
        let bare = SingleTokenWordSet.bare
        var total = 0
        var i = 0
        while i < scalars.count {
            let scalar = scalars[i]
            if isASCIIDigit(scalar) {
                var end = i
                while end < scalars.count && isASCIIDigit(scalars[end]) { end += 1 }
                let bounded = (i == 0 || !isNumber(scalars[i - 1])) && (end == scalars.count || !isNumber(scalars[end]))
                total += bounded ? (end - i + 2) / 3 : end - i
                i = end
                continue
            }
            if let (end, cost) = word(at: i, in: scalars, spaced: spaced, bare: bare) {
                total += cost
                i = end
                continue
            }
            total += scalar.utf8.count
            i += 1
        }
        return total
    }

    /// An ASCII word starting at `start` (after an optional space) whose piece is the same in
    /// both encodings, with its cost: one when it is a single token in both, else its bytes.
    private static func word(
        at start: Int, in scalars: [Unicode.Scalar], spaced spacedWords: Set<String>, bare bareWords: Set<String>
    ) -> (end: Int, cost: Int)? {
        var letters = start
        let spaced = scalars[start] == " "
        if spaced {
            letters += 1
        } else {
            // Without a space the word's piece may take the character before it (a bracket, a
            // tab) as its first: only at the start of a line or after a digit is it alone.
            if start > 0 && !(scalars[start - 1] == "\n" || scalars[start - 1] == "\r" || isASCIIDigit(scalars[start - 1])) {
                return nil
            }
        }
        var end = letters
        while end < scalars.count && isASCIILetter(scalars[end]) { end += 1 }
        guard end > letters else { return nil }
        // A letter, a combining mark or an apostrophe after the word would join its piece.
        if end < scalars.count {
            let next = scalars[end]
            if next == "'" || isLetterOrMark(next) { return nil }
        }
        let word = String(String.UnicodeScalarView(scalars[letters..<end]))
        let known = spaced ? spacedWords.contains(word) : bareWords.contains(word)
        return (end, known ? 1 : end - start)
    }

    private static func isASCIIDigit(_ scalar: Unicode.Scalar) -> Bool { scalar.value >= 48 && scalar.value <= 57 }

    private static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value >= 65 && scalar.value <= 90) || (scalar.value >= 97 && scalar.value <= 122)
    }

    /// `\p{N}`: digits of any script, letter numbers (Ⅻ) and other numbers (², ½).
    private static func isNumber(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return isASCIIDigit(scalar) }
        switch scalar.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    /// `\p{L}` or `\p{M}`.
    private static func isLetterOrMark(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return isASCIILetter(scalar) }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .nonspacingMark, .spacingMark, .enclosingMark:
            return true
        default: return false
        }
    }
}

/// The generated word lists as sets, built once.
enum SingleTokenWordSet {
    static let spaced: Set<String> = Set(SingleTokenWords.spacedText.split(whereSeparator: \.isWhitespace).map(String.init))
    static let bare: Set<String> = Set(SingleTokenWords.bareText.split(whereSeparator: \.isWhitespace).map(String.init))
}
