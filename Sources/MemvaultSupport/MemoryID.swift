#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// Memory ids: time-sortable and random, in Crockford base32 (`01JD3K9X2F7Q8R3M`).
///
/// Ten characters of milliseconds since 1970 (sortable until the year 10889), then six
/// random characters (30 bits). Within one process ids are strictly increasing: a second
/// id in the same millisecond increments the random part.
public enum MemoryID {
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)
    private static let last = Mutex<(ms: UInt64, random: UInt32)>((0, 0))

    /// A new id.
    public static func generate(now: Date = Date()) -> String {
        var ms = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        let random: UInt32 = last.withLock { state in
            if ms <= state.ms {
                ms = state.ms
                if state.random >= (1 << 30) - 1 {
                    ms += 1
                    state = (ms, UInt32.random(in: 0..<(1 << 29)))
                } else {
                    state.random += 1
                }
            } else {
                state = (ms, UInt32.random(in: 0..<(1 << 29)))
            }
            return state.random
        }
        return encode(milliseconds: ms, random: random)
    }

    /// The id of `milliseconds` since 1970 and 30 bits of `random`: ten characters of time, six of random.
    public static func encode(milliseconds ms: UInt64, random: UInt32) -> String {
        var chars = [UInt8](repeating: 0, count: 16)
        var t = ms
        for i in stride(from: 9, through: 0, by: -1) {
            chars[i] = alphabet[Int(t & 31)]
            t >>= 5
        }
        var r = random
        for i in stride(from: 15, through: 10, by: -1) {
            chars[i] = alphabet[Int(r & 31)]
            r >>= 5
        }
        return String(decoding: chars, as: UTF8.self)
    }

    /// Whether `text` has the shape of an id (8 to 32 characters of Crockford base32, upper case).
    public static func isValid(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard (8...32).contains(utf8.count) else { return false }
        return utf8.allSatisfy { alphabet.contains($0) }
    }
}
