import Foundation
import Vault

#if canImport(Glibc)
import Glibc
#endif

/// Importer figures: throughput per source (memories/s) and the peak RSS of a large ChatGPT import.
///
/// `memvault-bench import [--chatgpt-mb N] [--records N]` (defaults 500 and 5000). Every import
/// is a whole `memvault import --from ...` run of the release binary next to this one, timed
/// and measured with wait4 (wall time, ru_maxrss). ChatGPT and Claude go to the confidential
/// tier (their default: encrypted), journals and notes to general.
enum ImportBench {
    static func run(arguments: [String]) throws {
        let megabytes = value(of: "--chatgpt-mb", in: arguments) ?? 500
        let records = value(of: "--records", in: arguments) ?? 5000
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("memvault")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw VaultError(.badInput, "build memvault first: swift build -c release", at: binary.path)
        }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("memvault-importbench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }

        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MEMVAULT_") }
        environment["MEMVAULT_PASSPHRASE_CONFIDENTIAL"] = "bench passphrase"
        func freshVault(_ name: String) throws -> URL {
            let root = work.appendingPathComponent(name)
            let vault = try Vault.create(at: root, user: "bench", environment: environment)
            _ = try vault.setPassphrase(user: "bench", tier: .confidential, old: nil, new: "bench passphrase")
            return root
        }

        print("memvault-bench import: \(records) records per small source, a \(megabytes) MB ChatGPT export")
        print("| source | input | memories | wall time | memories/s | MB/s | peak RSS |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        var runs = 0
        func measure(_ source: String, _ input: URL, count: Int, tier: String?) throws {
            runs += 1
            let root = try freshVault("vault-\(runs)-\(source)")
            var args = ["import", "--vault", root.path, "--from", source, input.path]
            if let tier { args += ["--tier", tier] }
            let size = directorySize(input)
            let result = try spawn(binary, args, environment: environment)
            guard result.status == 0, result.stdout.contains("\(count) added") else {
                throw VaultError(.badInput, "import from \(source) failed (\(result.status)): \(result.stdout) \(result.stderr)")
            }
            print(String(format: "| %@ | %.1f MB | %d | %.2f s | %.0f | %.1f | %d MB |", source, Double(size) / 1e6, count,
                result.seconds, Double(count) / result.seconds, Double(size) / 1e6 / result.seconds, result.maxRSSKiB / 1024))
        }

        let claude = work.appendingPathComponent("claude.json")
        try writeClaude(records, to: claude)
        try measure("claude", claude, count: records, tier: nil)
        let dayone = work.appendingPathComponent("Journal.json")
        try writeDayOne(records, to: dayone)
        try measure("dayone", dayone, count: records, tier: "general")
        let jrnl = work.appendingPathComponent("jrnl.json")
        try writeJrnl(records, to: jrnl)
        try measure("jrnl", jrnl, count: records, tier: "general")
        let notes = work.appendingPathComponent("notes")
        try writeNotes(records, to: notes)
        try measure("markdown", notes, count: records, tier: "general")
        let small = work.appendingPathComponent("chatgpt-small.json")
        let smallCount = try writeChatGPT(to: small, bytes: records * 4_000)
        try measure("chatgpt", small, count: smallCount, tier: nil)
        let big = work.appendingPathComponent("conversations.json")
        let bigCount = try writeChatGPT(to: big, bytes: megabytes * 1_000_000)
        try measure("chatgpt", big, count: bigCount, tier: nil)
        try FileManager.default.removeItem(at: big)
    }

    // MARK: Generated exports (plain prose: no text that looks like a credential)

    static let words = ["garden", "museum", "coffee", "river", "letter", "winter", "piano", "market", "train", "lantern",
                        "harbour", "recipe", "violin", "meadow", "castle", "pencil", "orchard", "bridge", "candle", "island"]

    static func prose(_ seed: Int, words count: Int) -> String {
        var out: [String] = []
        out.reserveCapacity(count)
        for k in 0..<count { out.append(words[(seed &* 7 &+ k &* k &+ k) % words.count]) }
        return out.joined(separator: " ") + "."
    }

    /// A ChatGPT export of about `bytes` bytes: 16-turn conversations of ~58 KB over two years.
    static func writeChatGPT(to url: URL, bytes: Int) throws -> Int {
        FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var written = 0
        var count = 0
        var buffer = Data("[".utf8)
        while written + buffer.count < bytes {
            var mapping: [String: Any] = ["root": ["id": "root", "message": NSNull(), "parent": NSNull(), "children": ["m0"]]]
            var parent = "root"
            for turn in 0..<16 {
                let id = "m\(turn)"
                mapping[id] = [
                    "id": id, "parent": parent, "children": turn < 15 ? ["m\(turn + 1)"] : [],
                    "message": [
                        "id": id, "author": ["role": turn % 2 == 0 ? "user" : "assistant"], "recipient": "all",
                        "content": ["content_type": "text", "parts": [prose(count &* 31 &+ turn, words: 520)]],
                        "metadata": turn % 2 == 0 ? [:] : ["model_slug": "gpt-4o"],
                    ] as [String: Any],
                ]
                parent = id
            }
            let conversation: [String: Any] = [
                "id": String(format: "00000000-0000-4000-8000-%012d", count), "title": "Conversation \(count)",
                "create_time": 1_640_995_200.0 + Double(count % 730) * 86_400 + Double(count % 1440) * 60,
                "update_time": 1_700_000_000.0, "current_node": "m15", "default_model_slug": "gpt-4o", "mapping": mapping,
            ]
            if count > 0 { buffer.append(contentsOf: Array(",\n".utf8)) }
            buffer.append(try JSONSerialization.data(withJSONObject: conversation))
            count += 1
            if buffer.count > 4 << 20 {
                try handle.write(contentsOf: buffer)
                written += buffer.count
                buffer.removeAll(keepingCapacity: true)
            }
        }
        buffer.append(contentsOf: Array("]\n".utf8))
        try handle.write(contentsOf: buffer)
        return count
    }

    static func day(_ index: Int) -> Date { Date(timeIntervalSince1970: 1_640_995_200 + Double(index % 1000) * 86_400 + Double(index % 600) * 60) }

    static func writeClaude(_ count: Int, to url: URL) throws {
        let iso = ISO8601DateFormatter()
        let list: [[String: Any]] = (0..<count).map { i in
            [
                "uuid": "claude-\(i)", "name": "Chat \(i)", "created_at": iso.string(from: day(i)), "updated_at": iso.string(from: day(i)),
                "chat_messages": (0..<4).map { turn in
                    ["uuid": "m\(turn)", "sender": turn % 2 == 0 ? "human" : "assistant", "text": "",
                     "content": [["type": "text", "text": prose(i &* 5 &+ turn, words: 60)]]] as [String: Any]
                },
            ]
        }
        try JSONSerialization.data(withJSONObject: list).write(to: url)
    }

    static func writeDayOne(_ count: Int, to url: URL) throws {
        let iso = ISO8601DateFormatter()
        let entries: [[String: Any]] = (0..<count).map { i in
            ["uuid": String(format: "%032X", i), "creationDate": iso.string(from: day(i)), "timeZone": "Europe/Berlin",
             "text": "# Day \(i)\n\n" + prose(i, words: 120), "tags": ["daily"], "starred": i % 10 == 0,
             "weather": ["conditionsDescription": "Cloudy", "temperatureCelsius": 9.5]]
        }
        try JSONSerialization.data(withJSONObject: ["metadata": ["version": "1.0"], "entries": entries]).write(to: url)
    }

    static func writeJrnl(_ count: Int, to url: URL) throws {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        let entries: [[String: Any]] = (0..<count).map { i in
            ["title": "Entry \(i).", "body": prose(i, words: 120), "date": formatter.string(from: day(i)),
             "time": String(format: "%02d:%02d", i % 24, i % 60), "tags": ["@life"], "starred": false]
        }
        try JSONSerialization.data(withJSONObject: ["tags": ["@life": count], "entries": entries]).write(to: url)
    }

    static func writeNotes(_ count: Int, to folder: URL) throws {
        for i in 0..<count {
            let date = EntryDateText.day(day(i))
            let parts = date.split(separator: "-")
            let directory = folder.appendingPathComponent("\(parts[0])/\(parts[1])")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            // Daily notes, one per day; further notes on the same day are dated by front matter.
            let name = i < 1000 ? "\(parts[2]).md" : "note-\(i).md"
            let text = "---\ntags: [journal]\ndate: \(date)\n---\n# Note \(i)\n\n" + prose(i, words: 120) + " [[Link \(i % 50)]]\n"
            try text.write(to: directory.appendingPathComponent(name), atomically: false, encoding: .utf8)
        }
    }

    static func directorySize(_ url: URL) -> Int {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return 0 }
        if !isDirectory.boolValue { return ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.intValue ?? 0 }
        var total = 0
        for case let file as URL in FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil) ?? FileManager.default.enumerator(atPath: "/")! {
            total += ((try? FileManager.default.attributesOfItem(atPath: file.path))?[.size] as? NSNumber)?.intValue ?? 0
        }
        return total
    }

    /// Runs a program to its end: status, stdout, wall seconds and peak RSS (wait4).
    static func spawn(_ binary: URL, _ args: [String], environment: [String: String]) throws -> (status: Int32, stdout: String, stderr: String, seconds: Double, maxRSSKiB: Int) {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("importbench-\(UUID().uuidString).out")
        let err = FileManager.default.temporaryDirectory.appendingPathComponent("importbench-\(UUID().uuidString).err")
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, err.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = ([binary.path] + args).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let start = ContinuousClock.now
        let spawned = posix_spawn(&pid, binary.path, &actions, nil, argv, envp)
        guard spawned == 0 else { throw VaultError(.badInput, "cannot start memvault (\(spawned))", at: binary.path) }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let exit = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return (exit, (try? String(contentsOf: out, encoding: .utf8)) ?? "", (try? String(contentsOf: err, encoding: .utf8)) ?? "", seconds, Int(usage.ru_maxrss))
    }
}

/// `YYYY-MM-DD` of an instant in UTC.
enum EntryDateText {
    static func day(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }
}

extension ImportBench {
    static func value(of option: String, in arguments: [String]) -> Int? {
        guard let index = arguments.firstIndex(of: option), index + 1 < arguments.count else { return nil }
        return Int(arguments[index + 1])
    }
}
