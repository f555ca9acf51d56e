import Foundation
import Synchronization

internal import CKernels

/// all-MiniLM-L6-v2 sentence embeddings, computed locally on OpenBLAS.
///
/// Texts are tokenized like Hugging Face's `BertTokenizer`, run through the six
/// BERT layers, mean-pooled over their tokens and L2-normalized: the vectors match
/// sentence-transformers to a cosine of 0.9999 or better.
///
/// One instance serves any number of threads: the weights are a read-only memory
/// map, and each call takes its own working memory from a pool.
public final class Embedder: Sendable {
    /// The model this embedder runs.
    public static let modelID = "all-MiniLM-L6-v2"
    /// The length of every embedding.
    public static let dimension = 384
    /// The most tokens of a text that are embedded, `[CLS]` and `[SEP]` included.
    public static let maxTokens = 256

    /// The OpenBLAS kernel this process runs with (`openblas_get_corename()`, e.g. "Haswell" or
    /// "SkylakeX"): chosen by OpenBLAS for the CPU unless `OPENBLAS_CORETYPE` forces one. Benchmarks
    /// print it beside every embedder figure.
    /// Loads OpenBLAS if nothing has yet; "not loaded" if it cannot be.
    public static var blasCoreName: String {
        guard case .success(let blas) = OpenBLAS.shared else { return "not loaded" }
        guard let name = blas.coreName() else { return "unknown" }
        return String(cString: name)
    }

    /// Which variant of the embedder's own loops (`Sources/CKernels`) this process runs, as the
    /// loader chose it from the CPU: "AVX2/FMA" or "portable". Benchmarks print it beside
    /// every embedder figure.
    public static var kernelVariant: String { mv_kernels_use_avx2() != 0 ? "AVX2/FMA" : "portable" }

    /// The model directory: `$MEMVAULT_MODEL_DIR`, else `~/.cache/memvault/models/all-MiniLM-L6-v2`.
    ///
    /// - Parameter environment: The environment to read `MEMVAULT_MODEL_DIR` and `HOME` from.
    public static func defaultModelDirectory(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> URL {
        if let directory = environment["MEMVAULT_MODEL_DIR"], !directory.isEmpty {
            return URL(fileURLWithPath: directory, isDirectory: true)
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return URL(fileURLWithPath: home, isDirectory: true)
            .appendingPathComponent(".cache/memvault/models/\(modelID)", isDirectory: true)
    }

    /// The tokenizer read from the model's `vocab.txt`.
    public let tokenizer: WordPieceTokenizer
    /// The length of every embedding: 384.
    public var dimension: Int { Self.dimension }
    /// The model's name: `all-MiniLM-L6-v2`.
    public var modelID: String { Self.modelID }

    private let weights: BertWeights
    private let pool = ScratchPool()

    /// Texts per forward pass: large enough that matrix products run near peak.
    static let batchTexts = 32
    /// Tokens per forward pass at most, which bounds the working memory.
    static let batchTokens = 2048

    /// Maps the model's weights and reads its vocabulary.
    ///
    /// - Parameter modelDirectory: A directory with `model.safetensors` and
    ///   `vocab.txt`, such as `defaultModelDirectory()`.
    /// - Throws: `EmbedderError` of kind `.modelMissing` if the directory or the
    ///   weights are absent, `.vocabularyMissing` without `vocab.txt`, `.corrupt`
    ///   if a file is truncated or holds unexpected tensors. OpenBLAS is not opened here but by
    ///   the first forward pass of more than a short query's tokens (`Kernels`).
    /// - Complexity: O(vocabulary size); the weights are mapped, not read.
    public init(modelDirectory: URL) throws(EmbedderError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: modelDirectory.path, isDirectory: &isDirectory),
            isDirectory.boolValue
        else {
            throw EmbedderError(
                kind: .modelMissing, message: "embedding model \(Self.modelID) not found", path: modelDirectory.path,
                hint: EmbedderError.fetchHint)
        }
        let file = try SafeTensorsFile(contentsOf: modelDirectory.appendingPathComponent("model.safetensors"))
        weights = try BertWeights(file: file)
        tokenizer = try WordPieceTokenizer(vocabularyFile: modelDirectory.appendingPathComponent("vocab.txt"))
        guard tokenizer.vocabularySize == BertShape.vocabulary else {
            throw .corrupt(
                "vocabulary has \(tokenizer.vocabularySize) tokens, the model \(BertShape.vocabulary)",
                modelDirectory.appendingPathComponent("vocab.txt"))
        }
    }

    /// The embeddings of `texts`, one L2-normalized vector of 384 floats each.
    ///
    /// - Parameter texts: Any strings; an empty one embeds as `[CLS] [SEP]`. Texts
    ///   longer than 256 tokens are cut.
    /// - Complexity: O(t) for t tokens in all (texts are at most 256 tokens).
    public func embed(_ texts: [String]) -> [[Float]] {
        let matrix = embedMatrix(texts)
        return (0..<texts.count).map { Array(matrix[$0 * Self.dimension..<($0 + 1) * Self.dimension]) }
    }

    /// The embeddings of `texts` as one row-major `texts.count × 384` matrix: the
    /// same values as `embed(_:)` without an array per text.
    ///
    /// - Parameter texts: Any strings, as for `embed(_:)`.
    /// - Complexity: O(t) for t tokens in all.
    public func embedMatrix(_ texts: [String]) -> [Float] {
        var matrix = [Float](repeating: 0, count: texts.count * Self.dimension)
        guard !texts.isEmpty else { return matrix }
        let sequences = tokenize(texts)
        let batches = Self.batches(of: sequences)
        matrix.withUnsafeMutableBufferPointer { buffer in
            let output = SharedOutput(base: buffer.baseAddress!)
            let next = BatchCounter()
            let workers = min(Kernels.cores, batches.count)
            let run: @Sendable (Int) -> Void = { _ in
                let scratch = self.pool.take()
                defer { self.pool.give(scratch) }
                while let batch = next.take(below: batches.count) {
                    let members = batches[batch]
                    self.weights.encode(members.map { sequences[$0] }, scratch: scratch) { index in
                        output.base + members[index] * Self.dimension
                    }
                }
            }
            if workers == 1 {
                run(0)
            } else {
                DispatchQueue.concurrentPerform(iterations: workers, execute: run)
            }
        }
        return matrix
    }

    /// Token ids of every text, on every core when there are many.
    private func tokenize(_ texts: [String]) -> [[Int32]] {
        guard texts.count >= 64 else { return texts.map { tokenizer.encode($0, maxLength: Self.maxTokens) } }
        var sequences = [[Int32]](repeating: [], count: texts.count)
        sequences.withUnsafeMutableBufferPointer { buffer in
            let output = SharedSequences(base: buffer.baseAddress!)
            let parts = Kernels.cores
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                for index in texts.count * part / parts..<texts.count * (part + 1) / parts {
                    output.base[index] = tokenizer.encode(texts[index], maxLength: Self.maxTokens)
                }
            }
        }
        return sequences
    }

    /// Groups text indices into forward passes of similar length, longest first,
    /// each at most `batchTexts` texts and `batchTokens` tokens (or one longer text).
    /// The passes holding the last `tailTokens` tokens take half as many texts, so
    /// that the workers run out of work closer together.
    static func batches(of sequences: [[Int32]]) -> [[Int]] {
        let order = sequences.indices.sorted { sequences[$0].count > sequences[$1].count }
        var remaining = sequences.reduce(0) { $0 + $1.count }
        var batches: [[Int]] = []
        var current: [Int] = []
        var tokens = 0
        for index in order {
            let length = sequences[index].count
            let limit = remaining <= tailTokens ? batchTexts / 2 : batchTexts
            if !current.isEmpty, current.count >= limit || tokens + length > batchTokens {
                batches.append(current)
                current = []
                tokens = 0
            }
            current.append(index)
            tokens += length
            remaining -= length
        }
        if !current.isEmpty { batches.append(current) }
        return batches
    }

    /// The tokens at the end of a call that go in half-size passes.
    static let tailTokens = 2 * batchTokens
}

/// The output matrix, written by several workers at disjoint rows.
///
/// `@unchecked Sendable`: each row is written by exactly one worker, and the
/// caller reads the matrix only after every worker has finished.
private struct SharedOutput: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>
}

/// The token id arrays, written by several workers at disjoint indices.
///
/// `@unchecked Sendable`: as for `SharedOutput`, writes never overlap and reads
/// come after the workers join.
private struct SharedSequences: @unchecked Sendable {
    let base: UnsafeMutablePointer<[Int32]>
}

/// Hands out batch numbers 0, 1, 2, ... to workers, each once.
private final class BatchCounter: Sendable {
    private let next = Mutex(0)

    func take(below count: Int) -> Int? {
        next.withLock { next in
            guard next < count else { return nil }
            next += 1
            return next - 1
        }
    }
}

/// Working memory kept between calls, one `Scratch` per concurrent worker.
///
/// `@unchecked Sendable`: `idle` is only touched under `lock`, and a `Scratch` is used by one
/// thread at a time, between `take()` and `give(_:)`.
private final class ScratchPool: @unchecked Sendable {
    private var idle: [Scratch] = []
    private let lock = Mutex(())

    func take() -> Scratch {
        lock.withLock { _ in idle.popLast() } ?? Scratch()
    }

    func give(_ scratch: Scratch) {
        lock.withLock { _ in
            if idle.count < 2 { idle.append(scratch) }
        }
    }
}
