import Foundation
import Vault

/// Cuts the elements out of a top-level JSON array read in chunks, so that an export of any
/// size is parsed one element at a time (`[ {...}, {...} ]`).
///
/// It tracks only strings, escapes and bracket depth; each element's bytes are then parsed by
/// Foundation's `JSONSerialization`. Memory is bounded by the largest element, not the input.
public struct JSONArrayStream {
    /// Where an element sits in the input.
    public struct Element {
        /// 0-based position in the array.
        public var index: Int
        /// Byte offset of its first byte in the input.
        public var offset: Int
        public var bytes: [UInt8]
    }

    private enum State { case beforeArray, beforeElement, inElement, afterElement, done }

    /// The input's name for errors (`conversations.json`).
    public let name: String
    private var state = State.beforeArray
    private var depth = 0
    private var inString = false
    private var escaped = false
    private var current: [UInt8] = []
    private var elementStart = 0
    private var offset = 0
    private var count = 0
    private var sawComma = false

    public init(name: String) { self.name = name }

    private func error(_ what: String, at byte: Int) -> VaultError {
        VaultError(.badInput, what, at: "\(name), byte \(byte)")
    }

    /// Feeds the next chunk; calls `element` for each element completed in it.
    /// - Throws: `VaultError.badInput` naming the byte offset of anything that is not a JSON array
    ///   of objects, and whatever `element` throws.
    public mutating func feed(_ chunk: some Collection<UInt8>, element: (Element) throws(VaultError) -> Void) throws(VaultError) {
        let bytes = Array(chunk)
        var start = 0  // where the current element's bytes in this chunk begin
        var index = 0
        let n = bytes.count
        while index < n {
            let byte = bytes[index]
            switch state {
            case .beforeArray:
                if Self.isSpace(byte) || (offset + index == 0 && byte == 0xEF) {
                    // whitespace, or a UTF-8 byte-order mark
                } else if offset + index <= 2, byte == 0xBB || byte == 0xBF {
                } else if byte == UInt8(ascii: "[") {
                    state = .beforeElement
                } else {
                    throw error("not a JSON array (the export's top level must be a list)", at: offset + index)
                }
            case .beforeElement:
                if Self.isSpace(byte) {
                } else if byte == UInt8(ascii: "{") {
                    state = .inElement
                    depth = 1
                    elementStart = offset + index
                    start = index
                } else if byte == UInt8(ascii: "]"), count == 0, !sawComma {
                    state = .done
                } else {
                    throw error("expected an object in the list", at: offset + index)
                }
            case .inElement:
                if inString {
                    if escaped {
                        escaped = false
                    } else if byte == UInt8(ascii: "\\") {
                        escaped = true
                    } else if byte == UInt8(ascii: "\"") {
                        inString = false
                    }
                } else if byte == UInt8(ascii: "\"") {
                    inString = true
                } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                    depth += 1
                } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                    depth -= 1
                    if depth == 0 {
                        current.append(contentsOf: bytes[start...index])
                        let done = Element(index: count, offset: elementStart, bytes: current)
                        current = []
                        count += 1
                        sawComma = false
                        state = .afterElement
                        try element(done)
                    }
                }
            case .afterElement:
                if Self.isSpace(byte) {
                } else if byte == UInt8(ascii: ",") {
                    sawComma = true
                    state = .beforeElement
                } else if byte == UInt8(ascii: "]") {
                    state = .done
                } else {
                    throw error("expected ',' or ']' after element \(count)", at: offset + index)
                }
            case .done:
                if !Self.isSpace(byte) { throw error("unexpected data after the end of the list", at: offset + index) }
            }
            index += 1
        }
        if state == .inElement { current.append(contentsOf: bytes[start..<n]) }
        offset += n
    }

    /// Checks that the input ended where the array ends.
    /// - Throws: `VaultError.badInput` for a truncated input, naming its length.
    public func finish() throws(VaultError) {
        switch state {
        case .done: return
        case .beforeArray: throw error("empty input, expected a JSON list", at: offset)
        case .inElement:
            throw error("the input ends inside element \(count) (begun at byte \(elementStart)); the export is truncated", at: offset)
        case .beforeElement, .afterElement:
            throw error("the input ends before the list is closed; the export is truncated", at: offset)
        }
    }

    /// How many elements have been completed.
    public var elementCount: Int { count }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// Parses one element's bytes as a JSON object.
    /// - Throws: `VaultError.badInput` naming the element and its byte offset.
    public static func object(_ element: Element, name: String, what: String) throws(VaultError) -> [String: Any] {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(element.bytes), options: [])
        } catch {
            throw VaultError(.badInput, "malformed JSON in \(what) \(element.index + 1)", at: "\(name), byte \(element.offset)")
        }
        guard let object = parsed as? [String: Any] else {
            throw VaultError(.badInput, "\(what) \(element.index + 1) is not a JSON object", at: "\(name), byte \(element.offset)")
        }
        return object
    }
}
