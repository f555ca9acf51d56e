/// Strict standard base64 (RFC 4648 section 4) as age needs it: unpadded and
/// canonical in the header, padded and canonical inside the armor.
enum Base64 {
    private static let alphabet: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Maps an ASCII byte to its 6-bit value, or 0xFF for a non-alphabet byte.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    /// Whether `byte` is one of the 64 alphabet characters (not `=`).
    @inline(__always)
    static func isAlphabet(_ byte: UInt8) -> Bool { values[Int(byte)] != 0xFF }

    /// Encodes `bytes`, with `=` padding when `padded`.
    ///
    /// - Complexity: O(n).
    static func encode(_ bytes: [UInt8], padded: Bool) -> [UInt8] {
        let full = bytes.count / 3
        let rest = bytes.count % 3
        let count = full * 4 + (rest == 0 ? 0 : padded ? 4 : rest + 1)
        return [UInt8](unsafeUninitializedCapacity: count) { output, initialized in
            alphabet.withUnsafeBufferPointer { table in
                bytes.withUnsafeBufferPointer { input in
                    var o = 0
                    var i = 0
                    for _ in 0..<full {
                        let word = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
                        output[o] = table[Int(word >> 18)]
                        output[o + 1] = table[Int(word >> 12 & 0x3F)]
                        output[o + 2] = table[Int(word >> 6 & 0x3F)]
                        output[o + 3] = table[Int(word & 0x3F)]
                        i += 3
                        o += 4
                    }
                    if rest > 0 {
                        let b1 = rest == 2 ? UInt32(input[i + 1]) : 0
                        let word = UInt32(input[i]) << 16 | b1 << 8
                        output[o] = table[Int(word >> 18)]
                        output[o + 1] = table[Int(word >> 12 & 0x3F)]
                        o += 2
                        if rest == 2 {
                            output[o] = table[Int(word >> 6 & 0x3F)]
                            o += 1
                        }
                        while padded, o < count {
                            output[o] = UInt8(ascii: "=")
                            o += 1
                        }
                    }
                }
            }
            initialized = count
        }
    }

    /// Decodes canonical base64: unpadded when `padded` is false (any `=` is an
    /// error), padded to a multiple of four when `padded` is true. Returns nil
    /// for any other byte, a wrong length, or non-zero trailing bits.
    ///
    /// - Complexity: O(n).
    static func decode<C: Collection>(_ text: C, padded: Bool) -> [UInt8]? where C.Element == UInt8 {
        let symbols = Array(text)
        var count = symbols.count
        if padded {
            guard count % 4 == 0 else { return nil }
            var padding = 0
            while padding < 2, count > 0, symbols[count - 1] == UInt8(ascii: "=") {
                count -= 1
                padding += 1
            }
            // After removing the padding the length must be exactly what the padding implies.
            if padding > 0, count % 4 != 4 - padding { return nil }
        }
        guard count % 4 != 1 else { return nil }
        var out = [UInt8](repeating: 0, count: count * 3 / 4)
        let valid = values.withUnsafeBufferPointer { table in
            symbols.withUnsafeBufferPointer { all in
                let input = UnsafeBufferPointer(rebasing: all[..<count])
                return out.withUnsafeMutableBufferPointer { output in
                    var accumulator: UInt32 = 0
                    var bits: UInt32 = 0
                    var written = 0
                    var invalid: UInt8 = 0
                    for symbol in input {
                        let value = table[Int(symbol)]
                        invalid |= value & 0x80
                        accumulator = accumulator << 6 | UInt32(value & 0x3F)
                        bits += 6
                        if bits >= 8 {
                            bits -= 8
                            output[written] = UInt8(truncatingIfNeeded: accumulator >> bits)
                            written += 1
                        }
                    }
                    // Canonical encodings leave the unused low bits of the last symbol at zero.
                    return invalid == 0 && accumulator & ((1 << bits) - 1) == 0
                }
            }
        }
        guard valid else { return nil }
        return out
    }
}
