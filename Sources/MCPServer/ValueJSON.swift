import Foundation
import MCP

/// Reads JSON text into the SDK's `Value` directly.
///
/// `JSONDecoder().decode(Value.self, ...)` costs far more than the JSON is worth: for every
/// string the SDK's `Value(from:)` first tries to decode a Bool, an Int and a Double (three
/// thrown errors), then builds and compiles a data-URL regular expression to test the string.
/// On a `memory_context` result of a few dozen memories that was a fifth of the call. This
/// reader makes `.string` of every string, `.int` of every number without a fraction or
/// exponent that fits an `Int`, `.double` of the other numbers: what `Value(from:)` gives for
/// the JSON our own encoders write (which never holds a `data:` URL).
enum ValueJSON {
    struct Malformed: Error {
        var offset: Int
    }

    /// The value of one JSON document.
    /// - Throws: `Malformed` with the byte offset where the text stops being JSON.
    static func parse(_ bytes: [UInt8]) throws(Malformed) -> Value {
        var reader = Reader(bytes: bytes)
        reader.skipBlanks()
        let value = try reader.value(depth: 0)
        reader.skipBlanks()
        guard reader.index == bytes.count else { throw Malformed(offset: reader.index) }
        return value
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0
        /// Deeper than this is refused (our results nest a handful of levels).
        static let maximumDepth = 512

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func skipBlanks() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
                index += 1
            }
        }

        private var malformed: Malformed { Malformed(offset: index) }

        private mutating func expect(_ word: String) throws(Malformed) {
            for byte in word.utf8 {
                guard index < bytes.count, bytes[index] == byte else { throw malformed }
                index += 1
            }
        }

        mutating func value(depth: Int) throws(Malformed) -> Value {
            guard index < bytes.count, depth < Self.maximumDepth else { throw malformed }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                var object: [String: Value] = [:]
                skipBlanks()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return .object(object)
                }
                while true {
                    skipBlanks()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw malformed }
                    let key = try string()
                    skipBlanks()
                    try expect(":")
                    skipBlanks()
                    object[key] = try value(depth: depth + 1)
                    skipBlanks()
                    guard index < bytes.count else { throw malformed }
                    if bytes[index] == UInt8(ascii: ",") {
                        index += 1
                        continue
                    }
                    try expect("}")
                    return .object(object)
                }
            case UInt8(ascii: "["):
                index += 1
                var array: [Value] = []
                skipBlanks()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .array(array)
                }
                while true {
                    skipBlanks()
                    array.append(try value(depth: depth + 1))
                    skipBlanks()
                    guard index < bytes.count else { throw malformed }
                    if bytes[index] == UInt8(ascii: ",") {
                        index += 1
                        continue
                    }
                    try expect("]")
                    return .array(array)
                }
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "t"):
                try expect("true")
                return .bool(true)
            case UInt8(ascii: "f"):
                try expect("false")
                return .bool(false)
            case UInt8(ascii: "n"):
                try expect("null")
                return .null
            default:
                return try number()
            }
        }

        private mutating func number() throws(Malformed) -> Value {
            let start = index
            var integral = true
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            while index < bytes.count {
                let byte = bytes[index]
                if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                    index += 1
                } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
                    || byte == UInt8(ascii: "+") || (byte == UInt8(ascii: "-") && index > start)
                {
                    integral = false
                    index += 1
                } else {
                    break
                }
            }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            if integral, let int = Int(text) { return .int(int) }
            guard let double = Double(text) else {
                index = start
                throw malformed
            }
            return .double(double)
        }

        /// A string starting at its opening quote.
        private mutating func string() throws(Malformed) -> String {
            index += 1
            var start = index
            var pieces: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    pieces += bytes[start..<index]
                    index += 1
                    return String(decoding: pieces, as: UTF8.self)
                }
                guard byte >= 0x20 else { throw malformed }
                guard byte == UInt8(ascii: "\\") else {
                    index += 1
                    continue
                }
                pieces += bytes[start..<index]
                index += 1
                guard index < bytes.count else { throw malformed }
                let escaped = bytes[index]
                index += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): pieces.append(escaped)
                case UInt8(ascii: "b"): pieces.append(0x08)
                case UInt8(ascii: "f"): pieces.append(0x0C)
                case UInt8(ascii: "n"): pieces.append(0x0A)
                case UInt8(ascii: "r"): pieces.append(0x0D)
                case UInt8(ascii: "t"): pieces.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        // A high surrogate: its low half must follow as another \u escape.
                        try expect("\\u")
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw malformed }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let character = Unicode.Scalar(scalar) else { throw malformed }
                    pieces += Array(String(Character(character)).utf8)
                default:
                    throw malformed
                }
                start = index
            }
            throw malformed
        }

        private mutating func hex4() throws(Malformed) -> UInt32 {
            guard index + 4 <= bytes.count else { throw malformed }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw malformed
                }
                value = value << 4 | UInt32(digit)
                index += 1
            }
            return value
        }
    }
}
