import Embedder
import Foundation
import ProcessTimer
import Vault

/// `memvault-bench encrypted-index [N]`: hybrid search over an unlocked secret tier of N memories (default
/// 2,000) with the real model: the first query (decrypts and embeds every entry, writes the encrypted
/// index), then queries from a freshly opened vault as a new process would run them (open and
/// decrypt the encrypted index, stat the files, build BM25, rank), the query after editing one entry,
/// a whole `memvault search` CLI run, and the encrypted file's size.
///
/// Key files use scrypt work factor 10 (`Vault.scryptWorkFactorLimit`) so unlocking, which
/// `memvault-bench crypto` measures, does not hide the search cost.
enum EncryptedIndexBench {
    static func run(arguments: [String]) throws {
        let count = arguments.first.flatMap(Int.init) ?? 2_000
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("memvault-bench-encrypted-\(getpid())")
        defer { try? FileManager.default.removeItem(at: root) }
        let passphrase = "bench secret passphrase"
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_RUNTIME_DIR"] = root.path
        environment[Tier.secret.passphraseVariable] = passphrase
        let vaultURL = root.appendingPathComponent("vault")
        let vault = try Vault.create(at: vaultURL, user: "alice", environment: environment)
        vault.scryptWorkFactorLimit = 10
        try vault.setPassphrase(user: "alice", tier: .secret, old: nil, new: passphrase)

        var generator = SystemRandomNumberGenerator()
        let words = ["doctor", "Maria", "bank", "therapy", "loan", "Jonas", "passport", "salary", "landlord", "knee",
                     "insurance", "Tom", "argument", "diagnosis", "debt", "lawyer", "letter", "password", "secret", "family"]
        var lines: [String] = []
        for i in 0..<count {
            let year = 2024 + i % 2, month = 1 + (i / 2) % 12, day = 1 + (i / 24) % 28
            let text = (0..<24).map { _ in words.randomElement(using: &generator)! }.joined(separator: " ")
            lines.append("{\"text\": \"Secret \(i): \(text). #tag\(i % 20) @person\(i % 15)\", \"tier\": \"secret\", \"date\": \"\(year)-\(String(format: "%02d", month))-\(String(format: "%02d", day)) \(String(format: "%02d", i % 24)):\(String(format: "%02d", i % 60))\"}")
        }
        let start = Date()
        let ids = try vault.importRecords(Array((lines.joined(separator: "\n") + "\n").utf8), user: "alice")
        print(String(format: "import: %d secret memories (encrypted) in %.1f s", ids.count, Date().timeIntervalSince(start)))

        let embedder = try Embedder(modelDirectory: Embedder.defaultModelDirectory())
        let queries = ["talk with the doctor about my knee", "money Tom owes me", "where is the passport", "argument with Maria",
                       "letter from the lawyer", "salary and debt", "therapy about family", "insurance for the bank loan"]
        /// Wall and CPU milliseconds of one hybrid search in a freshly opened vault.
        func query(_ text: String) throws -> (ms: Double, cpuMs: Double, results: Int) {
            let opened = try Vault(at: vaultURL, environment: environment)
            let start = Date(), cpuStart = cpuSeconds()
            let response = try opened.search(SearchRequest(query: text), user: "alice", embedder: embedder)
            precondition(response.locked.isEmpty, "the secret tier should be unlocked")
            return (Date().timeIntervalSince(start) * 1000, (cpuSeconds() - cpuStart) * 1000, response.results.count)
        }

        let first = try query(queries[0])
        print(String(format: "first query (decrypt and embed %d entries, write the encrypted index): %.0f ms wall, %.0f ms CPU, %d results",
                     ids.count, first.ms, first.cpuMs, first.results))
        var again: [Double] = [], againCPU: [Double] = []
        for i in 0..<21 {
            let run = try query(queries[i % queries.count])
            again.append(run.ms)
            againCPU.append(run.cpuMs)
        }
        again.sort()
        againCPU.sort()
        print(String(format: "later queries, vault opened afresh each time: wall p50 %.1f ms, p95 %.1f ms; CPU p50 %.1f ms (21 runs)",
                     again[10], again[19], againCPU[10]))

        let opened = try Vault(at: vaultURL, environment: environment)
        let (text, _) = try opened.entryText(id: ids[count / 2])
        _ = try opened.replaceEntry(id: ids[count / 2], original: text, newText: text.replacingOccurrences(of: "Secret ", with: "Edited secret "))
        let edited = try query(queries[1])
        print(String(format: "query after editing one entry (one file re-read, one entry decrypted and embedded): %.0f ms wall, %.0f ms CPU",
                     edited.ms, edited.cpuMs))

        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("memvault")
        if FileManager.default.isExecutableFile(atPath: binary.path) {
            var cli: [Double] = [], cliCPU: [Double] = []
            let childEnvironment = environment.map { "\($0.key)=\($0.value)" }
            for i in 0..<11 {
                let run = try ProcessTimer.run(binary.path, ["search", queries[i % queries.count], "--vault", vaultURL.path, "--json"],
                                               environment: childEnvironment)
                precondition(run.status == 0, "memvault search failed")
                cli.append(run.wall * 1000)
                cliCPU.append(run.cpu * 1000)
            }
            cli.sort()
            cliCPU.sort()
            print(String(format: "memvault search, whole CLI run over the unlocked tier: wall p50 %.0f ms, CPU (user+sys) p50 %.0f ms (11 runs)",
                         cli[5], cliCPU[5]))
        }
        let encrypted = vaultURL.appendingPathComponent(".memvault/cache/sealed/alice.secret.sealed")
        let size = (try FileManager.default.attributesOfItem(atPath: encrypted.path)[.size] as? Int) ?? 0
        print(String(format: "encrypted index: %.2f MB for %d entries", Double(size) / 1e6, ids.count))
    }

    /// CPU time of this process so far (all threads), so other sessions' load does not count.
    static func cpuSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
