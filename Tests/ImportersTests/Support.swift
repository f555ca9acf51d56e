import Foundation
import TestSupport
import ProcessTimer
import Importers
import Testing
import Vault

#if canImport(Glibc)
import Glibc
#endif

/// Paths of the package and its fixtures.
enum Paths {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = packageRoot.appendingPathComponent("Tests/Fixtures/import")
    static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }
    static var binary: URL { BuiltProducts.executable() }
}

/// A vault in a private temporary folder (time zone UTC), removed by `cleanup()`.
final class TestVault {
    let home: URL
    let root: URL
    var vault: Vault
    let environment: [String: String]

    init(passphrase: String? = nil) throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("memvault-import-\(UUID().uuidString)")
        root = home.appendingPathComponent("vault")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        var env: [String: String] = ["HOME": home.path]
        _ = try Vault.create(at: root, user: "alice", environment: env)
        let settings = root.appendingPathComponent("memvault.toml")
        let text = try String(contentsOf: settings, encoding: .utf8).replacingOccurrences(of: "timezone = \"\"", with: "timezone = \"UTC\"")
        try text.write(to: settings, atomically: true, encoding: .utf8)
        if let passphrase {
            let vault = try Vault(at: root, environment: env)
            vault.scryptWorkFactorLimit = 10  // fast keys for tests; the command line never lowers it
            _ = try vault.setPassphrase(user: "alice", tier: .confidential, old: nil, new: passphrase)
            env["MEMVAULT_PASSPHRASE_CONFIDENTIAL"] = passphrase
        }
        environment = env
        vault = try Vault(at: root, environment: env)
    }

    /// Opens the vault again, as a new process would (optionally without the passphrase: locked).
    func reopen(locked: Bool = false) throws {
        var env = environment
        if locked { env["MEMVAULT_PASSPHRASE_CONFIDENTIAL"] = nil }
        vault = try Vault(at: root, environment: env)
    }

    func cleanup() { try? FileManager.default.removeItem(at: home) }

    /// Imports `path` from `source`; `tier` nil uses the source's default policy.
    @discardableResult
    func importExport(_ source: ImportSource, _ path: String, tier: Tier? = nil, classify: Bool = false, dryRun: Bool = false) throws -> ImportSummary {
        let vault = self.vault
        let policy = try source.tierPolicy(
            override: tier, classify: classify ? ImportSource.classifier(vault: vault, user: "alice") : nil, vault: vault, user: "alice")
        return try vault.importItems(user: "alice", dryRun: dryRun) { (emit) throws(VaultError) in
            try Importer.read(source, path: path, options: ImportOptions(timeZone: vault.config.timeZone), policy: policy, emit: emit)
        }
    }

    /// Every file of the vault outside .git and the cache, for "nothing written" checks.
    func snapshot() throws -> [String: Data] {
        try VaultFiles.snapshot(root)
    }

    func commitCount() throws -> Int {
        let result = try run("/usr/bin/git", ["rev-list", "--count", "HEAD"], in: root)
        return Int(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    /// The cache holds no spool file after an import.
    func spoolFiles() -> [String] {
        let cache = root.appendingPathComponent(".memvault/cache")
        return ((try? FileManager.default.contentsOfDirectory(atPath: cache.path)) ?? []).filter { $0.hasSuffix(".spool") }
    }

    func memories() throws -> [Memory] {
        try vault.memories(user: "alice")
    }
}

/// Collects what an importer reads, without a vault.
func readEvents(_ source: ImportSource, _ path: String, timeZone: TimeZone = TimeZone(identifier: "UTC")!) throws -> [ImportEvent] {
    var events: [ImportEvent] = []
    try Importer.read(source, path: path, options: ImportOptions(timeZone: timeZone), policy: TierPolicy(override: .general)) { (event) throws(VaultError) in
        events.append(event)
    }
    return events
}

func items(_ events: [ImportEvent]) -> [ImportItem] {
    events.compactMap { if case .item(let item) = $0 { item } else { nil } }
}

func meta(_ item: ImportItem, _ key: String) -> String? {
    item.memory.meta.first(where: { $0.key == key })?.value
}

/// Runs a program; returns its status and its stdout and stderr together.
@discardableResult
func run(_ executable: String, _ args: [String], in directory: URL? = nil, environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
    try ChildProcess.run(executable, args, in: directory, environment: environment)
}

/// Runs the built memvault binary (pass --vault: the working directory is the test's); returns
/// status, stdout, stderr and the child's own peak RSS in KiB (measured by GNU time between this
/// large test process and the child; see `ProcessTimer.run(measuresMemory:)`).
func memvault(_ args: [String], environment: [String: String], scratch directory: URL) throws -> (status: Int32, stdout: String, stderr: String, maxRSSKiB: Int) {
    let out = directory.appendingPathComponent(".out-\(UUID().uuidString)")
    let err = directory.appendingPathComponent(".err-\(UUID().uuidString)")
    defer {
        try? FileManager.default.removeItem(at: out)
        try? FileManager.default.removeItem(at: err)
    }
    let run = try ProcessTimer.run(
        Paths.binary.path, args, environment: environment.map { "\($0.key)=\($0.value)" }, stdout: out.path, stderr: err.path,
        measuresMemory: true)
    return (run.status, (try? String(contentsOf: out, encoding: .utf8)) ?? "", (try? String(contentsOf: err, encoding: .utf8)) ?? "", run.peakRSS / 1024)
}
