import Foundation
import GitStore
import Testing

@Suite("GitStore: links and gitlinks in trees")
struct SpecialEntriesTests {
    /// A repository made by stock git with a regular file, an executable, a symbolic link and a gitlink.
    static func repositoryWithSpecialEntries() throws -> URL {
        let directory = try makeTemporaryDirectory()
        #expect(try stockGit(["init", "--quiet", "--initial-branch=main"], in: directory).status == 0)
        try write("plain\n", to: "alice/general/2026-11.md", in: directory)
        try write("#!/bin/sh\n", to: "tool.sh", in: directory)
        #expect(chmod(directory.appendingPathComponent("tool.sh").path, 0o755) == 0)
        try FileManager.default.createSymbolicLink(
            atPath: directory.appendingPathComponent("alice/general/2027-06.md").path, withDestinationPath: "/etc/passwd")
        let identity = ["-c", "user.name=t", "-c", "user.email=t@example.com"]
        #expect(try stockGit(["add", "-A"], in: directory).status == 0)
        #expect(try stockGit(identity + ["commit", "--quiet", "-m", "one"], in: directory).status == 0)
        let head = try stockGit(["rev-parse", "HEAD"], in: directory).output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try stockGit(["update-index", "--add", "--cacheinfo", "160000,\(head),alice/sub"], in: directory).status == 0)
        #expect(try stockGit(identity + ["commit", "--quiet", "-m", "two"], in: directory).status == 0)
        return directory
    }

    @Test("specialEntries lists symbolic links and gitlinks, not regular or executable files")
    func listsSpecialEntries() throws {
        let directory = try Self.repositoryWithSpecialEntries()
        defer { try? FileManager.default.removeItem(at: directory) }
        let repository = try GitRepository(at: directory)
        let special = try repository.specialEntries(at: "HEAD")
        #expect(special.map(\.path) == ["alice/general/2027-06.md", "alice/sub"])
        #expect(special.map(\.kind) == [.symbolicLink, .gitlink])
        #expect(special.map(\.mode) == ["120000", "160000"])
        #expect(special[0].description.contains("symbolic link"))
        #expect(try repository.specialEntries(at: "HEAD~1").map(\.path) == ["alice/general/2027-06.md"])
    }

    @Test("clone without checkout writes no working file until checkOutHeadIntoEmptyWorkdir")
    func cloneWithoutCheckout() throws {
        let source = try makeTemporaryDirectory()
        let target = try makeTemporaryDirectory().appendingPathComponent("clone")
        defer {
            try? FileManager.default.removeItem(at: source)
            try? FileManager.default.removeItem(at: target.deletingLastPathComponent())
        }
        let repository = try GitRepository.initialize(at: source)
        try write("hello\n", to: "a/b.md", in: source)
        _ = try repository.commit(paths: ["a/b.md"], message: "one", author: tester)
        let clone = try GitRepository.clone(url: source.path, to: target, checkout: false)
        #expect(!FileManager.default.fileExists(atPath: target.appendingPathComponent("a/b.md").path))
        #expect(try clone.specialEntries(at: "HEAD").isEmpty)
        try clone.checkOutHeadIntoEmptyWorkdir()
        #expect(try String(contentsOf: target.appendingPathComponent("a/b.md"), encoding: .utf8) == "hello\n")
        #expect(try clone.changedPaths().isEmpty)
    }
}
