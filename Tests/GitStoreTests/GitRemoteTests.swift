import Foundation
import GitStore
import Testing

@Suite("GitRepository: remotes, sync and merges")
struct GitRemoteTests {
    /// A bare remote with one commit pushed from `alice`, and `bob` cloned from it.
    struct Fixture {
        let root: URL
        let remote: URL
        let alice: GitRepository
        let bob: GitRepository
        let first: String

        init() throws {
            root = try makeTemporaryDirectory()
            remote = root.appendingPathComponent("remote.git")
            try GitRepository.initializeBare(at: remote)
            alice = try GitRepository.initialize(at: root.appendingPathComponent("alice"))
            try alice.addRemote(name: "origin", url: remote.path)
            try write("shared\n", to: "shared.md", in: alice.workdir)
            first = try #require(try alice.commitAll(message: "first", author: tester))
            try alice.push(remote: "origin", branch: "main")
            bob = try GitRepository.clone(url: remote.path, to: root.appendingPathComponent("bob"))
        }
    }

    @Test func pushCloneAndFetch() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.root) }
        let (alice, bob) = (fixture.alice, fixture.bob)
        #expect(try alice.remotes() == [GitRemote(name: "origin", url: fixture.remote.path)])
        #expect(try alice.config("branch.main.remote") == "origin")
        #expect(try bob.head() == fixture.first)
        #expect(try bob.currentBranch() == "main")
        #expect(try bob.remotes().map(\.name) == ["origin"])
        #expect(try String(contentsOf: bob.workdir.appendingPathComponent("shared.md"), encoding: .utf8) == "shared\n")

        try write("from bob\n", to: "bob.md", in: bob.workdir)
        let bobs = try #require(try bob.commit(paths: ["bob.md"], message: "bob", author: tester))
        try bob.push(remote: "origin", branch: "main")
        try alice.fetch(remote: "origin")
        #expect(try alice.resolve("origin/main") == bobs)
        #expect(try alice.resolve("refs/remotes/origin/main") == bobs)
        #expect(try alice.head() == fixture.first)
        try expectFsckClean(fixture.remote)
        #expect(try stockGit(["log", "--format=%s", "main"], in: fixture.remote).output == "bob\nfirst\n")
    }

    @Test func pushIsRejectedWhenTheRemoteMoved() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.root) }
        let (alice, bob) = (fixture.alice, fixture.bob)
        try write("bob\n", to: "bob.md", in: bob.workdir)
        _ = try bob.commitAll(message: "bob", author: tester)
        try bob.push(remote: "origin", branch: "main")

        try write("alice\n", to: "alice.md", in: alice.workdir)
        _ = try alice.commitAll(message: "alice", author: tester)
        let error = #expect(throws: GitError.self) { try alice.push(remote: "origin", branch: "main") }
        #expect(error?.isRejectedNonFastForward == true)
        // Fetching the new commits does not make it a fast-forward either.
        try alice.fetch(remote: "origin")
        let again = #expect(throws: GitError.self) { try alice.push(remote: "origin", branch: "main") }
        #expect(again?.isRejectedNonFastForward == true)
        #expect(try stockGit(["log", "--format=%s", "main"], in: fixture.remote).output == "bob\nfirst\n")
    }

    @Test func mergeCommitAndFastForward() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.root) }
        let (alice, bob) = (fixture.alice, fixture.bob)
        try write("bob\n", to: "bob.md", in: bob.workdir)
        try write("shared, bob's edit\n", to: "shared.md", in: bob.workdir)
        let bobs = try #require(try bob.commitAll(message: "bob", author: tester))
        try bob.push(remote: "origin", branch: "main")

        try write("alice\n", to: "alice.md", in: alice.workdir)
        try write("unrelated local edit\n", to: "draft.md", in: alice.workdir)
        let alices = try #require(try alice.commit(paths: ["alice.md"], message: "alice", author: tester))
        try alice.fetch(remote: "origin")
        #expect(try alice.mergeBase("HEAD", "origin/main") == fixture.first)
        #expect(try alice.isAncestor(fixture.first, of: "origin/main"))
        #expect(try !alice.isAncestor(alices, of: "origin/main"))

        // The caller merges entry by entry; here: take bob's files.
        let theirs = try alice.treeFiles(at: "origin/main")
        let ours = try alice.treeFiles(at: "HEAD")
        var files: [String: [UInt8]?] = [:]
        for (path, id) in theirs where ours[path] != id { files[path] = try alice.blob(id) }
        let merge = try alice.commitMerge(
            parents: ["HEAD", "origin/main"], files: files, message: "memvault: sync", author: tester)
        let info = try #require(try alice.log(limit: 1, paths: nil).first)
        #expect(info.id == merge)
        #expect(info.parents == [alices, bobs])
        #expect(try alice.head() == merge)
        #expect(try alice.treeFiles(at: merge).keys.sorted() == ["alice.md", "bob.md", "shared.md"])
        #expect(try String(contentsOf: alice.workdir.appendingPathComponent("bob.md"), encoding: .utf8) == "bob\n")
        #expect(try alice.changedPaths() == [.added("draft.md")])
        #expect(try stockGit(["status", "--porcelain"], in: alice.workdir).output == "?? draft.md\n")
        try expectFsckClean(alice.workdir)
        let graph = try stockGit(["log", "--graph", "--format=%s"], in: alice.workdir)
        #expect(graph.status == 0)
        #expect(graph.output.hasPrefix("*   memvault: sync\n|\\  \n"))
        #expect(try alice.log(limit: nil, paths: nil).map(\.summary) == ["memvault: sync", "alice", "first"])

        try alice.push(remote: "origin", branch: "main")
        try bob.fetch(remote: "origin")
        try bob.fastForward(to: "origin/main")
        #expect(try bob.head() == merge)
        #expect(try String(contentsOf: bob.workdir.appendingPathComponent("alice.md"), encoding: .utf8) == "alice\n")
        #expect(try stockGit(["status", "--porcelain"], in: bob.workdir).output == "")
        try expectFsckClean(fixture.remote)
    }

    @Test func commitMergeDeletesAndKeepsModes() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.root) }
        let alice = fixture.alice
        try write("#!/bin/sh\n", to: "tool.sh", in: alice.workdir)
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o755], ofItemAtPath: alice.workdir.appendingPathComponent("tool.sh").path)
        let base = try #require(try alice.commitAll(message: "tool", author: tester))
        let merge = try alice.commitMerge(
            parents: [base, fixture.first],
            files: ["tool.sh": bytes("#!/bin/sh\necho merged\n"), "shared.md": nil, "new/entry.md": bytes("")],
            message: "merge", author: tester)
        #expect(try alice.filesChanged(in: merge) == [
            .added("new/entry.md"), .deleted("shared.md"), .modified("tool.sh"),
        ])
        #expect(try alice.fileContents(path: "new/entry.md", at: merge) == [])
        #expect(!FileManager.default.fileExists(atPath: alice.workdir.appendingPathComponent("shared.md").path))
        #expect(FileManager.default.isExecutableFile(atPath: alice.workdir.appendingPathComponent("tool.sh").path))
        #expect(try stockGit(["status", "--porcelain"], in: alice.workdir).output == "")
        try expectFsckClean(alice.workdir)
    }

    @Test func fastForwardRefusesDivergenceAndLocalChanges() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.root) }
        let (alice, bob) = (fixture.alice, fixture.bob)
        try write("shared, alice\n", to: "shared.md", in: alice.workdir)
        let alices = try #require(try alice.commitAll(message: "alice edits shared", author: tester))
        try alice.push(remote: "origin", branch: "main")
        try bob.fetch(remote: "origin")

        // An uncommitted edit to the same file must survive: the checkout refuses.
        try write("bob's unsaved work\n", to: "shared.md", in: bob.workdir)
        let conflict = #expect(throws: GitError.self) { try bob.fastForward(to: "origin/main") }
        #expect(conflict?.isCheckoutConflict == true)
        #expect(try bob.head() == fixture.first)
        #expect(try String(contentsOf: bob.workdir.appendingPathComponent("shared.md"), encoding: .utf8) == "bob's unsaved work\n")

        // A committed divergence is not a fast-forward.
        try write("bob\n", to: "bob.md", in: bob.workdir)
        _ = try bob.commit(paths: ["bob.md"], message: "bob", author: tester)
        let diverged = #expect(throws: GitError.self) { try bob.fastForward(to: alices) }
        #expect(diverged?.isRejectedNonFastForward == true)
        // Fast-forward to an ancestor or to HEAD itself changes nothing.
        try alice.fastForward(to: alices)
        #expect(try alice.head() == alices)
    }

    /// libgit2's checkout truncates a file and rewrites it in place, so a process killed during it
    /// left a half-written memory file that recovery could not tell from a hand edit. Each file is
    /// now replaced whole (temporary file and rename) and the branch moves only after the last.
    @Test func fastForwardReplacesEachFileWholeAndMovesTheBranchLast() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.root) }
        let (alice, bob) = (fixture.alice, fixture.bob)
        try write("keep\n", to: "keep.md", in: alice.workdir)
        _ = try #require(try alice.commitAll(message: "keep", author: tester))
        try alice.push(remote: "origin", branch: "main")
        try bob.fetch(remote: "origin")
        try bob.fastForward(to: "origin/main")
        let before = try #require(try bob.head())
        let old: [String: String?] = ["shared.md": "shared\n", "keep.md": "keep\n", "notes/new.md": nil]
        try write(String(repeating: "shared, long edit\n", count: 5_000), to: "shared.md", in: alice.workdir)
        try write("new\n", to: "notes/new.md", in: alice.workdir)
        try FileManager.default.removeItem(at: alice.workdir.appendingPathComponent("keep.md"))
        let target = try #require(try alice.commitAll(message: "three files", author: tester))
        try alice.push(remote: "origin", branch: "main")
        try bob.fetch(remote: "origin")
        let new: [String: String?] = [
            "shared.md": String(repeating: "shared, long edit\n", count: 5_000), "keep.md": nil, "notes/new.md": "new\n",
        ]

        var seen: [String] = []
        try bob.fastForward(to: "origin/main") { path in
            seen.append(path)
            #expect((try? bob.head()) == before, "the branch moved before every file was written")
            for (file, oldText) in old {
                let url = bob.workdir.appendingPathComponent(file)
                let now = try? String(contentsOf: url, encoding: .utf8)
                #expect(now == oldText || now == new[file]!, "\(file) is neither as before nor as after")
            }
            let names = (FileManager.default.subpaths(atPath: bob.workdir.path) ?? []).filter { !$0.hasPrefix(".git/") }
            #expect(!names.contains { $0.contains(".tmp-") }, "a temporary file is left: \(names)")
        }
        #expect(seen == ["keep.md", "notes/new.md", "shared.md"])
        #expect(try bob.head() == target)
        #expect(try stockGit(["status", "--porcelain"], in: bob.workdir).output == "")
        try expectFsckClean(bob.workdir)
    }

    /// libgit2's checkout refused a tree naming `.git/...`; the checkout that replaced it must too,
    /// or a remote could plant a hook. Stock git builds such a commit (`mktree` does not check).
    @Test func checkoutRefusesAPathInsideGit() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.root) }
        let (alice, bob) = (fixture.alice, fixture.bob)
        let script = """
            set -e
            hook=$(printf '#!/bin/sh\\necho owned\\n' | git hash-object -w --stdin)
            hooks=$(printf '100755 blob %s\\tpost-checkout\\n' "$hook" | git mktree)
            dotgit=$(printf '040000 tree %s\\thooks\\n' "$hooks" | git mktree)
            root=$( (git ls-tree HEAD; printf '040000 tree %s\\t.git\\n' "$dotgit") | git mktree)
            commit=$(git -c user.name=t -c user.email=t@example.com commit-tree -p HEAD -m planted "$root")
            git push -q origin "$commit":refs/heads/main
            """
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", script]
        shell.currentDirectoryURL = alice.workdir
        try shell.run()
        shell.waitUntilExit()
        try #require(shell.terminationStatus == 0)
        try bob.fetch(remote: "origin")
        let refused = #expect(throws: GitError.self) { try bob.fastForward(to: "origin/main") }
        #expect(refused?.message.contains(".git/hooks/post-checkout") == true)
        #expect(try bob.head() == fixture.first)
        #expect(!FileManager.default.fileExists(atPath: bob.workdir.appendingPathComponent(".git/hooks/post-checkout").path))
        #expect(try stockGit(["status", "--porcelain"], in: bob.workdir).output == "")
    }

    @Test func fastForwardFromAnUnbornBranch() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let remote = root.appendingPathComponent("remote.git")
        try GitRepository.initializeBare(at: remote)
        let early = try GitRepository.clone(url: remote.path, to: root.appendingPathComponent("early"))
        let late = try GitRepository.initialize(at: root.appendingPathComponent("late"))
        try late.addRemote(name: "origin", url: remote.path)
        try write("hello\n", to: "notes/hello.md", in: late.workdir)
        let id = try #require(try late.commitAll(message: "hello", author: tester))
        try late.push(remote: "origin", branch: "main")

        try early.fetch(remote: "origin")
        try early.fastForward(to: "origin/main")
        #expect(try early.head() == id)
        #expect(try early.currentBranch() == "main")
        #expect(try early.fileContents(path: "notes/hello.md", at: "HEAD") == bytes("hello\n"))
        #expect(FileManager.default.fileExists(atPath: early.workdir.appendingPathComponent("notes/hello.md").path))
        #expect(try stockGit(["status", "--porcelain"], in: early.workdir).output == "")
    }

    @Test func unrelatedHistoriesMergeWithTwoRoots() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.root) }
        let other = try GitRepository.initialize(at: fixture.root.appendingPathComponent("other"))
        try write("other\n", to: "other.md", in: other.workdir)
        let otherRoot = try #require(try other.commitAll(message: "other root", author: tester))
        try other.addRemote(name: "origin", url: fixture.remote.path)
        try other.fetch(remote: "origin")
        #expect(try other.mergeBase("HEAD", "origin/main") == nil)
        let merge = try other.commitMerge(
            parents: ["HEAD", "origin/main"], files: ["shared.md": bytes("shared\n")], message: "join", author: tester)
        #expect(try other.log(limit: 1, paths: nil).first?.parents == [otherRoot, fixture.first])
        try other.push(remote: "origin", branch: "main")
        try fixture.alice.fetch(remote: "origin")
        try fixture.alice.fastForward(to: "origin/main")
        #expect(try fixture.alice.head() == merge)
        try expectFsckClean(fixture.remote)
    }

    @Test func cloneFileURLAndEmptyRemote() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.root) }
        let viaURL = try GitRepository.clone(
            url: "file://" + fixture.remote.path, to: fixture.root.appendingPathComponent("carol"))
        #expect(try viaURL.head() == fixture.first)
        try write("carol\n", to: "carol.md", in: viaURL.workdir)
        _ = try viaURL.commitAll(message: "carol", author: tester)
        try viaURL.push(remote: "origin", branch: "main")

        let empty = fixture.root.appendingPathComponent("empty.git")
        try GitRepository.initializeBare(at: empty)
        let fresh = try GitRepository.clone(url: empty.path, to: fixture.root.appendingPathComponent("fresh"))
        #expect(try fresh.head() == nil)
        #expect(try fresh.currentBranch() == "main")
        try write("first\n", to: "first.md", in: fresh.workdir)
        _ = try fresh.commitAll(message: "first", author: tester)
        try fresh.push(remote: "origin", branch: "main")
        #expect(try stockGit(["log", "--format=%s", "main"], in: empty).output == "first\n")

        let missing = #expect(throws: GitError.self) {
            try GitRepository.clone(url: fixture.root.appendingPathComponent("nowhere").path, to: fixture.root.appendingPathComponent("x"))
        }
        #expect(missing != nil)
    }
}
