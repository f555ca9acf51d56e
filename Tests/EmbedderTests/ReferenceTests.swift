import Foundation
import Synchronization
import Testing

@testable import Embedder

/// Fidelity against sentence-transformers' own output for the same model.
@Suite("Reference vectors from sentence-transformers")
struct ReferenceTests {
    @Test("once a model has loaded OpenBLAS, its own thread pool is stopped (its threads would spin beside ours)")
    func openBLASPoolStopped() throws {
        _ = try Model.embedder()
        let blas = try OpenBLAS.shared.get()
        #expect(blas.threadPoolRunning == false)
    }

    @Test("token ids match BertTokenizer", arguments: ReferenceCase.all)
    func tokenIDs(_ reference: ReferenceCase) throws {
        let embedder = try Model.embedder()
        #expect(embedder.tokenizer.encode(reference.text) == reference.input_ids)
    }

    @Test("embeddings reach cosine 0.9999", arguments: ReferenceCase.all)
    func embedding(_ reference: ReferenceCase) throws {
        let embedder = try Model.embedder()
        let vector = try #require(embedder.embed([reference.text]).first)
        #expect(vector.count == Embedder.dimension)
        #expect(cosine(vector, reference.embedding) >= 0.9999)
    }

    @Test("all cases embedded as one batch reach cosine 0.9999")
    func batchAgainstReference() throws {
        let embedder = try Model.embedder()
        let cases = ReferenceCase.all
        #expect(cases.count == 33)
        let vectors = embedder.embed(cases.map(\.text))
        let cosines = zip(vectors, cases).map { cosine($0, $1.embedding) }
        let worst = try #require(cosines.min())
        print("minilm reference: \(cases.count) cases, min cosine \(worst)")
        #expect(worst >= 0.9999)
    }

    @Test("a batch gives the same vectors as one text at a time")
    func batchEqualsSingle() throws {
        let embedder = try Model.embedder()
        let texts = ReferenceCase.all.map(\.text) + (0..<70).map { "note \($0): call the plumber about the sink" }
        let batch = embedder.embed(texts)
        var largest: Float = 0
        for (text, vector) in zip(texts, batch) {
            let single = try #require(embedder.embed([text]).first)
            for (a, b) in zip(single, vector) { largest = max(largest, abs(a - b)) }
        }
        #expect(largest <= 1e-5)
    }

    @Test("one embedder serves several threads at once")
    func concurrentCalls() throws {
        let embedder = try Model.embedder()
        let texts = ["had coffee with Maria", "renew the passport before March", "東京で寿司を食べました"]
        let expected = embedder.embedMatrix(texts)
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            results.append(embedder.embedMatrix(texts))
        }
        #expect(results.all.count == 4)
        for result in results.all {
            #expect(zip(result, expected).allSatisfy { abs($0 - $1) <= 1e-5 })
        }
    }

    /// Matrices collected from several threads.
    final class Results: Sendable {
        private let matrices = Mutex<[[Float]]>([])
        func append(_ matrix: [Float]) { matrices.withLock { $0.append(matrix) } }
        var all: [[Float]] { matrices.withLock { $0 } }
    }

    @Test("embedMatrix holds the rows of embed")
    func matrixMatchesArrays() throws {
        let embedder = try Model.embedder()
        let texts = ["had coffee with Maria", "", "renew the passport"]
        let matrix = embedder.embedMatrix(texts)
        #expect(matrix.count == texts.count * 384)
        #expect(Array(matrix[384..<768]) == embedder.embed([""])[0])
        #expect(embedder.embedMatrix([]).isEmpty)
        #expect(embedder.embed([]).isEmpty)
    }

    @Test("an empty text embeds as [CLS] [SEP], unit length")
    func emptyText() throws {
        let embedder = try Model.embedder()
        #expect(embedder.tokenizer.encode("") == [101, 102])
        let reference = try #require(ReferenceCase.all.first { $0.text.isEmpty })
        let vector = try #require(embedder.embed([""]).first)
        #expect(cosine(vector, reference.embedding) >= 0.9999)
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        #expect(abs(norm - 1) < 1e-5)
    }

    @Test("long texts are cut to 256 tokens ending in [SEP]")
    func truncation() throws {
        let embedder = try Model.embedder()
        let ids = embedder.tokenizer.encode(String(repeating: "unbelievably ", count: 300))
        #expect(ids.count == 256)
        #expect(ids.first == 101)
        #expect(ids.last == 102)
        #expect(embedder.tokenizer.encode("hello world", maxLength: 3) == [101, 7592, 102])
    }

    @Test("words over 100 characters become [UNK]")
    func longWord() throws {
        let embedder = try Model.embedder()
        #expect(embedder.tokenizer.encode(String(repeating: "a", count: 101)) == [101, 100, 102])
        #expect(embedder.tokenizer.encode(String(repeating: "a", count: 100)).count > 3)
    }
}
