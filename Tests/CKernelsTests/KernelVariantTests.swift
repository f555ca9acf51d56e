import CKernels
import Foundation
import Testing
import TestSupport

/// Each kernel runs as the variant the loader chose for this CPU. These tests run every kernel
/// as its portable variant, as the AVX2/FMA variant (when this CPU has AVX2 and FMA) and through
/// the dispatched name, on the same inputs: the dispatched one must be exactly the variant this
/// CPU should get, and the two variants must agree within float rounding (FMA rounds once
/// where the portable code rounds twice).
@Suite("Kernel variants")
struct KernelVariantTests {
    enum Variant { case portable, avx2, dispatched }

    /// Whether this process runs the AVX2/FMA variants.
    static let fast = mv_kernels_use_avx2() != 0

    /// Checks `run` under every variant this CPU can execute: dispatched = the variant for
    /// this CPU bit for bit, AVX2 within `tolerance` of portable (relative above 1, absolute below).
    func check(_ name: String, tolerance: Float, _ run: (Variant) -> [Float]) {
        let portable = run(.portable)
        let dispatched = run(.dispatched)
        #expect(portable.allSatisfy { $0.isFinite }, "\(name): the portable variant gave a non-finite value")
        #if arch(x86_64)
            if Self.fast {
                let avx2 = run(.avx2)
                #expect(dispatched == avx2, "\(name): the dispatched kernel is not the AVX2 variant")
                let worst = zip(avx2, portable).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? .infinity
                #expect(worst <= tolerance, "\(name): AVX2 and portable variants differ by \(worst)")
                return
            }
        #endif
        #expect(dispatched == portable, "\(name): the dispatched kernel is not the portable variant")
    }

    static func random(_ count: Int, _ range: ClosedRange<Float>, _ generator: inout SeededGenerator) -> [Float] {
        (0..<count).map { _ in Float.random(in: range, using: &generator) }
    }

    @Test("the loader's choice follows the CPU: AVX2/FMA here if cpuid has them")
    func choice() throws {
        #if arch(x86_64)
            // /proc/cpuinfo is the kernel's own reading of cpuid.
            let flags = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
                .split(separator: "\n").first { $0.hasPrefix("flags") }.map { Set($0.split(separator: " ")) } ?? []
            #expect(Self.fast == (flags.contains("avx2") && flags.contains("fma")))
        #else
            #expect(!Self.fast)
        #endif
    }

    @Test("linear layer of a few rows", arguments: [(1, 384, 1536), (2, 1536, 384), (5, 100, 1003), (16, 384, 384)])
    func linear(rows: Int, inputSize: Int, outputSize: Int) {
        var generator = SeededGenerator(rawSeed: UInt64(rows * 7919 + outputSize))
        let input = Self.random(rows * inputSize, -2...2, &generator)
        let weight = Self.random(outputSize * inputSize, -0.1...0.1, &generator)
        let bias = Self.random(outputSize, -1...1, &generator)
        check("mv_linear_few_rows \(rows)×\(inputSize)→\(outputSize)", tolerance: 1e-5) { variant in
            var output = [Float](repeating: .nan, count: rows * outputSize)
            output.withUnsafeMutableBufferPointer { out in
                let out = out.baseAddress!
                switch variant {
                case .portable: mv_linear_few_rows_portable(input, rows, inputSize, weight, bias, outputSize, out)
                case .dispatched: mv_linear_few_rows(input, rows, inputSize, weight, bias, outputSize, out)
                case .avx2:
                    #if arch(x86_64)
                        mv_linear_few_rows_avx2(input, rows, inputSize, weight, bias, outputSize, out)
                    #endif
                }
            }
            return output
        }
    }

    @Test("LayerNorm with and without a residual", arguments: [true, false])
    func layerNorm(residual withResidual: Bool) {
        var generator = SeededGenerator(rawSeed: withResidual ? 1 : 2)
        let rows = 3, width = 384
        let values = Self.random(rows * width, 2...8, &generator)
        let residual = Self.random(rows * width, -1...1, &generator)
        let scale = Self.random(width, 0.5...1.5, &generator), bias = Self.random(width, -0.1...0.1, &generator)
        check("mv_add_and_normalize", tolerance: 1e-5) { variant in
            var output = [Float](repeating: .nan, count: rows * width)
            residual.withUnsafeBufferPointer { r in
                output.withUnsafeMutableBufferPointer { out in
                    let r = withResidual ? r.baseAddress : nil, out = out.baseAddress!
                    switch variant {
                    case .portable: mv_add_and_normalize_portable(values, r, rows, width, scale, bias, 1e-12, out)
                    case .dispatched: mv_add_and_normalize(values, r, rows, width, scale, bias, 1e-12, out)
                    case .avx2:
                        #if arch(x86_64)
                            mv_add_and_normalize_avx2(values, r, rows, width, scale, bias, 1e-12, out)
                        #endif
                    }
                }
            }
            return output
        }
    }

    /// An in-place kernel over `inputs`, under each variant.
    func elementWise(
        _ name: String, _ inputs: [Float], tolerance: Float,
        _ portable: (UnsafeMutablePointer<Float>, Int) -> Void, _ dispatched: (UnsafeMutablePointer<Float>, Int) -> Void,
        _ avx2: (UnsafeMutablePointer<Float>, Int) -> Void
    ) {
        check(name, tolerance: tolerance) { variant in
            var values = inputs
            values.withUnsafeMutableBufferPointer { v in
                switch variant {
                case .portable: portable(v.baseAddress!, v.count)
                case .dispatched: dispatched(v.baseAddress!, v.count)
                case .avx2: avx2(v.baseAddress!, v.count)
                }
            }
            return values
        }
    }

    #if arch(x86_64)
        static let exp_avx2 = mv_exp_avx2, erf_avx2 = mv_erf_avx2, gelu_avx2 = mv_gelu_avx2
    #else
        static let exp_avx2 = mv_exp_portable, erf_avx2 = mv_erf_portable, gelu_avx2 = mv_gelu_portable
    #endif

    @Test("GELU, erf and exp, element by element")
    func pointwise() {
        let wide = (-8000..<8000).map { Float($0) / 1000 }
        elementWise("mv_gelu", wide, tolerance: 1e-6, mv_gelu_portable, mv_gelu, Self.gelu_avx2)
        elementWise("mv_erf", wide, tolerance: 1e-6, mv_erf_portable, mv_erf, Self.erf_avx2)
        // Compared relative to the value above 1: eˣ spans 76 orders of magnitude here.
        let exponents = (-8730..<8830).map { Float($0) / 100 }
        elementWise("mv_exp", exponents, tolerance: 1e-6, mv_exp_portable, mv_exp, Self.exp_avx2)
    }

    @Test("softmax of one row, padding included", arguments: [1, 8, 13, 40])
    func softmax(count: Int) {
        var generator = SeededGenerator(rawSeed: UInt64(count))
        let padded = (count + 7) & ~7
        let row = Self.random(count, -20...20, &generator) + [Float](repeating: .nan, count: padded - count)
        check("mv_exponentiate \(count)", tolerance: 1e-6) { variant in
            var values = row
            let scale = values.withUnsafeMutableBufferPointer { v -> Float in
                switch variant {
                case .portable: return mv_exponentiate_portable(v.baseAddress!, count, padded)
                case .dispatched: return mv_exponentiate(v.baseAddress!, count, padded)
                case .avx2:
                    #if arch(x86_64)
                        return mv_exponentiate_avx2(v.baseAddress!, count, padded)
                    #else
                        return 0
                    #endif
                }
            }
            return values.map { $0 * scale } + [scale]
        }
    }

    @Test("attention of one head", arguments: [1, 2, 7, 8, 9, 17, 40])
    func attention(tokens: Int) {
        var generator = SeededGenerator(rawSeed: UInt64(100 + tokens))
        let stride = 48
        let query = Self.random(tokens * stride, -2...2, &generator), key = Self.random(tokens * stride, -2...2, &generator)
        let value = Self.random(tokens * stride, -2...2, &generator)
        let padded = (tokens + 7) & ~7
        check("mv_attention_head \(tokens)", tolerance: 1e-5) { variant in
            var keys = [Float](repeating: .nan, count: 32 * padded)
            var scores = [Float](repeating: .nan, count: tokens * padded + tokens)
            var context = [Float](repeating: 0, count: tokens * stride)
            context.withUnsafeMutableBufferPointer { out in
                let out = out.baseAddress!
                switch variant {
                case .portable: mv_attention_head_portable(tokens, query, key, value, stride, &keys, &scores, out, stride)
                case .dispatched: mv_attention_head(tokens, query, key, value, stride, &keys, &scores, out, stride)
                case .avx2:
                    #if arch(x86_64)
                        mv_attention_head_avx2(tokens, query, key, value, stride, &keys, &scores, out, stride)
                    #endif
                }
            }
            return context
        }
    }

    @Test(
        "int8 dot products of a mask word's rows are exact in every variant, and skip groups without a bit",
        arguments: [1, 24, 33])
    func int8Dot(chunks: Int) {
        var generator = SeededGenerator(rawSeed: UInt64(chunks))
        let stride = chunks * 16, rows = 64
        let codes = (0..<rows * stride).map { _ in Int8.random(in: -127...127, using: &generator) }
        let query = (0..<stride).map { _ in Int16.random(in: -1000...1000, using: &generator) }
        // Groups 1 and 15 have no bit set; group 3 only its last row.
        let allowed: UInt64 = ~0 & ~(0xF << 4) & ~(0xF << 60) & ~(0x7 << 12)
        var expected = [Int32](repeating: -1, count: rows)
        for r in 0..<rows where (allowed >> UInt64(r / 4 * 4)) & 0xF != 0 {
            expected[r] = 0
            for j in 0..<stride { expected[r] += Int32(codes[r * stride + j]) * Int32(query[j]) }
        }
        var variants: [(String, (UnsafeMutablePointer<Int32>) -> Void)] = [
            ("portable", { mv_int8_dot_rows_portable(codes, stride, 16, query, allowed, $0) }),
            ("dispatched", { mv_int8_dot_rows(codes, stride, 16, query, allowed, $0) }),
        ]
        #if arch(x86_64)
            if Self.fast { variants.append(("avx2", { mv_int8_dot_rows_avx2(codes, stride, 16, query, allowed, $0) })) }
        #endif
        for (name, run) in variants {
            var got = [Int32](repeating: -1, count: rows)
            got.withUnsafeMutableBufferPointer { run($0.baseAddress!) }
            #expect(got == expected, "\(name)")
        }
    }

    @Test("fp32 dot product", arguments: [16, 384, 400])
    func dot(count: Int) {
        var generator = SeededGenerator(rawSeed: UInt64(count))
        let a = Self.random(count, -1...1, &generator), b = Self.random(count, -1...1, &generator)
        check("mv_dot \(count)", tolerance: 1e-6) { variant in
            switch variant {
            case .portable: return [mv_dot_portable(a, b, count)]
            case .dispatched: return [mv_dot(a, b, count)]
            case .avx2:
                #if arch(x86_64)
                    return [mv_dot_avx2(a, b, count)]
                #else
                    return []
                #endif
            }
        }
    }
}
