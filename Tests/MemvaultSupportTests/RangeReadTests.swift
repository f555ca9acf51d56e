#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MemvaultSupport
import Testing

@Suite("Support: reading a range of a confined file")
struct RangeReadTests {
    @Test("the bytes of the range, fewer at the end of the file, nil for a missing file; a link is refused")
    func range() throws {
        let f = try ConfinedFileTests.Fixture()
        defer { f.cleanup() }
        try AtomicFile.write(Array("0123456789".utf8), to: "alice/general/2026-11.md", in: f.root)
        #expect(try AtomicFile.read("alice/general/2026-11.md", in: f.root, range: 2..<5) == Array("234".utf8))
        #expect(try AtomicFile.read("alice/general/2026-11.md", in: f.root, range: 8..<20) == Array("89".utf8))
        #expect(try AtomicFile.read("alice/general/2026-11.md", in: f.root, range: 12..<20) == [])
        #expect(try AtomicFile.read("alice/general/2026-12.md", in: f.root, range: 0..<5) == nil)
        try f.link("alice/general/2026-10.md", to: f.secret)
        #expect {
            _ = try AtomicFile.read("alice/general/2026-10.md", in: f.root, range: 0..<3)
        } throws: { error in
            ConfinedFileTests.isRefusal(error as! FileError, path: "alice/general/2026-10.md")
        }
    }
}
