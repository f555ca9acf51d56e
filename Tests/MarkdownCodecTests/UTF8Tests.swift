import Testing

@testable import MarkdownCodec

@Suite("Invalid UTF-8")
struct UTF8Tests {
    @Test(
        "is refused with the line of the bad byte",
        arguments: [
            ([0xFF], 1), (Array("a\nb\n".utf8) + [0xC3], 3), (Array("a\r\nb\rc\n".utf8) + [0x80], 4),
            (Array("## x\n".utf8) + [0xC0, 0xAF], 2), (Array("x".utf8) + [0xED, 0xA0, 0x80], 1),
            (Array("\n\n".utf8) + [0xF4, 0x90, 0x80, 0x80], 3), ([0xE2, 0x82], 1),
        ] as [([UInt8], Int)])
    func invalid(_ bytes: [UInt8], _ line: Int) {
        #expect {
            _ = try EntryFile.parse(bytes)
        } throws: { error in
            (error as? CodecError)?.line == line
        }
    }

    @Test("the error names file and line")
    func description() {
        let error = CodecError(line: 3, message: "invalid UTF-8").withPath("general/2026-11.md")
        #expect(error.description == "general/2026-11.md:3: invalid UTF-8")
    }

    @Test("valid multi-byte text, NUL and a BOM are accepted as is")
    func valid() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("## 2026-01-01 10:00 · 日本 😀\n\u{0}x\n".utf8)
        let file = try EntryFile.parse(bytes)
        #expect(file.bytes == bytes)
        #expect(file.entries.first?.title == "日本 😀")
        #expect(file.entries.first?.line == 1)
        #expect(file.problems.isEmpty)
    }
}
