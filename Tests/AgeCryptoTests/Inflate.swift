/// A small zlib (RFC 1950) / DEFLATE (RFC 1951) decoder for the test vectors
/// marked `compressed: zlib`: swift-crypto has no zlib and Foundation on Linux
/// exposes none. Canonical Huffman decoding in the style of zlib's puff.c;
/// checks the zlib header and the Adler-32 trailer.
struct Inflate {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let input: [UInt8]
    private var position = 0
    private var bitBuffer: UInt32 = 0
    private var bitCount = 0
    private var output: [UInt8] = []

    private init(_ input: [UInt8]) {
        self.input = input
    }

    /// Inflates a zlib stream, verifying its header and Adler-32 checksum.
    static func zlib(_ data: [UInt8]) throws -> [UInt8] {
        guard data.count >= 6 else { throw Failure(description: "zlib stream too short") }
        let cmf = data[0]
        let flags = data[1]
        guard cmf & 0x0F == 8, cmf >> 4 <= 7, (UInt16(cmf) << 8 | UInt16(flags)) % 31 == 0, flags & 0x20 == 0 else {
            throw Failure(description: "bad zlib header")
        }
        var inflater = Inflate(data)
        inflater.position = 2
        try inflater.run()
        // The Adler-32 trailer starts at the next byte boundary.
        let trailer = inflater.position
        guard data.count >= trailer + 4 else { throw Failure(description: "missing Adler-32 trailer") }
        let expected = data[trailer..<trailer + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard adler32(inflater.output) == expected else { throw Failure(description: "Adler-32 mismatch") }
        return inflater.output
    }

    /// Adler-32, reducing modulo 65521 only every 5552 bytes (the most that cannot overflow).
    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1
        var b: UInt32 = 0
        bytes.withUnsafeBufferPointer { buffer in
            var start = 0
            while start < buffer.count {
                let end = min(start + 5552, buffer.count)
                for byte in UnsafeBufferPointer(rebasing: buffer[start..<end]) {
                    a &+= UInt32(byte)
                    b &+= a
                }
                a %= 65521
                b %= 65521
                start = end
            }
        }
        return b << 16 | a
    }

    private mutating func bits(_ count: Int) throws -> Int {
        while bitCount < count {
            guard position < input.count else { throw Failure(description: "deflate stream truncated") }
            bitBuffer |= UInt32(input[position]) << UInt32(bitCount)
            position += 1
            bitCount += 8
        }
        let value = Int(bitBuffer & ((1 << UInt32(count)) - 1))
        bitBuffer >>= UInt32(count)
        bitCount -= count
        return value
    }

    private struct Huffman {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int]

        init(lengths: [Int]) throws {
            symbols = [Int](repeating: 0, count: lengths.count)
            for length in lengths { counts[length] += 1 }
            var offsets = [Int](repeating: 0, count: 16)
            for length in 1..<15 { offsets[length + 1] = offsets[length] + counts[length] }
            for (symbol, length) in lengths.enumerated() where length != 0 {
                symbols[offsets[length]] = symbol
                offsets[length] += 1
            }
        }
    }

    private mutating func decode(_ huffman: Huffman) throws -> Int {
        var code = 0
        var first = 0
        var index = 0
        var length = 0
        // A while loop: range iteration costs generic-metadata lookups in debug builds.
        while length < 15 {
            length += 1
            code |= try bits(1)
            let count = huffman.counts[length]
            if code - count < first { return huffman.symbols[index + (code - first)] }
            index += count
            first = (first + count) << 1
            code <<= 1
        }
        throw Failure(description: "invalid Huffman code")
    }

    private static let lengthBase = [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
    ]
    private static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distanceBase = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
        6145, 8193, 12289, 16385, 24577,
    ]
    private static let distanceExtra = [
        0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
    ]
    private static let zeros = [UInt8](repeating: 0, count: 258)
    private static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    private mutating func run() throws {
        var final = false
        while !final {
            final = try bits(1) == 1
            switch try bits(2) {
            case 0: try stored()
            case 1:
                let literal = (0..<288).map { $0 < 144 ? 8 : $0 < 256 ? 9 : $0 < 280 ? 7 : 8 }
                try codes(Huffman(lengths: literal), Huffman(lengths: [Int](repeating: 5, count: 30)))
            case 2: try dynamic()
            default: throw Failure(description: "invalid deflate block type")
            }
        }
        // Drop the partial byte so `position` points at the trailer.
        bitBuffer = 0
        bitCount = 0
    }

    private mutating func stored() throws {
        bitBuffer = 0
        bitCount = 0
        guard position + 4 <= input.count else { throw Failure(description: "stored block truncated") }
        let length = Int(input[position]) | Int(input[position + 1]) << 8
        let complement = Int(input[position + 2]) | Int(input[position + 3]) << 8
        guard length == ~complement & 0xFFFF else { throw Failure(description: "stored block length check") }
        position += 4
        guard position + length <= input.count else { throw Failure(description: "stored block truncated") }
        output += input[position..<position + length]
        position += length
    }

    private mutating func dynamic() throws {
        let literalCount = try bits(5) + 257
        let distanceCount = try bits(5) + 1
        let codeCount = try bits(4) + 4
        guard literalCount <= 286, distanceCount <= 30 else { throw Failure(description: "bad dynamic counts") }
        var codeLengths = [Int](repeating: 0, count: 19)
        for index in 0..<codeCount { codeLengths[Self.codeLengthOrder[index]] = try bits(3) }
        let lengthCode = try Huffman(lengths: codeLengths)
        var lengths: [Int] = []
        while lengths.count < literalCount + distanceCount {
            let symbol = try decode(lengthCode)
            switch symbol {
            case 0..<16: lengths.append(symbol)
            case 16:
                guard let previous = lengths.last else { throw Failure(description: "repeat with no length") }
                lengths += repeatElement(previous, count: 3 + (try bits(2)))
            case 17: lengths += repeatElement(0, count: 3 + (try bits(3)))
            default: lengths += repeatElement(0, count: 11 + (try bits(7)))
            }
        }
        guard lengths.count == literalCount + distanceCount, lengths[256] != 0 else {
            throw Failure(description: "bad code lengths")
        }
        try codes(
            Huffman(lengths: Array(lengths[..<literalCount])), Huffman(lengths: Array(lengths[literalCount...])))
    }

    private mutating func codes(_ literals: Huffman, _ distances: Huffman) throws {
        while true {
            let symbol = try decode(literals)
            if symbol < 256 {
                output.append(UInt8(symbol))
            } else if symbol == 256 {
                return
            } else {
                let index = symbol - 257
                guard index < 29 else { throw Failure(description: "bad length symbol") }
                let length = Self.lengthBase[index] + (try bits(Self.lengthExtra[index]))
                let distanceSymbol = try decode(distances)
                guard distanceSymbol < 30 else { throw Failure(description: "bad distance symbol") }
                let distance = Self.distanceBase[distanceSymbol] + (try bits(Self.distanceExtra[distanceSymbol]))
                guard distance <= output.count else { throw Failure(description: "distance too far back") }
                // Grow, then copy in runs of at most `distance` bytes: each run's source
                // ends where its destination starts, so overlapping matches repeat
                // correctly and every run is a plain memory copy.
                let start = output.count
                output.append(contentsOf: Self.zeros[..<length])  // contiguous: a memcpy even in debug builds
                output.withUnsafeMutableBufferPointer { buffer in
                    let base = buffer.baseAddress!
                    var copied = 0
                    while copied < length {
                        let run = min(length - copied, distance)
                        (base + start + copied).update(from: base + start + copied - distance, count: run)
                        copied += run
                    }
                }
            }
        }
    }
}
