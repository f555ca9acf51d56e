import Foundation

/// What test targets that write vaults share.
public enum VaultFiles {
    /// Every file of the vault at `root` outside .git and the cache, by vault-relative path,
    /// for "nothing was written" checks.
    public static func snapshot(_ root: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let base = root.standardizedFileURL.path
        guard let e = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [:] }
        for case let url as URL in e {
            let path = String(url.standardizedFileURL.path.dropFirst(base.count + 1))
            if path.hasPrefix(".git/") || path == ".git" || path.hasPrefix(".memvault/cache") { continue }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[path] = try Data(contentsOf: url)
            }
        }
        return files
    }
}
