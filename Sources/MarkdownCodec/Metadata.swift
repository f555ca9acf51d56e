/// One `key: value` pair of an entry's metadata comment.
public struct MetaField: Sendable, Hashable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// Reads and writes the `<!-- id: X key: value -->` metadata comment.
///
/// Keys matching `[A-Za-z0-9_.-]+` and values without blanks, quotes, backslashes,
/// `<`, `>`, `--` or control characters are written bare; everything else is written
/// as a JSON string literal with `<` and `>` escaped, so `-->` never appears inside.
enum MetadataCodec {
    /// The comment's fields in order, or a reason why it does not parse.
    ///
    /// - Parameter comment: the whole comment text, from `<!--` through `-->`.
    static func parse(comment: Substring) -> Result<[MetaField], MetadataError> {
        guard comment.hasPrefix("<!--"), comment.hasSuffix("-->"), comment.count >= 7 else {
            return .failure(MetadataError(message: "metadata must be one HTML comment <!-- ... -->"))
        }
        let inner = comment.unicodeScalars.dropFirst(4).dropLast(3)
        var scanner = Scanner(scalars: Array(inner))
        var fields: [MetaField] = []
        while true {
            scanner.skipWhitespace()
            if scanner.atEnd { return .success(fields) }
            let key: String
            if scanner.peek == "\"" {
                guard let quoted = scanner.jsonString() else {
                    return .failure(MetadataError(message: "bad quoted key \(scanner.context)"))
                }
                key = quoted
            } else {
                key = scanner.take(while: isBareKeyScalar)
                if key.isEmpty {
                    return .failure(MetadataError(message: "expected 'key: value' \(scanner.context)"))
                }
            }
            guard scanner.peek == ":" else {
                return .failure(MetadataError(message: "expected ':' after key '\(key)' \(scanner.context)"))
            }
            scanner.advance()
            scanner.skipWhitespace()
            let value: String
            if scanner.peek == "\"" {
                guard let quoted = scanner.jsonString() else {
                    return .failure(MetadataError(message: "bad quoted value for '\(key)' \(scanner.context)"))
                }
                value = quoted
                if !scanner.atEnd, !scanner.peekIsWhitespace {
                    return .failure(MetadataError(message: "expected a blank after the value of '\(key)'"))
                }
            } else {
                value = scanner.take(while: { !$0.properties.isWhitespace })
            }
            fields.append(MetaField(key: key, value: value))
        }
    }

    /// The comment line (without line ending) for `id` and `meta`, in that order.
    static func render(id: String, meta: [MetaField]) -> String {
        var text = "<!-- id: " + encodeValue(id)
        for field in meta {
            text += " " + encodeKey(field.key) + ": " + encodeValue(field.value)
        }
        return text + " -->"
    }

    static func encodeKey(_ key: String) -> String {
        let bare = !key.isEmpty && !key.contains("--") && key.unicodeScalars.allSatisfy(isBareKeyScalar)
        return bare ? key : jsonLiteral(key)
    }

    static func encodeValue(_ value: String) -> String {
        let bare =
            !value.isEmpty && !value.contains("--")
            && value.unicodeScalars.allSatisfy { scalar in
                switch scalar {
                case "\"", "\\", "<", ">", "'": return false
                default:
                    let category = scalar.properties.generalCategory
                    return !scalar.properties.isWhitespace && category != .control && category != .format
                        && category != .lineSeparator && category != .paragraphSeparator
                        && category != .unassigned && category != .surrogate && category != .privateUse
                }
            }
        return bare ? value : jsonLiteral(value)
    }

    /// A JSON string literal; `<` and `>` are escaped too, so `-->` cannot appear.
    static func jsonLiteral(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<": out += "\\u003c"
            case ">": out += "\\u003e"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    out += "\\u" + hex4(scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    static func isBareKeyScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "A"..."Z", "a"..."z", "0"..."9", "_", ".", "-": return true
        default: return false
        }
    }

    private struct Scanner {
        let scalars: [Unicode.Scalar]
        var position = 0

        var atEnd: Bool { position >= scalars.count }
        var peek: Unicode.Scalar? { atEnd ? nil : scalars[position] }
        var peekIsWhitespace: Bool { peek?.properties.isWhitespace ?? false }
        var context: String { "at character \(position + 5) of the comment" }

        mutating func advance() { position += 1 }

        mutating func skipWhitespace() {
            while let scalar = peek, scalar.properties.isWhitespace { position += 1 }
        }

        mutating func take(while predicate: (Unicode.Scalar) -> Bool) -> String {
            var text = String.UnicodeScalarView()
            while let scalar = peek, predicate(scalar) {
                text.append(scalar)
                position += 1
            }
            return String(text)
        }

        /// A JSON string literal starting at the current `"`; nil if malformed.
        mutating func jsonString() -> String? {
            position += 1
            var text = String.UnicodeScalarView()
            while let scalar = peek {
                position += 1
                switch scalar {
                case "\"":
                    return String(text)
                case "\\":
                    guard let escape = peek else { return nil }
                    position += 1
                    switch escape {
                    case "\"", "\\", "/": text.append(escape)
                    case "n": text.append("\n")
                    case "r": text.append("\r")
                    case "t": text.append("\t")
                    case "b": text.append("\u{8}")
                    case "f": text.append("\u{C}")
                    case "u":
                        guard let unit = hexUnit() else { return nil }
                        if (0xD800..<0xDC00).contains(unit) {
                            guard peek == "\\", position + 1 < scalars.count, scalars[position + 1] == "u" else {
                                return nil
                            }
                            position += 2
                            guard let low = hexUnit(), (0xDC00..<0xE000).contains(low) else { return nil }
                            let combined = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                            guard let decoded = Unicode.Scalar(combined) else { return nil }
                            text.append(decoded)
                        } else {
                            guard let decoded = Unicode.Scalar(unit) else { return nil }
                            text.append(decoded)
                        }
                    default: return nil
                    }
                default:
                    if scalar.value < 0x20 && scalar != "\t" { return nil }
                    text.append(scalar)
                }
            }
            return nil
        }

        private mutating func hexUnit() -> UInt32? {
            guard position + 4 <= scalars.count else { return nil }
            var value: UInt32 = 0
            for scalar in scalars[position..<position + 4] {
                guard scalar.isASCII, let digit = Int(String(scalar), radix: 16) else { return nil }
                value = value * 16 + UInt32(digit)
            }
            position += 4
            return value
        }
    }
}

/// Why a metadata comment does not parse.
struct MetadataError: Error {
    var message: String
}
