import ArgumentParser
import Embedder
import Foundation

extension Memvault {
    /// `memvault embed`: raw sentence embeddings for scripts.
    struct Embed: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "embed",
            abstract: "Print raw sentence embeddings of texts, for scripts.",
            discussion: """
                Each text becomes one L2-normalized vector of 384 floats from the local \
                all-MiniLM-L6-v2 model (in $MEMVAULT_MODEL_DIR, else \
                ~/.cache/memvault/models/all-MiniLM-L6-v2; scripts/fetch-model installs it). \
                Without --json, each vector is printed on its own line as space-separated numbers.

                Examples:
                  memvault embed "had coffee with Maria" --json
                  printf 'one\\ntwo\\n' | memvault embed - --json
                """)

        @OptionGroup var vaultOptions: VaultOptions

        @Argument(help: "The texts to embed. A - reads one text per line from standard input.")
        var texts: [String] = []

        @Flag(help: "Print one JSON object with the model, the dimension and the vectors.")
        var json = false

        func validate() throws {
            guard !texts.isEmpty else {
                throw ValidationError("Give at least one text, or - to read one text per line from standard input.")
            }
        }

        func run() throws {
            let inputs = texts.flatMap { $0 == "-" ? Self.standardInputLines() : [$0] }
            let embedder: Embedder
            do {
                embedder = try Embedder(modelDirectory: Embedder.defaultModelDirectory())
            } catch {
                FileHandle.standardError.write(Data("memvault: error: \(error)\n".utf8))
                throw ExitCode(1)
            }
            let output = EmbeddingsOutput(
                model: embedder.modelID, dimension: embedder.dimension, vectors: embedder.embed(inputs))
            FileHandle.standardOutput.write(Data((json ? output.json : output.text).utf8))
        }

        /// Standard input split into lines, without line terminators (`\n` or `\r\n`).
        static func standardInputLines() -> [String] {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            if lines.last?.isEmpty == true { lines.removeLast() }
            return lines.map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        }
    }
}

/// What `embed` prints, as JSON or as text.
struct EmbeddingsOutput: Encodable {
    let model: String
    let dimension: Int
    let vectors: [[Float]]

    /// `{"model": "all-MiniLM-L6-v2", "dimension": 384, "vectors": [[...], ...]}` and a newline.
    var json: String {
        let rows = vectors.map { "[" + $0.map { "\($0)" }.joined(separator: ", ") + "]" }
        return #"{"model": "\#(model)", "dimension": \#(dimension), "vectors": [\#(rows.joined(separator: ", "))]}"#
            + "\n"
    }

    /// One vector per line, numbers separated by spaces.
    var text: String {
        vectors.map { $0.map { "\($0)" }.joined(separator: " ") + "\n" }.joined()
    }
}
