/// Bech32 (BIP-173) as age uses it for keys: no length limit on the data part,
/// all-uppercase or all-lowercase, checksum always over the lowercase form.
enum Bech32 {
    private static let charset: [UInt8] = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)
    private static let generator: [UInt32] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3]

    private static func polymod(_ values: [UInt8]) -> UInt32 {
        var checksum: UInt32 = 1
        for value in values {
            let top = checksum >> 25
            checksum = (checksum & 0x1ff_ffff) << 5 ^ UInt32(value)
            for index in 0..<5 where (top >> UInt32(index)) & 1 == 1 {
                checksum ^= generator[index]
            }
        }
        return checksum
    }

    private static func expand(_ hrp: [UInt8]) -> [UInt8] {
        hrp.map { $0 >> 5 } + [0] + hrp.map { $0 & 31 }
    }

    private static func lowercased(_ bytes: [UInt8]) -> [UInt8] {
        bytes.map { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) ? $0 + 32 : $0 }
    }

    /// Encodes `data` under `hrp`; the result is uppercase when `hrp` is.
    static func encode(hrp: String, data: [UInt8]) -> String {
        let hrpBytes = Array(hrp.utf8)
        let upper = hrpBytes.contains { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }
        let values = regroup(data, from: 8, to: 5, pad: true)!
        let mod = polymod(expand(lowercased(hrpBytes)) + values + [0, 0, 0, 0, 0, 0]) ^ 1
        let checksum = (0..<6).map { UInt8((mod >> UInt32(5 * (5 - $0))) & 31) }
        var out = hrpBytes + [UInt8(ascii: "1")]
        out += (values + checksum).map { charset[Int($0)] }
        let text = String(decoding: out, as: UTF8.self)
        return upper ? text.uppercased() : text
    }

    /// Decodes a Bech32 string into its human-readable part (in the case it
    /// was written) and its 8-bit data, or returns nil if it is not valid.
    static func decode(_ text: String) -> (hrp: String, data: [UInt8])? {
        let bytes = Array(text.utf8)
        guard bytes.allSatisfy({ (33...126).contains($0) }) else { return nil }
        let hasLower = bytes.contains { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) }
        let hasUpper = bytes.contains { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }
        guard !(hasLower && hasUpper) else { return nil }
        let lower = lowercased(bytes)
        guard let separator = lower.lastIndex(of: UInt8(ascii: "1")), separator >= 1,
            separator + 7 <= lower.count
        else { return nil }
        var values: [UInt8] = []
        values.reserveCapacity(lower.count - separator - 1)
        for byte in lower[(separator + 1)...] {
            guard let value = charset.firstIndex(of: byte) else { return nil }
            values.append(UInt8(value))
        }
        guard polymod(expand(Array(lower[..<separator])) + values) == 1 else { return nil }
        guard let data = regroup(Array(values.dropLast(6)), from: 5, to: 8, pad: false) else {
            return nil
        }
        return (String(decoding: bytes[..<separator], as: UTF8.self), data)
    }

    /// Converts between bit group sizes; without `pad`, leftover bits must be
    /// fewer than `from` and all zero.
    private static func regroup(_ input: [UInt8], from: Int, to: Int, pad: Bool) -> [UInt8]? {
        var accumulator = 0
        var bits = 0
        var out: [UInt8] = []
        let mask = (1 << to) - 1
        for value in input {
            accumulator = (accumulator << from | Int(value)) & 0xFFFF
            bits += from
            while bits >= to {
                bits -= to
                out.append(UInt8((accumulator >> bits) & mask))
            }
        }
        if pad {
            if bits > 0 { out.append(UInt8((accumulator << (to - bits)) & mask)) }
        } else if bits >= from || (accumulator << (to - bits)) & mask != 0 {
            return nil
        }
        return out
    }
}
