/// Finds credentials in text meant for a plain-text tier: provider API keys and tokens,
/// private key blocks, card numbers (Luhn), IBANs (mod 97) and `password: x` lines.
///
/// Hits carry the kind and the line only, never the matched text, so reporting them cannot
/// leak the secret.
public enum SecretScanner {
    public enum Kind: String, Sendable, Codable {
        case awsAccessKey, githubToken, slackToken, stripeKey, openAIKey, googleAPIKey
        case privateKey, cardNumber, iban, password

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
            }
        }
    }

    /// One finding: what and on which line (1-based) of the scanned text.
    public struct Hit: Sendable, Equatable, Codable {
        public var kind: Kind
        public var line: Int
    }

    /// Every credential-looking thing in `text`, at most one hit per kind and line.
    /// - Complexity: O(n) in the text's length.
    public static func scan(_ text: String) -> [Hit] {
        var hits: [Hit] = []
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var kinds: [Kind] = []
            func add(_ kind: Kind) { if !kinds.contains(kind) { kinds.append(kind) } }
            for token in tokens(line) {
                if let kind = tokenKind(token) { add(kind) }
            }
            if line.contains("-----BEGIN"), line.contains("PRIVATE KEY-----") { add(.privateKey) }
            if hasCardNumber(line) { add(.cardNumber) }
            if hasIBAN(line) { add(.iban) }
            if hasPasswordAssignment(line) { add(.password) }
            hits += kinds.map { Hit(kind: $0, line: lineNumber) }
        }
        return hits
    }

    // MARK: Tokens

    private static func isTokenCharacter(_ c: Unicode.Scalar) -> Bool {
        c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "_" || c == "-")
    }

    /// Runs of ASCII letters, digits, `_` and `-`.
    static func tokens(_ line: Substring) -> [Substring] {
        var result: [Substring] = []
        var start: String.Index?
        var index = line.startIndex
        while index < line.endIndex {
            let scalar = line.unicodeScalars[index]
            if isTokenCharacter(scalar) {
                if start == nil { start = index }
            } else if let s = start {
                result.append(line[s..<index])
                start = nil
            }
            index = line.unicodeScalars.index(after: index)
        }
        if let s = start { result.append(line[s...]) }
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

    /// A run of 13-19 digits, optionally grouped by single spaces or dashes, passing Luhn,
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
                } else if (scalars[j] == " " || scalars[j] == "-"), j + 1 < scalars.count, isDigit(scalars[j + 1]) {
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
    /// passing the ISO 13616 mod-97 check.
    static func hasIBAN(_ line: Substring) -> Bool {
        let scalars = Array(line.unicodeScalars)
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
                } else if scalars[j] == " ", j + 1 < scalars.count, isUpperOrDigit(scalars[j + 1]) {
                    j += 1
                } else {
                    break
                }
            }
            if (15...34).contains(characters.count), mod97(characters) == 1 { return true }
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
    static func hasPasswordAssignment(_ line: Substring) -> Bool {
        let lower = line.lowercased()
        for word in ["password", "passwort", "passwd", "passphrase", "kennwort", "pwd"] {
            var searchStart = lower.startIndex
            while let range = lower.range(of: word, range: searchStart..<lower.endIndex) {
                searchStart = range.upperBound
                if range.lowerBound > lower.startIndex,
                    let before = lower[lower.index(before: range.lowerBound)].unicodeScalars.first, isAlnum(before)
                {
                    continue
                }
                var rest = lower[range.upperBound...].drop { $0 == " " || $0 == "\t" || $0 == "*" || $0 == "\"" }
                guard let separator = rest.first, separator == ":" || separator == "=" else { continue }
                rest = rest.dropFirst().drop { $0 == " " || $0 == "\t" }
                let value = rest.prefix { !$0.isWhitespace }
                if !value.isEmpty { return true }
            }
        }
        return false
    }
}
