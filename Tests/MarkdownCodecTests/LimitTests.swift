import Foundation
import Testing

@testable import MarkdownCodec

/// The limits every file and entry is held to before cmark-gfm sees it (ParseLimits.swift).
@Suite("Parse limits: hostile input is refused before parsing")
struct LimitTests {
    static let heading = "## 2026-11-22 10:00\n<!-- id: 01JD3K9X2F7Q8R3M -->\n\n"

    static func refusal(_ text: String, limits: ParseLimits = .standard) -> CodecError? {
        do {
            _ = try EntryFile.parse(Array(text.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test("a 3,000 × 3,000 table in 24 KB is refused at its header line; a normal table is not")
    func table() throws {
        let bomb = Self.heading + "|" + String(repeating: "a|", count: 3000) + "\n|" + String(repeating: "-|", count: 3000) + "\n"
            + String(repeating: "|\n", count: 3000)
        #expect(bomb.utf8.count < 25_000)
        let error = try #require(Self.refusal(bomb))
        #expect(error.exceedsLimit && error.line == 4 && error.message.contains("table too large"))
        let normal = Self.heading + "| a | b |\n| --- | :-: |\n" + String(repeating: "| 1 | 2 |\n", count: 500)
        #expect(Self.refusal(normal) == nil)
        #expect(try EntryFile.parse(Array(normal.utf8)).entries.count == 1)
    }

    @Test("600 KB of ![[]() is refused; brackets in fenced code and escaped brackets are not counted")
    func brackets() throws {
        let bomb = Self.heading + String(repeating: "![[]()", count: 100_000) + "\n"
        let error = try #require(Self.refusal(bomb))
        #expect(error.exceedsLimit && error.message.contains("nested too deep"))
        let fenced = Self.heading + "```\n" + String(repeating: "[", count: 5000) + "\n```\n" + String(repeating: "\\[", count: 5000) + "\n"
        #expect(Self.refusal(fenced) == nil)
        let links = Self.heading + String(repeating: "[a](b) ", count: 20_000) + "\n"
        #expect(Self.refusal(links) == nil)
    }

    @Test("block quotes nested deeper than the limit are refused")
    func quotes() throws {
        let error = try #require(Self.refusal(Self.heading + String(repeating: ">", count: 300) + " deep\n"))
        #expect(error.line == 4 && error.message.contains("block quotes"))
        #expect(Self.refusal(Self.heading + ">>> three\n") == nil)
    }

    @Test("more tags than the limit in one entry are refused; the same number over many entries is fine")
    func tags() throws {
        let many = (0..<1001).map { "#t\($0)" }.joined(separator: " ")
        let error = try #require(Self.refusal(Self.heading + many + "\n"))
        #expect(error.line == 1 && error.message.contains("too many #tags"))
        let spread = (0..<20).map { day in
            "## 2026-11-\(String(format: "%02d", day + 1)) 10:00\n\n" + (0..<100).map { "#t\($0)" }.joined(separator: " ") + "\n\n"
        }.joined()
        #expect(Self.refusal(spread) == nil)
        #expect(try EntryFile.parse(Array(spread.utf8)).entries.count == 20)
    }

    @Test("the tag scan keeps first-seen order and stays linear in the number of distinct tags")
    func tagScanLinear() throws {
        var scanner = TagScanner()
        scanner.buffer = Array((0..<50_000).map { "#t\($0) #t\($0)" }.joined(separator: " ").utf8)
        let clock = ContinuousClock()
        let elapsed = clock.measure { scanner.flush() }
        #expect(scanner.tags.count == 50_000 && scanner.tags.first == "t0" && scanner.tags.last == "t49999")
        // Quadratic, 50,000 distinct tags took over 10 s; a generous bound for a debug build.
        #expect(elapsed < .seconds(5))
    }

    @Test("files and entries over the size limits are refused with the line of the entry")
    func sizes() throws {
        var limits = ParseLimits()
        limits.maximumFileSize = 1000
        limits.maximumEntrySize = 300
        #expect(throws: CodecError.self) { try limits.check(Array(String(repeating: "x", count: 1001).utf8)) }
        let text = Self.heading + "short\n\n## 2026-11-23 10:00\n\n" + String(repeating: "y", count: 400) + "\n"
        do {
            try limits.check(Array(text.utf8))
            Issue.record("an entry over the limit passed")
        } catch {
            #expect(error.line == 6 && error.message.contains("memory too large"))
        }
        #expect(throws: Never.self) { try ParseLimits.standard.check(Array(text.utf8)) }
    }
}
