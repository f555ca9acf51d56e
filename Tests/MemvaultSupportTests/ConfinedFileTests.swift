#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MemvaultSupport
import Testing

@Suite("Support: confined file operations never follow links")
struct ConfinedFileTests {
    /// A vault-like root and an outside folder holding a file that must never be read or written.
    struct Fixture {
        let base: URL
        let root: URL
        let outside: URL
        let secret: URL

        init() throws {
            base = FileManager.default.temporaryDirectory.appendingPathComponent("confined-\(UUID().uuidString)")
            root = base.appendingPathComponent("vault")
            outside = base.appendingPathComponent("outside")
            secret = outside.appendingPathComponent("secret.txt")
            try FileManager.default.createDirectory(at: root.appendingPathComponent("alice/general"), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
            try Data("SECRET".utf8).write(to: secret)
        }

        func link(_ path: String, to target: URL) throws {
            try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent(path).path, withDestinationPath: target.path)
        }

        func cleanup() { try? FileManager.default.removeItem(at: base) }
    }

    static func isRefusal(_ error: FileError, path: String) -> Bool {
        error.exitStatus == .integrity && error.path == path && error.message.contains("symbolic link")
    }

    @Test("read, write and remove work on regular files, creating folders 0700 and files 0600 whatever the umask")
    func regularFiles() throws {
        let f = try Fixture()
        defer { f.cleanup() }
        let old = umask(0)
        defer { umask(old) }
        try AtomicFile.write(Array("one".utf8), to: "alice/chronological/2026-11.md", in: f.root)
        try AtomicFile.write(Array("two".utf8), to: "alice/chronological/2026-11.md", in: f.root)
        #expect(try AtomicFile.read("alice/chronological/2026-11.md", in: f.root) == Array("two".utf8))
        let attributes = try FileManager.default.attributesOfItem(atPath: f.root.appendingPathComponent("alice/chronological/2026-11.md").path)
        #expect(attributes[.posixPermissions] as? Int == 0o600)
        let folder = try FileManager.default.attributesOfItem(atPath: f.root.appendingPathComponent("alice/chronological").path)
        #expect(folder[.posixPermissions] as? Int == 0o700)
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.root.appendingPathComponent("alice/chronological").path) == ["2026-11.md"])
        #expect(try AtomicFile.read("alice/missing/x.md", in: f.root) == nil)
        try AtomicFile.remove("alice/chronological/2026-11.md", in: f.root)
        #expect(try AtomicFile.read("alice/chronological/2026-11.md", in: f.root) == nil)
        #expect(throws: FileError.self) { try AtomicFile.read("../outside/secret.txt", in: f.root) }
    }

    @Test("a file that is a link: read, write and remove refuse it by name and touch nothing outside")
    func fileLink() throws {
        let f = try Fixture()
        defer { f.cleanup() }
        try f.link("alice/general/2027-06.md", to: f.secret)
        let path = "alice/general/2027-06.md"
        #expect { try AtomicFile.read(path, in: f.root) } throws: { Self.isRefusal($0 as! FileError, path: path) }
        #expect { try AtomicFile.write(Array("x".utf8), to: path, in: f.root) } throws: { Self.isRefusal($0 as! FileError, path: path) }
        #expect { try AtomicFile.remove(path, in: f.root) } throws: { Self.isRefusal($0 as! FileError, path: path) }
        #expect(try String(contentsOf: f.secret, encoding: .utf8) == "SECRET")
        #expect(AtomicFile.kind(path, in: f.root) == .symbolicLink)
    }

    @Test("a folder that is a link: nothing is read or written through it", arguments: ["alice/general", "alice"])
    func folderLink(linked: String) throws {
        let f = try Fixture()
        defer { f.cleanup() }
        try FileManager.default.removeItem(at: f.root.appendingPathComponent(linked))
        try f.link(linked, to: f.outside)
        let path = "alice/general/secret.txt"
        #expect { try AtomicFile.read(path, in: f.root) } throws: { Self.isRefusal($0 as! FileError, path: linked) }
        #expect { try AtomicFile.write(Array("x".utf8), to: "alice/general/new.md", in: f.root) } throws: { Self.isRefusal($0 as! FileError, path: linked) }
        #expect { try AtomicFile.createDirectory("alice/general/sub", in: f.root) } throws: { Self.isRefusal($0 as! FileError, path: linked) }
        #expect { try AtomicFile.listFiles(under: "alice/general", in: f.root, suffix: ".md") } throws: { Self.isRefusal($0 as! FileError, path: linked) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.outside.path) == ["secret.txt"])
    }

    @Test("a FIFO is refused without blocking")
    func fifo() throws {
        let f = try Fixture()
        defer { f.cleanup() }
        #expect(mkfifo(f.root.appendingPathComponent("alice/general/pipe.md").path, 0o600) == 0)
        #expect { try AtomicFile.read("alice/general/pipe.md", in: f.root) } throws: {
            let error = $0 as! FileError
            return error.exitStatus == .integrity && error.message.contains("pipe")
        }
    }

    @Test("listing never descends links and lists a linked .md so reading it reports it")
    func listing() throws {
        let f = try Fixture()
        defer { f.cleanup() }
        try AtomicFile.write(Array("a".utf8), to: "alice/general/2026-11.md", in: f.root)
        try AtomicFile.write(Array("b".utf8), to: "alice/general/sub/notes.md", in: f.root)
        try AtomicFile.write(Array("c".utf8), to: "alice/general/.hidden.md", in: f.root)
        try f.link("alice/general/linked.md", to: f.secret)
        try f.link("alice/general/outdir", to: f.outside)
        let files = try AtomicFile.listFiles(under: "alice/general", in: f.root, suffix: ".md")
        #expect(files == ["alice/general/2026-11.md", "alice/general/linked.md", "alice/general/outdir", "alice/general/sub/notes.md"])
        #expect(try AtomicFile.listFiles(under: "alice/missing", in: f.root, suffix: ".md").isEmpty)
    }

    @Test("the lock file and its folders are never links")
    func lockLink() throws {
        let f = try Fixture()
        defer { f.cleanup() }
        try FileManager.default.createDirectory(at: f.root.appendingPathComponent(".memvault"), withIntermediateDirectories: true)
        try f.link(".memvault/cache", to: f.outside)
        #expect { try VaultLock(".memvault/cache/lock", in: f.root) } throws: { ($0 as! FileError).exitStatus == .integrity }
        try FileManager.default.removeItem(at: f.root.appendingPathComponent(".memvault/cache"))
        try FileManager.default.createDirectory(at: f.root.appendingPathComponent(".memvault/cache"), withIntermediateDirectories: true)
        try f.link(".memvault/cache/lock", to: f.secret)
        #expect { try VaultLock(".memvault/cache/lock", in: f.root) } throws: { ($0 as! FileError).exitStatus == .integrity }
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.outside.path) == ["secret.txt"])
        try FileManager.default.removeItem(at: f.root.appendingPathComponent(".memvault/cache/lock"))
        let lock = try VaultLock(".memvault/cache/lock", in: f.root)
        lock.unlock()
    }
}
