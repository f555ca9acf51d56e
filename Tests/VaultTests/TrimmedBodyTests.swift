import Foundation
import Testing
@testable import Vault

@Suite("An entry's body: blank ends trimmed, the first line's indentation kept")
struct TrimmedBodyTests {
    /// The earlier implementation (a reversed copy of the whole text), kept as the reference.
    static func reference(_ text: String) -> String {
        let trailing = String(text.reversed().drop { $0.isWhitespace || $0.isNewline }.reversed())
        guard let firstVisible = trailing.firstIndex(where: { !$0.isWhitespace && !$0.isNewline }) else { return "" }
        let lineStart = trailing[..<firstVisible].lastIndex(where: \.isNewline).map { trailing.index(after: $0) } ?? trailing.startIndex
        return String(trailing[lineStart...])
    }

    @Test("trimmedBody gives what the reference gives, on texts with every kind of blank end")
    func sameAsReference() {
        let pieces = ["", " ", "\n", "\r\n", "\t", "\u{85}", "\u{A0}", "\u{2028}", "\u{3000}", "\u{200B}", "\u{301}", "a", "  b", "e\u{301}", "🙂", "\n    code"]
        var state: UInt64 = 42
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        for _ in 0..<5_000 {
            let text = (0..<(next() % 9)).map { _ in pieces[next() % pieces.count] }.joined()
            #expect(Vault.trimmedBody(text) == Self.reference(text), "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
        }
        #expect(Vault.trimmedBody("\n\n    indented first line\nsecond\n\n") == "    indented first line\nsecond")
    }
}
