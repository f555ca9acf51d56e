import Foundation
import Testing

@testable import Embedder

/// The real model, loaded once for all tests; a missing model fails the tests with the fix.
enum Model {
    static let directory = Embedder.defaultModelDirectory()

    static let loaded: Result<Embedder, EmbedderError> = Result { () throws(EmbedderError) in
        try Embedder(modelDirectory: directory)
    }

    /// The embedder, or a test failure telling how to install the model.
    static func embedder(sourceLocation: SourceLocation = #_sourceLocation) throws -> Embedder {
        switch loaded {
        case .success(let embedder):
            return embedder
        case .failure(let error):
            Issue.record(
                "all-MiniLM-L6-v2 is not installed in \(directory.path): \(error). Run scripts/fetch-model.",
                sourceLocation: sourceLocation)
            throw error
        }
    }
}

/// One case of `Tests/Fixtures/minilm/reference.json`, computed by sentence-transformers.
struct ReferenceCase: Decodable, Sendable, CustomTestStringConvertible {
    let text: String
    let input_ids: [Int32]
    let embedding: [Float]

    var testDescription: String { String(text.prefix(40)).debugDescription }

    static let all: [ReferenceCase] = {
        struct File: Decodable { let cases: [ReferenceCase] }
        let url = fixtures.appendingPathComponent("minilm/reference.json")
        do {
            return try JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases
        } catch {
            fatalError("cannot read \(url.path): \(error)")
        }
    }()

    static let fixtures: URL = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("Tests/Fixtures")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        fatalError("Tests/Fixtures not found above \(#filePath)")
    }()
}

/// A fresh temporary directory; the caller removes it with `defer`.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("memvault-embedder-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Writes a safetensors file from a header object and raw data bytes.
func writeSafeTensors(header: [String: Any], data: [UInt8] = [], to url: URL) throws {
    var json = Array(try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
    // Writers pad the header with spaces so the data starts 8-byte aligned.
    while (8 + json.count) % 8 != 0 { json.append(0x20) }
    try writeSafeTensors(headerBytes: json, declaredLength: UInt64(json.count), data: data, to: url)
}

/// Writes a safetensors file whose 8-byte length field may disagree with its header.
func writeSafeTensors(headerBytes: [UInt8], declaredLength: UInt64, data: [UInt8], to url: URL) throws {
    var bytes = (0..<8).map { UInt8(truncatingIfNeeded: declaredLength >> (8 * UInt64($0))) }
    bytes += headerBytes + data
    try Data(bytes).write(to: url)
}

func cosine(_ a: [Float], _ b: [Float]) -> Float {
    var dot: Float = 0, aa: Float = 0, bb: Float = 0
    for (x, y) in zip(a, b) {
        dot += x * y
        aa += x * x
        bb += y * y
    }
    return dot / (aa.squareRoot() * bb.squareRoot())
}
