import Foundation
import GitStore
import MemvaultSupport

extension Vault {
    /// Creates a vault at `root` from the template, with `user` as its first (default) user,
    /// and commits it. In an existing vault, adds `user` if it is new.
    ///
    /// - Parameters:
    ///   - root: the folder; created if missing. An existing folder must not already hold a vault
    ///     unless a user is being added.
    ///   - user: the first user's name.
    /// - Returns: the opened vault.
    /// - Throws: `VaultError.badInput` for an invalid user name or an unusable folder.
    @discardableResult
    public static func create(
        at root: URL, user: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(VaultError) -> Vault {
        try UserName.validate(user)
        let root = root.standardizedFileURL
        let fm = FileManager.default
        if fm.fileExists(atPath: root.appendingPathComponent(configFileName).path) {
            let vault = try Vault(at: root, environment: environment)
            try vault.addUser(user)
            return vault
        }
        do {
            try fm.createDirectory(at: root, withIntermediateDirectories: true)
        } catch {
            throw VaultError(.badInput, "cannot create the vault folder", at: root.path)
        }
        var written: [URL] = []
        do {
            for (path, lines) in VaultTemplate.files {
                let target = root.appendingPathComponent(path)
                guard !fm.fileExists(atPath: target.path) else { continue }
                let text = VaultTemplate.contents(of: lines).replacingOccurrences(of: "{{user}}", with: user)
                try AtomicFile.write(Array(text.utf8), to: target)
                written.append(target)
            }
            for tier in Tier.allCases {
                try fm.createDirectory(
                    at: root.appendingPathComponent("\(user)/\(tier.rawValue)"), withIntermediateDirectories: true)
            }
            let repository = GitRepository.discover(from: root).map { $0.standardizedFileURL.path } == root.path
                ? try GitRepository(at: root) : try GitRepository.initialize(at: root)
            let vault = try Vault(at: root, environment: environment)
            _ = try repository.commit(
                paths: VaultTemplate.files.map(\.path), message: "memvault: init vault for \(user)",
                author: try vault.signature())
            try vault.installHooks()
            return vault
        } catch {
            for file in written { try? fm.removeItem(at: file) }
            throw VaultError.wrap(error, "cannot create the vault")
        }
    }

    /// Adds a user to `memvault.toml` (editing only the `users` line, so comments survive) and commits.
    func addUser(_ user: String) throws(VaultError) {
        try UserName.validate(user)
        guard !config.users.contains(user) else { return }
        try transaction("memvault: add user \(user)") { (changes) throws(VaultError) in
            guard let bytes = try? AtomicFile.read(url(Self.configFileName)),
                let text = String(validating: bytes, as: UTF8.self)
            else { throw VaultError(.badInput, "cannot read settings", at: Self.configFileName) }
            var lines = text.components(separatedBy: "\n")
            guard let index = lines.firstIndex(where: { $0.hasPrefix("users") && $0.contains("=") }) else {
                throw VaultError(.badInput, "no users line to add '\(user)' to", at: Self.configFileName)
            }
            let quoted = (config.users + [user]).map { "\"\($0)\"" }.joined(separator: ", ")
            lines[index] = "users = [\(quoted)]"
            let newText = lines.joined(separator: "\n")
            let newConfig = try VaultConfig(parsing: newText, path: Self.configFileName)
            changes.write(Self.configFileName, Array(newText.utf8))
            config = newConfig
        }
        for tier in Tier.allCases {
            try? FileManager.default.createDirectory(
                at: url("\(user)/\(tier.rawValue)"), withIntermediateDirectories: true)
        }
    }
}
