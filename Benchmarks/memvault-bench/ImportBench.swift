import Foundation
import ProcessTimer
import SyntheticExports
import Vault

/// Importer figures: throughput per source (memories/s) and the peak RSS of a large ChatGPT import.
///
/// `memvault-bench import [--chatgpt-mb N] [--records N] [--sources a,b]` (defaults: a 500 MB
/// ChatGPT export, 5,000 records per other source, every source). Every import is a whole
/// `memvault import --from ...` run of the release binary next to this one, timed with wait4 and
/// measured under GNU time for the child's own peak RSS (`ProcessTimer`). ChatGPT and Claude go
/// to the confidential tier (their default: encrypted), journals and notes to general. The
/// exports are generated at run time (`SyntheticExports`) into a temporary folder, removed after.
enum ImportBench {
    static func run(arguments: [String]) throws {
        let megabytes = value(of: "--chatgpt-mb", in: arguments) ?? 500
        let records = value(of: "--records", in: arguments) ?? 5000
        let sources = arguments.firstIndex(of: "--sources").flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
            .map { Set($0.split(separator: ",").map(String.init)) } ?? ["claude", "dayone", "jrnl", "markdown", "chatgpt"]
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
        print("| source | input | memories | wall time | CPU (user + sys) | memories/s | MB/s | peak RSS | load before, after |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        var runs = 0
        var notes: [String] = []
        @discardableResult
        func measure(_ source: String, _ input: URL, count: Int, tier: String?) throws -> URL {
            runs += 1
            let root = try freshVault("vault-\(runs)-\(source)")
            var args = ["import", "--vault", root.path, "--from", source, input.path]
            if let tier { args += ["--tier", tier] }
            let size = directorySize(input)
            let out = work.appendingPathComponent("run-\(runs).out"), err = work.appendingPathComponent("run-\(runs).err")
            let loadBefore = loadAverage()
            let result = try ProcessTimer.run(
                binary.path, args, environment: environment.map { "\($0.key)=\($0.value)" }, stdout: out.path, stderr: err.path,
                measuresMemory: true)
            let stdout = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
            guard result.status == 0, stdout.contains("\(count) added") else {
                let stderr = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
                throw VaultError(.badInput, "import from \(source) failed (\(result.status)): \(stdout) \(stderr)")
            }
            print(String(format: "| %@ | %.1f MB | %d | %.2f s | %.2f s | %.0f | %.1f | %d MB | %@, %@ |", source, Double(size) / 1e6, count,
                result.wall, result.cpu, Double(count) / result.wall, Double(size) / 1e6 / result.wall, result.peakRSS >> 20,
                loadBefore, loadAverage()))
            return root
        }

        // The small sources: (name, file or folder, its writer, --tier).
        let small: [(String, String, (Int, URL) throws -> Void, String?)] = [
            ("claude", "claude.json", SyntheticExport.writeClaude, nil),
            ("dayone", "Journal.json", SyntheticExport.writeDayOne, "general"),
            ("jrnl", "jrnl.json", SyntheticExport.writeJrnl, "general"),
            ("markdown", "notes", SyntheticExport.writeNotes, "general"),
        ]
        for (source, name, write, tier) in small where sources.contains(source) {
            let input = work.appendingPathComponent(name)
            try write(records, input)
            try measure(source, input, count: records, tier: tier)
        }
        if sources.contains("chatgpt") {
            let small = work.appendingPathComponent("chatgpt-small.json")
            let smallCount = try SyntheticExport.writeChatGPT(to: small, bytes: records * 4_000)
            try measure("chatgpt", small, count: smallCount, tier: nil)
            let big = work.appendingPathComponent("conversations.json")
            let bigCount = try SyntheticExport.writeChatGPT(to: big, bytes: megabytes * 1_000_000)
            let root = try measure("chatgpt", big, count: bigCount, tier: nil)
            // How the months were spread over files (a month past 4 MiB continues in parts).
            let folder = root.appendingPathComponent("bench/confidential")
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".md") }
            let sizes = names.map { directorySize(folder.appendingPathComponent($0)) }
            notes.append("chatgpt \(megabytes) MB: \(names.count) files, \(names.filter { $0.contains(".part") }.count) of them parts, "
                + "largest \(sizes.max() ?? 0) bytes, \(bigCount) conversations")
            try FileManager.default.removeItem(at: big)
        }
        for note in notes { print(note) }
    }

    static func directorySize(_ url: URL) -> Int {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return 0 }
        if !isDirectory.boolValue { return ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.intValue ?? 0 }
        guard let files = FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil) else { return 0 }
        var total = 0
        for case let file as URL in files {
            total += ((try? FileManager.default.attributesOfItem(atPath: file.path))?[.size] as? NSNumber)?.intValue ?? 0
        }
        return total
    }

    /// The 1-minute load average (`/proc/loadavg`), printed beside each figure: the machine is shared.
    static func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").first.map(String.init) ?? "?"
    }

    static func value(of option: String, in arguments: [String]) -> Int? {
        guard let index = arguments.firstIndex(of: option), index + 1 < arguments.count else { return nil }
        return Int(arguments[index + 1])
    }
}
