import Foundation
import GitStore
import Testing

/// A fresh directory under the system temporary directory; remove it with `defer`.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("gitstore-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Writes `text` to `path` under `directory`, creating parent directories.
func write(_ text: String, to path: String, in directory: URL) throws {
    let url = directory.appendingPathComponent(path)
    try FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
}

func remove(_ path: String, in directory: URL) throws {
    try FileManager.default.removeItem(at: directory.appendingPathComponent(path))
}

/// The output of Debian's stock `git`, run to check that it accepts what GitStore wrote.
struct StockGitResult {
    var status: Int32
    var output: String
}

@discardableResult
func stockGit(_ arguments: [String], in directory: URL) throws -> StockGitResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
    // The test directories are ours, but CI containers may map uids oddly.
    process.arguments = ["-c", "safe.directory=*", "-C", directory.path] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return StockGitResult(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
}

/// Asserts that `git fsck --strict` finds nothing wrong.
func expectFsckClean(_ directory: URL, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let fsck = try stockGit(["fsck", "--strict", "--no-progress"], in: directory)
    #expect(fsck.status == 0, "git fsck failed: \(fsck.output)", sourceLocation: sourceLocation)
    #expect(!fsck.output.contains("error"), "git fsck: \(fsck.output)", sourceLocation: sourceLocation)
    #expect(!fsck.output.contains("warning"), "git fsck: \(fsck.output)", sourceLocation: sourceLocation)
}

let tester = Signature(name: "Test Person", email: "test@example.com")

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
