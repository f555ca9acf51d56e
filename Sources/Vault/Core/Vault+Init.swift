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
        at root: URL, user: String, force: Bool = false,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(VaultError) -> Vault {
        let user = UserName.normalized(user)
        try UserName.validate(user)
        let root = root.standardizedFileURL
        let fm = FileManager.default
        if fm.fileExists(atPath: root.appendingPathComponent(configFileName).path) {
            let vault = try Vault(at: root, environment: environment)
            try vault.addUser(user)
            return vault
        }
        // A folder that already holds other files (a home folder) is not made a vault by accident:
        // the next commit or sync would record whatever is there.
        let existing = ((try? fm.contentsOfDirectory(atPath: root.path)) ?? []).filter { $0 != ".git" }.sorted()
        if !existing.isEmpty && !force {
            throw VaultError(.badInput, "the folder is not empty and holds no vault (\(existing.count) \(existing.count == 1 ? "entry" : "entries"), such as \(existing.prefix(3).joined(separator: ", ")))",
                at: root.path,
                hint: "create the vault in a new or empty folder (memvault init ~/memories), or pass --force to make one here: the files already there are then listed in .gitignore and never committed")
        }
        let created = !fm.fileExists(atPath: root.path)
        var written: [String] = []
        do {
            try AtomicFile.createDirectory("", in: root)
            // The vault is private whatever the umask: folders 0700, files 0600.
            guard chmod(root.path, 0o700) == 0 else { throw VaultError(.badInput, "cannot make the vault folder private", at: root.path) }
            for (path, lines) in VaultTemplate.files {
                guard AtomicFile.kind(path, in: root) == nil else { continue }
                var text = VaultTemplate.contents(of: lines).replacingOccurrences(of: "{{user}}", with: user)
                if path == ".gitignore" && !existing.isEmpty {
                    let patterns: [String] = existing.map { (name: String) -> String in "/" + Self.gitignoreEscaped(name) + "\n" }
                    text += "\n# Present before `memvault init --force`; never committed.\n"
                    text += patterns.joined()
                }
                try AtomicFile.write(Array(text.utf8), to: path, in: root)
                written.append(path)
            }
            for tier in Tier.allCases {
                try AtomicFile.createDirectory("\(user)/\(tier.rawValue)", in: root)
            }
            let repository = GitRepository.discover(from: root).map { $0.standardizedFileURL.path } == root.path
                ? try GitRepository(at: root) : try GitRepository.initialize(at: root)
            try repository.setConfig("core.symlinks", "false")
            chmod(repository.gitDirectory.path, 0o700)
            let vault = try Vault(at: root, environment: environment)
            _ = try repository.commit(
                paths: VaultTemplate.files.map(\.path), message: "memvault: init vault for \(user)",
                author: try vault.signature())
            try vault.installHooks()
            _ = try vault.ensurePins()
            return vault
        } catch {
            for path in written { try? AtomicFile.remove(path, in: root) }
            if created { try? fm.removeItem(at: root) }
            if let error = error as? FileError { throw VaultError(error) }
            throw VaultError.wrap(error, "cannot create the vault")
        }
    }

    /// A file name as a literal `.gitignore` pattern (`*`, `?`, `[`, `\\`, `!` and `#` escaped).
    static func gitignoreEscaped(_ name: String) -> String {
        var result = ""
        for character in name {
            if "*?[\\!#".contains(character) || (character == " " && result.isEmpty) { result.append("\\") }
            result.append(character)
        }
        return result
    }

    /// Adds a user to `memvault.toml` (editing only the `users` line, so comments survive) and commits.
    func addUser(_ user: String) throws(VaultError) {
        let user = UserName.normalized(user)
        try UserName.validate(user)
        guard !config.users.contains(user) else { return }
        try UserName.checkCollision(user, with: config.users)
        // The folders first: a name the file system refuses must fail before the user is recorded.
        for tier in Tier.allCases {
            do {
                try AtomicFile.createDirectory("\(user)/\(tier.rawValue)", in: root)
            } catch {
                throw VaultError(error)
            }
        }
        try transaction("memvault: add user \(user)") { (changes) throws(VaultError) in
            guard let bytes = try? AtomicFile.read(Self.configFileName, in: root),
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
        try pinOwnChange(user: user, addingUser: true)
    }
}
