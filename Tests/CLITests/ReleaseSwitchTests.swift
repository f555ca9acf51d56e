import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// No environment variable may change what the shipped binary does for tests.
///
/// Three checks, each able to fail: (1) every mention of a test switch name in Sources/ sits
/// inside `#if DEBUG`, and the old `MEMVAULT_TEST_*` names appear nowhere; (2) the debug binary,
/// scanned byte by byte, contains the debug names (so the scan does find such strings in a binary)
/// but none of the old names; (3) a release binary, when one is built (`swift build -c release`,
/// as the benchmarks and `scripts/check-release-switches` do), contains neither.
@Suite("No test switches in the shipped binary")
struct ReleaseSwitchTests {
    static let oldNames = [
        "MEMVAULT_TEST_SCRYPT_WORK_FACTOR", "MEMVAULT_TEST_CRASH_AFTER", "MEMVAULT_TEST_CRASH",
        "MEMVAULT_TEST_BEFORE_PUSH", "MEMVAULT_TEST_COMPACT_AFTER", "MEMVAULT_TEST_",
    ]
    static let debugNames = [
        "MEMVAULT_DEBUG_SCRYPT_WORK_FACTOR", "MEMVAULT_DEBUG_CRASH_AT", "MEMVAULT_DEBUG_BEFORE_PUSH", "MEMVAULT_DEBUG_COMPACT_AFTER",
    ]

    /// Whether `needle` occurs in the file's bytes.
    static func contains(_ haystack: Data, _ needle: String) -> Bool {
        haystack.range(of: Data(needle.utf8)) != nil
    }

    /// The lines of Swift source that mention a switch name outside `#if DEBUG ... #endif`.
    static func unguardedMentions(in text: String) -> [Int] {
        var stack: [Bool] = []  // per open #if: whether it is a DEBUG-only region
        var lines: [Int] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#if ") {
                stack.append(line == "#if DEBUG")
            } else if line.hasPrefix("#else") || line.hasPrefix("#elseif") {
                if !stack.isEmpty { stack[stack.count - 1] = false }
            } else if line.hasPrefix("#endif") {
                _ = stack.popLast()
            } else if line.contains("MEMVAULT_DEBUG_") || line.contains("MEMVAULT_TEST_") {
                let isComment = line.hasPrefix("///") || line.hasPrefix("//")
                if !isComment && !stack.contains(true) { lines.append(number + 1) }
            }
        }
        return lines
    }

    @Test("every switch name in Sources/ is inside #if DEBUG, and the old names are gone")
    func sourcesGuardSwitches() throws {
        let sources = CLI.packageRoot.appendingPathComponent("Sources")
        let files = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
        var checked = 0
        for case let url as URL in files where url.pathExtension == "swift" {
            let text = try String(contentsOf: url, encoding: .utf8)
            checked += 1
            #expect(!text.contains("MEMVAULT_TEST_"), "\(url.path) still names a MEMVAULT_TEST_ switch")
            let lines = Self.unguardedMentions(in: text)
            #expect(lines.isEmpty, "\(url.lastPathComponent): switch names outside #if DEBUG at lines \(lines)")
        }
        #expect(checked > 50)
        // The guard detection itself.
        #expect(Self.unguardedMentions(in: "let a = env[\"MEMVAULT_DEBUG_X\"]\n") == [1])
        #expect(Self.unguardedMentions(in: "#if DEBUG\nlet a = env[\"MEMVAULT_DEBUG_X\"]\n#endif\n").isEmpty)
        #expect(Self.unguardedMentions(in: "#if DEBUG\n#else\nlet a = env[\"MEMVAULT_DEBUG_X\"]\n#endif\n") == [3])
    }

    @Test("the debug binary holds the debug names (so the scan works) and none of the old ones")
    func debugBinary() throws {
        let bytes = try Data(contentsOf: CLI.binary)
        for name in Self.debugNames { #expect(Self.contains(bytes, name), "\(name) not found in the debug binary") }
        for name in Self.oldNames { #expect(!Self.contains(bytes, name), "\(name) is in the debug binary") }
    }

    @Test("a release binary, when built, holds no switch name at all")
    func releaseBinary() throws {
        let candidates = [".build/release/memvault", ".build/x86_64-unknown-linux-gnu/release/memvault", ".build/aarch64-unknown-linux-gnu/release/memvault"]
            .map { CLI.packageRoot.appendingPathComponent($0) }
            .filter { FileManager.default.fileExists(atPath: $0.path) }
        guard let binary = candidates.first else {
            // Not built here: checks (1) and (2) above still hold; scripts/check-release-switches builds one.
            print("ReleaseSwitchTests: no release binary in .build; run scripts/check-release-switches to scan one")
            return
        }
        let bytes = try Data(contentsOf: binary)
        for name in Self.oldNames + Self.debugNames + ["MEMVAULT_DEBUG_"] {
            #expect(!Self.contains(bytes, name), "\(name) is in the release binary \(binary.path)")
        }
    }
}
