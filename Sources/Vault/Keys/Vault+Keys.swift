import AgeCrypto
internal import CLinuxProcess
import Foundation
import MarkdownCodec
import MemvaultSupport

#if canImport(Glibc)
import Glibc
#endif

extension Tier {
    /// The environment variable scripts use for this tier's passphrase: `MEMVAULT_PASSPHRASE_SECRET`.
    public var passphraseVariable: String { "MEMVAULT_PASSPHRASE_\(rawValue.uppercased())" }

    /// log2 of scrypt's N for this tier's key file: 16, 18, 20 (confidential, secret, ultrasecret).
    var defaultWorkFactor: Int {
        switch self {
        case .ultrasecret: 20
        case .secret: 18
        default: 16
        }
    }

    /// Whether the agent may cache this tier's identity (never ultrasecret).
    public var isCacheable: Bool { self == .confidential || self == .secret }
}

extension Vault {
    /// The scrypt work factor new key files of `tier` are wrapped with: the tier's default, or
    /// `scryptWorkFactorLimit` when a test set a lower one.
    public func workFactor(for tier: Tier) -> Int {
        if let limit = scryptWorkFactorLimit, (1...22).contains(limit) {
            return min(limit, tier.defaultWorkFactor)
        }
        return tier.defaultWorkFactor
    }

    /// `.memvault/keys/alice/secret.pub`, relative to the vault.
    func recipientPath(user: String, tier: Tier) -> String { ".memvault/keys/\(user)/\(tier.rawValue).pub" }
    /// `.memvault/keys/alice/secret.key.age`, relative to the vault.
    func keyFilePath(user: String, tier: Tier) -> String { ".memvault/keys/\(user)/\(tier.rawValue).key.age" }

    /// Whether `user` has a key for `tier`.
    public func hasKey(user: String, tier: Tier) -> Bool {
        // Present in any form: a link in place of a key file is then refused by name when read.
        AtomicFile.kind(recipientPath(user: user, tier: tier), in: root) != nil
            && AtomicFile.kind(keyFilePath(user: user, tier: tier), in: root) != nil
    }

    /// The public recipient entries of `tier` are encrypted to, once it matches the recipient this
    /// device trusts (see Vault+Trust.swift): a `.pub` changed by a sync or by hand is refused until
    /// `memvault trust` accepts it.
    /// - Throws: `VaultError.badInput` with the `memvault passwd` hint when the tier has no key;
    ///   `.integrity` when the `.pub` differs from the trusted recipient.
    func recipient(user: String, tier: Tier) throws(VaultError) -> X25519Recipient {
        let recipient = try storedRecipient(user: user, tier: tier)
        try requireTrusted(recipient, user: user, tier: tier)
        return recipient
    }

    /// The recipient in the tier's `.pub` file, as the working tree has it (not yet checked against trust).
    func storedRecipient(user: String, tier: Tier) throws(VaultError) -> X25519Recipient {
        let path = recipientPath(user: user, tier: tier)
        let read: [UInt8]?
        do {
            read = try AtomicFile.read(path, in: root)
        } catch {
            throw VaultError(error)
        }
        guard let bytes = read else {
            throw VaultError(.badInput, "the encrypted \(tier.rawValue) tier of \(user) has no key yet", at: path,
                hint: "create one with: memvault passwd \(tier.rawValue); nothing was written")
        }
        let line = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline)
            .first { !$0.hasPrefix("#") && !$0.allSatisfy(\.isWhitespace) }
        do {
            return try X25519Recipient(parsing: String(line ?? ""))
        } catch {
            throw VaultError(.integrity, "not an age recipient: \(error.message)", at: path)
        }
    }

    /// Opens the tier's key file with `passphrase`.
    /// - Throws: `.locked` (exit 3) for a wrong passphrase; `.integrity` for a damaged key file.
    func openKeyFile(user: String, tier: Tier, passphrase: String) throws(VaultError) -> X25519Identity {
        let path = keyFilePath(user: user, tier: tier)
        let wrapped: [UInt8]
        do {
            guard let read = try AtomicFile.read(path, in: root) else {
                throw VaultError(.badInput, "the encrypted \(tier.rawValue) tier of \(user) has no key yet", at: path,
                    hint: "create one with: memvault passwd \(tier.rawValue)")
            }
            wrapped = read
        } catch let error as VaultError {
            throw error
        } catch {
            throw VaultError.wrap(error)
        }
        let identity = try unwrapKey(wrapped, tier: tier, passphrase: passphrase, path: path)
        // The .pub as the working tree has it, not the trusted pin: a swapped .pub is named here.
        let expected = try storedRecipient(user: user, tier: tier)
        guard identity.recipient == expected else {
            throw VaultError(.integrity, "the tier's public key does not match its unlocked identity; nothing will be encrypted to it",
                at: recipientPath(user: user, tier: tier),
                hint: "the .pub file was changed (a sync or a hand edit): see memvault trust, and put it back with git -C \(root.path) log -p -- \(recipientPath(user: user, tier: tier))")
        }
        SecureProcess.disableCoreDumps()
        return identity
    }

    /// The identity inside a wrapped key file's bytes (`path` only names it in errors).
    /// - Throws: `.locked` for a wrong passphrase or a missing second factor; `.integrity` for a damaged file.
    func unwrapKey(_ wrapped: [UInt8], tier: Tier, passphrase: String, path: String) throws(VaultError) -> X25519Identity {
        let identity: X25519Identity
        do {
            let outer = try Age.decrypt(wrapped, with: [ScryptIdentity(passphrase: passphrase)])
            if outer.starts(with: Array("-----BEGIN AGE".utf8)) || outer.starts(with: Array("age-encryption.org/".utf8)) {
                // Two factors: the passphrase layer holds an age file to the key file's recipient.
                guard let factor = try secondFactor() else {
                    throw VaultError(.locked, "the \(tier.rawValue) key also needs its key file", at: path,
                        hint: "pass --key-file FILE or set MEMVAULT_KEY_FILE_ULTRASECRET")
                }
                let inner: [UInt8]
                do {
                    inner = try Age.decrypt(outer, with: [factor])
                } catch {
                    throw VaultError(.locked, "the key file is not the \(tier.rawValue) tier's second factor", at: path)
                }
                identity = try AgeKeyFile.parseIdentityFile(inner)
            } else {
                identity = try AgeKeyFile.parseIdentityFile(outer)
            }
        } catch let error as VaultError {
            throw error
        } catch let error as AgeError {
            switch error.kind {
            case .wrongPassphrase:
                throw VaultError(.locked, "wrong passphrase for the \(tier.rawValue) tier", at: path)
            default:
                throw VaultError(.integrity, "the key file cannot be opened: \(error.message)", at: path)
            }
        } catch {
            throw VaultError.wrap(error)
        }
        SecureProcess.disableCoreDumps()
        return identity
    }

    /// Earlier identities of a tier: the versions of its key file in git history (newest first, at
    /// most `limit`) that open with `passphrase` (rotate keeps the passphrase, so they do unless
    /// `passwd` changed it since). Versions that do not open are skipped.
    func previousIdentities(user: String, tier: Tier, passphrase: String, excluding current: X25519Identity, limit: Int = 8) -> [X25519Identity] {
        let path = keyFilePath(user: user, tier: tier)
        guard let commits = try? repository.log(paths: [path]) else { return [] }
        var seen: Set<[UInt8]> = []
        var found: [X25519Identity] = []
        for commit in commits {
            guard found.count < limit, seen.count < limit * 2 else { break }
            guard let bytes = try? repository.fileContents(path: path, at: commit.id), seen.insert(bytes).inserted,
                let identity = try? unwrapKey(bytes, tier: tier, passphrase: passphrase, path: path),
                identity.recipient != current.recipient, !found.contains(where: { $0.recipient == identity.recipient })
            else { continue }
            found.append(identity)
        }
        return found
    }

    /// The second-factor identity from `keyFile` or `$MEMVAULT_KEY_FILE_ULTRASECRET`, if one is given.
    /// - Throws: `.badInput` when the file is unreadable or not an age identity file.
    func secondFactor() throws(VaultError) -> X25519Identity? {
        guard let path = keyFile ?? environment["MEMVAULT_KEY_FILE_ULTRASECRET"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            return nil
        }
        guard var bytes = FileManager.default.contents(atPath: path).map(Array.init) else {
            throw VaultError(.badInput, "cannot read the key file", at: path)
        }
        defer { KeyAgent.wipe(&bytes) }
        do {
            return try AgeKeyFile.parseIdentityFile(bytes)
        } catch {
            throw VaultError(.badInput, "not an age identity file: \(error.message)", at: path)
        }
    }

    /// Unlocks a tier with its passphrase and keeps the identity for this process.
    /// - Throws: `.locked` (exit 3) for a wrong passphrase; `.badInput` when the tier has no key.
    public func unlock(user: String, tier: Tier, passphrase: String) throws(VaultError) -> UnlockedKey {
        let identity = try openKeyFile(user: user, tier: tier, passphrase: passphrase)
        unlockedKeys["\(user)/\(tier.rawValue)"] = TierKey(identity: identity)
        return UnlockedKey(identity: identity)
    }

    /// The key that opens a tier: already unlocked in this process, the identity opened with
    /// `MEMVAULT_PASSPHRASE_<TIER>`, the running agent when it holds the tier's identity
    /// (confidential, secret; the identity stays in the agent, which answers with file keys), or
    /// (ultrasecret) the identity opened with the passphrase `askPassphrase` gives.
    /// - Returns: nil when the tier is locked or has no key.
    /// - Throws: `.locked` when the environment's passphrase is wrong.
    /// - Parameter ask: whether `askPassphrase` may be used (not for summaries such as `status`).
    func tierKey(user: String, tier: Tier, ask: Bool = true) throws(VaultError) -> TierKey? {
        guard !keysDisabled, tierScope?.contains(tier) ?? true else { return nil }
        let slot = "\(user)/\(tier.rawValue)"
        if let known = unlockedKeys[slot] { return known }
        guard hasKey(user: user, tier: tier) else {
            unlockedKeys[slot] = .some(nil)
            return nil
        }
        if let passphrase = environment[tier.passphraseVariable], !passphrase.isEmpty {
            let key = TierKey(identity: try openKeyFile(user: user, tier: tier, passphrase: passphrase))
            unlockedKeys[slot] = key
            return key
        }
        // The agent's identity was checked against the .pub at unlock; this asks only whether it
        // holds the trusted recipient's identity, and nothing secret crosses the socket.
        if tier.isCacheable, let recipient = try? recipient(user: user, tier: tier),
            KeyAgent.holds(recipient: recipient.encoded, environment: environment)
        {
            SecureProcess.disableCoreDumps()  // file keys and plaintext will be in this process
            let key = TierKey(agentHolding: recipient, environment: environment)
            unlockedKeys[slot] = key
            return key
        }
        if !ask { return nil }
        if !tier.isCacheable, let passphrase = askPassphrase?(tier), !passphrase.isEmpty {
            let key = TierKey(identity: try openKeyFile(user: user, tier: tier, passphrase: passphrase))
            unlockedKeys[slot] = key
            return key
        }
        unlockedKeys[slot] = .some(nil)
        return nil
    }

    /// The encrypted tiers of `user` that cannot be read now (no key, or not unlocked), without asking anyone.
    func lockedTiers(user: String) -> [Tier] {
        Tier.allCases.filter { tier in
            tier.isEncrypted && hasKey(user: user, tier: tier) && ((try? tierKey(user: user, tier: tier, ask: false)) ?? nil) == nil
        }
    }

    /// Encrypted tiers for which `user` has no key yet (nothing can be written there until
    /// `memvault passwd --tier TIER` creates one); they are not "locked".
    func tiersWithoutKey(user: String) -> [Tier] {
        Tier.allCases.filter { $0.isEncrypted && !hasKey(user: user, tier: $0) }
    }

    /// Creates the tier's key (when missing) or re-wraps its identity under `newPassphrase`,
    /// and commits `.pub` and `.key.age`. Entries are not re-encrypted.
    ///
    /// - Parameters:
    ///   - oldPassphrase: the current passphrase; required when the tier already has a key.
    ///   - newPassphrase: the new passphrase (not empty).
    /// - Returns: true when a key was created, false when re-wrapped.
    /// - Throws: `.locked` for a wrong old passphrase, `.badInput` for an empty new one.
    @discardableResult
    public func setPassphrase(user: String, tier: Tier, old oldPassphrase: String?, new newPassphrase: String) throws(VaultError) -> Bool {
        guard tier.isEncrypted else {
            throw VaultError(.badInput, "the \(tier.rawValue) tier is plain text and has no key",
                hint: "keys exist for confidential, secret and ultrasecret")
        }
        guard !newPassphrase.isEmpty else { throw VaultError(.badInput, "the new passphrase is empty") }
        let creating = !hasKey(user: user, tier: tier)
        let identity: X25519Identity
        if creating {
            identity = X25519Identity.generate()
        } else {
            guard let oldPassphrase else {
                throw VaultError(.locked, "the current passphrase of the \(tier.rawValue) tier is needed",
                    hint: "set \(tier.passphraseVariable) or pass --passphrase-file")
            }
            identity = try openKeyFile(user: user, tier: tier, passphrase: oldPassphrase)
        }
        let wrapped = try wrap(identity, tier: tier, passphrase: newPassphrase)
        try transaction("memvault: \(creating ? "create" : "change passphrase of") \(user) \(tier.rawValue) key") { (changes) throws(VaultError) in
            changes.write(recipientPath(user: user, tier: tier), Array((identity.recipient.encoded + "\n").utf8))
            changes.write(keyFilePath(user: user, tier: tier), wrapped)
        }
        try pinOwnChange(user: user, tier: tier)
        return creating
    }

    /// Creates the keys of several tiers (those without one) in one change and one commit, so
    /// `init` with passphrases for several tiers leaves all keys or none.
    /// - Returns: the tiers whose key was created.
    @discardableResult
    public func createKeys(user: String, passphrases: [(tier: Tier, passphrase: String)]) throws(VaultError) -> [Tier] {
        var files: [(path: String, bytes: [UInt8])] = []
        var created: [Tier] = []
        for (tier, passphrase) in passphrases where tier.isEncrypted && !hasKey(user: user, tier: tier) {
            guard !passphrase.isEmpty else { throw VaultError(.badInput, "the new passphrase of the \(tier.rawValue) tier is empty") }
            let identity = X25519Identity.generate()
            files.append((recipientPath(user: user, tier: tier), Array((identity.recipient.encoded + "\n").utf8)))
            files.append((keyFilePath(user: user, tier: tier), try wrap(identity, tier: tier, passphrase: passphrase)))
            created.append(tier)
        }
        guard !created.isEmpty else { return [] }
        try transaction("memvault: create \(user) keys (\(created.map(\.rawValue).joined(separator: ", ")))") { (changes) throws(VaultError) in
            for (path, bytes) in files { changes.write(path, bytes) }
        }
        // Keys this device made are the ones it trusts.
        for tier in created { try pinOwnChange(user: user, tier: tier) }
        return created
    }

    /// Wraps `identity` under `passphrase`; for ultrasecret with a second factor (`keyFile`), the
    /// identity file is first encrypted to the key file's recipient, then that age file to the passphrase:
    /// `age -d ultrasecret.key.age | age -d -i KEYFILE` opens it with stock age.
    private func wrap(_ identity: X25519Identity, tier: Tier, passphrase: String) throws(VaultError) -> [UInt8] {
        do {
            if tier == .ultrasecret, let factor = try secondFactor() {
                var text = Array("# public key: \(identity.recipient.encoded)\n\(identity.encoded)\n".utf8)
                defer { KeyAgent.wipe(&text) }
                let inner = try Age.encrypt(text, to: [factor.recipient], armor: true)
                return try Age.encrypt(inner, to: [ScryptRecipient(passphrase: passphrase, workFactor: workFactor(for: tier))], armor: true)
            }
            return try AgeKeyFile.wrap(identity: identity, passphrase: passphrase, workFactor: workFactor(for: tier))
        } catch let error as VaultError {
            throw error
        } catch let error as AgeError {
            throw VaultError(.badInput, "cannot wrap the key: \(error.message)")
        } catch {
            throw VaultError.wrap(error)
        }
    }

    /// Writes a new age identity file (mode 0600, never overwriting) to serve as the ultrasecret
    /// second factor; keep it apart from the vault (a USB key).
    /// - Throws: `.badInput` when the file exists or cannot be written.
    public static func createKeyFile(at path: String) throws(VaultError) {
        let identity = X25519Identity.generate()
        var text = Array("# memvault ultrasecret key file\n# public key: \(identity.recipient.encoded)\n\(identity.encoded)\n".utf8)
        defer { KeyAgent.wipe(&text) }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw VaultError(.badInput, "cannot create the key file (errno \(errno))", at: path) }
        defer { close(fd) }
        let written = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == text.count else { throw VaultError(.badInput, "cannot write the key file", at: path) }
    }

    /// Makes a new identity for the tier, re-encrypts every entry of the user's tier files to it and
    /// commits the files and the new key in one commit.
    ///
    /// Entries without an id get one and are re-encrypted too; plain entries written there by hand
    /// are encrypted; entries encrypted to an earlier key are re-encrypted when one of the tier's
    /// previous key files in git history opens with `passphrase` (`previousIdentities`), and else
    /// kept as they are and listed in `otherKeyEntries`. The encrypted sections of the user's
    /// digests that were encrypted to this tier are re-encrypted as well.
    ///
    /// - Parameter passphrase: the tier's passphrase; it unlocks the old key and wraps the new one.
    /// - Returns: the number of entries re-encrypted.
    /// - Throws: `.locked` for a wrong passphrase, `.integrity` for a tampered entry (nothing written).
    public func rotate(user: String, tier: Tier, passphrase: String) throws(VaultError) -> Int {
        guard tier.isEncrypted else { throw VaultError(.badInput, "the \(tier.rawValue) tier is plain text and has no key") }
        let old = try openKeyFile(user: user, tier: tier, passphrase: passphrase)
        let keys = [old] + previousIdentities(user: user, tier: tier, passphrase: passphrase, excluding: old)
        let new = X25519Identity.generate()
        let wrapped = try wrap(new, tier: tier, passphrase: passphrase)
        var count = 0
        try transaction("memvault: rotate \(user) \(tier.rawValue) key") { (changes) throws(VaultError) in
            for path in tierFiles(user: user, tier: tier) {
                var file = try readEntryFile(path)
                let assigned = file.assignMissingIDs(using: { MemoryID.generate() })
                var changed = !assigned.isEmpty
                for entry in file.entries {
                    guard let id = entry.id else { continue }
                    let located = Located(user: user, tier: tier, path: path, entry: entry)
                    var plaintext: String
                    if entry.isEncrypted {
                        do throws(VaultError) {
                            plaintext = try decrypt(entry, path: path, with: keys)
                        } catch where error.otherKey {
                            noteOtherKey(located)  // kept as it is; reported
                            continue
                        }
                        try checkLimits(Array(plaintext.utf8), at: armorLocation(entry, path: path))
                        guard let inner = EntryFile.parse(plaintext).entries.first else {
                            throw VaultError(.integrity, "decrypted memory is not an entry", at: armorLocation(entry, path: path))
                        }
                        try checkBinding(inner, of: located)
                    } else {
                        plaintext = entry.rawText.trimmedTrailingWhitespace() + "\n"
                    }
                    plaintext = bind(plaintext, user: user, tier: tier)
                    let armored = try encrypt(plaintext, to: new.recipient)
                    guard file.replace(id: id, with: EncryptedEntry.render(tier: tier, date: entry.date, id: id, armored: armored)) else {
                        throw VaultError(.badInput, "memory \(id) could not be re-encrypted in place; nothing written", at: "\(path):\(entry.line)")
                    }
                    changed = true
                    count += 1
                }
                if changed { changes.write(path, file.bytes) }
            }
            for path in digestFiles(user: user) {
                if let bytes = try reencryptedBlocks(in: readVaultFile(path), from: keys, to: new.recipient) {
                    changes.write(path, bytes)
                }
            }
            changes.write(recipientPath(user: user, tier: tier), Array((new.recipient.encoded + "\n").utf8))
            changes.write(keyFilePath(user: user, tier: tier), wrapped)
        }
        unlockedKeys["\(user)/\(tier.rawValue)"] = TierKey(identity: new)
        try pinOwnChange(user: user, tier: tier)
        return count
    }

    /// Re-encrypts to the tier's current key the entries written to one of its earlier keys (a device
    /// that added offline before a rotate, a restore of a pre-rotate revision), opening them with the
    /// tier's previous key files from git history and `passphrase` (`previousIdentities`). Entries
    /// the current key opens are not touched. `unlock` runs this; one commit when anything changed.
    ///
    /// - Returns: the number of entries re-encrypted; those no key opens stay in `otherKeyEntries`.
    /// - Throws: `.locked` for a wrong passphrase, `.integrity` for a tampered or misplaced entry.
    @discardableResult
    public func reencryptOlderEntries(user: String, tier: Tier, passphrase: String) throws(VaultError) -> Int {
        guard tier.isEncrypted, hasKey(user: user, tier: tier) else { return 0 }
        let current: X25519Identity
        // The identity itself is needed (previous keys open with the same passphrase): never the agent's.
        if let held = unlockedKeys["\(user)/\(tier.rawValue)"], let known = held?.localIdentity {
            current = known
        } else {
            current = try openKeyFile(user: user, tier: tier, passphrase: passphrase)
        }
        var previous: [X25519Identity]?
        var count = 0
        try transaction("memvault: re-encrypt \(user) \(tier.rawValue) memories written to an earlier key") { (changes) throws(VaultError) in
            for path in tierFiles(user: user, tier: tier) {
                var file = try readEntryFile(path)
                var changed = false
                for entry in file.entries where entry.isEncrypted {
                    guard let id = entry.id else { continue }
                    let located = Located(user: user, tier: tier, path: path, entry: entry)
                    do throws(VaultError) {
                        _ = try decrypt(entry, path: path, with: current)
                        continue  // already to the current key
                    } catch where error.otherKey {
                    }
                    if previous == nil { previous = previousIdentities(user: user, tier: tier, passphrase: passphrase, excluding: current) }
                    let plaintext: String
                    do throws(VaultError) {
                        plaintext = try decrypt(entry, path: path, with: previous ?? [])
                    } catch where error.otherKey {
                        noteOtherKey(located)
                        continue
                    }
                    try checkLimits(Array(plaintext.utf8), at: armorLocation(entry, path: path))
                    guard let inner = EntryFile.parse(plaintext).entries.first else {
                        throw VaultError(.integrity, "decrypted memory is not an entry", at: armorLocation(entry, path: path))
                    }
                    try checkBinding(inner, of: located)
                    let armored = try encrypt(bind(plaintext, user: user, tier: tier), to: current.recipient)
                    guard file.replace(id: id, with: EncryptedEntry.render(tier: tier, date: entry.date, id: id, armored: armored)) else {
                        throw VaultError(.badInput, "memory \(id) could not be re-encrypted in place; nothing written", at: "\(path):\(entry.line)")
                    }
                    changed = true
                    count += 1
                }
                if changed { changes.write(path, file.bytes) }
            }
        }
        return count
    }

    /// The user's digest files, vault-relative: `alice/digests/2026/2026-11-22.md`.
    func digestFiles(user: String) -> [String] {
        let base = url("\(user)/digests").standardizedFileURL.path
        guard let enumerator = FileManager.default.enumerator(atPath: base) else { return [] }
        var paths: [String] = []
        for case let relative as String in enumerator where relative.hasSuffix(".md") {
            paths.append("\(user)/digests/\(relative)")
        }
        return paths.sorted()
    }

    /// `bytes` with every `age` block that one of `keys` opens re-encrypted to `recipient`; nil
    /// when no block changed (blocks to other tiers' keys are left alone).
    func reencryptedBlocks(in bytes: [UInt8], from keys: [X25519Identity], to recipient: X25519Recipient) throws(VaultError) -> [UInt8]? {
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.components(separatedBy: "\n")
        var changed = false
        var index = 0
        while index < lines.count {
            guard lines[index].trimmingCharacters(in: .whitespaces) == "```age",
                let end = lines[(index + 1)...].firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "```" })
            else {
                index += 1
                continue
            }
            let armor = lines[(index + 1)..<end].joined(separator: "\n") + "\n"
            if var plaintext = try? Age.decrypt(Array(armor.utf8), with: keys) {
                defer { KeyAgent.wipe(&plaintext) }
                let armored: [UInt8]
                do {
                    armored = try Age.encrypt(plaintext, to: [recipient], armor: true)
                } catch {
                    throw VaultError(.badInput, "cannot encrypt: \(error.message)")
                }
                let newLines = String(decoding: armored, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    .components(separatedBy: "\n")
                lines.replaceSubrange((index + 1)..<end, with: newLines)
                index += newLines.count + 2
                changed = true
            } else {
                index = end + 1
            }
        }
        return changed ? Array(lines.joined(separator: "\n").utf8) : nil
    }
}

/// A tier identity handed to the command line so it can give it to the agent.
public struct UnlockedKey: Sendable {
    let identity: X25519Identity

    /// The `age1...` recipient this identity decrypts for.
    public var recipient: String { identity.recipient.encoded }

    /// The identity as an `AGE-SECRET-KEY-1...` string, for the agent socket only.
    var secret: String { identity.encoded }
}

/// Process hardening while keys are held.
enum SecureProcess {
    /// Makes the process not dumpable (`PR_SET_DUMPABLE` 0): no core file, and other processes of
    /// the same user can no longer ptrace it or read its /proc/PID/mem or environ.
    static func disableDumping() {
        _ = memvault_set_not_dumpable()
    }

    /// Whether the process is dumpable (`PR_GET_DUMPABLE`).
    static var isDumpable: Bool { memvault_get_dumpable() != 0 }

    /// Turns core dumps off so a crash cannot write keys to disk.
    static func disableCoreDumps() {
        var limit = rlimit(rlim_cur: 0, rlim_max: 0)
        #if os(Linux)
        _ = setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &limit)
        #else
        _ = setrlimit(RLIMIT_CORE, &limit)
        #endif
    }
}
