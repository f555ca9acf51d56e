import Foundation
import GitStore
import Testing

@Suite("GitRepository: a commit whose objects are written while the files are")
struct PendingCommitTests {
    private func prepare(_ root: URL) -> PendingCommit {
        GitRepository.prepareCommit(at: root, fallbackName: tester.name, fallbackEmail: tester.email)
    }

    /// A repository with one commit of a.md, b.md (staged change) and c.md.
    private func repositoryWithHistory() throws -> (URL, GitRepository) {
        let root = try makeTemporaryDirectory()
        let repository = try GitRepository.initialize(at: root)
        for name in ["a.md", "b.md", "notes/c.md"] { try write("\(name) v1\n", to: name, in: root) }
        _ = try repository.commitAll(message: "start", author: tester)
        return (root, repository)
    }

    @Test func makesTheCommitThatCommitPathsMakes() throws {
        let (root, repository) = try repositoryWithHistory()
        defer { try? FileManager.default.removeItem(at: root) }
        let start = try #require(try repository.head())
        try write("b.md staged\n", to: "b.md", in: root)
        #expect(try stockGit(["add", "b.md"], in: root).status == 0)

        let pending = prepare(root)
        #expect(try pending.head() == start)
        try pending.begin(files: [("a.md", bytes("a.md v2\n")), ("notes/c.md", bytes("c.md v2\n"))], message: "two files\n\nbody")
        // The caller writes the files while the objects are written.
        try write("a.md v2\n", to: "a.md", in: root)
        try write("c.md v2\n", to: "notes/c.md", in: root)
        let id = try #require(try pending.finish())

        #expect(try repository.head() == id)
        #expect(try repository.log(limit: 1, paths: nil).first?.parents == [start])
        #expect(try repository.log(limit: 1, paths: nil).first?.author.name == repository.defaultSignature(fallbackName: tester.name, fallbackEmail: tester.email).name)
        #expect(pending.repository != nil)
        #expect(try repository.filesChanged(in: id) == [.modified("a.md"), .modified("notes/c.md")])
        #expect(try repository.fileContents(path: "a.md", at: "HEAD") == bytes("a.md v2\n"))
        #expect(try repository.fileContents(path: "notes/c.md", at: "HEAD") == bytes("c.md v2\n"))
        // The change staged earlier for another path stays staged and out of the commit.
        #expect(try repository.fileContents(path: "b.md", at: "HEAD") == bytes("b.md v1\n"))
        #expect(try stockGit(["status", "--porcelain"], in: root).output == "M  b.md\n")
        // The branch's reflog and HEAD's say what a commit says.
        #expect(try stockGit(["reflog", "-1", "--format=%gs", "main"], in: root).output == "commit: two files\n")
        #expect(try stockGit(["reflog", "-1", "--format=%gs", "HEAD"], in: root).output == "commit: two files\n")
        try expectFsckClean(root)
    }

    @Test func unchangedFilesCommitNothing() throws {
        let (root, repository) = try repositoryWithHistory()
        defer { try? FileManager.default.removeItem(at: root) }
        let start = try repository.head()
        let pending = prepare(root)
        try pending.begin(files: [("a.md", bytes("a.md v1\n"))], message: "same")
        try write("a.md v1\n", to: "a.md", in: root)
        #expect(try pending.finish() == nil)
        #expect(try repository.head() == start)
        #expect(try stockGit(["status", "--porcelain"], in: root).output == "")
    }

    @Test func anUnbornBranchIsCommittedTheUsualWay() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitRepository.initialize(at: root)
        let pending = prepare(root)
        #expect(try pending.head() == nil)
        try pending.begin(files: [("first.md", bytes("hello\n"))], message: "first")
        try write("hello\n", to: "first.md", in: root)
        let id = try #require(try pending.finish())
        #expect(try repository.head() == id)
        #expect(try repository.log(limit: nil, paths: nil).map(\.summary) == ["first"])
        #expect(try stockGit(["status", "--porcelain"], in: root).output == "")
        try expectFsckClean(root)
    }

    @Test(arguments: [false, true])
    func aBranchMovedMeanwhileIsNotOverwritten(afterTheObjects: Bool) throws {
        let (root, repository) = try repositoryWithHistory()
        defer { try? FileManager.default.removeItem(at: root) }
        let pending = prepare(root)
        _ = try pending.head()
        if afterTheObjects {
            try pending.begin(files: [("a.md", bytes("a.md mine\n"))], message: "mine")
            pending.waitUntilDone()
        }
        // Another program commits on the branch before this change moves it.
        try write("b.md theirs\n", to: "b.md", in: root)
        #expect(try stockGit(["-c", "user.name=Other", "-c", "user.email=other@example.com", "commit", "-qam", "theirs"], in: root).status == 0)
        let theirs = try repository.head()
        if !afterTheObjects { try pending.begin(files: [("a.md", bytes("a.md mine\n"))], message: "mine") }
        try write("a.md mine\n", to: "a.md", in: root)

        #expect(throws: GitError.self) { try pending.finish() }
        #expect(try repository.head() == theirs)
        #expect(try repository.log(limit: 1, paths: nil).first?.summary == "theirs")
        try expectFsckClean(root)
    }

    /// The set-up thread takes a pending commit's work once it is idle; a second commit at the
    /// same time gets a thread of its own. Both are made as usual.
    @Test func twoCommitsAtOnceAfterTheSetUpThreadStarted() throws {
        GitRepository.prepareInBackground()
        GitRepository.finishPreparation()
        let first = try repositoryWithHistory(), second = try repositoryWithHistory()
        defer { for (root, _) in [first, second] { try? FileManager.default.removeItem(at: root) } }
        let pendings = [first, second].map { prepare($0.0) }
        for ((root, _), pending) in zip([first, second], pendings) {
            try pending.begin(files: [("a.md", bytes("a.md \(root.lastPathComponent)\n"))], message: "at once")
        }
        for ((root, repository), pending) in zip([first, second], pendings) {
            try write("a.md \(root.lastPathComponent)\n", to: "a.md", in: root)
            let id = try #require(try pending.finish())
            #expect(try repository.head() == id)
            #expect(try repository.fileContents(path: "a.md", at: "HEAD") == bytes("a.md \(root.lastPathComponent)\n"))
            #expect(try stockGit(["status", "--porcelain"], in: root).output == "")
            try expectFsckClean(root)
        }
    }

    @Test func aCancelledCommitWritesNothing() throws {
        let (root, repository) = try repositoryWithHistory()
        defer { try? FileManager.default.removeItem(at: root) }
        let start = try repository.head()
        let objects = try stockGit(["count-objects"], in: root).output
        let pending = prepare(root)
        pending.cancel()
        #expect(pending.repository != nil)
        #expect(try repository.head() == start)
        #expect(try stockGit(["count-objects"], in: root).output == objects)
    }

    @Test func aFileEditedBeforeItsCommitIsRefused() throws {
        let (root, repository) = try repositoryWithHistory()
        defer { try? FileManager.default.removeItem(at: root) }
        let start = try repository.head()
        let pending = prepare(root)
        try pending.begin(files: [("a.md", bytes("a.md v2\n"))], message: "v2")
        try write("a.md v2\n", to: "a.md", in: root)
        // A hand edit saved between the write and the commit.
        try write("a.md edited by hand\n", to: "a.md", in: root)
        #expect(throws: GitError.self) { try pending.finish() }
        #expect(pending.repository != nil)  // the thread is done, whatever finish threw
        #expect(try repository.head() == start)
        // Not staged under the change's blob: git sees the edit as the unstaged change it is.
        #expect(try stockGit(["status", "--porcelain"], in: root).output == " M a.md\n")
        #expect(try stockGit(["diff", "--cached", "--name-only"], in: root).output == "")
    }
}
