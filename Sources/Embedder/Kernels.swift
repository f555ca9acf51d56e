import Foundation

internal import COpenBLAS

/// The element-wise and row-wise pieces of the forward pass, on raw pointers.
///
/// Plain loops without calls or `min`/`max` in their bodies: the optimizer
/// vectorizes them, and debug builds (the tests) stay quick, which generic
/// `SIMD` types would not be.
enum Kernels {
    /// `output[rows × outputSize] = input[rows × inputSize] · weightᵀ + bias`, where
    /// `weight` is `outputSize × inputSize` row-major (PyTorch's `Linear` layout).
    ///
    /// Up to `splitRowLimit` rows (one text), the output columns are split between
    /// both cores: with few rows sgemm spends most of its time packing the weight
    /// matrix, and each half packs only its half. Larger batches already keep both
    /// cores busy with one batch each.
    static func linear(
        _ input: UnsafePointer<Float>, rows: Int, inputSize: Int,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, outputSize: Int,
        into output: UnsafeMutablePointer<Float>
    ) {
        let operands = LinearOperands(
            input: input, rows: rows, inputSize: inputSize, weight: weight, bias: bias, outputSize: outputSize,
            output: output)
        if rows <= vectorRowLimit {
            DispatchQueue.concurrentPerform(iterations: 2) { half in
                operands.computeByRows(columns: half == 0 ? 0..<outputSize / 2 : outputSize / 2..<outputSize)
            }
        } else if rows <= splitRowLimit {
            DispatchQueue.concurrentPerform(iterations: 2) { half in
                operands.compute(columns: half == 0 ? 0..<outputSize / 2 : outputSize / 2..<outputSize)
            }
        } else {
            operands.compute(columns: 0..<outputSize)
        }
    }

    /// The most rows for which `linear` splits its columns between two threads.
    static let splitRowLimit = 256

    /// The most rows (a short query) for which `linear` uses matrix-vector products
    /// instead of sgemm: sgemm packs the weights on every call, which costs more
    /// than the arithmetic when there are this few rows.
    static let vectorRowLimit = 16

    /// The weight floats of one column block of `computeByRows`: 128 KB, so the
    /// block read from memory for the first row stays in L2 for the others.
    static let vectorBlockFloats = 32_768

    /// The operands of one `linear` call, shared by the threads that split its columns.
    ///
    /// `@unchecked Sendable`: the threads only read the inputs and write disjoint
    /// columns of `output`, and the caller waits for them all.
    struct LinearOperands: @unchecked Sendable {
        let input: UnsafePointer<Float>
        let rows: Int
        let inputSize: Int
        let weight: UnsafePointer<Float>
        let bias: UnsafePointer<Float>
        let outputSize: Int
        let output: UnsafeMutablePointer<Float>

        /// Computes the given output columns of every row with one sgemv per row
        /// and block of columns; the weights are read from memory once, unpacked.
        ///
        /// - Complexity: O(rows × columns × inputSize), reading each weight of the
        ///   columns once from memory.
        func computeByRows(columns: Range<Int>) {
            let blockColumns = max(8, vectorBlockFloats / inputSize)
            var start = columns.lowerBound
            while start < columns.upperBound {
                let count = min(blockColumns, columns.upperBound - start)
                let weights = weight + start * inputSize
                for row in 0..<rows {
                    let target = output + row * outputSize + start
                    target.update(from: bias + start, count: count)
                    cblas_sgemv(
                        CblasRowMajor, CblasNoTrans, Int32(count), Int32(inputSize),
                        1, weights, Int32(inputSize), input + row * inputSize, 1, 1, target, 1)
                }
                start += count
            }
        }

        /// Computes the given output columns of every row with one sgemm.
        func compute(columns: Range<Int>) {
            let weights = weight + columns.lowerBound * inputSize
            for row in 0..<rows {
                (output + row * outputSize + columns.lowerBound).update(
                    from: bias + columns.lowerBound, count: columns.count)
            }
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(columns.count), Int32(inputSize),
                1, input, Int32(inputSize), weights, Int32(inputSize),
                1, output + columns.lowerBound, Int32(outputSize))
        }
    }

    /// `output[row] = LayerNorm(values[row] + residual[row])` for every row of `width`.
    static func addAndNormalize(
        _ values: UnsafePointer<Float>, residual: UnsafePointer<Float>?, rows: Int, width: Int,
        scale: UnsafePointer<Float>, bias: UnsafePointer<Float>, epsilon: Float,
        into output: UnsafeMutablePointer<Float>
    ) {
        let count = Float(width)
        for row in 0..<rows {
            let source = values + row * width
            let target = output + row * width
            if let residual {
                let added = residual + row * width
                for index in 0..<width { target[index] = source[index] + added[index] }
            } else if source != UnsafePointer(target) {
                target.update(from: source, count: width)
            }
            let mean = sum(target, count: width) / count
            for index in 0..<width { target[index] -= mean }
            let inverse = 1 / (sumOfSquares(target, count: width) / count + epsilon).squareRoot()
            for index in 0..<width {
                target[index] = target[index] * inverse * scale[index] + bias[index]
            }
        }
    }

    /// The sum of `count` floats, `count` a multiple of 8. Eight running sums let
    /// the optimizer use vector adds, which one sum (a strict sequence) forbids.
    @inline(__always)
    static func sum(_ values: UnsafePointer<Float>, count: Int) -> Float {
        unrolledSum(count: count) { values[$0] }
    }

    /// The sum of squares of `count` floats, `count` a multiple of 8; as `sum`.
    @inline(__always)
    static func sumOfSquares(_ values: UnsafePointer<Float>, count: Int) -> Float {
        unrolledSum(count: count) { values[$0] * values[$0] }
    }

    @inline(__always)
    private static func unrolledSum(count: Int, _ term: (Int) -> Float) -> Float {
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
        var s4: Float = 0, s5: Float = 0, s6: Float = 0, s7: Float = 0
        var index = 0
        while index < count {
            s0 += term(index); s1 += term(index + 1); s2 += term(index + 2); s3 += term(index + 3)
            s4 += term(index + 4); s5 += term(index + 5); s6 += term(index + 6); s7 += term(index + 7)
            index += 8
        }
        return ((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7))
    }

    /// GELU with the exact error function: `x · (1 + erf(x / √2)) / 2`, in place.
    static func gelu(_ values: UnsafeMutablePointer<Float>, count: Int) {
        for index in 0..<count {
            let x = values[index]
            values[index] = x * 0.5 * (1 + erf(x * 0.70710678118654752))
        }
    }

    /// erf(x) in single precision: a rational approximation (the one Eigen and XLA
    /// use), within 4e-7 of the true value in Float arithmetic, so GELU vectorizes
    /// without libm calls.
    @inline(__always)
    static func erf(_ input: Float) -> Float {
        let x = input < -4 ? -4 : input > 4 ? 4 : input
        let x2 = x * x
        var p: Float = -2.72614225801306e-10
        p = p * x2 + 2.77068142495902e-08
        p = p * x2 - 2.10102402082508e-06
        p = p * x2 - 5.69250639462346e-05
        p = p * x2 - 7.34990630326855e-04
        p = p * x2 - 2.95459980854025e-03
        p = p * x2 - 1.60960333262415e-02
        var q: Float = -1.45660718464996e-05
        q = q * x2 - 2.13374055278905e-04
        q = q * x2 - 1.68282697438203e-03
        q = q * x2 - 7.37332916720468e-03
        q = q * x2 - 1.42647390514189e-02
        return x * p / q
    }

    /// Softmax of each row of a `rows × width` matrix, in place.
    static func softmaxRows(_ values: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
        for row in 0..<rows {
            let start = values + row * width
            var largest = -Float.greatestFiniteMagnitude
            for index in 0..<width where start[index] > largest { largest = start[index] }
            var total: Float = 0
            for index in 0..<width {
                let e = exp(start[index] - largest)
                start[index] = e
                total += e
            }
            let inverse = 1 / total
            for index in 0..<width { start[index] *= inverse }
        }
    }

    /// eˣ in single precision without a libm call, so softmax loops vectorize:
    /// Cephes' `expf` (x = n·ln 2 + r, a degree-6 polynomial for eʳ), within 2 ulp.
    @inline(__always)
    static func exp(_ input: Float) -> Float {
        let x = input < -87.3 ? -87.3 : input > 88.3 ? 88.3 : input
        // Adding 1.5·2²³ rounds to an integer, which then sits in the low bits.
        let shifted = x * 1.44269504088896341 + 12582912
        let n = shifted - 12582912
        let r = x - n * 0.693359375 + n * 2.12194440e-4
        var p: Float = 1.9875691500e-4
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let er = p * r * r + r + 1
        let power = Float(bitPattern: (shifted.bitPattern &- 0x4B40_0000 &+ 127) &<< 23)
        return er * power
    }
}
