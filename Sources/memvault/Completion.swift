import ArgumentParser
import Foundation
import Vault

/// Completion of ids, tiers and users from the vault: the completion scripts run
/// `memvault ---completion ...` (swift-argument-parser's hidden helper), which calls these.
enum VaultCompletion {
    static let ids = CompletionKind.custom { words, _, prefix in candidates(.id, words: words, prefix: prefix) }
    static let tiers = CompletionKind.custom { words, _, prefix in candidates(.tier, words: words, prefix: prefix) }
    static let users = CompletionKind.custom { words, _, prefix in candidates(.user, words: words, prefix: prefix) }

    /// The vault named on the command line being completed (`--vault PATH` or `--vault=PATH`),
    /// else `$MEMVAULT_DIR`, else found upward from the current directory; nothing when there is none.
    static func candidates(_ kind: CompletionKind_, words: [String], prefix: String) -> [String] {
        if kind == .tier, !words.contains(where: { $0 == "--vault" || $0.hasPrefix("--vault=") }) {
            // Tiers are the same in every vault: no need to find one.
            return Vault.Completions.tiers(prefix: prefix)
        }
        var explicit: String?
        for (index, word) in words.enumerated() {
            if word == "--vault", index + 1 < words.count { explicit = words[index + 1] }
            if word.hasPrefix("--vault=") { explicit = String(word.dropFirst("--vault=".count)) }
        }
        guard let root = try? Vault.locate(explicit: explicit), let vault = try? Vault(at: root) else { return [] }
        return vault.completions(kind, prefix: prefix)
    }

    typealias CompletionKind_ = Vault.CompletionKind
}
