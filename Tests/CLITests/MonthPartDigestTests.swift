import Foundation
import Testing

/// A digest draws from a month's part files and links into them.
@Suite("digest reads and links a month's part file")
struct MonthPartDigestTests {
    @Test("memories and an open task in 2026-11.part2.md are in the day's digest, linked to that file")
    func digestOfPartFile() throws {
        let cli = try WatchTests.vault()
        defer { cli.cleanup() }
        try cli.write("alice/general/2026-11.part2.md", WatchTests.twoEntries)
        try cli.ok(["commit", "-m", "notes in a part file"])
        let printed = try cli.ok(["digest", "--date", "2026-11-20", "--stdout"])
        #expect(printed.hasPrefix("# Digest 2026-11-20"), "\(printed)")
        #expect(printed.contains("call the plumber"), "\(printed)")
        #expect(printed.contains("](../../general/2026-11.part2.md#"), "\(printed)")
    }
}
