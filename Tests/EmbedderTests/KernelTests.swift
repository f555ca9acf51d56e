import CKernels
import Foundation
import Testing

@testable import Embedder
import TestSupport

/// The vectorizable approximations the forward pass uses instead of libm.
@Suite("Kernels")
struct KernelTests {
    /// `function` (an in-place kernel over a multiple of 8 floats) applied to `inputs`.
    static func lanes(_ inputs: [Float], _ function: (UnsafeMutablePointer<Float>, Int) -> Void) -> [Float] {
        var values = inputs + [Float](repeating: 0, count: (8 - inputs.count % 8) % 8)
        values.withUnsafeMutableBufferPointer { function($0.baseAddress!, $0.count) }
        return Array(values.prefix(inputs.count))
    }

    @Test("exp is within 2e-7 relative of libm over the softmax range")
    func exponential() {
        let inputs = (-8730...100).map { Float($0) / 100 }
        let outputs = Self.lanes(inputs, mv_exp)
        let worst = zip(inputs, outputs).map { abs(Double($1) / Foundation.exp(Double($0)) - 1) }.max() ?? 1
        #expect(worst < 2e-7)
    }

    @Test("erf is within 4e-7 of libm, and saturates at ±1")
    func errorFunction() {
        let inputs = (-6000...6000).map { Float($0) / 1000 }
        let outputs = Self.lanes(inputs, mv_erf)
        let worst = zip(inputs, outputs).map { abs(Double($1) - Foundation.erf(Double($0))) }.max() ?? 1
        #expect(worst < 4e-7)
        #expect(Self.lanes([30, -30], mv_erf) == [1, -1])
    }

    @Test("GELU matches x·(1 + erf(x/√2))/2 from libm")
    func gelu() {
        var values = (-800..<800).map { Float($0) / 100 }
        let expected = values.map { Double($0) * (1 + Foundation.erf(Double($0) / 2.0.squareRoot())) / 2 }
        values.withUnsafeMutableBufferPointer { Kernels.gelu($0.baseAddress!, count: $0.count) }
        let worst = zip(values, expected).map { abs(Double($0) - $1) }.max() ?? 1
        #expect(worst < 4e-6)
    }

    @Test("softmax rows sum to one, keep their order and ignore the padding")
    func softmax() {
        var values: [Float] = [1, 2, 3, -100, .nan, .nan, .nan, .nan] + [Float](repeating: 0, count: 8)
        values.withUnsafeMutableBufferPointer { row in
            for start in [0, 8] {
                let scale = mv_exponentiate(row.baseAddress! + start, start == 0 ? 4 : 8, 8)
                for index in start..<start + 8 { row[index] *= scale }
            }
        }
        #expect(abs(values[0..<4].reduce(0, +) - 1) < 1e-6)
        #expect(values[0] < values[1] && values[1] < values[2] && values[3] < 1e-30)
        #expect(values[4..<8].allSatisfy { $0 < 1e-30 })
        #expect(values[8..<16].allSatisfy { abs($0 - 0.125) < 1e-7 })
    }

    @Test("LayerNorm of values plus residual matches a plain double-precision one")
    func layerNorm() {
        var generator = SeededGenerator(rawSeed: 7)
        let rows = 3, width = 384
        let values = (0..<rows * width).map { _ in Float.random(in: -3...3, using: &generator) + 5 }
        let residual = (0..<rows * width).map { _ in Float.random(in: -1...1, using: &generator) }
        let scale = (0..<width).map { _ in Float.random(in: 0.5...1.5, using: &generator) }
        let bias = (0..<width).map { _ in Float.random(in: -0.1...0.1, using: &generator) }
        var output = residual
        output.withUnsafeMutableBufferPointer { out in
            Kernels.addAndNormalize(
                values, residual: out.baseAddress!, rows: rows, width: width, scale: scale, bias: bias,
                epsilon: 1e-12, into: out.baseAddress!)
        }
        var worst: Double = 0
        for row in 0..<rows {
            let sums = (0..<width).map { Double(values[row * width + $0]) + Double(residual[row * width + $0]) }
            let mean = sums.reduce(0, +) / Double(width)
            let variance = sums.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(width)
            for index in 0..<width {
                let expected = (sums[index] - mean) / variance.squareRoot() * Double(scale[index]) + Double(bias[index])
                worst = max(worst, abs(Double(output[row * width + index]) - expected))
            }
        }
        #expect(worst < 1e-5)
    }

    @Test("attention of one head matches a plain double-precision one", arguments: [1, 2, 7, 8, 9, 17, 40])
    func attentionHead(tokens: Int) {
        var generator = SeededGenerator(rawSeed: UInt64(tokens))
        let stride = 48  // rows wider than the head, as in the packed Q/K/V matrices
        let matrix = { (0..<tokens * stride).map { _ in Float.random(in: -2...2, using: &generator) } }
        let query = matrix(), key = matrix(), value = matrix()
        let floats = Attention.scratchFloats(tokens: tokens)
        var keys = [Float](repeating: .nan, count: floats.keys)
        var scores = [Float](repeating: .nan, count: floats.scores)
        var context = [Float](repeating: .nan, count: tokens * stride)
        context.withUnsafeMutableBufferPointer { out in
            Attention.head(
                tokens: tokens, query: query, key: key, value: value, stride: stride, keys: &keys, scores: &scores,
                into: out.baseAddress!, contextStride: stride)
        }
        var worst: Double = 0
        for row in 0..<tokens {
            let logits = (0..<tokens).map { (column: Int) -> Double in
                var dot = 0.0
                for lane in 0..<32 { dot += Double(query[row * stride + lane]) * Double(key[column * stride + lane]) }
                return dot / 32.0.squareRoot()
            }
            let largest = logits.max()!
            let weights = logits.map { Foundation.exp($0 - largest) }
            let total = weights.reduce(0, +)
            for lane in 0..<32 {
                var expected = 0.0
                for token in 0..<tokens { expected += weights[token] / total * Double(value[token * stride + lane]) }
                worst = max(worst, abs(Double(context[row * stride + lane]) - expected))
            }
            let outside = context[row * stride + 32..<(row + 1) * stride]
            #expect(outside.allSatisfy { $0.isNaN }, "wrote outside the head")
        }
        #expect(worst < 1e-5)
    }

    @Test(
        "a linear layer equals a plain sum of products: few rows (own kernel, odd rows and columns), split over threads, one sgemm",
        arguments: [(3, 10), (3, 130), (19, 130), (300, 130)])
    func splitLinear(rows: Int, outputSize: Int) {
        let inputSize = 16
        let input = (0..<rows * inputSize).map { Float($0 % 7) - 3 }
        let weight = (0..<outputSize * inputSize).map { Float($0 % 5) / 4 - 0.5 }
        let bias = (0..<outputSize).map { Float($0) }
        var output = [Float](repeating: .nan, count: rows * outputSize)
        output.withUnsafeMutableBufferPointer { out in
            Kernels.linear(
                input, rows: rows, inputSize: inputSize, weight: weight, bias: bias, outputSize: outputSize,
                into: out.baseAddress!)
        }
        Self.expectPlainSums(output, input: input, weight: weight, bias: bias)
    }

    @Test("without OpenBLAS, a linear layer of many rows equals a plain sum of products (short-query kernel in blocks)", arguments: [17, 33, 300])
    func linearWithoutBLAS(rows: Int) {
        let (inputSize, outputSize) = (24, 70)
        let input = (0..<rows * inputSize).map { Float($0 % 11) - 5 }
        let weight = (0..<outputSize * inputSize).map { Float($0 % 9) / 8 - 0.5 }
        let bias = (0..<outputSize).map { Float($0) / 3 }
        var output = [Float](repeating: .nan, count: rows * outputSize)
        output.withUnsafeMutableBufferPointer { out in
            Kernels.LinearOperands(
                input: input, rows: rows, inputSize: inputSize, weight: weight, bias: bias, outputSize: outputSize,
                output: out.baseAddress!
            ).computeInBlocksOfFewRows()
        }
        Self.expectPlainSums(output, input: input, weight: weight, bias: bias)
    }

    /// Every output of a linear layer against `bias + Σ input·weight` (weight rows are outputs).
    static func expectPlainSums(_ output: [Float], input: [Float], weight: [Float], bias: [Float]) {
        let outputSize = bias.count
        let inputSize = weight.count / outputSize
        let rows = input.count / inputSize
        #expect(output.count == rows * outputSize)
        for row in 0..<rows {
            for column in 0..<outputSize {
                var expected = bias[column]
                for k in 0..<inputSize { expected += input[row * inputSize + k] * weight[column * inputSize + k] }
                #expect(abs(output[row * outputSize + column] - expected) < 1e-4, "row \(row), column \(column)")
            }
        }
    }

    @Test(
        "for short queries, a linear layer matches a plain sum of products",
        arguments: [(384, 1536), (1536, 384), (384, 384), (100, 1000)])
    func vectorLinear(inputSize: Int, outputSize: Int) {
        var generator = SeededGenerator(rawSeed: UInt64(inputSize * 10_007 + outputSize))
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
