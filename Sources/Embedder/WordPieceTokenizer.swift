import Foundation

/// BERT's uncased WordPiece tokenizer, as Hugging Face's `BertTokenizer` (fast) runs
/// it for all-MiniLM-L6-v2.
///
/// The steps, in the reference's order:
/// 1. Special tokens (`[CLS]`, `[SEP]`, `[PAD]`, `[UNK]`, `[MASK]`) written literally
///    in the text are kept whole.
/// 2. Cleaning: NUL, U+FFFD and every control or format character (category C*,
///    except tab, newline and carriage return) are dropped; every whitespace
///    character becomes a space.
/// 3. CJK ideographs get a space on each side, so each is its own word.
/// 4. Accents are stripped (NFD, then nonspacing marks dropped), then each
///    character is lower-cased.
/// 5. Words split at whitespace; each punctuation character (ASCII 33-47, 58-64,
///    91-96, 123-126 and Unicode P*) becomes a word of its own.
/// 6. WordPiece: greedy longest match from the left, continuations prefixed `##`; a
///    word longer than 100 characters or with an unmatched piece becomes `[UNK]`.
/// 7. `[CLS] ... [SEP]`, truncated to `maxLength` ids in all.
public struct WordPieceTokenizer: Sendable {
    /// The id of `[CLS]`, which starts every sequence.
    public let classID: Int32
    /// The id of `[SEP]`, which ends every sequence.
    public let separatorID: Int32
    /// The id of `[UNK]`, for words the vocabulary cannot spell.
    public let unknownID: Int32
    /// The number of entries in the vocabulary.
    public var vocabularySize: Int { vocabulary.count }

    let vocabulary: Vocabulary
    private let specialTokens: [(text: [Unicode.Scalar], id: Int32)]

    /// The longest word WordPiece splits; longer words become `[UNK]`.
    static let maxCharactersPerWord = 100

    /// Reads a vocabulary: one token per line, the id is the line number from 0.
    ///
    /// - Parameter vocabularyFile: `vocab.txt` of the model.
    /// - Throws: `EmbedderError` of kind `.vocabularyMissing` if the file cannot be
    ///   read, `.corrupt` if it is not UTF-8 or lacks a special token.
    /// - Complexity: O(size of the file).
    public init(vocabularyFile: URL) throws(EmbedderError) {
        let data: Data
        do {
            data = try Data(contentsOf: vocabularyFile, options: .mappedIfSafe)
        } catch {
            throw EmbedderError(
                kind: .vocabularyMissing, message: "cannot read the vocabulary", path: vocabularyFile.path,
                hint: EmbedderError.fetchHint)
        }
        if #available(macOS 15, *), String(validating: data, as: UTF8.self) == nil {
            throw .corrupt("vocabulary is not UTF-8", vocabularyFile)
        }
        let vocabulary = data.withUnsafeBytes { Vocabulary(lines: $0) }
        func required(_ token: String) throws(EmbedderError) -> Int32 {
            guard let id = vocabulary.id(token) else {
                throw .corrupt("vocabulary lacks the special token \(token)", vocabularyFile)
            }
            return id
        }
        classID = try required("[CLS]")
        separatorID = try required("[SEP]")
        unknownID = try required("[UNK]")
        specialTokens = ["[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]"].compactMap { token in
            vocabulary.id(token).map { (Array(token.unicodeScalars), $0) }
        }
        self.vocabulary = vocabulary
    }

    /// The token ids of `text`: `[CLS]`, its word pieces, `[SEP]`.
    ///
    /// - Parameters:
    ///   - text: Any string; an empty one gives `[CLS] [SEP]`.
    ///   - maxLength: The most ids returned, special tokens included (at least 2);
    ///     longer texts are cut at the end, keeping the final `[SEP]`.
    /// - Complexity: O(n·w) for n characters and words of at most w = 100 characters.
    public func encode(_ text: String, maxLength: Int = 256) -> [Int32] {
        let budget = max(maxLength, 2) - 2
        var ids: [Int32] = [classID]
        ids.reserveCapacity(min(budget, text.utf8.count) + 2)
        let scalars = Array(text.unicodeScalars)
        var segmentStart = 0
        var index = 0
        while index < scalars.count, ids.count - 1 < budget {
            if scalars[index] == "[", let special = specialToken(in: scalars, at: index) {
                appendPieces(of: scalars[segmentStart..<index], to: &ids, budget: budget)
                if ids.count - 1 < budget { ids.append(special.id) }
                index += special.length
                segmentStart = index
            } else {
                index += 1
            }
        }
        if segmentStart < scalars.count {
            appendPieces(of: scalars[segmentStart...], to: &ids, budget: budget)
        }
        ids.append(separatorID)
        return ids
    }

    private func specialToken(in scalars: [Unicode.Scalar], at index: Int) -> (id: Int32, length: Int)? {
        for (text, id) in specialTokens where scalars[index...].starts(with: text) {
            return (id, text.count)
        }
        return nil
    }

    /// Normalizes a span of text without special tokens and appends its word pieces.
    private func appendPieces(of scalars: ArraySlice<Unicode.Scalar>, to ids: inout [Int32], budget: Int) {
        for word in Self.words(of: Self.normalize(scalars)) {
            guard ids.count - 1 < budget else { return }
            appendWordPieces(of: word, to: &ids, budget: budget)
        }
    }

    /// Steps 2 to 4: cleaning, CJK spacing, accent stripping and lower-casing.
    static func normalize(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var cleaned = String.UnicodeScalarView()
        for scalar in scalars {
            let value = scalar.value
            if value == 0 || value == 0xFFFD || isControl(scalar) { continue }
            if isWhitespace(scalar) {
                cleaned.append(" ")
            } else if isChineseCharacter(value) {
                cleaned.append(" ")
                cleaned.append(scalar)
                cleaned.append(" ")
            } else {
                cleaned.append(scalar)
            }
        }
        var result = String.UnicodeScalarView()
        let needsDecomposition = cleaned.contains { !$0.isASCII }
        let decomposed = needsDecomposition ? String(cleaned).decomposedStringWithCanonicalMapping : String(cleaned)
        for scalar in decomposed.unicodeScalars {
            if scalar.isASCII {
                let value = scalar.value
                result.append((65...90).contains(value) ? Unicode.Scalar(value + 32)! : scalar)
            } else if scalar.properties.generalCategory != .nonspacingMark {
                result.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return String(result)
    }

    /// Step 5: split at whitespace, and make every punctuation character a word.
    static func words(of text: String) -> [[Unicode.Scalar]] {
        var words: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace {
                if !current.isEmpty { words.append(current); current.removeAll(keepingCapacity: true) }
            } else if isPunctuation(scalar) {
                if !current.isEmpty { words.append(current); current.removeAll(keepingCapacity: true) }
                words.append([scalar])
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// Step 6: greedy longest-match WordPiece of one word.
    private func appendWordPieces(of word: [Unicode.Scalar], to ids: inout [Int32], budget: Int) {
        guard word.count <= Self.maxCharactersPerWord else {
            ids.append(unknownID)
            return
        }
        var pieces: [Int32] = []
        var start = 0
        while start < word.count {
            var end = word.count
            var match: Int32?
            while start < end {
                var candidate = start > 0 ? "##" : ""
                candidate.unicodeScalars.append(contentsOf: word[start..<end])
                if let id = vocabulary.id(candidate) {
                    match = id
                    break
                }
                end -= 1
            }
            guard let id = match else {
                ids.append(unknownID)
                return
            }
            pieces.append(id)
            start = end
        }
        ids.append(contentsOf: pieces.prefix(budget - (ids.count - 1)))
    }

    /// Category C* (control, format, surrogate, private use, unassigned), except tab, LF and CR.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "\t", "\n", "\r": return false
        default:
            switch scalar.properties.generalCategory {
            case .control, .format, .surrogate, .privateUse, .unassigned: return true
            default: return false
            }
        }
    }

    /// Tab, LF, CR and the Unicode White_Space property.
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar.properties.isWhitespace
    }

    /// ASCII punctuation and symbols (33-47, 58-64, 91-96, 123-126) and Unicode P*.
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if (33...47).contains(value) || (58...64).contains(value) || (91...96).contains(value)
            || (123...126).contains(value)
        {
            return true
        }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// The CJK Unified Ideographs blocks BERT treats as one word per character.
    static func isChineseCharacter(_ value: UInt32) -> Bool {
        (0x4E00...0x9FFF).contains(value) || (0x3400...0x4DBF).contains(value)
            || (0x20000...0x2A6DF).contains(value) || (0x2A700...0x2B73F).contains(value)
            || (0x2B740...0x2B81F).contains(value) || (0x2B820...0x2CEAF).contains(value)
            || (0xF900...0xFAFF).contains(value) || (0x2F800...0x2FA1F).contains(value)
    }
}
