import Foundation

/// WordPiece's vocabulary: a token's UTF-8 bytes to its id.
///
/// One open-addressing table over one buffer of every token's bytes, hashed a word at a time:
/// loading 30,522 tokens this way takes a fraction of a `[String: Int32]`'s SipHash and
/// string storage, and a look-up hashes the candidate's bytes in place.
struct Vocabulary: Sendable {
    /// The vocabulary file's bytes, which the tokens point into.
    private let bytes: [UInt8]
    /// Per id: where its token starts in `bytes`, and its length.
    private let spans: [(start: Int32, count: Int32)]
    /// Ids by hash; -1 is an empty slot. A power of two, at most half full.
    private let slots: [Int32]
    /// Distinct tokens (a token repeated in the file keeps its last id, as a dictionary would).
    let count: Int

    /// The vocabulary of a file of one token per line, the id being the line number from 0.
    /// Like the reference, a line's trailing white space (a CR, say) is not part of its token.
    ///
    /// The file's bytes are kept as they are, each token pointing at its line, and the table is
    /// sized once for the lines: no token is copied and the table never grows.
    /// - Complexity: O(size of the file).
    init(lines file: UnsafeRawBufferPointer) {
        bytes = Array(file)
        var spans: [(start: Int32, count: Int32)] = []
        spans.reserveCapacity(file.count / 6)
        bytes.withUnsafeBufferPointer { all in
            guard let base = all.baseAddress else { return }
            var start = 0
            while start < all.count {
                let newline = memchr(base + start, 0x0A, all.count - start).map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - base }
                let end = newline ?? all.count
                spans.append((Int32(start), Int32(Self.trimmedLength(UnsafeBufferPointer(rebasing: all[start..<end])))))
                start = end + 1
            }
        }
        var size = 16
        while size < spans.count * 2 { size <<= 1 }
        var slots = [Int32](repeating: -1, count: size)
        var distinct = 0
        bytes.withUnsafeBufferPointer { all in
            spans.withUnsafeBufferPointer { spans in
                slots.withUnsafeMutableBufferPointer { slots in
                    for id in spans.indices {
                        let token = UnsafeBufferPointer(rebasing: all[Int(spans[id].start)..<Int(spans[id].start + spans[id].count)])
                        let slot = Self.find(token, in: all, slots: UnsafeBufferPointer(slots), spans: spans)
                        if slots[slot] < 0 { distinct += 1 }
                        slots[slot] = Int32(id)
                    }
                }
            }
        }
        self.spans = spans
        self.slots = slots
        count = distinct
    }

    /// The length of `line` without its trailing white space. A line ending in an ASCII byte
    /// other than white space has none, and that is nearly every line: the Unicode property
    /// look-up runs only for the others.
    private static func trimmedLength(_ line: UnsafeBufferPointer<UInt8>) -> Int {
        guard let last = line.last, last >= 0x80 || last == 0x20 || (0x09...0x0D).contains(last) else { return line.count }
        var token = String(decoding: line, as: UTF8.self)
        while let scalar = token.unicodeScalars.last, scalar.properties.isWhitespace { token.unicodeScalars.removeLast() }
        // Dropping whole scalars from the end leaves a prefix of the line's bytes (a line that is
        // not valid UTF-8 is refused before this).
        return token.utf8.count
    }

    /// The id of `token`, if it is in the vocabulary.
    func id(_ token: String) -> Int32? {
        var token = token
        return token.withUTF8 { utf8 in
            bytes.withUnsafeBufferPointer { all in
                let slot = find(utf8, in: all)
                return slots[slot] < 0 ? nil : slots[slot]
            }
        }
    }

    /// The slot that holds `token`, or the empty slot where it would go.
    private func find(_ token: UnsafeBufferPointer<UInt8>, in all: UnsafeBufferPointer<UInt8>) -> Int {
        slots.withUnsafeBufferPointer { slots in
            spans.withUnsafeBufferPointer { spans in Self.find(token, in: all, slots: slots, spans: spans) }
        }
    }

    private static func find(
        _ token: UnsafeBufferPointer<UInt8>, in all: UnsafeBufferPointer<UInt8>, slots: UnsafeBufferPointer<Int32>,
        spans: UnsafeBufferPointer<(start: Int32, count: Int32)>
    ) -> Int {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash(token)) & mask
        while true {
            let id = slots[slot]
            if id < 0 { return slot }
            let span = spans[Int(id)]
            if Int(span.count) == token.count
                && (token.isEmpty || memcmp(all.baseAddress! + Int(span.start), token.baseAddress!, token.count) == 0)
            {
                return slot
            }
            slot = (slot + 1) & mask
        }
    }

    /// A 64-bit hash of `bytes`, eight at a time (most tokens are one word of eight bytes or
    /// less), with SplitMix64's finaliser so that the low bits the table uses depend on every byte.
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h = 0x9E37_79B9_7F4A_7C15 &* UInt64(bytes.count &+ 1)
        let raw = UnsafeRawBufferPointer(bytes)
        var i = 0
        while i + 8 <= raw.count {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        if i < raw.count {
            var tail: UInt64 = 0
            withUnsafeMutableBytes(of: &tail) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[i...])) }
            h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        }
        h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
        h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 31)
    }
}
