import Testing

@testable import MarkdownCodec

@Suite("A rendered block: from the first non-blank line to the last visible character")
struct TrimmedBlockTests {
    /// The earlier implementation (split into lines, joined again), kept as the reference.
    static func reference(_ text: String) -> String {
        let lines = text.replacingCarriageReturns().split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = lines.firstIndex(where: { !$0.allSatisfy(\.isWhitespace) }) else { return "" }
        var text = lines[first...].joined(separator: "\n")
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }

    @Test("trimmedBlock gives what the reference gives, on texts with every kind of blank end")
    func sameAsReference() {
        let pieces = ["", " ", "\n", "\r\n", "\r", "\t", "\u{85}", "\u{A0}", "\u{2028}", "\u{3000}", "\u{200B}", "\u{301}", "a", "  b", "e\u{301}", "🙂", "\n    code"]
        var state: UInt64 = 7
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        for _ in 0..<5_000 {
            let text = (0..<(next() % 9)).map { _ in pieces[next() % pieces.count] }.joined()
            #expect(text.trimmedBlock() == Self.reference(text), "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
        }
        #expect("\r\n\r\n  first\r\nsecond \r\n".trimmedBlock() == "  first\nsecond")
    }
}
