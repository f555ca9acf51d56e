/// WordPiece's vocabulary: a token's UTF-8 bytes to its id.
///
/// One open-addressing table over one buffer of every token's bytes, hashed with FNV-1a:
/// loading 30,522 tokens this way takes a fraction of a `[String: Int32]`'s SipHash and
/// string storage, and a look-up hashes the candidate's bytes in place.
struct Vocabulary: Sendable {
    /// Every token's bytes, one after another.
    private var bytes: [UInt8] = []
    /// Per id: where its token starts in `bytes`, and its length.
    private var spans: [(start: Int32, count: Int32)] = []
    /// Ids by hash; -1 is an empty slot. A power of two, at most half full.
    private var slots: [Int32]
    /// Distinct tokens (a token repeated in the file keeps its last id, as a dictionary would).
    private(set) var count = 0

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: -1, count: size)
        bytes.reserveCapacity(capacity * 8)
        spans.reserveCapacity(capacity)
    }

    /// Adds `token` as `id`; ids come in order from 0.
    mutating func insert(_ token: some Collection<UInt8>, id: Int32) {
        precondition(Int(id) == spans.count, "ids are added in order")
        let start = bytes.count
        bytes.append(contentsOf: token)
        spans.append((Int32(start), Int32(bytes.count - start)))
        if (count + 1) * 2 > slots.count { grow() }
        let slot = bytes.withUnsafeBufferPointer { all in
            find(UnsafeBufferPointer(rebasing: all[start..<all.count]), in: all)
        }
        if slots[slot] < 0 { count += 1 }
        slots[slot] = id
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
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: Self.hash(token)) & mask
        while true {
            let id = slots[slot]
            if id < 0 { return slot }
            let span = spans[Int(id)]
            if Int(span.count) == token.count && all[Int(span.start)..<Int(span.start + span.count)].elementsEqual(token) { return slot }
            slot = (slot + 1) & mask
        }
    }

    private mutating func grow() {
        let ids = slots.filter { $0 >= 0 }
        slots = [Int32](repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        bytes.withUnsafeBufferPointer { all in
            for id in ids {
                let span = spans[Int(id)]
                let token = UnsafeBufferPointer(rebasing: all[Int(span.start)..<Int(span.start + span.count)])
                var slot = Int(truncatingIfNeeded: Self.hash(token)) & mask
                while slots[slot] >= 0 { slot = (slot + 1) & mask }
                slots[slot] = id
            }
        }
    }

    /// 64-bit FNV-1a.
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }
}
