import Foundation

/// A small learned scorer of "sensitive (confidential or above) against plain": logistic
/// regression over hashed features of the text, trained offline on the labelled sets by
/// `memvault-bench classify --train` and shipped as quantised weights (``LearnedWeights``,
/// a generated source file). Deterministic and offline: the same text always gets the same
/// probability, on every machine.
///
/// Features, all from the lower-cased, accent-free word tokens (``TextFeatures/tokens(_:)``, with
/// every digit written `0` so that numbers of one shape share features):
/// - each word, and each pair of neighbouring words;
/// - the character 3-, 4- and 5-grams of each word with its boundaries marked (`<mot>`), so
///   that German compounds and the four languages share pieces (`<bank`, `krank`, `medic`).
///
/// Each distinct feature is hashed (32-bit FNV-1a) into one of 2^``LearnedWeights/dimensionBits``
/// weights with a sign from the hash's top bit; the text's vector has 1/√n per feature (n
/// distinct features), so long texts do not score higher for their length alone.
public struct LearnedScorer: Sendable {
    /// Weights of the buckets, already multiplied by the quantisation scale.
    let weights: [Float]
    let bias: Double
    let mask: UInt32

    /// The shipped model (``LearnedWeights``), decoded once per process.
    public static let shared: LearnedScorer = LearnedScorer(
        base64: LearnedWeights.weights, dimensionBits: LearnedWeights.dimensionBits,
        scale: LearnedWeights.scale, bias: LearnedWeights.bias)!

    /// A model from quantised weights: `2^dimensionBits` signed bytes (base64, line breaks
    /// allowed), each times `scale`; nil when the bytes are not that many.
    public init?(base64: String, dimensionBits: Int, scale: Double, bias: Double) {
        guard let data = Data(base64Encoded: base64, options: .ignoreUnknownCharacters), data.count == 1 << dimensionBits else { return nil }
        weights = data.map { Float(Double(Int8(bitPattern: $0)) * scale) }
        self.bias = bias
        mask = UInt32((1 << dimensionBits) - 1)
    }

    /// A model from unquantised weights (training and tests).
    package init(weights: [Float], bias: Double) {
        precondition(weights.count > 0 && weights.count & (weights.count - 1) == 0, "a power of two")
        self.weights = weights
        self.bias = bias
        mask = UInt32(weights.count - 1)
    }

    /// The number of weights (a power of two).
    public var dimension: Int { weights.count }

    /// P(sensitive) of `text`, in (0, 1).
    public func probability(_ text: String) -> Double { probability(tokens: TextFeatures.tokens(text)) }

    /// P(sensitive) of a text given as its ``TextFeatures/tokens(_:)``.
    public func probability(tokens: [String]) -> Double {
        1 / (1 + exp(-margin(Self.featureHashes(tokens))))
    }

    /// The logit of a text given as its distinct feature hashes (``featureHashes(_:)``).
    package func margin(_ hashes: [UInt32]) -> Double {
        guard !hashes.isEmpty else { return bias }
        var sum: Float = 0
        for h in hashes {
            let w = weights[Int(h & mask)]
            sum += h & 0x8000_0000 != 0 ? w : -w
        }
        return bias + Double(sum) / Double(hashes.count).squareRoot()
    }

    // MARK: Features

    /// The distinct feature hashes of `text` (training).
    package static func featureHashes(text: String) -> [UInt32] { featureHashes(TextFeatures.tokens(text)) }

    /// The distinct hashes of the features of a text given as its tokens, sorted.
    package static func featureHashes(_ tokens: [String]) -> [UInt32] {
        var hashes: [UInt32] = []
        hashes.reserveCapacity(tokens.count * 16)
        var words: [[UInt8]] = []
        words.reserveCapacity(tokens.count)
        for token in tokens {
            var bytes = Array(token.utf8)
            for i in bytes.indices where bytes[i] >= 0x30 && bytes[i] <= 0x39 { bytes[i] = 0x30 }
            words.append(bytes)
        }
        var padded: [UInt8] = []
        padded.reserveCapacity(64)
        for (i, word) in words.enumerated() {
            hashes.append(fnv(prefix: 0x77, word))  // "w": the word
            if i + 1 < words.count {  // "b": the word and the next
                var h = fnv(prefix: 0x62, word)
                h = fnv(continuing: h, 0x20)
                for b in words[i + 1] { h = fnv(continuing: h, b) }
                hashes.append(h)
            }
            padded.removeAll(keepingCapacity: true)
            padded.append(0x3C)
            padded.append(contentsOf: word)
            padded.append(0x3E)
            for n in 3...5 where padded.count >= n {  // "c": character n-grams (bytes) of <word>
                for start in 0...(padded.count - n) {
                    var h = fnv(continuing: offsetBasis, 0x63)
                    for k in start..<(start + n) { h = fnv(continuing: h, padded[k]) }
                    hashes.append(h)
                }
            }
        }
        hashes.sort()
        var unique: [UInt32] = []
        unique.reserveCapacity(hashes.count)
        for h in hashes where unique.last != h { unique.append(h) }
        return unique
    }

    static let offsetBasis: UInt32 = 0x811C_9DC5

    @inline(__always) static func fnv(continuing h: UInt32, _ byte: UInt8) -> UInt32 {
        (h ^ UInt32(byte)) &* 0x0100_0193
    }

    static func fnv(prefix: UInt8, _ bytes: [UInt8]) -> UInt32 {
        var h = fnv(continuing: offsetBasis, prefix)
        for b in bytes { h = fnv(continuing: h, b) }
        return h
    }
}
