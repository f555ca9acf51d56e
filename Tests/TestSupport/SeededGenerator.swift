import Foundation

/// A deterministic random number generator (SplitMix64) with a few helpers, for reproducible
/// test, benchmark and training data across this package (the same sequence on every platform).
/// Not for security.
public struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    /// The sequence the vector tests and benchmarks were written with (the seed offset by a constant).
    public init(seed: UInt64) { state = seed &+ 0x1234_5678 }

    /// Plain SplitMix64 started from `rawSeed` (the training command's folds depend on it).
    public init(rawSeed: UInt64) { state = rawSeed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Fisher-Yates with this generator's own bounded draws (not the standard library's, whose
    /// algorithm is not promised to stay the same).
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = Int(next() % UInt64(i + 1))
            array.swapAt(i, j)
        }
    }

    /// A uniform sample in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// A standard normal sample (Box–Muller).
    public mutating func gaussian() -> Float {
        let u1 = (Double(next() >> 11) + 1) / Double(1 << 53)
        let u2 = Double(next() >> 11) / Double(1 << 53)
        return Float((-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
    }
}
