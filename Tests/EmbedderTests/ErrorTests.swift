import Foundation
import Testing

@testable import Embedder

/// Missing, truncated and malformed model files give clear errors, never a crash.
@Suite("Model loading errors")
struct ErrorTests {
    @Test("a missing directory names itself and scripts/fetch-model")
    func missingDirectory() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("nowhere")
        let error = #expect(throws: EmbedderError.self) { try Embedder(modelDirectory: missing) }
        #expect(error?.kind == .modelMissing)
        #expect(error?.description.contains(missing.path) == true)
        #expect(error?.description.contains("run scripts/fetch-model") == true)
        #expect(error?.description.contains("\n") == false)
    }

    @Test("a directory without weights is a missing model")
    func missingWeights() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = #expect(throws: EmbedderError.self) { try Embedder(modelDirectory: directory) }
        #expect(error?.kind == .modelMissing)
        #expect(error?.description.contains("model.safetensors") == true)
        #expect(error?.description.contains("scripts/fetch-model") == true)
    }

    @Test("a missing vocabulary is reported with its path")
    func missingVocabulary() throws {
        _ = try Model.embedder()
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createSymbolicLink(
            at: directory.appendingPathComponent("model.safetensors"),
            withDestinationURL: Model.directory.appendingPathComponent("model.safetensors"))
        let error = #expect(throws: EmbedderError.self) { try Embedder(modelDirectory: directory) }
        #expect(error?.kind == .vocabularyMissing)
        #expect(error?.description.contains("vocab.txt") == true)
    }

    @Test("a truncated weights file is corrupt")
    func truncatedWeights() throws {
        _ = try Model.embedder()
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let whole = try Data(contentsOf: Model.directory.appendingPathComponent("model.safetensors"))
        let target = directory.appendingPathComponent("model.safetensors")
        for length in [0, 5, 9, 4096, 1_000_000, whole.count - 1] {
            try whole.prefix(length).write(to: target)
            let error = #expect(throws: EmbedderError.self) { try Embedder(modelDirectory: directory) }
            #expect(error?.kind == .corrupt, "cut at \(length) bytes")
            #expect(error?.description.contains(target.path) == true)
        }
    }

    @Test(
        "a malformed header is corrupt",
        arguments: [
            "{not json",
            "[1, 2]",
            #"{"a": {"dtype": "F32", "shape": [2]}}"#,
            #"{"a": {"dtype": "X9", "shape": [1], "data_offsets": [0, 4]}}"#,
            #"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}}"#,
            #"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 0]}}"#,
            #"{"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}"#,
            #"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 400]}}"#,
        ])
    func malformedHeader(_ header: String) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.safetensors")
        let bytes = Array(header.utf8)
        try writeSafeTensors(headerBytes: bytes, declaredLength: UInt64(bytes.count), data: [0, 0, 128, 63], to: url)
        let error = #expect(throws: EmbedderError.self) { try SafeTensorsFile(contentsOf: url) }
        #expect(error?.kind == .corrupt)
        #expect(error?.description.contains(url.path) == true)
    }

    @Test("a header length beyond the file is corrupt")
    func headerLengthBeyondFile() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.safetensors")
        for declared in [UInt64(3), 1 << 40, UInt64.max] {
            try writeSafeTensors(headerBytes: Array("{}".utf8), declaredLength: declared, data: [], to: url)
            let error = #expect(throws: EmbedderError.self) { try SafeTensorsFile(contentsOf: url) }
            #expect(error?.kind == .corrupt)
        }
    }

    @Test("a well-formed file maps its tensors")
    func wellFormed() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("small.safetensors")
        let values: [Float] = [1, -2, 0.5]
        let data = values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
        try writeSafeTensors(
            header: ["__metadata__": ["format": "pt"], "w": ["dtype": "F32", "shape": [3], "data_offsets": [0, 12]]],
            data: data, to: url)
        let file = try SafeTensorsFile(contentsOf: url)
        #expect(file.tensors["w"]?.shape == [3])
        #expect(Array(try file.floats("w", shape: [3])) == values)
        #expect(throws: EmbedderError.self) { try file.floats("w", shape: [1, 3]) }
        #expect(throws: EmbedderError.self) { try file.floats("missing", shape: [3]) }
    }

    @Test("weights of the wrong dtype or shape are named in the error")
    func wrongTensor() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.safetensors")
        let name = "embeddings.word_embeddings.weight"
        try writeSafeTensors(
            header: [name: ["dtype": "F16", "shape": [30522, 384], "data_offsets": [0, 30522 * 384 * 2]]],
            data: [UInt8](repeating: 0, count: 30522 * 384 * 2), to: url)
        let dtype = #expect(throws: EmbedderError.self) { try Embedder(modelDirectory: directory) }
        #expect(dtype?.kind == .corrupt)
        #expect(dtype?.description.contains("dtype F16") == true)
        #expect(dtype?.description.contains(name) == true)

        try writeSafeTensors(
            header: [name: ["dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]]],
            data: [UInt8](repeating: 0, count: 24), to: url)
        let shape = #expect(throws: EmbedderError.self) { try Embedder(modelDirectory: directory) }
        #expect(shape?.kind == .corrupt)
        #expect(shape?.description.contains("shape [2, 3]") == true)
    }

    @Test("a vocabulary without special tokens is corrupt")
    func vocabularyWithoutSpecials() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("vocab.txt")
        try "[PAD]\nhello\n".write(to: url, atomically: true, encoding: .utf8)
        let error = #expect(throws: EmbedderError.self) { try WordPieceTokenizer(vocabularyFile: url) }
        #expect(error?.kind == .corrupt)
        #expect(error?.description.contains("[CLS]") == true)
    }

    @Test("the model directory comes from MEMVAULT_MODEL_DIR, else the cache under HOME")
    func modelDirectoryFromEnvironment() {
        let chosen = Embedder.defaultModelDirectory(environment: ["MEMVAULT_MODEL_DIR": "/srv/models/minilm", "HOME": "/home/a"])
        #expect(chosen.path == "/srv/models/minilm")
        let fallback = Embedder.defaultModelDirectory(environment: ["HOME": "/home/a"])
        #expect(fallback.path == "/home/a/.cache/memvault/models/all-MiniLM-L6-v2")
        let empty = Embedder.defaultModelDirectory(environment: ["MEMVAULT_MODEL_DIR": "", "HOME": "/home/a"])
        #expect(empty == fallback)
    }
}
