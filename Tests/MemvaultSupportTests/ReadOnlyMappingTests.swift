import Foundation
import MemvaultSupport
import Testing

@Suite("Read-only file mappings")
struct ReadOnlyMappingTests {
    /// The `VmFlags` line of the mapping that starts at `address` in /proc/self/smaps.
    static func vmFlags(of address: UnsafeMutableRawPointer) throws -> [String] {
        // /proc files say they are empty: read until the end, not the size stat gives.
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/self/smaps"))
        defer { try? handle.close() }
        var data = Data()
        while let chunk = try handle.read(upToCount: 1 << 16), !chunk.isEmpty { data.append(chunk) }
        let smaps = String(decoding: data, as: UTF8.self)
        try #require(!smaps.isEmpty)
        let start = String(UInt(bitPattern: address), radix: 16)
        var inMapping = false
        for line in smaps.split(separator: "\n") {
            if let dash = line.firstIndex(of: "-"), !line.hasPrefix("VmFlags"), line.first?.isHexDigit == true,
                line[..<dash].allSatisfy(\.isHexDigit)
            {
                inMapping = line[..<dash].drop { $0 == "0" } == start.drop { $0 == "0" }
            } else if inMapping, line.hasPrefix("VmFlags:") {
                return line.dropFirst("VmFlags:".count).split(separator: " ").map(String.init)
            }
        }
        return []
    }

    @Test("the file's bytes, populated or not, read-only and advised for huge pages; an error for a bad descriptor", arguments: [false, true])
    func mapsTheFile(populate: Bool) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mapping-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("data")
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        try Data(bytes).write(to: url)
        let fd = open(url.path, O_RDONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        let address = try #require(ReadOnlyMapping.map(descriptor: fd, length: bytes.count, populate: populate))
        defer { munmap(address, bytes.count) }
        #expect(Array(UnsafeRawBufferPointer(start: address, count: bytes.count)) == bytes)
        let flags = try Self.vmFlags(of: address)
        #expect(flags.contains("rd") && !flags.contains("wr"), "\(flags)")
        #expect(flags.contains("hg"), "no MADV_HUGEPAGE: \(flags)")

        #expect(ReadOnlyMapping.map(descriptor: -1, length: 4096, populate: populate) == nil)
        #expect(errno == EBADF)
    }
}
