import Foundation
import MemvaultSupport
import Testing

/// Texts whose ends hold every kind of white space and line end, and the characters that look
/// like it but are not (zero-width space, BOM), combining marks after a space, emoji.
enum TrimmingCorpus {
    static let pieces = [
        "", " ", "  ", "\n", "\r\n", "\r", "\t", "\u{0B}", "\u{0C}", "\u{85}", "\u{A0}", "\u{1680}", "\u{2000}", "\u{2028}",
        "\u{2029}", "\u{3000}", "\u{200B}", "\u{FEFF}", "\u{180E}", "\u{301}", "a", "word", "e\u{301}", "🙂", "## x", "-",
    ]

    /// Deterministic texts made of up to eight pieces.
    static func texts(count: Int) -> [String] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        var texts = pieces
        for _ in 0..<count {
            texts.append((0..<(next() % 8)).map { _ in pieces[next() % pieces.count] }.joined())
        }
        return texts
    }
}

@Suite("Trimming white space without Foundation's UTF-16 copy")
struct TextTrimmingTests {
    @Test("trimmingWhitespaceAndNewlines() trims what trimmingCharacters(in: .whitespacesAndNewlines) trims")
    func sameAsFoundation() {
        for text in TrimmingCorpus.texts(count: 5_000) {
            #expect(text.trimmingWhitespaceAndNewlines() == text.trimmingCharacters(in: .whitespacesAndNewlines),
                "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
        }
        let line = "  a line  " as Substring
        #expect(line.trimmingWhitespaceAndNewlines() == "a line")
    }
}
