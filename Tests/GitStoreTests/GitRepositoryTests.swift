import Foundation
import GitStore
import Testing

@Suite("GitRepository: local repositories")
struct GitRepositoryTests {
    @Test func initializeOpenAndDiscover() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let vault = root.appendingPathComponent("vault")
        let created = try GitRepository.initialize(at: vault)
        #expect(created.workdir.standardizedFileURL.path == vault.standardizedFileURL.path)
        #expect(try created.currentBranch() == "main")
        #expect(try created.head() == nil)
        #expect(try created.log().isEmpty)

        let opened = try GitRepository(at: vault)
        #expect(opened.workdir.standardizedFileURL.path == vault.standardizedFileURL.path)

        let nested = vault.appendingPathComponent("alice/general")
        try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
        #expect(GitRepository.discover(from: nested)?.standardizedFileURL.path == vault.standardizedFileURL.path)
        #expect(GitRepository.discover(from: root) == nil)

        #expect(throws: GitError.self) { try GitRepository(at: root) }
        #expect(try stockGit(["symbolic-ref", "HEAD"], in: vault).output == "refs/heads/main\n")
    }

    @Test func commitPathsMakesOneCommitPerCall() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitRepository.initialize(at: root)
        try write("first\n", to: "alice/general/a.md", in: root)
        try write("not yet\n", to: "b.md", in: root)

        let first = try #require(try repository.commit(paths: ["alice/general/a.md"], message: "add a", author: tester))
        #expect(first.count == 40)
        #expect(try repository.head() == first)
        #expect(try repository.currentBranch() == "main")
        #expect(try repository.fileContents(path: "alice/general/a.md", at: "HEAD") == bytes("first\n"))
        #expect(try repository.fileContents(path: "b.md", at: "HEAD") == nil)
        #expect(try repository.commit(paths: ["alice/general/a.md"], message: "again", author: tester) == nil)

        try write("second\n", to: "alice/general/a.md", in: root)
        let second = try #require(
            try repository.commit(paths: [root.appendingPathComponent("alice/general/a.md").path], message: "edit a", author: tester))
        let log = try repository.log(limit: nil, paths: nil)
        #expect(log.map(\.id) == [second, first])
        #expect(log.map(\.summary) == ["edit a", "add a"])
        #expect(log[0].parents == [first])
        #expect(log[1].parents.isEmpty)
        #expect(log[0].author.name == "Test Person")
        #expect(log[0].author.email == "test@example.com")
        #expect(try repository.filesChanged(in: second) == [.modified("alice/general/a.md")])
        #expect(try repository.filesChanged(in: first) == [.added("alice/general/a.md")])

        try expectFsckClean(root)
        let stockLog = try stockGit(["log", "--format=%H %s"], in: root)
        #expect(stockLog.output == "\(second) edit a\n\(first) add a\n")
        // b.md was never named, so it is still untracked.
        #expect(try stockGit(["status", "--porcelain"], in: root).output == "?? b.md\n")
    }

    @Test func commitPathsLeavesOtherChangesAlone() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitRepository.initialize(at: root)
        for name in ["a.md", "b.md", "c.md"] { try write("\(name) v1\n", to: name, in: root) }
        _ = try repository.commitAll(message: "start", author: tester)

        try write("b.md staged\n", to: "b.md", in: root)
        #expect(try stockGit(["add", "b.md"], in: root).status == 0)
        try write("c.md unstaged\n", to: "c.md", in: root)
        try write("a.md v2\n", to: "a.md", in: root)

        let id = try #require(try repository.commit(paths: ["a.md"], message: "only a", author: tester))
        #expect(try repository.filesChanged(in: id) == [.modified("a.md")])
        #expect(try repository.fileContents(path: "b.md", at: "HEAD") == bytes("b.md v1\n"))
        #expect(try repository.fileContents(path: "c.md", at: "HEAD") == bytes("c.md v1\n"))
        let status = try stockGit(["status", "--porcelain"], in: root).output
        #expect(status == "M  b.md\n M c.md\n")
        try expectFsckClean(root)
    }

    @Test func commitPathsStagesDeletions() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitRepository.initialize(at: root)
        try write("keep\n", to: "keep.md", in: root)
        try write("gone\n", to: "gone.md", in: root)
        try write("x\n", to: "dir/x.md", in: root)
        try write("y\n", to: "dir/sub/y.md", in: root)
        _ = try repository.commit(paths: ["keep.md", "gone.md", "dir"], message: "start", author: tester)
        #expect(try repository.listFiles(at: "HEAD", under: "") == ["dir/sub/y.md", "dir/x.md", "gone.md", "keep.md"])

        try remove("gone.md", in: root)
        let deletion = try #require(try repository.commit(paths: ["gone.md"], message: "delete", author: tester))
        #expect(try repository.filesChanged(in: deletion) == [.deleted("gone.md")])
        #expect(try repository.fileContents(path: "gone.md", at: "HEAD") == nil)
        #expect(try repository.fileContents(path: "gone.md", at: "HEAD~1") == bytes("gone\n"))

        try remove("dir", in: root)
        _ = try #require(try repository.commit(paths: ["dir/"], message: "delete dir", author: tester))
        #expect(try repository.listFiles(at: "HEAD", under: "") == ["keep.md"])
        #expect(try stockGit(["status", "--porcelain"], in: root).output == "")
        try expectFsckClean(root)
    }

    @Test func commitAllRespectsGitignore() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitRepository.initialize(at: root)
        try write(".memvault/cache/\n", to: ".gitignore", in: root)
        try write("vectors", to: ".memvault/cache/vectors.bin", in: root)
        try write("[vault]\n", to: ".memvault/config.toml", in: root)
        try write("# Notes\n", to: "alice/general/2026.md", in: root)

        let first = try #require(try repository.commitAll(message: "initial", author: tester))
        #expect(try repository.treeFiles(at: first).keys.sorted() == [
            ".gitignore", ".memvault/config.toml", "alice/general/2026.md",
        ])
        #expect(try repository.commitAll(message: "nothing", author: tester) == nil)

        try write("more vectors", to: ".memvault/cache/vectors.bin", in: root)
        #expect(try repository.changedPaths().isEmpty)
        #expect(try repository.commitAll(message: "still nothing", author: tester) == nil)

        try remove("alice/general/2026.md", in: root)
        try write("new\n", to: "bob/general/2026.md", in: root)
        let second = try #require(try repository.commitAll(message: "move", author: tester))
        #expect(Set(try repository.treeFiles(at: second).keys) == [
            ".gitignore", ".memvault/config.toml", "bob/general/2026.md",
        ])
        #expect(try stockGit(["status", "--porcelain", "--ignored"], in: root).output == "!! .memvault/cache/\n")
        try expectFsckClean(root)
    }

    @Test func emptyRepositoryCommitsNothing() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitRepository.initialize(at: root)
        #expect(try repository.commitAll(message: "empty", author: tester) == nil)
        #expect(try repository.commit(paths: ["missing.md"], message: "empty", author: tester) == nil)
        #expect(try repository.head() == nil)
    }

    @Test func logFollowsFirstParentsAndFiltersPaths() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitRepository.initialize(at: root)
        var ids: [String] = []
        for (number, path) in ["a.md", "dir/b.md", "a.md", "dir/sub/c.md"].enumerated() {
            try write("version \(number)\n", to: path, in: root)
            ids.append(try #require(try repository.commit(paths: [path], message: "change \(number)\n\nbody \(number)", author: tester)))
        }
        #expect(try repository.log(limit: nil, paths: nil).map(\.id) == ids.reversed())
        #expect(try repository.log(limit: 2, paths: nil).map(\.id) == [ids[3], ids[2]])
        #expect(try repository.log(limit: nil, paths: ["a.md"]).map(\.id) == [ids[2], ids[0]])
        #expect(try repository.log(limit: nil, paths: ["dir"]).map(\.id) == [ids[3], ids[1]])
        #expect(try repository.log(limit: nil, paths: ["dir/sub/", "nowhere.md"]).map(\.id) == [ids[3]])
        #expect(try repository.log(limit: 1, paths: ["a.md"]).map(\.id) == [ids[2]])
        #expect(try repository.log(limit: nil, paths: nil, from: ids[1]).map(\.id) == [ids[1], ids[0]])

        let newest = try #require(try repository.log(limit: 1, paths: nil).first)
        #expect(newest.summary == "change 3")
        #expect(newest.message == "change 3\n\nbody 3")
        #expect(ids[3].hasPrefix(newest.shortID))
        #expect(newest.shortID.count >= 7)
        #expect(abs(newest.date.timeIntervalSinceNow) < 600)
    }

    @Test func resolveAndFileContentsAtOlderRevisions() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitRepository.initialize(at: root)
        var ids: [String] = []
        for number in 0..<3 {
            try write("version \(number)\n", to: "note.md", in: root)
            ids.append(try #require(try repository.commit(paths: ["note.md"], message: "v\(number)", author: tester)))
        }
        #expect(try repository.resolve("HEAD") == ids[2])
        #expect(try repository.resolve("HEAD~1") == ids[1])
        #expect(try repository.resolve("main~2") == ids[0])
        #expect(try repository.resolve(String(ids[0].prefix(8))) == ids[0])
        #expect(try repository.fileContents(path: "note.md", at: "HEAD~2") == bytes("version 0\n"))
        #expect(try repository.fileContents(path: "note.md", at: String(ids[1].prefix(10))) == bytes("version 1\n"))
        let error = #expect(throws: GitError.self) { try repository.resolve("no-such-branch") }
        #expect(error?.isNotFound == true)
        #expect(error?.description.contains("git_revparse_single") == true)
    }

    @Test func changedPathsComparesWorkdirAndIndexWithHead() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitRepository.initialize(at: root)
        try write("*.tmp\n", to: ".gitignore", in: root)
        try write("a\n", to: "a.md", in: root)
        try write("b\n", to: "b.md", in: root)
        try write(String(repeating: "a long unchanged line of text\n", count: 20), to: "old.md", in: root)
        _ = try repository.commitAll(message: "start", author: tester)
        #expect(try repository.changedPaths().isEmpty)

        try write("a changed\n", to: "a.md", in: root)
        try remove("b.md", in: root)
        try write("c\n", to: "new/c.md", in: root)
        try write("scratch\n", to: "x.tmp", in: root)
        try FileManager.default.moveItem(
            at: root.appendingPathComponent("old.md"), to: root.appendingPathComponent("moved.md"))
        #expect(try repository.changedPaths() == [
            .modified("a.md"), .deleted("b.md"), .renamed(from: "old.md", to: "moved.md"), .added("new/c.md"),
        ])
    }

    @Test func listFilesTreeFilesAndBlobs() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitRepository.initialize(at: root)
        try write("one\n", to: "alice/general/2026.md", in: root)
        try write("two\n", to: "alice/secret/2026.md", in: root)
        try write("three\n", to: "bob/general/2026.md", in: root)
        _ = try repository.commitAll(message: "start", author: tester)

        #expect(try repository.listFiles(at: "HEAD", under: "alice") == ["alice/general/2026.md", "alice/secret/2026.md"])
        #expect(try repository.listFiles(at: "HEAD", under: "alice/general/") == ["alice/general/2026.md"])
        #expect(try repository.listFiles(at: "HEAD", under: "bob/general/2026.md") == ["bob/general/2026.md"])
        #expect(try repository.listFiles(at: "HEAD", under: "carol").isEmpty)
        let files = try repository.treeFiles(at: "main")
        #expect(files.count == 3)
        let blobID = try #require(files["alice/secret/2026.md"])
        #expect(blobID.count == 40)
        #expect(try repository.blob(blobID) == bytes("two\n"))
        #expect(try repository.blob(String(blobID.prefix(12))) == bytes("two\n"))
    }

    @Test func configAndDefaultSignature() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitRepository.initialize(at: root)
        try repository.setConfig("user.name", "Alice Example")
        try repository.setConfig("user.email", "alice@example.com")
        let signature = repository.defaultSignature(fallbackName: "memvault", fallbackEmail: "memvault@localhost")
        #expect(signature.name == "Alice Example")
        #expect(signature.email == "alice@example.com")
        #expect(try repository.config("memvault.missing") == nil)
        #expect(try stockGit(["config", "user.name"], in: root).output == "Alice Example\n")
    }

    @Test func signatureDatesAreKept() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitRepository.initialize(at: root)
        try write("x\n", to: "x.md", in: root)
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        let author = Signature(name: "Dated", email: "dated@example.com", date: date)
        let id = try #require(try repository.commit(paths: ["x.md"], message: "dated", author: author))
        let info = try #require(try repository.log(limit: 1, paths: nil).first)
        #expect(info.id == id)
        #expect(info.author.date == date)
        #expect(info.date == date)
        #expect(try stockGit(["log", "-1", "--format=%at %an <%ae>"], in: root).output == "1700000000 Dated <dated@example.com>\n")
    }

    @Test func hooksAreInstalledExecutable() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitRepository.initialize(at: root)
        try repository.installHook(name: "pre-commit", script: "#!/bin/sh\nexit 0\n")
        try repository.installHook(name: "pre-commit", script: "#!/bin/sh\nmemvault check --staged\n")
        let hook = root.appendingPathComponent(".git/hooks/pre-commit")
        #expect(try String(contentsOf: hook, encoding: .utf8) == "#!/bin/sh\nmemvault check --staged\n")
        let permissions = try FileManager.default.attributesOfItem(atPath: hook.path)[.posixPermissions] as? Int
        #expect(permissions == 0o755)
        #expect(FileManager.default.isExecutableFile(atPath: hook.path))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: hook.deletingLastPathComponent().path)
            .filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
        #expect(throws: GitError.self) { try repository.installHook(name: "../escape", script: "") }
    }
}
