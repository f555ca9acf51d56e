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
    /// - Parameter comment: the whole comment's bytes, from `<!--` through `-->`.
    static func parse(comment: UnsafeBufferPointer<UInt8>) -> Result<[MetaField], MetadataError> {
        guard comment.count >= 7, "<!--".utf8.elementsEqual(comment.prefix(4)),
            "-->".utf8.elementsEqual(comment.suffix(3))
        else {
            return .failure(MetadataError(message: "metadata must be one HTML comment <!-- ... -->"))
        }
        var scanner = Scanner(bytes: UnsafeBufferPointer(rebasing: comment[4..<comment.count - 3]))
        var fields: [MetaField] = []
        while true {
            scanner.skipWhitespace()
            if scanner.atEnd { return .success(fields) }
            let key: String
            if scanner.peek == .quote {
                guard let quoted = scanner.jsonString() else {
                    return .failure(MetadataError(message: "bad quoted key \(scanner.context)"))
                }
                key = quoted
            } else {
                key = scanner.take(while: { isBareKeyScalar(Unicode.Scalar($0)) })
                if key.isEmpty {
                    return .failure(MetadataError(message: "expected 'key: value' \(scanner.context)"))
                }
            }
            guard scanner.peek == .colon else {
                return .failure(MetadataError(message: "expected ':' after key '\(key)' \(scanner.context)"))
            }
            scanner.position += 1
            scanner.skipWhitespace()
            let value: String
            if scanner.peek == .quote {
                guard let quoted = scanner.jsonString() else {
                    return .failure(MetadataError(message: "bad quoted value for '\(key)' \(scanner.context)"))
                }
                value = quoted
                if let next = scanner.peek, !next.isASCIIWhitespace {
                    return .failure(MetadataError(message: "expected a blank after the value of '\(key)'"))
                }
            } else {
                value = scanner.take(while: { !$0.isASCIIWhitespace })
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

    /// Reads the comment's UTF-8 bytes; only ASCII whitespace separates fields.
    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

        var atEnd: Bool { position >= bytes.count }
        var peek: UInt8? { atEnd ? nil : bytes[position] }
        var context: String { "at byte \(position + 5) of the comment" }

        mutating func skipWhitespace() {
            while let byte = peek, byte.isASCIIWhitespace { position += 1 }
        }

        mutating func take(while predicate: (UInt8) -> Bool) -> String {
            let start = position
            while let byte = peek, predicate(byte) { position += 1 }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        }

        /// A JSON string literal starting at the current `"`; nil if malformed.
        mutating func jsonString() -> String? {
            position += 1
            var text: [UInt8] = []
            while let byte = peek {
                position += 1
                switch byte {
                case .quote:
                    return String(decoding: text, as: UTF8.self)
                case .backslash:
                    guard let escape = peek else { return nil }
                    position += 1
                    switch escape {
                    case .quote, .backslash, UInt8(ascii: "/"): text.append(escape)
                    case UInt8(ascii: "n"): text.append(.lineFeed)
                    case UInt8(ascii: "r"): text.append(.carriageReturn)
                    case UInt8(ascii: "t"): text.append(.tab)
                    case UInt8(ascii: "b"): text.append(0x08)
                    case UInt8(ascii: "f"): text.append(0x0C)
                    case UInt8(ascii: "u"):
                        guard let unit = hexUnit() else { return nil }
                        var value = unit
                        if (0xD800..<0xDC00).contains(unit) {
                            guard peek == .backslash, position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "u")
                            else { return nil }
                            position += 2
                            guard let low = hexUnit(), (0xDC00..<0xE000).contains(low) else { return nil }
                            value = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let scalar = Unicode.Scalar(value) else { return nil }
                        text.append(contentsOf: UTF8.encode(scalar)!)
                    default: return nil
                    }
                default:
                    if byte < 0x20 && byte != .tab { return nil }
                    text.append(byte)
                }
            }
            return nil
        }

        private mutating func hexUnit() -> UInt32? {
            guard position + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for byte in bytes[position..<position + 4] {
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: return nil
                }
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
