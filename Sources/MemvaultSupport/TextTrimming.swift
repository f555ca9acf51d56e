extension String {
    /// The text without leading and trailing white space and line ends, as Foundation's
    /// `trimmingCharacters(in: .whitespacesAndNewlines)` trims them (Unicode's space, line and
    /// paragraph separators, tab, U+000A to U+000D, U+0085, U+200B), but looking only at the two ends:
    /// Foundation converts the whole text to UTF-16 first, which for a long text (an imported
    /// conversation) costs more than everything else done with it.
    /// - Complexity: O(the white space trimmed), plus one copy of what is kept.
    public func trimmingWhitespaceAndNewlines() -> String {
        self[...].trimmingWhitespaceAndNewlines()
    }
}

extension Substring {
    /// `String.trimmingWhitespaceAndNewlines()` of a part of a text.
    public func trimmingWhitespaceAndNewlines() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.isWhitespaceOrNewline }),
            let last = scalars.lastIndex(where: { !$0.isWhitespaceOrNewline })
        else { return "" }
        return String(scalars[first...last])
    }
}

extension Unicode.Scalar {
    /// Whether Foundation's `CharacterSet.whitespacesAndNewlines` holds this scalar.
    var isWhitespaceOrNewline: Bool {
        switch value {
        // U+200B (zero width space) too: Foundation's set still counts it, as Unicode once did.
        case 0x20, 0x09...0x0D, 0x85, 0x200B: return true
        case 0..<0x80: return false
        default:
            switch properties.generalCategory {
            case .spaceSeparator, .lineSeparator, .paragraphSeparator: return true
            default: return false
            }
        }
    }
}
