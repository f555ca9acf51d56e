import Foundation
import MemvaultSupport

/// Lower-cased, accent-free word tokens of a text, the form lexicon terms are matched in.
enum TextFeatures {
    /// "Médecin à 9h, Straße!" → ["medecin", "a", "9h", "strasse"]. Letters and digits form
    /// words; everything else (spaces, punctuation, apostrophes, hyphens) separates them.
    static func tokens(_ text: String) -> [String] {
        var result: [String] = []
        var current: [UInt8] = []
        current.reserveCapacity(32)
        func flush() {
            if !current.isEmpty {
                result.append(String(decoding: current, as: UTF8.self))
                current.removeAll(keepingCapacity: true)
            }
        }
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v < 0x80 {
                let b = UInt8(v)
                if (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) {
                    current.append(b)
                } else if b >= 0x41 && b <= 0x5A {
                    current.append(b | 0x20)
                } else {
                    flush()
                }
            } else if let folded = foldTable[v] {
                current.append(contentsOf: folded.utf8)
            } else if scalar.properties.isAlphabetic {
                current.append(contentsOf: scalar.properties.lowercaseMapping.utf8)
            } else if !SecretScanner.isFormatCharacter(scalar) {
                flush()
            }
        }
        flush()
        return result
    }

    /// Latin letters with accents (both cases) to their plain lower-case letters; `ß` → `ss`.
    private static let foldTable: [UInt32: String] = {
        var table: [UInt32: String] = [:]
        let groups: [(String, String)] = [
            ("àáâãäåāăą", "a"), ("çćĉċč", "c"), ("ďđ", "d"), ("èéêëēĕėęě", "e"), ("ĝğġģ", "g"), ("ĥħ", "h"),
            ("ìíîïĩīĭįı", "i"), ("ĵ", "j"), ("ķ", "k"), ("ĺļľŀł", "l"), ("ñńņňŉ", "n"), ("òóôõöøōŏő", "o"),
            ("ŕŗř", "r"), ("śŝşšș", "s"), ("ţťŧț", "t"), ("ùúûüũūŭůűų", "u"), ("ŵ", "w"), ("ýÿŷ", "y"),
            ("źżž", "z"),
        ]
        for (letters, plain) in groups {
            for scalar in letters.unicodeScalars {
                table[scalar.value] = plain
                for upper in scalar.properties.uppercaseMapping.unicodeScalars where upper != scalar { table[upper.value] = plain }
            }
        }
        table[0xDF] = "ss"; table[0x1E9E] = "ss"
        table[0xE6] = "ae"; table[0xC6] = "ae"; table[0x153] = "oe"; table[0x152] = "oe"
        return table
    }()
}

/// What a lexicon term says about a text.
enum Cue: Int, CaseIterable, Sendable {
    case health, finances, identity, legal, intimate, address, children, passwordHint, secrecy
    case timeAnchor, eventVerb, fact

    var category: SensitiveCategory? {
        switch self {
        case .health: .health
        case .finances: .finances
        case .identity: .identity
        case .legal: .legal
        case .intimate: .intimate
        case .address: .address
        case .children: .children
        case .passwordHint: .passwordHint
        case .secrecy: .secrecy
        case .timeAnchor, .eventVerb, .fact: nil
        }
    }
}

/// The compiled form of ``Lexicons``: exact words, stems by their first three letters, and
/// phrases by their first word, so matching is one dictionary look-up or two per token.
struct CompiledLexicon: Sendable {
    struct Term: Sendable {
        var id: Int
        var cue: Cue
        var weight: Double
        /// A phrase of several words (more telling than one word).
        var isPhrase = false
    }
    struct Stem: Sendable {
        var stem: String
        var term: Term
    }
    struct Phrase: Sendable {
        var rest: [String]
        var lastIsStem: Bool
        var term: Term
    }

    static let strong = 0.9
    static let medium = 0.45
    static let weak = 0.15

    private(set) var words: [String: [Term]] = [:]
    private(set) var stems: [Substring: [Stem]] = [:]
    private(set) var phrases: [String: [Phrase]] = [:]
    private(set) var termCount = 0

    static let shared: CompiledLexicon = {
        var lexicon = CompiledLexicon()
        let sources: [(Cue, String)] = [
            (.health, Lexicons.health), (.finances, Lexicons.finances), (.identity, Lexicons.identity),
            (.legal, Lexicons.legal), (.intimate, Lexicons.intimate), (.address, Lexicons.address),
            (.children, Lexicons.children), (.passwordHint, Lexicons.passwordHint), (.secrecy, Lexicons.secrecy),
            (.timeAnchor, Lexicons.timeAnchor), (.eventVerb, Lexicons.eventVerb), (.fact, Lexicons.fact),
        ]
        for (cue, text) in sources { lexicon.add(text, cue: cue) }
        return lexicon
    }()

    mutating func add(_ source: String, cue: Cue) {
        for line in source.split(separator: "\n") {
            let trimmed = line.trimmingWhitespaceAndNewlines()
            let weight: Double
            let list: Substring
            if trimmed.hasPrefix("strong:") {
                weight = Self.strong; list = trimmed.dropFirst(7)
            } else if trimmed.hasPrefix("medium:") {
                weight = Self.medium; list = trimmed.dropFirst(7)
            } else if trimmed.hasPrefix("weak:") {
                weight = Self.weak; list = trimmed.dropFirst(5)
            } else {
                continue
            }
            for raw in list.split(separator: ",") {
                var text = raw.trimmingWhitespaceAndNewlines()
                guard !text.isEmpty else { continue }
                let isStem = text.hasSuffix("*")
                if isStem { text.removeLast() }
                let parts = TextFeatures.tokens(text)
                guard let first = parts.first else { continue }
                let term = Term(id: termCount, cue: cue, weight: weight, isPhrase: parts.count > 1)
                termCount += 1
                if parts.count > 1 {
                    phrases[first, default: []].append(Phrase(rest: Array(parts.dropFirst()), lastIsStem: isStem, term: term))
                } else if isStem {
                    stems[first.prefix(3), default: []].append(Stem(stem: first, term: term))
                } else {
                    words[first, default: []].append(term)
                }
            }
        }
    }

    /// Every term found in `tokens`, each once, with the cue it gives.
    /// - Complexity: O(tokens × terms sharing a first word or a three-letter prefix).
    func matches(_ tokens: [String]) -> [Term] {
        var seen = Set<Int>()
        var found: [Term] = []
        func hit(_ term: Term) { if seen.insert(term.id).inserted { found.append(term) } }
        for (i, token) in tokens.enumerated() {
            if let terms = words[token] { terms.forEach(hit) }
            if token.count >= 3, let candidates = stems[token.prefix(3)] {
                for candidate in candidates where token.hasPrefix(candidate.stem) { hit(candidate.term) }
            }
            if let candidates = phrases[token] {
                for phrase in candidates where i + phrase.rest.count < tokens.count {
                    var matched = true
                    for (offset, word) in phrase.rest.enumerated() {
                        let other = tokens[i + 1 + offset]
                        let isLast = offset == phrase.rest.count - 1
                        if !(other == word || (isLast && phrase.lastIsStem && other.hasPrefix(word))) { matched = false; break }
                    }
                    if matched { hit(phrase.term) }
                }
            }
        }
        return found
    }
}
