import Digest
import Foundation
import Vault

/// A temporary vault in Europe/Berlin, removed by `remove()`.
struct TempVault {
    let root: URL
    let vault: Vault

    init(records: [String], environment extra: [String: String] = [:]) throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("digest-tests-\(UUID().uuidString)", isDirectory: true)
        let environment = ["HOME": root.path].merging(extra) { $1 }
        try Vault.create(at: root, user: "alice", environment: environment)
        let config = root.appendingPathComponent("memvault.toml")
        let text = try String(contentsOf: config, encoding: .utf8)
            .replacingOccurrences(of: "timezone = \"\"", with: "timezone = \"Europe/Berlin\"")
        try text.write(to: config, atomically: true, encoding: .utf8)
        vault = try Vault(at: root, environment: environment)
        vault.scryptWorkFactorLimit = 10  // cheap keys: tests only, injected, never from the environment
        if !records.isEmpty {
            _ = try vault.importRecords(Array(records.joined(separator: "\n").utf8), user: "alice")
        }
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    func builder() -> DigestBuilder { DigestBuilder(vault: vault, user: "alice", embedder: nil) }
}

/// One import record as a JSON line.
func record(_ date: String, _ title: String, _ text: String, tier: String = "chronological") -> String {
    let object: [String: String] = ["date": date, "title": title, "text": text, "tier": tier]
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    return String(decoding: data, as: UTF8.self)
}

/// The body of the `## title` section, or nil when the digest has none.
func section(_ digest: String, _ title: String) -> String? {
    for part in digest.components(separatedBy: "\n## ").dropFirst() where part.hasPrefix(title + "\n") {
        return String(part.dropFirst(title.count + 1))
    }
    return nil
}

/// The list items (lines starting with "- ") of a section.
func items(_ body: String?) -> [String] {
    (body ?? "").split(separator: "\n").map(String.init).filter { $0.hasPrefix("- ") }
}
