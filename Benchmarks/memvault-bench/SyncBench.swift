import Foundation
import ProcessTimer
import MarkdownCodec
import Vault

/// Sync figures: a no-op sync in a large vault, and merging two devices that each added memories.
///
/// `memvault-bench sync [--memories N] [--added N]` (defaults 100000 and 1000).
enum SyncBench {
    static func run(arguments: [String]) {
        let memories = value(of: "--memories", in: arguments) ?? 100_000
        let added = value(of: "--added", in: arguments) ?? 1_000
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("memvault-syncbench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        do {
            try measure(memories: memories, added: added, in: work)
        } catch {
            FileHandle.standardError.write(Data("sync bench failed: \(error)\n".utf8))
            exit(1)
        }
    }

    private static func measure(memories: Int, added: Int, in work: URL) throws {
        let remote = work.appendingPathComponent("remote.git")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try git(["init", "--bare", "--quiet", "--initial-branch=main", remote.path])
        let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MEMVAULT_") }

        var clock = ContinuousClock.now
        let a = try Vault.create(at: work.appendingPathComponent("a"), user: "bench", environment: environment)
        try writeMemories(memories, into: a)
        _ = try a.commitDirectEdits(message: "bench: \(memories) memories")
        try a.addRemote(url: remote.path)
        report("generate \(memories) memories and commit", since: clock)

        clock = .now
        _ = try a.sync()
        report("first sync (push everything)", since: clock)

        var noOp: [Duration] = []
        for _ in 0..<5 {
            let start = ContinuousClock.now
            let result = try a.sync()
            noOp.append(.now - start)
            precondition(result.outcome == "up-to-date", "sync had something to do: \(result.outcome)")
        }
        print(String(format: "sync with nothing to do (%d memories): median %.3f s (min %.3f s, 5 runs)",
            memories, noOp.sorted()[2].milliseconds / 1000, noOp.min()!.milliseconds / 1000))

        clock = .now
        let b = try Vault.clone(from: remote.path, to: work.appendingPathComponent("b"), environment: environment)
        report("clone", since: clock)
        _ = try a.importRecords(records(added, label: "a"), user: "bench")
        _ = try b.importRecords(records(added, label: "b"), user: "bench")
        _ = try a.sync()
        clock = .now
        let merged = try b.sync()
        precondition(merged.outcome == "merged" && merged.conflicts.isEmpty)
        report("sync merging \(added) + \(added) new memories (\(merged.mergedFiles.count) files)", since: clock)
        clock = .now
        _ = try a.sync()
        report("fast-forward of the other device", since: clock)
    }

    /// Month files of 1,000 memories each, written directly (much faster than `add`).
    private static func writeMemories(_ count: Int, into vault: Vault) throws {
        let perFile = 1_000
        var written = 0
        var month = 0
        while written < count {
            let year = 2000 + month / 12, monthNumber = 1 + month % 12
            var text = ""
            for number in 0..<min(perFile, count - written) {
                let date = EntryDate(year: year, month: monthNumber, day: 1 + number % 28, hour: number % 24, minute: number % 60)
                let body = "Memory \(written + number): a note about something that happened, #bench @someone."
                if !text.isEmpty { text += "\n" }
                text += EntryRenderer.render(date: date, title: nil, id: benchID(written + number), meta: [], body: body)
            }
            // Headings must be in (date, id) order; sorting the blocks keeps the file canonical.
            let file = EntryFile.parse(text)
            let sorted = file.entries.sorted { ($0.date!, $0.id!) < ($1.date!, $1.id!) }
                .map { $0.rawText.trimmingCharacters(in: .whitespacesAndNewlines) + "\n" }.joined(separator: "\n")
            let path = vault.fileURL("bench/general/\(date4(year))-\(String(format: "%02d", monthNumber)).md")
            try Data(sorted.utf8).write(to: path, options: .atomic)
            written += min(perFile, count - written)
            month += 1
        }
    }

    private static func records(_ count: Int, label: String) -> [UInt8] {
        var lines = ""
        for number in 0..<count {
            lines += #"{"text": "added on \#(label): \#(number)", "tier": "general", "date": "2026-11-\#(String(format: "%02d", 1 + number % 28)) 12:00"}"# + "\n"
        }
        return Array(lines.utf8)
    }

    /// A valid, unique memory id for generated memory `number`.
    private static func benchID(_ number: Int) -> String {
        let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
        var id = ""
        var value = number
        for _ in 0..<14 {
            id.append(alphabet[value & 31])
            value >>= 5
        }
        return "01" + String(id.reversed())
    }

    private static func date4(_ year: Int) -> String { String(format: "%04d", year) }

    private static func value(of option: String, in arguments: [String]) -> Int? {
        guard let index = arguments.firstIndex(of: option), index + 1 < arguments.count else { return nil }
        return Int(arguments[index + 1])
    }


    private static func report(_ what: String, since start: ContinuousClock.Instant) {
        print("\(what): \(String(format: "%.3f", (ContinuousClock.now - start).milliseconds / 1000)) s")
    }

    private static func git(_ arguments: [String]) throws {
        let run = try ProcessTimer.run("/usr/bin/git", arguments, quiet: false)
        guard run.status == 0 else {
            throw VaultError(.badInput, "git \(arguments.joined(separator: " ")) failed")
        }
    }
}
