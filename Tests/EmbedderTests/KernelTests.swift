import Foundation
import Testing

@testable import Embedder

/// The vectorizable approximations the forward pass uses instead of libm.
@Suite("Kernels")
struct KernelTests {
    @Test("exp is within 2e-7 relative of libm over the softmax range")
    func exponential() {
        var worst: Double = 0
        for step in -8730...100 {
            let x = Float(step) / 100
            worst = max(worst, abs(Double(Kernels.exp(x)) / Foundation.exp(Double(x)) - 1))
        }
        #expect(worst < 2e-7)
    }

    @Test("erf is within 4e-7 of libm, and saturates at ±1")
    func errorFunction() {
        var worst: Double = 0
        for step in -6000...6000 {
            let x = Float(step) / 1000
            worst = max(worst, abs(Double(Kernels.erf(x)) - Foundation.erf(Double(x))))
        }
        #expect(worst < 4e-7)
        #expect(Kernels.erf(30) == 1)
        #expect(Kernels.erf(-30) == -1)
    }

    @Test("softmax rows sum to one and keep their order")
    func softmax() {
        var values: [Float] = [1, 2, 3, -100, 0, 0, 0, 0]
        values.withUnsafeMutableBufferPointer { Kernels.softmaxRows($0.baseAddress!, rows: 2, width: 4) }
        #expect(abs(values[0..<4].reduce(0, +) - 1) < 1e-6)
        #expect(values[0] < values[1] && values[1] < values[2] && values[3] < 1e-30)
        #expect(values[4..<8].allSatisfy { abs($0 - 0.25) < 1e-7 })
    }

    @Test("a linear layer split over two threads equals one sgemm")
    func splitLinear() {
        let rows = 3, inputSize = 16, outputSize = 10
        let input = (0..<rows * inputSize).map { Float($0 % 7) - 3 }
        let weight = (0..<outputSize * inputSize).map { Float($0 % 5) / 4 - 0.5 }
        let bias = (0..<outputSize).map { Float($0) }
        var output = [Float](repeating: .nan, count: rows * outputSize)
        output.withUnsafeMutableBufferPointer { out in
            Kernels.linear(
                input, rows: rows, inputSize: inputSize, weight: weight, bias: bias, outputSize: outputSize,
                into: out.baseAddress!)
        }
        for row in 0..<rows {
            for column in 0..<outputSize {
                var expected = bias[column]
                for k in 0..<inputSize { expected += input[row * inputSize + k] * weight[column * inputSize + k] }
                #expect(abs(output[row * outputSize + column] - expected) < 1e-4)
            }
        }
    }

    @Test(
        "for short queries, a linear layer matches a plain sum of products",
        arguments: [(384, 1536), (1536, 384), (384, 384), (100, 1000)])
    func vectorLinear(inputSize: Int, outputSize: Int) {
        var generator = SeededGenerator(seed: UInt64(inputSize * 10_007 + outputSize))
        let weight = (0..<outputSize * inputSize).map { _ in Float.random(in: -0.1...0.1, using: &generator) }
        let bias = (0..<outputSize).map { _ in Float.random(in: -1...1, using: &generator) }
        for rows in 1...Kernels.vectorRowLimit {
            let input = (0..<rows * inputSize).map { _ in Float.random(in: -2...2, using: &generator) }
            var output = [Float](repeating: .nan, count: rows * outputSize)
            output.withUnsafeMutableBufferPointer { out in
                Kernels.linear(
                    input, rows: rows, inputSize: inputSize, weight: weight, bias: bias, outputSize: outputSize,
                    into: out.baseAddress!)
            }
            var worst: Double = 0
            weight.withUnsafeBufferPointer { w in
                input.withUnsafeBufferPointer { x in
                    for row in 0..<rows {
                        for column in 0..<outputSize {
                            var expected = Double(bias[column])
                            for k in 0..<inputSize {
                                expected += Double(x[row * inputSize + k]) * Double(w[column * inputSize + k])
                            }
                            worst = max(worst, abs(Double(output[row * outputSize + column]) - expected))
                        }
                    }
                }
            }
            #expect(worst < 1e-4, "rows \(rows): largest difference \(worst)")
        }
    }
}

/// SplitMix64: reproducible random test data.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
