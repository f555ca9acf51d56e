import Foundation
import MemvaultSupport
import Testing

@Suite("Support: ids, atomic files, the vault lock")
struct SupportTests {
    @Test("ids are unique, valid and strictly increasing within a process")
    func idsIncrease() {
        let now = Date()
        let ids = (0..<10_000).map { _ in MemoryID.generate(now: now) }
        #expect(Set(ids).count == ids.count)
        #expect(ids == ids.sorted())
        #expect(ids.allSatisfy { MemoryID.isValid($0) && $0.count == 16 })
        let later = MemoryID.generate(now: now.addingTimeInterval(1))
        #expect(later > ids.last!)
    }

    @Test("id shape", arguments: [("01JD3K9X2F7Q8R", true), ("01jd3k9x2f7q8r", false), ("../etc", false), ("01JD3K9X2F7Q8RIL", false), ("", false)])
    func idShape(text: String, valid: Bool) {
        #expect(MemoryID.isValid(text) == valid)
    }

    @Test("atomic write replaces the whole file and leaves no temporary files")
    func atomicWrite() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("support-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("sub/a.md")
        try AtomicFile.write(Array("one".utf8), to: file)
        try AtomicFile.write(Array("two".utf8), to: file)
        #expect(try AtomicFile.read(file) == Array("two".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: file.deletingLastPathComponent().path) == ["a.md"])
        #expect(try AtomicFile.read(dir.appendingPathComponent("missing")) == nil)
        try AtomicFile.remove(file)
        #expect(try AtomicFile.read(file) == nil)
    }

    @Test("the lock excludes a second holder until released")
    func lockExcludes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lock-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("lock")
        let first = try VaultLock(at: url)
        #expect(throws: FileError.self) { try VaultLock(at: url, timeout: 0.05) }
        first.unlock()
        let second = try VaultLock(at: url, timeout: 0.05)
        second.unlock()
    }
}
