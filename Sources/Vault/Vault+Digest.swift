import Foundation

extension Vault {
    /// Writes one file (a daily digest) and commits it under the vault lock.
    ///
    /// - Parameters:
    ///   - path: the file's path relative to the vault root, for example `alice/digests/2026/2026-11-22.md`.
    ///   - bytes: the new content.
    ///   - message: the commit message.
    /// - Returns: the commit id, or nil when the file already held these bytes.
    /// - Throws: `VaultError` when writing or committing fails; the file is then restored.
    @discardableResult
    public func writeAndCommit(_ path: String, bytes: [UInt8], message: String) throws(VaultError) -> String? {
        if let existing = try? Data(contentsOf: url(path)), Array(existing) == bytes { return nil }
        return try transaction(message) { changes in changes.write(path, bytes) }
    }
}
