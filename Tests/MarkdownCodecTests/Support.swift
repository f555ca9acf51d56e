import Foundation
import Testing

@testable import MarkdownCodec

/// `Tests/Fixtures/codec`, found from this file's path.
func codecFixturesDirectory() -> URL {
    var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while directory.path != "/" {
        let candidate = directory.appendingPathComponent("Fixtures/codec")
        if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        directory = directory.deletingLastPathComponent()
    }
    fatalError("Tests/Fixtures/codec not found above \(#filePath)")
}

/// Names of the golden Markdown files.
func codecFixtureNames() -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: codecFixturesDirectory().path)) ?? []
    return names.filter { $0.hasSuffix(".md") }.sorted()
}

func fixtureBytes(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: codecFixturesDirectory().appendingPathComponent(name)))
}

/// A readable, deterministic dump of everything the codec reads from a file.
func summary(of file: EntryFile) -> String {
    var out = "lineEnding: \(file.lineEnding == "\r\n" ? "CRLF" : "LF")\n"
    for segment in file.segments {
        out += "segment \(segment.kind) lines \(segment.line)-\(segment.endLine)"
        out += " bytes \(segment.byteRange.lowerBound)..<\(segment.byteRange.upperBound)\n"
    }
    for entry in file.entries {
        out += "entry lines \(entry.line)-\(entry.endLine)\n"
        out += "  id: \(entry.id ?? "-")\n"
        out += "  date: \(entry.date?.headingText ?? "-")\n"
        out += "  title: \(entry.title.map { String(reflecting: $0) } ?? "-")\n"
        if !entry.meta.isEmpty {
            out += "  meta: " + entry.meta.map { "\(String(reflecting: $0.key))=\(String(reflecting: $0.value))" }
                .joined(separator: " ") + "\n"
        }
        if !entry.tags.isEmpty { out += "  tags: \(entry.tags.joined(separator: " "))\n" }
        if !entry.mentions.isEmpty { out += "  mentions: \(entry.mentions.joined(separator: " "))\n" }
        for task in entry.tasks {
            out += "  task: line \(task.line) [\(task.checked ? "x" : " ")] \(String(reflecting: task.text))\n"
        }
        if let armor = entry.armoredBlock { out += "  armor: \(String(reflecting: armor))\n" }
        out += "  body: \(String(reflecting: entry.body))\n"
        out += "  hash: \(entry.contentHash)\n"
    }
    for problem in file.problems {
        out += "problem \(problem.description) [\(problem.kind)]\n"
    }
    return out
}

/// Checks that `after` is `before` with only `insertions` added, in order.
func onlyInserted(_ insertions: [[UInt8]], before: [UInt8], after: [UInt8]) -> Bool {
    var rebuilt: [UInt8] = []
    var cursor = 0
    for insertion in insertions {
        guard let found = firstRange(of: insertion, in: after, from: cursor) else { return false }
        rebuilt += after[cursor..<found.lowerBound]
        cursor = found.upperBound
    }
    rebuilt += after[cursor...]
    return rebuilt == before
}

private func firstRange(of needle: [UInt8], in haystack: [UInt8], from start: Int) -> Range<Int>? {
    guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
    var index = start
    while index <= haystack.count - needle.count {
        if haystack[index..<index + needle.count].elementsEqual(needle) { return index..<index + needle.count }
        index += 1
    }
    return nil
}

/// Deterministic ids for tests: `01TEST0000000001`, `01TEST0000000002`, ...
final class IDSequence {
    private var next = 1
    func make() -> String {
        defer { next += 1 }
        let digits = String(next)
        return "01TEST" + String(repeating: "0", count: 10 - digits.count) + digits
    }
}
