import Foundation
import Testing

@testable import Embedder

/// The vocabulary table against a Swift dictionary built from the same lines (the tokenizer's
/// reading before the table: the last of repeated tokens wins, trailing white space is trimmed).
@Suite("WordPiece vocabulary table")
struct VocabularyTests {
    /// The dictionary the tokenizer used to build, as the oracle.
    static func dictionary(_ lines: [String]) -> [String: Int32] {
        var result: [String: Int32] = [:]
        for (id, line) in lines.enumerated() {
            var token = line
            while let last = token.unicodeScalars.last, last.properties.isWhitespace { token.unicodeScalars.removeLast() }
            result[token] = Int32(id)
        }
        return result
    }

    @Test("repeated tokens, an empty line, CR and non-ASCII white space, with and without a final line ending")
    func edgeCases() throws {
        let lines = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "hello\r", "##ing", "", "köln", "naïve\u{00A0}", "hello", "東京", "x"]
            + (0..<500).map { "tok\($0)" }
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("vocab.txt")
        try Data(lines.joined(separator: "\n").utf8).write(to: url)
        let tokenizer = try WordPieceTokenizer(vocabularyFile: url)
        let oracle = Self.dictionary(lines)
        #expect(tokenizer.vocabularySize == oracle.count && oracle.count == lines.count - 1)
        let table = tokenizer.vocabulary
        for (token, id) in oracle { #expect(table.id(token) == id, "\(token.debugDescription)") }
        for absent in ["hell", "hello\r", "naïve\u{00A0}", "##in", "tok500", "KÖLN", " "] { #expect(table.id(absent) == nil) }
        #expect(table.id("hello") == 9 && table.id("") == 6 && table.id("naïve") == 8)

        // The table built straight from the bytes, with a final line ending this time.
        let direct = Array((lines.joined(separator: "\n") + "\n").utf8).withUnsafeBytes { Vocabulary(lines: $0) }
        #expect(direct.count == oracle.count)
        for (token, id) in oracle { #expect(direct.id(token) == id) }
    }

    @Test("every token of the model's vocabulary has its line's id")
    func modelVocabulary() throws {
        let url = Model.directory.appendingPathComponent("vocab.txt")
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let oracle = Self.dictionary(lines.last == "" ? Array(lines.dropLast()) : lines)
        let tokenizer = try WordPieceTokenizer(vocabularyFile: url)
        #expect(tokenizer.vocabularySize == oracle.count && oracle.count == BertShape.vocabulary)
        for (token, id) in oracle { #expect(tokenizer.vocabulary.id(token) == id) }
    }
}
