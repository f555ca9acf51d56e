import Foundation
import Testing

/// sync's entry merge takes a month's part files like any other file of a tier folder.
@Suite("sync merges a month's part files that both devices started")
struct MonthPartSyncTests {
    /// A hand-written November just over the 4 MiB where new memories go to a part: five
    /// entries of about 900 KB.
    static func fullMonth() -> String {
        let words = ["garden", "museum", "coffee", "river", "letter", "winter", "piano", "market", "train", "lantern"]
        var text = ""
        for n in 1...5 {
            text += "## 2026-11-0\(n) 09:00 · Long notes \(n)\n\n"
            for line in 0..<1600 {
                text += (0..<80).map { words[(n * 31 + line * 7 + $0 * $0) % words.count] }.joined(separator: " ") + ".\n"
            }
            text += "\n"
        }
        return text
    }

    @Test("both devices add to a full month: each starts 2026-11.part2.md, sync merges them entry by entry")
    func bothDevicesStartAPart() throws {
        let devices = try TwoDevices()
        defer { devices.cleanup() }
        try devices.write("alice/general/2026-11.md", Self.fullMonth(), in: devices.a)
        try devices.ok(["commit", "-m", "a long month"], in: devices.a)
        try devices.ok(["sync"], in: devices.a)
        try devices.ok(["sync"], in: devices.b)
        let full = try devices.read("alice/general/2026-11.md", in: devices.b)
        for (label, device) in [("a", devices.a), ("b", devices.b)] {
            for n in 1...2 {
                let id = try devices.add("from \(label) \(n)", in: device)
                let shown = try devices.cli.json(try devices.ok(["show", id, "--json"], in: device))
                #expect(shown["path"] as? String == "alice/general/2026-11.part2.md", "\(shown)")
            }
        }
        try devices.ok(["sync"], in: devices.a)
        let merge = try devices.cli.json(try devices.ok(["sync", "--json"], in: devices.b))
        #expect(merge["outcome"] as? String == "merged", "\(merge)")
        #expect((merge["conflicts"] as? [String])?.isEmpty == true, "\(merge)")
        try devices.ok(["sync"], in: devices.a)
        let filesA = try devices.files(in: devices.a)
        #expect(filesA == (try devices.files(in: devices.b)))
        #expect(filesA["alice/general/2026-11.md"] == full, "the full file is untouched")
        let part = try #require(filesA["alice/general/2026-11.part2.md"])
        #expect(part.split(separator: "\n").filter { $0.hasPrefix("## ") }.count == 4)
        #expect(!part.contains("<<<<<<<"))
        #expect(try devices.memoryCount(in: devices.a) == 5 + 4)
        #expect(try devices.memoryCount(in: devices.b) == 5 + 4)
        let check = try devices.run(["check"], in: devices.b)
        #expect(check.status == 0, "\(check.stdout) \(check.stderr)")
        for device in [devices.a, devices.b, devices.remote] { try devices.fsckClean(device) }
    }
}
