import Foundation

/// What `LineTransport` needs to know of a JSON-RPC message, read without building it.
///
/// The transport tracks which requests are still unanswered, so it needs each message's id and
/// whether it is a request, a response or a cancellation. Parsing every message into a tree for
/// that (`JSONSerialization`) cost as much as a third of the SDK's own handling of a large result;
/// this reads the top-level members and skips over every other value byte by byte.
enum MessageSkim {
    struct Message: Equatable {
        /// The id as text: `n:` and the integer, `s:` and the string (nil when absent or another type).
        var id: String?
        var method: String?
        var hasResult = false
        var hasError = false
        /// `params.requestId` as text, like `id`.
        var paramsRequestID: String?

        var isRequest: Bool { method != nil && id != nil }
        var isResponse: Bool { method == nil && (hasResult || hasError) && id != nil }
        var cancelledID: String? { method == "notifications/cancelled" ? paramsRequestID : nil }
    }

    /// The messages of one line: one object, or each object of a batch. Malformed JSON gives none.
    static func messages(in data: Data) -> [Message] {
        data.withUnsafeBytes { raw in
            var reader = Reader(bytes: raw.bindMemory(to: UInt8.self))
            return reader.messages() ?? []
        }
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        /// Deeper than this is treated as malformed (MCP messages nest a few levels).
        static let maximumDepth = 512

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func messages() -> [Message]? {
            skipBlanks()
            guard index < bytes.count else { return nil }
            var found: [Message] = []
            if bytes[index] == UInt8(ascii: "[") {
                index += 1
                skipBlanks()
                if peek(UInt8(ascii: "]")) {
                    index += 1
                } else {
                    while true {
                        skipBlanks()
                        if peek(UInt8(ascii: "{")) {
                            guard let message = object() else { return nil }
                            found.append(message)
                        } else {
                            guard skipValue(depth: 1) else { return nil }
                        }
                        skipBlanks()
                        if peek(UInt8(ascii: ",")) {
                            index += 1
                            continue
                        }
                        guard peek(UInt8(ascii: "]")) else { return nil }
                        index += 1
                        break
                    }
                }
            } else if bytes[index] == UInt8(ascii: "{") {
                guard let message = object() else { return nil }
                found.append(message)
            } else {
                return nil
            }
            skipBlanks()
            return index == bytes.count ? found : nil
        }

        /// A message object: its members read or skipped.
        private mutating func object() -> Message? {
            var message = Message()
            let complete = members(depth: 1) { reader, key in
                switch key {
                case "id":
                    message.id = reader.idText()
                    return true
                case "method":
                    guard reader.peek(UInt8(ascii: "\"")) else { return reader.skipValue(depth: 2) }
                    message.method = reader.string()
                    return message.method != nil
                case "result":
                    message.hasResult = true
                    return reader.skipValue(depth: 2)
                case "error":
                    message.hasError = true
                    return reader.skipValue(depth: 2)
                case "params":
                    guard reader.peek(UInt8(ascii: "{")) else { return reader.skipValue(depth: 2) }
                    var requestID: String?
                    let complete = reader.members(depth: 2) { inner, key in
                        guard key == "requestId" else { return inner.skipValue(depth: 3) }
                        requestID = inner.idText()
                        return true
                    }
                    message.paramsRequestID = requestID
                    return complete
                default:
                    return reader.skipValue(depth: 2)
                }
            }
            return complete ? message : nil
        }

        /// Reads an object starting at `{`, handing each member's key to `member`, which must
        /// consume the value. False when the text is not a well-formed object.
        private mutating func members(depth: Int, _ member: (inout Reader, String) -> Bool) -> Bool {
            guard peek(UInt8(ascii: "{")), depth < Self.maximumDepth else { return false }
            index += 1
            skipBlanks()
            if peek(UInt8(ascii: "}")) {
                index += 1
                return true
            }
            while true {
                skipBlanks()
                guard peek(UInt8(ascii: "\"")), let key = string() else { return false }
                skipBlanks()
                guard peek(UInt8(ascii: ":")) else { return false }
                index += 1
                skipBlanks()
                guard member(&self, key) else { return false }
                skipBlanks()
                if peek(UInt8(ascii: ",")) {
                    index += 1
                    continue
                }
                guard peek(UInt8(ascii: "}")) else { return false }
                index += 1
                return true
            }
        }

        /// An id value as text (`n:` + integer, `s:` + string); nil for any other value, which is
        /// skipped. Consumes the value either way.
        private mutating func idText() -> String? {
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: "\"") {
                return string().map { "s:" + $0 }
            }
            let start = index
            guard skipValue(depth: 2) else { return nil }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            if let integer = Int(text) { return "n:\(integer)" }
            if let number = Double(text), number.isFinite, number == number.rounded(), let integer = Int(exactly: number) {
                return "n:\(integer)"
            }
            return nil
        }

        func peek(_ byte: UInt8) -> Bool { index < bytes.count && bytes[index] == byte }

        mutating func skipBlanks() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
                index += 1
            }
        }

        /// A string starting at its opening quote, escapes decoded; nil when malformed.
        private mutating func string() -> String? {
            guard let (range, escaped) = rawString() else { return nil }
            let raw = UnsafeBufferPointer(rebasing: bytes[range])
            guard escaped else { return String(decoding: raw, as: UTF8.self) }
            // Rare (an escape in a key, method or id): the standard decoder does the rest.
            let quoted = Data([UInt8(ascii: "\"")] + Array(raw) + [UInt8(ascii: "\"")])
            return try? JSONDecoder().decode(String.self, from: quoted)
        }

        /// Moves past a string starting at its opening quote: the bytes between the quotes, and
        /// whether they hold an escape; nil when malformed.
        private mutating func rawString() -> (range: Range<Int>, escaped: Bool)? {
            index += 1
            let start = index
            var escaped = false
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    return (start..<index - 1, escaped)
                }
                if byte < 0x20 { return nil }
                if byte == UInt8(ascii: "\\") {
                    escaped = true
                    index += 2
                    continue
                }
                index += 1
            }
            return nil
        }

        /// Skips one value of any kind; false when the text is not well-formed there.
        mutating func skipValue(depth: Int) -> Bool {
            guard index < bytes.count, depth < Self.maximumDepth else { return false }
            switch bytes[index] {
            case UInt8(ascii: "\""):
                return rawString() != nil
            case UInt8(ascii: "{"):
                return members(depth: depth) { reader, _ in reader.skipValue(depth: depth + 1) }
            case UInt8(ascii: "["):
                index += 1
                skipBlanks()
                if peek(UInt8(ascii: "]")) {
                    index += 1
                    return true
                }
                while true {
                    skipBlanks()
                    guard skipValue(depth: depth + 1) else { return false }
                    skipBlanks()
                    if peek(UInt8(ascii: ",")) {
                        index += 1
                        continue
                    }
                    guard peek(UInt8(ascii: "]")) else { return false }
                    index += 1
                    return true
                }
            default:
                // A number, true, false or null: the run of their characters.
                let start = index
                while index < bytes.count {
                    switch bytes[index] {
                    case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                        UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "a")...UInt8(ascii: "z"):
                        index += 1
                    default:
                        return index > start
                    }
                }
                return index > start
            }
        }
    }
}
