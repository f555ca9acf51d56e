import Foundation
import Testing

/// One C2SP CCTV age test vector: textual header lines, an empty line, the age file.
struct TestVector: CustomTestStringConvertible, Sendable {
    enum Expectation: String, Sendable {
        case success
        case noMatch = "no match"
        case hmacFailure = "HMAC failure"
        case headerFailure = "header failure"
        case payloadFailure = "payload failure"
        case armorFailure = "armor failure"
    }

    var name: String
    var expect: Expectation
    /// SHA-256 hex of the plaintext released (success and payload failure).
    var payloadSHA256: String?
    var identities: [String]
    var passphrases: [String]
    var armored: Bool
    var compressed: Bool
    /// The age file, inflated if it was stored compressed.
    var file: [UInt8]

    var testDescription: String { name }

    /// Whether the vector needs the post-quantum hybrid identity we do not implement.
    var isPostQuantum: Bool { identities.contains { $0.hasPrefix("AGE-SECRET-KEY-PQ-") } }

    init(name: String, contents: [UInt8], inflating: Bool = true) throws {
        self.name = name
        guard let separator = contents.indices.first(where: { contents[$0] == 0x0A && contents[$0 + 1] == 0x0A }) else {
            throw Inflate.Failure(description: "\(name): no empty line after the header")
        }
        var fields: [(String, String)] = []
        for line in String(decoding: contents[..<separator], as: UTF8.self).split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields.append((String(line[..<colon]), String(line[line.index(after: colon)...].dropFirst())))
        }
        func values(_ key: String) -> [String] { fields.filter { $0.0 == key }.map(\.1) }
        guard let expectText = values("expect").first, let expect = Expectation(rawValue: expectText) else {
            throw Inflate.Failure(description: "\(name): unknown expect")
        }
        self.expect = expect
        payloadSHA256 = values("payload").first
        identities = values("identity")
        passphrases = values("passphrase")
        armored = values("armored").first == "yes"
        compressed = values("compressed").first == "zlib"
        let body = Array(contents[(separator + 2)...])
        file = compressed && inflating ? try Inflate.zlib(body) : body
    }

    static let directory: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("Fixtures/age-testkit")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        }
        fatalError("Tests/Fixtures/age-testkit not found above \(#filePath)")
    }()

    /// Every vector file name, sorted.
    static let names: [String] = {
        (try? FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()) ?? []
    }()

    static func load(_ name: String, inflating: Bool = true) throws -> TestVector {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return try TestVector(name: name, contents: Array(data), inflating: inflating)
    }
}

/// Lowercase hex of `bytes`.
func hex(_ bytes: some Sequence<UInt8>) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
}
