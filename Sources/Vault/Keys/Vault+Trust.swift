import AgeCrypto
import Foundation
import GitStore
import MemvaultSupport

/// The keys and settings this device trusts, pinned outside the synced tree (`.git/memvault/trust.json`).
///
/// Whoever can push to the remote can change any committed file, including `.pub` recipients and
/// `memvault.toml`. The pins are written only by this device (init, passwd, rotate, adding a user,
/// `memvault trust`), so a change that arrives by sync (or by a hand edit) is noticed: encrypting to a
/// changed recipient and writing while a setting is weakened are refused until the person accepts the
/// change with `memvault trust`.
public struct TrustPins: Codable, Equatable, Sendable {
    public var version = 1
    /// The vault's users.
    public var users: [String]
    /// `default_tier` of memvault.toml.
    public var defaultTier: Tier
    /// The non-comment lines of `.gitignore`, sorted.
    public var ignoredPaths: [String]
    /// `user/tier` → `age1...` recipient of each encrypted tier that has a key.
    public var recipients: [String: String]

    enum CodingKeys: String, CodingKey {
        case version, users, recipients
        case defaultTier = "default_tier", ignoredPaths = "ignored_paths"
    }
}

/// One difference between the trusted keys and settings and the vault's files.
public struct TrustChange: Codable, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Codable, Sendable {
        case recipientChanged = "recipient-changed"
        case recipientAdded = "recipient-added"
        case recipientRemoved = "recipient-removed"
        case userAdded = "user-added"
        case userRemoved = "user-removed"
        case defaultTierLowered = "default-tier-lowered"
        case ignoredPathsChanged = "ignored-paths-changed"
    }

    public var kind: Kind
    /// The file that changed, relative to the vault.
    public var path: String
    /// For a recipient: whose tier.
    public var user: String?
    public var tier: Tier?
    public var old: String?
    public var new: String?

    /// True when the change concerns one tier's key only; other changes hold every write.
    public var isTierScoped: Bool { tier != nil && user != nil }

    public var description: String {
        switch kind {
        case .recipientChanged:
            "the \(tier!.rawValue) key of \(user!) changed: \(old ?? "?") → \(new ?? "?") (\(path))"
        case .recipientAdded:
            "a new \(tier!.rawValue) key for \(user!): \(new ?? "?") (\(path))"
        case .recipientRemoved:
            "the \(tier!.rawValue) key of \(user!) was removed (\(path))"
        case .userAdded:
            "user \(new ?? "?") was added (\(path))"
        case .userRemoved:
            "user \(old ?? "?") was removed (\(path))"
        case .defaultTierLowered:
            "default_tier lowered from \(old ?? "?") to \(new ?? "?") (\(path))"
        case .ignoredPathsChanged:
            "ignored paths changed: \(old ?? "") → \(new ?? "") (\(path))"
        }
    }
}

extension Vault {
    /// The pins, relative to the git directory.
    static let trustPinsName = "memvault/trust.json"

    /// The git directory the pins live in (`.git/`, or the linked git directory of a worktree).
    private var pinsRoot: URL {
        get throws(VaultError) {
            if AtomicFile.kind(".git", in: root) == .directory { return root.appendingPathComponent(".git") }
            do {
                return try repository.gitDirectory
            } catch {
                throw VaultError(.badInput, "not a git repository: \(error.message)", at: root.path)
            }
        }
    }

    /// The pins on disk; nil when this device has none yet.
    func readPins() throws(VaultError) -> TrustPins? {
        let folder = try pinsRoot
        let bytes: [UInt8]?
        do {
            bytes = try AtomicFile.read(Self.trustPinsName, in: folder)
        } catch {
            throw VaultError(error)
        }
        guard let bytes else { return nil }
        do {
            return try JSONDecoder().decode(TrustPins.self, from: Data(bytes))
        } catch {
            throw VaultError(.integrity, "the trusted keys and settings cannot be read", at: ".git/" + Self.trustPinsName,
                hint: "remove the file and run memvault trust to trust the vault as it is now")
        }
    }

    func writePins(_ pins: TrustPins) throws(VaultError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let folder = try pinsRoot
        do {
            let data = try encoder.encode(pins)
            try AtomicFile.write(Array(data) + [10], to: Self.trustPinsName, in: folder, permissions: 0o600)
        } catch let error as FileError {
            throw VaultError(error)
        } catch {
            throw VaultError.wrap(error, "cannot record the trusted keys")
        }
    }

    /// The keys and settings as the vault's files have them now (memvault.toml read again from disk).
    func observedPins() throws(VaultError) -> TrustPins {
        var settings = config
        let configBytes: [UInt8]?
        do {
            configBytes = try AtomicFile.read(Self.configFileName, in: root)
        } catch {
            throw VaultError(error)
        }
        if let configBytes, let text = String(validating: configBytes, as: UTF8.self) {
            // The text this vault was opened with parses as it did then (a write command's usual case).
            settings = text.utf8.elementsEqual(configTextAtOpen.utf8) ? configAtOpen : try VaultConfig(parsing: text, path: Self.configFileName)
        }
        var ignored: [String] = []
        do {
            if let bytes = try AtomicFile.read(".gitignore", in: root) {
                ignored = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline)
                    .map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty && !$0.hasPrefix("#") }
                    .sorted()
            }
        } catch {
            throw VaultError(error)
        }
        var recipients: [String: String] = [:]
        for user in settings.users {
            for tier in Tier.allCases where tier.isEncrypted {
                guard AtomicFile.kind(recipientPath(user: user, tier: tier), in: root) != nil else { continue }
                // An unreadable or invalid .pub is recorded as such, so it never matches a trusted key.
                recipients["\(user)/\(tier.rawValue)"] = (try? storedRecipient(user: user, tier: tier))?.encoded ?? "(invalid)"
            }
        }
        return TrustPins(users: settings.users, defaultTier: settings.defaultTier, ignoredPaths: ignored, recipients: recipients)
    }

    /// The pins, written from the vault as it is now when this device has none (trust on first use).
    func ensurePins() throws(VaultError) -> TrustPins {
        if let pins = try readPins() { return pins }
        let pins = try observedPins()
        try writePins(pins)
        return pins
    }

    /// What differs between the trusted keys and settings and the vault's files; empty when all is trusted.
    /// A raised `default_tier` is not a change to accept (it only makes writes safer).
    public func untrustedChanges() throws(VaultError) -> [TrustChange] {
        var pins = try ensurePins()
        let now = try observedPins()
        if now.defaultTier > pins.defaultTier {
            // Raising the default tier only makes writes safer: trusted at once, so lowering it again is noticed.
            pins.defaultTier = now.defaultTier
            try writePins(pins)
        }
        return Self.changes(from: pins, to: now)
    }

    static func changes(from pinned: TrustPins, to now: TrustPins) -> [TrustChange] {
        var changes: [TrustChange] = []
        for key in Set(pinned.recipients.keys).union(now.recipients.keys).sorted() {
            let parts = key.split(separator: "/").map(String.init)
            guard parts.count == 2, let tier = Tier(rawValue: parts[1]) else { continue }
            let path = ".memvault/keys/\(parts[0])/\(tier.rawValue).pub"
            switch (pinned.recipients[key], now.recipients[key]) {
            case let (old?, new?) where old != new:
                changes.append(TrustChange(kind: .recipientChanged, path: path, user: parts[0], tier: tier, old: old, new: new))
            case let (nil, new?):
                changes.append(TrustChange(kind: .recipientAdded, path: path, user: parts[0], tier: tier, new: new))
            case let (old?, nil):
                changes.append(TrustChange(kind: .recipientRemoved, path: path, user: parts[0], tier: tier, old: old))
            default:
                break
            }
        }
        for user in now.users where !pinned.users.contains(user) {
            changes.append(TrustChange(kind: .userAdded, path: configFileName, new: user))
        }
        for user in pinned.users where !now.users.contains(user) {
            changes.append(TrustChange(kind: .userRemoved, path: configFileName, old: user))
        }
        if now.defaultTier < pinned.defaultTier {
            changes.append(TrustChange(kind: .defaultTierLowered, path: configFileName, old: pinned.defaultTier.rawValue, new: now.defaultTier.rawValue))
        }
        if now.ignoredPaths != pinned.ignoredPaths {
            changes.append(TrustChange(kind: .ignoredPathsChanged, path: ".gitignore",
                old: pinned.ignoredPaths.joined(separator: " "), new: now.ignoredPaths.joined(separator: " ")))
        }
        return changes
    }

    /// Accepts the vault's keys and settings as they are now: records them as this device's pins.
    /// - Returns: the changes that were accepted (empty when all was trusted already).
    @discardableResult
    public func acceptTrust() throws(VaultError) -> [TrustChange] {
        let lock = try lockVault()
        defer { lock.unlock() }
        let pinned = try readPins()
        let now = try observedPins()
        try writePins(now)
        return pinned.map { Self.changes(from: $0, to: now) } ?? []
    }

    /// Records in the pins what this device itself just changed: the tier's recipient (passwd, rotate),
    /// the user list (a new user). Other pending changes stay pending.
    func pinOwnChange(user: String, tier: Tier? = nil, addingUser: Bool = false) throws(VaultError) {
        var pins = try ensurePins()
        if let tier {
            pins.recipients["\(user)/\(tier.rawValue)"] = try storedRecipient(user: user, tier: tier).encoded
        }
        if addingUser, !pins.users.contains(user) { pins.users.append(user) }
        try writePins(pins)
    }

    /// Refuses to encrypt to a recipient that is not the one this device trusts for the tier.
    /// - Throws: `.integrity` naming the `.pub`, with the `memvault trust` hint.
    func requireTrusted(_ recipient: X25519Recipient, user: String, tier: Tier) throws(VaultError) {
        let pins = try ensurePins()
        let path = recipientPath(user: user, tier: tier)
        guard let trusted = pins.recipients["\(user)/\(tier.rawValue)"] else {
            throw VaultError(.integrity, "the \(tier.rawValue) key of \(user) is new to this device and not trusted yet; nothing was written", at: path,
                hint: "see what changed and accept it with: memvault trust")
        }
        guard trusted == recipient.encoded else {
            throw VaultError(.integrity, "the \(tier.rawValue) key of \(user) changed since this device trusted it; nothing was written", at: path,
                hint: "see what changed with memvault trust; accept it only if you (or your other device) changed the key")
        }
    }

    /// Refuses a write while a setting change is untrusted, or to a tier whose key changed.
    /// - Throws: `.integrity` naming the first untrusted change, with the `memvault trust` hint.
    func refuseUntrustedWrites(_ paths: [String]) throws(VaultError) {
        let changes = try untrustedChanges()
        guard !changes.isEmpty else { return }
        for change in changes where !change.isTierScoped {
            throw VaultError(.integrity, "\(change.description.replacingOccurrences(of: " (\(change.path))", with: "")) since this device trusted the vault; nothing was written",
                at: change.path, hint: "see what changed and accept it with: memvault trust")
        }
        for path in paths {
            guard let place = tierOf(path: path),
                let change = changes.first(where: { $0.user == place.user && $0.tier == place.tier })
            else { continue }
            let (user, tier) = place
            throw VaultError(.integrity, "the \(tier.rawValue) key of \(user) changed since this device trusted it; nothing was written",
                at: change.path, hint: "see what changed and accept it with: memvault trust")
        }
    }
}
