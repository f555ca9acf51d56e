import Foundation

internal import CKernels
internal import COpenBLAS

/// The element-wise and row-wise pieces of the forward pass, on raw pointers.
///
/// The loops themselves are C (`Sources/CKernels`), compiled both for any x86-64 and for
/// AVX2 with FMA; the loader picks one per kernel from the CPU at start. This enum
/// chooses between them and OpenBLAS by shape, and splits work between the cores. OpenBLAS
/// is opened by the first product with more rows than a short query has; where it cannot be,
/// those products run on the short-query kernel too.
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
        } else if case .failure = OpenBLAS.shared {
            // Without OpenBLAS, the short-query kernel a few rows at a time: slower, same products.
            operands.computeInBlocksOfFewRows()
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

        /// Computes every output of a few rows on this thread, without BLAS
        /// (`mv_linear_few_rows`): each weight is read from memory once and used for every
        /// row from the first level of cache. One sgemv per row reads all the weights again
        /// from the second level for each row, and twice as many bytes pass through the cores.
        ///
        /// - Complexity: O(rows × outputSize × inputSize), reading the weights once.
        func computeFewRows() {
            mv_linear_few_rows(input, rows, inputSize, weight, bias, outputSize, output)
        }

        /// Computes every output `vectorRowLimit` rows at a time with `computeFewRows`'s kernel,
        /// on this thread: the products without OpenBLAS.
        func computeInBlocksOfFewRows() {
            for first in stride(from: 0, to: rows, by: vectorRowLimit) {
                let count = min(vectorRowLimit, rows - first)
                mv_linear_few_rows(
                    input + first * inputSize, count, inputSize, weight, bias, outputSize, output + first * outputSize)
            }
        }

        /// Computes the given output columns of every row with one sgemm (OpenBLAS, opened on the
        /// first call).
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
        mv_add_and_normalize(values, residual, rows, width, scale, bias, epsilon, output)
    }

    /// GELU with the exact error function, `x · (1 + erf(x / √2)) / 2`, in place
    /// on `count` floats, `count` a multiple of 8.
    static func gelu(_ values: UnsafeMutablePointer<Float>, count: Int) {
        precondition(count % 8 == 0, "GELU count \(count) is not a multiple of 8")
        mv_gelu(values, count)
    }
}
