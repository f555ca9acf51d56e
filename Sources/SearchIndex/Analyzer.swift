import Foundation

/// Turns text into index terms, the same way for documents and queries.
///
/// Steps: Unicode canonical decomposition (NFD) and removal of combining marks
/// (accent folding: "Café" → "cafe"), lower-casing, splitting on anything that is
/// not a letter or a digit, dropping English stop words, then the Porter stemmer
/// on ASCII words ("running" → "run"). Words in other scripts are kept whole,
/// folded but unstemmed.
public enum Analyzer {
    /// The index terms of `text`, in order, repeats kept.
    /// - Complexity: O(n) in the length of `text`.
    public static func terms(_ text: String) -> [String] {
        var out: [String] = []
        forEachTerm(text) { out.append($0) }
        return out
    }

    /// Calls `body` with each index term of `text`, in order.
    static func forEachTerm(_ text: String, _ body: (String) -> Void) {
        var word: [UInt8] = []
        word.reserveCapacity(32)
        var nonASCII = false
        func flush() {
            defer { word.removeAll(keepingCapacity: true); nonASCII = false }
            guard !word.isEmpty else { return }
            if nonASCII {
                body(String(decoding: word, as: UTF8.self))
                return
            }
            if StopWords.contains(word) { return }
            if word.count > 2 { PorterStemmer.stem(&word) }
            body(String(decoding: word, as: UTF8.self))
        }
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            for var b in text.utf8 {
                if b >= 65 && b <= 90 { b += 32 }
                if (b >= 97 && b <= 122) || (b >= 48 && b <= 57) { word.append(b) } else { flush() }
            }
            flush()
            return
        }
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            let props = scalar.properties
            switch props.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark:
                continue
            default:
                break
            }
            if props.isAlphabetic || props.numericType == .decimal {
                if scalar.isASCII {
                    var b = UInt8(scalar.value)
                    if b >= 65 && b <= 90 { b += 32 }
                    word.append(b)
                } else {
                    // Lower-case, then fold again: "ß" stays, "İ" becomes "i" + a dropped mark.
                    for lower in props.lowercaseMapping.decomposedStringWithCanonicalMapping.unicodeScalars {
                        if lower.properties.generalCategory == .nonspacingMark { continue }
                        if !lower.isASCII { nonASCII = true }
                        word.append(contentsOf: Array(String(lower).utf8))
                    }
                }
            } else {
                flush()
            }
        }
        flush()
    }
}

/// A common English stop-word list (the Snowball/NLTK one, without the negations
/// "no", "not", "nor", which change meaning).
enum StopWords {
    static let list: Set<[UInt8]> = Set("""
        a about above after again against all am an and any are as at be because been before being below \
        between both but by can could did do does doing down during each few for from further had has have \
        having he her here hers herself him himself his how i if in into is it its itself just me more most \
        my myself of off on once only or other our ours ourselves out over own same she should so some such \
        than that the their theirs them themselves then there these they this those through to too under until \
        up very was we were what when where which while who whom why will with would you your yours yourself \
        yourselves s t ll re ve d m
        """.split(separator: " ").map { Array($0.utf8) })

    static func contains(_ word: [UInt8]) -> Bool { list.contains(word) }
}

/// The Porter stemmer (M. F. Porter, 1980, "An algorithm for suffix stripping"),
/// following the author's reference C implementation, on lower-case ASCII.
enum PorterStemmer {
    /// The stem of a lower-case ASCII word.
    static func stem(_ word: String) -> String {
        var b = Array(word.utf8)
        if b.count > 2 { stem(&b) }
        return String(decoding: b, as: UTF8.self)
    }

    static func stem(_ word: inout [UInt8]) {
        var s = State(b: word, k: word.count - 1, j: 0)
        if s.k <= 1 { return }
        s.step1ab()
        if s.k > 0 {
            s.step1c()
            s.step2()
            s.step3()
            s.step4()
            s.step5()
        }
        word.removeSubrange((s.k + 1)...)
        for i in 0...s.k { word[i] = s.b[i] }
    }

    private struct State {
        var b: [UInt8]
        /// Index of the last letter of the current word.
        var k: Int
        /// General offset into the word, set by `ends`.
        var j: Int

        func cons(_ i: Int) -> Bool {
            switch b[i] {
            case UInt8(ascii: "a"), UInt8(ascii: "e"), UInt8(ascii: "i"), UInt8(ascii: "o"), UInt8(ascii: "u"): return false
            case UInt8(ascii: "y"): return i == 0 ? true : !cons(i - 1)
            default: return true
            }
        }

        /// The number of consonant sequences between 0 and j (the "m" of the paper).
        func m() -> Int {
            var n = 0
            var i = 0
            while true {
                if i > j { return n }
                if !cons(i) { break }
                i += 1
            }
            i += 1
            while true {
                while true {
                    if i > j { return n }
                    if cons(i) { break }
                    i += 1
                }
                i += 1
                n += 1
                while true {
                    if i > j { return n }
                    if !cons(i) { break }
                    i += 1
                }
                i += 1
            }
        }

        func vowelInStem() -> Bool {
            for i in stride(from: 0, through: j, by: 1) where !cons(i) { return true }
            return false
        }

        func doubleC(_ j: Int) -> Bool {
            j >= 1 && b[j] == b[j - 1] && cons(j)
        }

        func cvc(_ i: Int) -> Bool {
            if i < 2 || !cons(i) || cons(i - 1) || !cons(i - 2) { return false }
            let ch = b[i]
            return ch != UInt8(ascii: "w") && ch != UInt8(ascii: "x") && ch != UInt8(ascii: "y")
        }

        mutating func ends(_ s: StaticString) -> Bool {
            let len = s.utf8CodeUnitCount
            if len > k + 1 { return false }
            let p = s.utf8Start
            if p[len - 1] != b[k] { return false }
            for i in 0..<len where b[k - len + 1 + i] != p[i] { return false }
            j = k - len
            return true
        }

        mutating func setTo(_ s: StaticString) {
            let len = s.utf8CodeUnitCount
            let p = s.utf8Start
            let needed = j + 1 + len
            if b.count < needed { b.append(contentsOf: repeatElement(0, count: needed - b.count)) }
            for i in 0..<len { b[j + 1 + i] = p[i] }
            k = j + len
        }

        mutating func r(_ s: StaticString) { if m() > 0 { setTo(s) } }

        mutating func step1ab() {
            if b[k] == UInt8(ascii: "s") {
                if ends("sses") { k -= 2 }
                else if ends("ies") { setTo("i") }
                else if b[k - 1] != UInt8(ascii: "s") { k -= 1 }
            }
            if ends("eed") {
                if m() > 0 { k -= 1 }
            } else if (ends("ed") || ends("ing")) && vowelInStem() {
                k = j
                if ends("at") { setTo("ate") }
                else if ends("bl") { setTo("ble") }
                else if ends("iz") { setTo("ize") }
                else if doubleC(k) {
                    k -= 1
                    let ch = b[k]
                    if ch == UInt8(ascii: "l") || ch == UInt8(ascii: "s") || ch == UInt8(ascii: "z") { k += 1 }
                } else if m() == 1 && cvc(k) { setTo("e") }
            }
        }

        mutating func step1c() {
            if ends("y") && vowelInStem() { b[k] = UInt8(ascii: "i") }
        }

        mutating func step2() {
            guard k >= 1 else { return }
            switch b[k - 1] {
            case UInt8(ascii: "a"):
                if ends("ational") { r("ate") } else if ends("tional") { r("tion") }
            case UInt8(ascii: "c"):
                if ends("enci") { r("ence") } else if ends("anci") { r("ance") }
            case UInt8(ascii: "e"):
                if ends("izer") { r("ize") }
            case UInt8(ascii: "l"):
                if ends("bli") { r("ble") } else if ends("alli") { r("al") } else if ends("entli") { r("ent") }
                else if ends("eli") { r("e") } else if ends("ousli") { r("ous") }
            case UInt8(ascii: "o"):
                if ends("ization") { r("ize") } else if ends("ation") { r("ate") } else if ends("ator") { r("ate") }
            case UInt8(ascii: "s"):
                if ends("alism") { r("al") } else if ends("iveness") { r("ive") } else if ends("fulness") { r("ful") }
                else if ends("ousness") { r("ous") }
            case UInt8(ascii: "t"):
                if ends("aliti") { r("al") } else if ends("iviti") { r("ive") } else if ends("biliti") { r("ble") }
            case UInt8(ascii: "g"):
                if ends("logi") { r("log") }
            default:
                break
            }
        }

        mutating func step3() {
            switch b[k] {
            case UInt8(ascii: "e"):
                if ends("icate") { r("ic") } else if ends("ative") { r("") } else if ends("alize") { r("al") }
            case UInt8(ascii: "i"):
                if ends("iciti") { r("ic") }
            case UInt8(ascii: "l"):
                if ends("ical") { r("ic") } else if ends("ful") { r("") }
            case UInt8(ascii: "s"):
                if ends("ness") { r("") }
            default:
                break
            }
        }

        mutating func step4() {
            guard k >= 1 else { return }
            var matched = false
            switch b[k - 1] {
            case UInt8(ascii: "a"): matched = ends("al")
            case UInt8(ascii: "c"): matched = ends("ance") || ends("ence")
            case UInt8(ascii: "e"): matched = ends("er")
            case UInt8(ascii: "i"): matched = ends("ic")
            case UInt8(ascii: "l"): matched = ends("able") || ends("ible")
            case UInt8(ascii: "n"): matched = ends("ant") || ends("ement") || ends("ment") || ends("ent")
            case UInt8(ascii: "o"):
                if ends("ion") && j >= 0 && (b[j] == UInt8(ascii: "s") || b[j] == UInt8(ascii: "t")) { matched = true }
                else { matched = ends("ou") }
            case UInt8(ascii: "s"): matched = ends("ism")
            case UInt8(ascii: "t"): matched = ends("ate") || ends("iti")
            case UInt8(ascii: "u"): matched = ends("ous")
            case UInt8(ascii: "v"): matched = ends("ive")
            case UInt8(ascii: "z"): matched = ends("ize")
            default: return
            }
            if matched && m() > 1 { k = j }
        }

        mutating func step5() {
            j = k
            if b[k] == UInt8(ascii: "e") {
                let a = m()
                if a > 1 || (a == 1 && !cvc(k - 1)) { k -= 1 }
            }
            if b[k] == UInt8(ascii: "l") && doubleC(k) && m() > 1 { k -= 1 }
        }
    }
}
