import Foundation

internal import COpenBLAS

/// The element-wise and row-wise pieces of the forward pass, on raw pointers.
///
/// Written with `SIMD8<Float>`, which Package.swift compiles to AVX2 and FMA
/// instructions on x86-64: one register per eight lanes, and `addingProduct` is one
/// fused multiply-add.
enum Kernels {
    /// `output[rows × outputSize] = input[rows × inputSize] · weightᵀ + bias`, where
    /// `weight` is `outputSize × inputSize` row-major (PyTorch's `Linear` layout).
    ///
    /// Up to `vectorRowLimit` rows (a short query), one thread computes every column
    /// with `computeFewRows`, which reads each weight once from memory and uses it
    /// for all the rows: waking a second thread for each of the 24 layers' products
    /// costs more than it saves, and on a busy machine the caller waits for it. Up
    /// to `splitRowLimit` rows (one text), the output columns are split between the
    /// cores: with few rows sgemm spends most of its time packing the weight matrix,
    /// and each core packs only its part. Larger batches already keep the cores busy
    /// with one batch each.
    static func linear(
        _ input: UnsafePointer<Float>, rows: Int, inputSize: Int,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, outputSize: Int,
        into output: UnsafeMutablePointer<Float>
    ) {
        let operands = LinearOperands(
            input: input, rows: rows, inputSize: inputSize, weight: weight, bias: bias, outputSize: outputSize,
            output: output)
        // At least 64 columns a part, so that each sgemm call stays worth its set-up.
        let parts = min(cores, max(1, outputSize / 64))
        if rows <= vectorRowLimit {
            operands.computeFewRows()
        } else if rows <= splitRowLimit {
            DispatchQueue.concurrentPerform(iterations: parts) {
                operands.compute(columns: outputSize * $0 / parts..<outputSize * ($0 + 1) / parts)
            }
        } else {
            operands.compute(columns: 0..<outputSize)
        }
    }

    /// The cores this process may use (`ProcessInfo.activeProcessorCount`), at least one.
    static let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// The most rows for which `linear` splits its columns between the cores.
    static let splitRowLimit = 256

    /// The most rows (a short query) for which `linear` uses `computeFewRows`
    /// instead of sgemm: sgemm packs the weights on every call, which costs more
    /// than the arithmetic when there are this few rows.
    static let vectorRowLimit = 16

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

        /// Computes every output of a few rows on this thread, without BLAS: four weight
        /// rows (output columns) at a time against two input rows at a time, eight lanes
        /// wide, so that each weight is read from memory once and used for every row from
        /// the first level of cache. One sgemv per row reads all the weights again from
        /// the second level for each row, and twice as many bytes pass through the cores.
        ///
        /// - Complexity: O(rows × outputSize × inputSize), reading the weights once.
        func computeFewRows() {
            let lanes = inputSize - inputSize % 8
            var column = 0
            while column + 4 <= outputSize {
                let w0 = weight + column * inputSize, w1 = w0 + inputSize, w2 = w1 + inputSize, w3 = w2 + inputSize
                var row = 0
                while row + 2 <= rows {
                    let x0 = input + row * inputSize, x1 = x0 + inputSize
                    var a00 = Vector(), a01 = Vector(), a02 = Vector(), a03 = Vector()
                    var a10 = Vector(), a11 = Vector(), a12 = Vector(), a13 = Vector()
                    var k = 0
                    while k < lanes {
                        let p = load(x0 + k), q = load(x1 + k)
                        let v0 = load(w0 + k)
                        a00 = a00.addingProduct(v0, p)
                        a10 = a10.addingProduct(v0, q)
                        let v1 = load(w1 + k)
                        a01 = a01.addingProduct(v1, p)
                        a11 = a11.addingProduct(v1, q)
                        let v2 = load(w2 + k)
                        a02 = a02.addingProduct(v2, p)
                        a12 = a12.addingProduct(v2, q)
                        let v3 = load(w3 + k)
                        a03 = a03.addingProduct(v3, p)
                        a13 = a13.addingProduct(v3, q)
                        k += 8
                    }
                    let y0 = output + row * outputSize + column, y1 = y0 + outputSize
                    y0[0] = bias[column] + a00.sum() + tail(x0, w0, from: lanes)
                    y0[1] = bias[column + 1] + a01.sum() + tail(x0, w1, from: lanes)
                    y0[2] = bias[column + 2] + a02.sum() + tail(x0, w2, from: lanes)
                    y0[3] = bias[column + 3] + a03.sum() + tail(x0, w3, from: lanes)
                    y1[0] = bias[column] + a10.sum() + tail(x1, w0, from: lanes)
                    y1[1] = bias[column + 1] + a11.sum() + tail(x1, w1, from: lanes)
                    y1[2] = bias[column + 2] + a12.sum() + tail(x1, w2, from: lanes)
                    y1[3] = bias[column + 3] + a13.sum() + tail(x1, w3, from: lanes)
                    row += 2
                }
                if row < rows {
                    let x0 = input + row * inputSize
                    var a0 = Vector(), a1 = Vector(), a2 = Vector(), a3 = Vector()
                    var k = 0
                    while k < lanes {
                        let p = load(x0 + k)
                        a0 = a0.addingProduct(load(w0 + k), p)
                        a1 = a1.addingProduct(load(w1 + k), p)
                        a2 = a2.addingProduct(load(w2 + k), p)
                        a3 = a3.addingProduct(load(w3 + k), p)
                        k += 8
                    }
                    let y0 = output + row * outputSize + column
                    y0[0] = bias[column] + a0.sum() + tail(x0, w0, from: lanes)
                    y0[1] = bias[column + 1] + a1.sum() + tail(x0, w1, from: lanes)
                    y0[2] = bias[column + 2] + a2.sum() + tail(x0, w2, from: lanes)
                    y0[3] = bias[column + 3] + a3.sum() + tail(x0, w3, from: lanes)
                }
                column += 4
            }
            // The last columns when the output size is not a multiple of four.
            while column < outputSize {
                let w = weight + column * inputSize
                for row in 0..<rows {
                    let x = input + row * inputSize
                    var a = Vector()
                    var k = 0
                    while k < lanes {
                        a = a.addingProduct(load(w + k), load(x + k))
                        k += 8
                    }
                    output[row * outputSize + column] = bias[column] + a.sum() + tail(x, w, from: lanes)
                }
                column += 1
            }
        }

        /// The products past the last whole eight lanes (none for the model's sizes).
        @inline(__always)
        private func tail(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, from start: Int) -> Float {
            var sum: Float = 0
            var k = start
            while k < inputSize {
                sum += x[k] * w[k]
                k += 1
            }
            return sum
        }

        /// Computes the given output columns of every row with one sgemm.
        func compute(columns: Range<Int>) {
            let weights = weight + columns.lowerBound * inputSize
            for row in 0..<rows {
                (output + row * outputSize + columns.lowerBound).update(
                    from: bias + columns.lowerBound, count: columns.count)
            }
            OpenBLAS.loaded.sgemm(
                CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(columns.count), Int32(inputSize),
                1, input, Int32(inputSize), weights, Int32(inputSize),
                1, output + columns.lowerBound, Int32(outputSize))
        }
    }

    /// `output[row] = LayerNorm(values[row] + residual[row])` for every row of `width`,
    /// `width` a multiple of 8; `output` may be `values` or `residual`.
    ///
    /// - Complexity: O(rows × width), three sweeps over each row while it is in L1.
    static func addAndNormalize(
        _ values: UnsafePointer<Float>, residual: UnsafePointer<Float>?, rows: Int, width: Int,
        scale: UnsafePointer<Float>, bias: UnsafePointer<Float>, epsilon: Float,
        into output: UnsafeMutablePointer<Float>
    ) {
        precondition(width % 8 == 0, "LayerNorm width \(width) is not a multiple of 8")
        let count = Float(width)
        for row in 0..<rows {
            let source = values + row * width
            let target = output + row * width
            // Sweep 1: the sum (and the residual added, into target).
            var sum = Vector()
            var index = 0
            if let residual {
                let added = residual + row * width
                while index < width {
                    let value = load(source + index) + load(added + index)
                    store(value, to: target + index)
                    sum += value
                    index += 8
                }
            } else {
                while index < width {
                    let value = load(source + index)
                    store(value, to: target + index)
                    sum += value
                    index += 8
                }
            }
            let mean = sum.sum() / count
            // Sweep 2: the variance around the mean (two passes: exact for large means).
            var squares = Vector()
            index = 0
            while index < width {
                let centered = load(target + index) - mean
                squares = squares.addingProduct(centered, centered)
                index += 8
            }
            let inverse = 1 / (squares.sum() / count + epsilon).squareRoot()
            // Sweep 3: normalize, scale and shift.
            index = 0
            while index < width {
                let normalized = (load(target + index) - mean) * inverse
                store(load(bias + index).addingProduct(normalized, load(scale + index)), to: target + index)
                index += 8
            }
        }
    }

    /// Eight floats: one AVX register when compiled for AVX2 (see Package.swift).
    ///
    /// `a.addingProduct(b, c)` is one FMA instruction when it accumulates in a loop;
    /// in the polynomials below, chains of it make LLVM's vectorizer split the
    /// vector into scalar lanes, so those use a multiply and an add.
    typealias Vector = SIMD8<Float>

    /// The eight floats at `pointer`, at any alignment.
    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(pointer).loadUnaligned(as: Vector.self)
    }

    /// Writes eight floats at `pointer`, at any alignment.
    @inline(__always)
    static func store(_ vector: Vector, to pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: vector, as: Vector.self)
    }

    /// `value` limited to `lower...upper` lane by lane. (`clamped` and `pointwiseMin`
    /// are not inlined and cost a call per vector.)
    @inline(__always)
    static func clamp(_ value: Vector, _ lower: Float, _ upper: Float) -> Vector {
        let low = Vector(repeating: lower), high = Vector(repeating: upper)
        let raised = value.replacing(with: low, where: value .< low)
        return raised.replacing(with: high, where: raised .> high)
    }

    /// The largest of the eight lanes. (`max()` compiles to a lane-by-lane loop.)
    @inline(__always)
    static func largestLane(_ vector: Vector) -> Float {
        let half = vector.lowHalf.replacing(with: vector.highHalf, where: vector.lowHalf .< vector.highHalf)
        let quarter = half.lowHalf.replacing(with: half.highHalf, where: half.lowHalf .< half.highHalf)
        return quarter[0] < quarter[1] ? quarter[1] : quarter[0]
    }

    /// GELU with the exact error function, `x · (1 + erf(x / √2)) / 2`, in place
    /// on `count` floats, `count` a multiple of 8.
    static func gelu(_ values: UnsafeMutablePointer<Float>, count: Int) {
        precondition(count % 8 == 0, "GELU count \(count) is not a multiple of 8")
        var index = 0
        while index < count {
            let x = load(values + index)
            let half = x * 0.5
            store(half + half * erf(x * 0.70710678118654752), to: values + index)
            index += 8
        }
    }

    /// erf(x) in single precision: a rational approximation (the one Eigen and XLA
    /// use), within 4e-7 of the true value, eight lanes at a time without libm.
    @inline(__always)
    static func erf(_ input: Vector) -> Vector {
        let x = clamp(input, -4, 4)
        let x2 = x * x
        var p = x2 * -2.72614225801306e-10 + 2.77068142495902e-08
        p = p * x2 - 2.10102402082508e-06
        p = p * x2 - 5.69250639462346e-05
        p = p * x2 - 7.34990630326855e-04
        p = p * x2 - 2.95459980854025e-03
        p = p * x2 - 1.60960333262415e-02
        var q = x2 * -1.45660718464996e-05 - 2.13374055278905e-04
        q = q * x2 - 1.68282697438203e-03
        q = q * x2 - 7.37332916720468e-03
        q = q * x2 - 1.42647390514189e-02
        return x * p / q
    }

    /// eˣ in single precision, eight lanes at a time without libm: Cephes' `expf`
    /// (x = n·ln 2 + r, a degree-6 polynomial for eʳ), within 2 ulp.
    @inline(__always)
    static func exp(_ input: Vector) -> Vector {
        let x = clamp(input, -87.3, 88.3)
        // Adding 1.5·2²³ rounds to an integer, which then sits in the low bits.
        let shifted = x * 1.44269504088896341 + 12582912
        let n = shifted - 12582912
        let r = x - n * 0.693359375 + n * 2.12194440e-4
        var p = r * 1.9875691500e-4 + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let er = p * r * r + r + 1
        let exponent = (unsafeBitCast(shifted, to: SIMD8<UInt32>.self) &- 0x4B40_0000 &+ 127) &<< 23
        return er * unsafeBitCast(exponent, to: Vector.self)
    }

    /// Softmax of one row of `count` scores, in place, but for the final division:
    /// each score x becomes e^(x − max), and the return value is 1 / their sum,
    /// for the caller to apply where it is cheaper (attention scales its 32
    /// outputs per row instead of the row's scores). The row has room for
    /// `padded` floats (`count` rounded up to a multiple of 8); the lanes past
    /// `count` are overwritten and end up (nearly) zero.
    static func exponentiate(_ row: UnsafeMutablePointer<Float>, count: Int, padded: Int) -> Float {
        for index in count..<padded { row[index] = -.greatestFiniteMagnitude }
        var largest = Vector(repeating: -.greatestFiniteMagnitude)
        var index = 0
        while index < padded {
            let value = load(row + index)
            largest.replace(with: value, where: largest .< value)
            index += 8
        }
        let shift = Vector(repeating: largestLane(largest))
        var total = Vector()
        index = 0
        while index < padded {
            let e = exp(load(row + index) - shift)
            store(e, to: row + index)
            total += e
            index += 8
        }
        return 1 / total.sum()
    }
}
