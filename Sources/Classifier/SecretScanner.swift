import Foundation

/// Finds credentials in text meant for a plain-text tier: provider API keys and tokens, AWS
/// secret keys, JWTs, private key blocks (PEM, OpenSSH, PGP, age), card numbers (Luhn, grouped
/// by spaces, dashes or dots), IBANs (mod 97, any case), `password: x` and "password is x" lines
/// (English, German, French, Spanish), passwords in URLs and on command lines (`--password x`,
/// `mysql -px`, `curl -u user:x`), token and secret settings (`API_TOKEN=…`) and PINs written out
/// (`PIN 4711`).
///
/// Invisible format characters (zero-width space, joiners, soft hyphen, BOM) are removed before
/// scanning, so a key split by one is still found.
///
/// Hits carry the kind and the line only, never the matched text, so reporting them cannot
/// leak the secret.
public enum SecretScanner {
    public enum Kind: String, Sendable, Codable {
        case awsAccessKey, githubToken, slackToken, stripeKey, openAIKey, googleAPIKey
        case privateKey, cardNumber, iban, password
        case awsSecretKey, jsonWebToken, pin
        /// `API_TOKEN=…`, `client_secret: …` with a value shaped like a key.
        case secretSetting

        /// Readable name for messages: "AWS access key".
        public var label: String {
            switch self {
            case .awsAccessKey: "AWS access key"
            case .githubToken: "GitHub token"
            case .slackToken: "Slack token"
            case .stripeKey: "Stripe secret key"
            case .openAIKey: "OpenAI API key"
            case .googleAPIKey: "Google API key"
            case .privateKey: "private key"
            case .cardNumber: "card number"
            case .iban: "IBAN"
            case .password: "password"
            case .awsSecretKey: "AWS secret key"
            case .jsonWebToken: "JSON web token"
            case .pin: "PIN"
            case .secretSetting: "token or secret setting"
            }
        }
    }

    /// One finding: what and on which line (1-based) of the scanned text.
    public struct Hit: Sendable, Equatable, Codable {
        public var kind: Kind
        public var line: Int

        public init(kind: Kind, line: Int) {
            self.kind = kind
            self.line = line
        }
    }

    /// Every credential-looking thing in `text`, at most one hit per kind and line.
    /// - Complexity: O(n) in the text's length.
    public static func scan(_ text: String) -> [Hit] {
        var hits: [Hit] = []
        var lineNumber = 0
        for rawLine in lines(of: text) {
            lineNumber += 1
            let line = withoutFormatCharacters(rawLine)
            var kinds: [Kind] = []
            func add(_ kind: Kind) { if !kinds.contains(kind) { kinds.append(kind) } }
            for token in tokens(line) {
                if let kind = tokenKind(token) { add(kind) }
            }
            let bytes = Array(line.utf8)
            if contains(Self.beginMarker, in: bytes), contains(Self.privateKeyMarker, in: bytes) { add(.privateKey) }
            if bytes.count >= 40, hasAWSSecretKey(line) { add(.awsSecretKey) }
            if bytes.count >= 40, hasJSONWebToken(line) { add(.jsonWebToken) }
            let digits = bytes.reduce(0) { $0 + ($1 >= 0x30 && $1 <= 0x39 ? 1 : 0) }
            if digits >= 13, hasCardNumber(line) { add(.cardNumber) }
            if digits >= 8, hasIBAN(line) { add(.iban) }
            // The word-based checks below share one lower-cased copy of the line.
            let lower = lowerBytes(line)
            if hasPasswordAssignment(lower) || hasPasswordStatement(lower) || hasURLPassword(bytes)
                || hasCommandLinePassword(bytes, lower: lower)
            {
                add(.password)
            }
            if hasSecretSetting(bytes, lower: lower) { add(.secretSetting) }
            if hasPIN(lower) { add(.pin) }
            hits += kinds.map { Hit(kind: $0, line: lineNumber) }
        }
        return hits
    }

    /// The lines of `text`, split on LF bytes as the entry parser numbers them; a CR right before
    /// the LF is not part of its line, so a CRLF text has the lines of the same LF text. (Split on
    /// the Character "\n", "\r\n" is one grapheme cluster and stays whole: a CRLF text was one
    /// line, every hit on line 1, and walking clusters cost most of `check`'s scan.)
    /// - Complexity: O(n) in the text's UTF-8 length.
    static func lines(of text: String) -> [Substring] {
        var result: [Substring] = []
        let utf8 = text.utf8
        var start = utf8.startIndex
        var index = start
        while index < utf8.endIndex {
            if utf8[index] == 0x0A {
                var end = index
                if end > start {
                    let before = utf8.index(before: end)
                    if utf8[before] == 0x0D { end = before }
                }
                // Clusters always break before a CR, before an LF with no CR before it, and after an LF:
                // both bounds are Character boundaries.
                result.append(text[start..<end])
                start = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        result.append(text[start..<utf8.endIndex])
        return result
    }

    /// The line without Unicode format characters (category Cf: U+200B zero-width space,
    /// U+200C/U+200D joiners, U+2060 word joiner, U+00AD soft hyphen, U+FEFF), which render as
    /// nothing and would otherwise split a key into harmless-looking pieces.
    static func withoutFormatCharacters(_ line: Substring) -> Substring {
        guard line.utf8.contains(where: { $0 >= 0x80 }), line.unicodeScalars.contains(where: isFormatCharacter) else { return line }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: line.unicodeScalars.filter { !isFormatCharacter($0) })
        return Substring(String(scalars))
    }

    /// Unicode's format characters (general category Cf), by range: faster than asking the
    /// scalar's properties on every character.
    static func isFormatCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0xAD, 0x600...0x605, 0x61C, 0x6DD, 0x70F, 0x890...0x891, 0x8E2, 0x180E, 0x200B...0x200F, 0x202A...0x202E,
            0x2060...0x2064, 0x2066...0x206F, 0xFEFF, 0xFFF9...0xFFFB, 0x110BD, 0x110CD, 0x13430...0x1343F,
            0x1BCA0...0x1BCA3, 0x1D173...0x1D17A, 0xE0001, 0xE0020...0xE007F:
            true
        default:
            false
        }
    }

    // MARK: Tokens

    private static func isTokenCharacter(_ c: Unicode.Scalar) -> Bool {
        c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "_" || c == "-")
    }

    /// Runs of ASCII letters, digits, `_` and `-` of at least `minimumLength` bytes (every
    /// provider key is longer than 14), found on the UTF-8 bytes.
    static func tokens(_ line: Substring, minimumLength: Int = 15) -> [Substring] {
        var result: [Substring] = []
        let utf8 = line.utf8
        var start: String.Index?
        var length = 0
        var index = utf8.startIndex
        while index < utf8.endIndex {
            let byte = utf8[index]
            let isToken = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x5F || byte == 0x2D
            if isToken {
                if start == nil { start = index; length = 0 }
                length += 1
            } else if let s = start {
                if length >= minimumLength { result.append(line[s..<index]) }
                start = nil
            }
            index = utf8.index(after: index)
        }
        if let s = start, length >= minimumLength { result.append(line[s...]) }
        return result
    }

    // MARK: Byte search

    private static let beginMarker = Array("-----BEGIN".utf8)
    /// Ends "PRIVATE KEY-----" (PEM, OpenSSH) and "PRIVATE KEY BLOCK-----" (PGP).
    private static let privateKeyMarker = Array("PRIVATE KEY".utf8)

    static func contains(_ needle: [UInt8], in haystack: [UInt8]) -> Bool {
        find(needle, in: haystack, from: 0) != nil
    }

    /// The line's UTF-8 bytes with ASCII letters lower-cased.
    static func lowerBytes(_ line: Substring) -> [UInt8] {
        line.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
    }

    /// Start offsets of `needle` in `haystack` where it stands as a word: not preceded or
    /// followed by a letter (a non-ASCII byte counts as a letter).
    static func wordOccurrences(of needle: [UInt8], in haystack: [UInt8], allowDigitAfter: Bool = true) -> [Int] {
        guard needle.count <= haystack.count, let first = needle.first else { return [] }
        func isLetter(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b >= 0x80 }
        var found: [Int] = []
        var i = 0
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first {
                var j = 1
                while j < needle.count, haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count {
                    let beforeOK = i == 0 || !isLetter(haystack[i - 1])
                    let after = i + needle.count < haystack.count ? haystack[i + needle.count] : 0x20
                    let afterOK = !isLetter(after) && (allowDigitAfter || !(after >= 0x30 && after <= 0x39))
                    if beforeOK && afterOK { found.append(i) }
                }
            }
            i += 1
        }
        return found
    }

    /// Up to `count` whitespace-separated words after byte offset `from`, as strings.
    static func words(after from: Int, in bytes: [UInt8], count: Int) -> [String] {
        var result: [String] = []
        var i = from
        while i < bytes.count, result.count < count {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
            let start = i
            while i < bytes.count, bytes[i] != 0x20, bytes[i] != 0x09 { i += 1 }
            if i > start { result.append(String(decoding: bytes[start..<i], as: UTF8.self)) }
        }
        return result
    }

    private static func all(_ text: Substring, _ allowed: (Unicode.Scalar) -> Bool) -> Bool {
        text.unicodeScalars.allSatisfy(allowed)
    }

    private static func isUpperOrDigit(_ c: Unicode.Scalar) -> Bool { ("A"..."Z").contains(c) || ("0"..."9").contains(c) }
    private static func isAlnum(_ c: Unicode.Scalar) -> Bool { isUpperOrDigit(c) || ("a"..."z").contains(c) }
    private static func isWordy(_ c: Unicode.Scalar) -> Bool { isAlnum(c) || c == "_" || c == "-" }

    static func tokenKind(_ token: Substring) -> Kind? {
        let count = token.unicodeScalars.count
        if (token.hasPrefix("AKIA") || token.hasPrefix("ASIA")), count == 20, all(token, isUpperOrDigit) {
            return .awsAccessKey
        }
        for prefix in ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"] where token.hasPrefix(prefix) {
            let rest = token.dropFirst(prefix.count)
            if rest.unicodeScalars.count >= 36, all(rest, isAlnum) { return .githubToken }
        }
        if token.hasPrefix("github_pat_"), count >= 40, all(token, isWordy) { return .githubToken }
        if token.hasPrefix("xox"), count >= 15, let kind = token.unicodeScalars.dropFirst(3).first,
            "baprs".unicodeScalars.contains(kind), token.dropFirst(4).hasPrefix("-")
        {
            return .slackToken
        }
        for prefix in ["sk_live_", "rk_live_"] where token.hasPrefix(prefix) {
            if token.dropFirst(prefix.count).unicodeScalars.count >= 16 { return .stripeKey }
        }
        if token.hasPrefix("sk-"), count >= 23 {
            let rest = token.dropFirst(3)
            // Real keys mix cases and digits; "sk-this-is-a-long-word" does not.
            let hasDigit = rest.unicodeScalars.contains { ("0"..."9").contains($0) }
            let hasUpper = rest.unicodeScalars.contains { ("A"..."Z").contains($0) }
            if hasDigit && hasUpper { return .openAIKey }
        }
        if token.hasPrefix("AIza"), count == 39 { return .googleAPIKey }
        if token.hasPrefix("AGE-SECRET-KEY-1"), count > 50 { return .privateKey }
        return nil
    }

    // MARK: Numbers

    /// A run of 13-19 digits, optionally grouped by single spaces, dashes or dots, passing Luhn,
    /// starting like a card (2-6).
    static func hasCardNumber(_ line: Substring) -> Bool {
        let scalars = Array(line.unicodeScalars)
        var i = 0
        while i < scalars.count {
            guard isDigit(scalars[i]), i == 0 || !isAlnum(scalars[i - 1]) else { i += 1; continue }
            var digits: [Int] = []
            var groups = [0]
            var j = i
            while j < scalars.count {
                if isDigit(scalars[j]) {
                    digits.append(Int(scalars[j].value) - 48)
                    groups[groups.count - 1] += 1
                    j += 1
                } else if (scalars[j] == " " || scalars[j] == "-" || scalars[j] == "."), j + 1 < scalars.count, isDigit(scalars[j + 1]) {
                    groups.append(0)
                    j += 1
                } else {
                    break
                }
            }
            let endsCleanly = j == scalars.count || !isAlnum(scalars[j])
            if endsCleanly, (13...19).contains(digits.count), (2...6).contains(digits[0]), isCardGrouping(groups), luhn(digits) {
                return true
            }
            i = j + 1
        }
        return false
    }

    /// One run of digits, groups of four with a final group of three or four, or Amex's 4-6-5.
    private static func isCardGrouping(_ groups: [Int]) -> Bool {
        if groups.count == 1 || groups == [4, 6, 5] { return true }
        return groups.dropLast().allSatisfy { $0 == 4 } && (3...4).contains(groups.last!)
    }

    private static func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }

    static func luhn(_ digits: [Int]) -> Bool {
        var sum = 0
        for (offset, digit) in digits.reversed().enumerated() {
            if offset % 2 == 1 {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
        }
        return sum % 10 == 0
    }

    /// Two letters, two check digits, 11-30 letters or digits (spaces allowed between groups),
    /// in either case, passing the ISO 13616 mod-97 check.
    static func hasIBAN(_ line: Substring) -> Bool {
        // Written in lower case ("de89 3704 ...") it is the same account number.
        let scalars = line.unicodeScalars.map { ("a"..."z").contains($0) ? Unicode.Scalar($0.value - 32)! : $0 }
        var i = 0
        while i + 4 <= scalars.count {
            let starts = ("A"..."Z").contains(scalars[i]) && ("A"..."Z").contains(scalars[i + 1])
                && isDigit(scalars[i + 2]) && isDigit(scalars[i + 3]) && (i == 0 || !isAlnum(scalars[i - 1]))
            guard starts else { i += 1; continue }
            var characters: [Unicode.Scalar] = []
            var j = i
            while j < scalars.count, characters.count < 34 {
                if isUpperOrDigit(scalars[j]) {
                    characters.append(scalars[j])
                    j += 1
                    // Checked at every group end, so words after the number do not hide it.
                    let atGroupEnd = j == scalars.count || !isUpperOrDigit(scalars[j])
                    if atGroupEnd, (15...34).contains(characters.count), mod97(characters) == 1 { return true }
                } else if scalars[j] == " ", j + 1 < scalars.count, isUpperOrDigit(scalars[j + 1]) {
                    j += 1
                } else {
                    break
                }
            }
            i += 1
        }
        return false
    }

    private static func mod97(_ characters: [Unicode.Scalar]) -> Int {
        let rearranged = characters[4...] + characters[..<4]
        var remainder = 0
        for c in rearranged {
            let value = isDigit(c) ? Int(c.value) - 48 : Int(c.value) - 55
            remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97
        }
        return remainder
    }

    // MARK: Passwords

    /// `password: hunter2`, `Passwort = x`, `pwd=x`: a password word, `:` or `=`, a non-empty value.
    /// - Parameter lower: the line's bytes, lower-cased (``lowerBytes(_:)``).
    static func hasPasswordAssignment(_ lower: [UInt8]) -> Bool {
        for word in assignmentWords {
            for start in wordOccurrences(of: word, in: lower) {
                var i = start + word.count
                while i < lower.count, lower[i] == 0x20 || lower[i] == 0x09 || lower[i] == 0x2A || lower[i] == 0x22 { i += 1 }
                guard i < lower.count, lower[i] == 0x3A || lower[i] == 0x3D else { continue }
                i += 1
                while i < lower.count, lower[i] == 0x20 || lower[i] == 0x09 { i += 1 }
                if i < lower.count { return true }
            }
        }
        return false
    }

    private static let assignmentWords = ["password", "passwort", "passwd", "passphrase", "kennwort", "pwd", "pgpassword"].map { Array($0.utf8) }

    /// A password in a URL: `postgres://app:S3cret@db/app`, `https://user:token@host/repo.git`
    /// (the user part, a colon, a non-empty password, then `@`, before the host's end).
    static func hasURLPassword(_ bytes: [UInt8]) -> Bool {
        let scheme = urlScheme
        var i = 0
        while i + 3 <= bytes.count {
            guard bytes[i] == scheme[0], bytes[i + 1] == scheme[1], bytes[i + 2] == scheme[2] else { i += 1; continue }
            var end = i + 3
            while end < bytes.count, ![0x20, 0x09, 0x2F, 0x3F, 0x23, 0x22, 0x27, 0x3C, 0x3E].contains(bytes[end]) { end += 1 }
            let authority = bytes[(i + 3)..<end]
            if let at = authority.lastIndex(of: 0x40), let colon = authority[..<at].firstIndex(of: 0x3A),
                colon > authority.startIndex, colon + 1 < at, bytes[colon + 1] != 0x2A  // not a masked `user:***@`
            {
                return true
            }
            i = end
        }
        return false
    }

    /// A password given on a command line, as shell history keeps it: `--password VALUE`,
    /// `mysql -uroot -pVALUE` (the value joined to `-p`), `sshpass -p VALUE`, `redis-cli -a VALUE`,
    /// `curl -u user:VALUE`. (`--password=VALUE` is an assignment, found above.)
    /// - Parameters:
    ///   - bytes: the line's bytes.
    ///   - lower: the same, lower-cased (``lowerBytes(_:)``).
    static func hasCommandLinePassword(_ bytes: [UInt8], lower: [UInt8]) -> Bool {
        func value(at start: Int) -> ArraySlice<UInt8>? {
            var end = start
            while end < lower.count, lower[end] != 0x20, lower[end] != 0x09 { end += 1 }
            let value = bytes[start..<end].filter { $0 != 0x22 && $0 != 0x27 }
            guard let first = value.first, value.count >= 4, ![0x2D, 0x24, 0x3C, 0x7B, 0x2A, 0x28, 0x5B].contains(first) else { return nil }  // - $ < { * ( [
            return value[...]
        }
        func option(_ needle: [UInt8], then check: (ArraySlice<UInt8>) -> Bool = { _ in true }) -> Bool {
            var i = 0
            while let found = find(needle, in: lower, from: i) {
                if let v = value(at: found + needle.count), check(v) { return true }
                i = found + 1
            }
            return false
        }
        let c = CommandLineWords.self
        if option(c.passwordOption) || option(c.passwdOption) { return true }
        if contains(c.sshpass, in: lower), option(c.pOption) { return true }
        if contains(c.redisCLI, in: lower), option(c.aOption) { return true }
        if contains(c.curl, in: lower),
            option(c.uOption, then: { v in v.firstIndex(of: 0x3A).map { $0 + 1 < v.endIndex } ?? false })
                || option(c.userOption, then: { v in v.firstIndex(of: 0x3A).map { $0 + 1 < v.endIndex } ?? false })
        {
            return true
        }
        if contains(c.mysql, in: lower) || contains(c.mariadb, in: lower) {
            let needle = c.joinedP
            var i = 0
            while let found = find(needle, in: lower, from: i) {
                let start = found + needle.count
                if start < lower.count, lower[start] != 0x20, value(at: start) != nil { return true }
                i = found + 1
            }
        }
        return false
    }

    private static let urlScheme = Array("://".utf8)

    /// The words ``hasCommandLinePassword(_:lower:)`` looks for, made once (it runs on every line).
    private enum CommandLineWords {
        static let passwordOption = Array(" --password ".utf8), passwdOption = Array(" --passwd ".utf8)
        static let pOption = Array(" -p ".utf8), aOption = Array(" -a ".utf8), joinedP = Array(" -p".utf8)
        static let uOption = Array(" -u ".utf8), userOption = Array(" --user ".utf8)
        static let sshpass = Array("sshpass".utf8), redisCLI = Array("redis-cli".utf8), curl = Array("curl".utf8)
        static let mysql = Array("mysql".utf8), mariadb = Array("mariadb".utf8)
    }

    /// `API_TOKEN=…`, `client_secret: "…"`, `export GITLAB_TOKEN=…`: a setting whose name ends in
    /// a secret's word (token, secret, api key, access key, secret key, private key, auth key), `=`
    /// or `:`, and a value shaped like a key: at least 8 characters of letters, digits and `_-+/=.~:`
    /// mixing letters and digits (or at least 20 of them), not a placeholder (`$VAR`, `<…>`, `{…}`,
    /// `xxxxxxxx`). "Secret Santa: 20 euros" and "API key: ask Tom" are not settings.
    /// - Parameters:
    ///   - bytes: the line's bytes.
    ///   - lower: the same, lower-cased (``lowerBytes(_:)``).
    static func hasSecretSetting(_ bytes: [UInt8], lower: [UInt8]) -> Bool {
        func isNameByte(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x5F || b == 0x2D || b == 0x2E }
        var i = 0
        while i < lower.count {
            guard isNameByte(lower[i]), i == 0 || !isNameByte(lower[i - 1]) else { i += 1; continue }
            var end = i
            while end < lower.count, isNameByte(lower[end]) { end += 1 }
            let nameRange = i..<end
            i = end
            // Only a name followed by `=` or `:` is looked at further.
            var j = end
            while j < lower.count, lower[j] == 0x20 || lower[j] == 0x22 || lower[j] == 0x27 { j += 1 }
            guard j < lower.count, lower[j] == 0x3D || lower[j] == 0x3A else { continue }
            let name = lower[nameRange].filter { $0 != 0x5F && $0 != 0x2D && $0 != 0x2E }
            guard secretNameEndings.contains(where: { name.count >= $0.count && name.suffix($0.count).elementsEqual($0) }) else { continue }
            j += 1
            guard j >= lower.count || (lower[j] != 0x3D && lower[j] != 0x2F) else { continue }  // `==`, `://`
            while j < lower.count, lower[j] == 0x20 || lower[j] == 0x09 || lower[j] == 0x22 || lower[j] == 0x27 { j += 1 }
            var k = j
            while k < bytes.count, isKeyByte(bytes[k]) { k += 1 }
            if isKeyShaped(bytes[j..<k]) { return true }
        }
        return false
    }

    private static let secretNameEndings = ["token", "secret", "apikey", "accesskey", "secretkey", "privatekey", "authkey"]
        .map { Array($0.utf8) }

    private static func isKeyByte(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39)
            || [0x5F, 0x2D, 0x2B, 0x2F, 0x3D, 0x2E, 0x7E, 0x3A].contains(b)
    }

    /// A value a key generator would make, not a word, a placeholder or a repeated character.
    private static func isKeyShaped(_ value: ArraySlice<UInt8>) -> Bool {
        guard value.count >= 8, let first = value.first, Set(value).count > 2 else { return false }
        let hasDigit = value.contains { $0 >= 0x30 && $0 <= 0x39 }
        let hasLetter = value.contains { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) }
        guard hasLetter, first != 0x2E, first != 0x2F else { return false }  // not a path or a file name's end
        return hasDigit || value.count >= 20
    }

    /// The first offset at or after `from` where `needle` starts in `haystack`.
    private static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        var i = from
        while i <= haystack.count - needle.count {
            if haystack[i] == needle[0] {
                var j = 1
                while j < needle.count, haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }

    /// "the password is hunter2", "mein Passwort für Netflix ist Sonne77", "le mot de passe du
    /// wifi est chaton123", "la contraseña es gatito99": a password word, at most five words, a
    /// verb "is", then a value that looks like a password rather than a description ("is in the
    /// drawer", "was too short", "is the name of my dog" are not values).
    /// - Parameter lower: the line's bytes, lower-cased (``lowerBytes(_:)``).
    static func hasPasswordStatement(_ lower: [UInt8]) -> Bool {
        for word in passwordWords {
            for start in wordOccurrences(of: word, in: lower) {
                var sawCopula = false
                for (position, raw) in words(after: start + word.count, in: lower, count: 8).enumerated() {
                    let bare = raw.trimmingCharacters(in: quoteAndPunctuation)
                    if sawCopula {
                        if isPasswordValue(Substring(raw), bare: bare) { return true }
                        break
                    }
                    if position == 0 && compoundHeads.contains(bare.hasPrefix("-") ? String(bare.dropFirst()) : bare) {
                        break  // "the password manager is Bitwarden": about a tool, not a password
                    }
                    if copulas.contains(bare) {
                        sawCopula = true
                    } else if position >= 5 || raw.hasSuffix(".") || raw.hasSuffix(",") {
                        break
                    }
                }
            }
        }
        return false
    }

    private static let quoteAndPunctuation = CharacterSet(charactersIn: "\"'`\u{201C}\u{201D}\u{2018}\u{2019}\u{AB}\u{BB},;!?()")
    private static let passwordWords = [
        "password", "passwort", "kennwort", "passwd", "passphrase", "mot de passe", "mdp", "contraseña", "contrasena",
    ].map { Array($0.utf8) }
    private static let copulas: Set<String> = [
        "is", "was", "ist", "lautet", "war", "est", "était", "etait", "es", "era", "sigue", "bleibt", "reste", "remains", "=", ":",
    ]
    /// Nouns that, right after a password word, make a compound about something else: "password
    /// manager", "Passwort-Manager" (split at the dash), "password policy".
    private static let compoundHeads: Set<String> = [
        "manager", "managers", "policy", "policies", "rules", "requirements", "field", "prompt", "generator", "app",
        "hint", "reset", "protection", "protected", "safe", "vault", "tresor", "verwaltung", "richtlinie",
        "gestionnaire", "gestor",
    ]
    /// Words that describe a password instead of being one.
    private static let notPasswords: Set<String> = [
        "a", "an", "the", "my", "your", "his", "her", "our", "their", "in", "on", "at", "under", "somewhere", "still", "now",
        "not", "too", "very", "so", "also", "just", "only", "same", "different", "new", "old", "wrong", "right", "correct",
        "incorrect", "weak", "strong", "long", "short", "easy", "hard", "simple", "secure", "safe", "fine", "ok", "okay",
        "changed", "reset", "leaked", "expired", "compromised", "saved", "stored", "written", "gone", "lost", "forgotten",
        "required", "needed", "missing", "there", "here", "something", "nothing", "what", "which", "that", "this", "it",
        "ein", "eine", "der", "die", "das", "dem", "den", "mein", "meine", "im", "auf", "unter", "noch", "jetzt",
        "nicht", "zu", "sehr", "auch", "nur", "gleich", "neu", "alt", "falsch", "richtig", "schwach", "stark", "lang",
        "kurz", "einfach", "sicher", "geändert", "gespeichert", "abgelaufen", "weg", "vergessen", "irgendwo", "hier",
        "un", "une", "le", "la", "les", "mon", "ma", "dans", "sur", "sous", "encore", "pas", "trop", "très", "aussi",
        "toujours", "nouveau", "faux", "bon", "court", "changé", "oublié", "perdu", "quelque", "ici", "ce",
        "el", "los", "las", "mi", "en", "bajo", "todavía", "ya", "no", "muy", "demasiado", "nueva", "nuevo", "vieja",
        "incorrecta", "correcta", "débil", "fuerte", "larga", "corta", "fácil", "segura", "igual", "cambiada", "olvidada",
        "aquí", "algo", "eso", "esto", "de", "del", "for", "für", "pour", "para",
    ]

    private static func isPasswordValue(_ raw: Substring, bare: String) -> Bool {
        guard bare.count >= 3, !notPasswords.contains(bare) else { return false }
        if bare.unicodeScalars.contains(where: { !$0.properties.isAlphabetic }) { return true }
        if let first = raw.first, "\"'`\u{201C}\u{2018}\u{AB}".contains(first) { return true }
        // A bare word: a participle or adjective ("leaked", "geändert", "cambiada") describes it.
        for ending in ["ed", "ing", "ado", "ada", "ido", "ida", "ée", "iert"] where bare.hasSuffix(ending) { return false }
        return true
    }

    /// `PIN 4711`, `PIN: 4711`, `PIN-Code ist 0815`, "my PIN for the Sparkasse card is 4711",
    /// `code PIN 1234`, `Geheimzahl 2468`: a PIN word, then a 4-8 digit number either right
    /// after it or after a verb "is" or a colon within six words.
    /// - Parameter lower: the line's bytes, lower-cased (``lowerBytes(_:)``).
    static func hasPIN(_ lower: [UInt8]) -> Bool {
        for word in pinWords {
            for start in wordOccurrences(of: word, in: lower, allowDigitAfter: false) {
                var previousAllows = true
                for (position, raw) in words(after: start + word.count, in: lower, count: 8).enumerated() {
                    var bare = Substring(raw)
                    while let first = bare.first, ":=-\"'(".contains(first) { bare = bare.dropFirst() }
                    while let last = bare.last, ".,;:!?)\"'".contains(last) { bare = bare.dropLast() }
                    if (4...8).contains(bare.count), bare.allSatisfy({ $0.isASCII && $0.isNumber }) {
                        if previousAllows { return true }
                        break
                    }
                    if position >= 6 || raw.hasSuffix(".") || raw.hasSuffix("!") || raw.hasSuffix("?") { break }
                    previousAllows = copulas.contains(String(bare)) || raw.hasSuffix(":") || raw.hasSuffix("=") || bare.isEmpty
                }
            }
        }
        return false
    }

    private static let pinWords = ["pin", "pincode", "pin-code", "pin-nummer", "geheimzahl", "puk"].map { Array($0.utf8) }

    // MARK: Keys without a prefix

    private static func isBase64(_ c: Unicode.Scalar) -> Bool { isAlnum(c) || c == "/" || c == "+" }

    /// An AWS secret access key: exactly 40 characters of base64 (`A-Z a-z 0-9 / +`) mixing
    /// upper case, lower case and digits, with at most four slashes or pluses (a path is not a key).
    static func hasAWSSecretKey(_ line: Substring) -> Bool {
        let scalars = Array(line.unicodeScalars)
        let joiners = "=-_.".unicodeScalars
        var i = 0
        while i < scalars.count {
            guard isBase64(scalars[i]) else { i += 1; continue }
            var j = i
            while j < scalars.count, isBase64(scalars[j]) { j += 1 }
            let run = scalars[i..<j]
            let bounded = (i == 0 || !joiners.contains(scalars[i - 1])) && (j == scalars.count || !joiners.contains(scalars[j]))
            if run.count == 40, bounded,
                run.contains(where: { ("A"..."Z").contains($0) }), run.contains(where: { ("a"..."z").contains($0) }),
                run.contains(where: isDigit), run.filter({ $0 == "/" || $0 == "+" }).count <= 4
            {
                return true
            }
            i = j
        }
        return false
    }

    /// A JSON web token: `eyJ…` header, `.`, `eyJ…` payload, `.`, signature, base64url each.
    static func hasJSONWebToken(_ line: Substring) -> Bool {
        let scalars = Array(line.unicodeScalars)
        func isURLBase64(_ c: Unicode.Scalar) -> Bool { isAlnum(c) || c == "_" || c == "-" }
        func segmentEnd(from start: Int) -> Int {
            var j = start
            while j < scalars.count, isURLBase64(scalars[j]) { j += 1 }
            return j
        }
        func startsJSON(_ at: Int) -> Bool {
            at + 3 <= scalars.count && scalars[at] == "e" && scalars[at + 1] == "y" && scalars[at + 2] == "J"
        }
        var i = 0
        while i + 3 <= scalars.count {
            guard startsJSON(i), i == 0 || !isURLBase64(scalars[i - 1]) else { i += 1; continue }
            let headerEnd = segmentEnd(from: i)
            if headerEnd - i >= 10, headerEnd < scalars.count, scalars[headerEnd] == ".", startsJSON(headerEnd + 1) {
                let payloadEnd = segmentEnd(from: headerEnd + 1)
                if payloadEnd - headerEnd - 1 >= 10, payloadEnd < scalars.count, scalars[payloadEnd] == "." {
                    if segmentEnd(from: payloadEnd + 1) - payloadEnd - 1 >= 16 { return true }
                }
            }
            i = headerEnd + 1
        }
        return false
    }
}
