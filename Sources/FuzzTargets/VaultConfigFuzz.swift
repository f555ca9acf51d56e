import Vault

/// `memvault.toml`: any text either parses or is refused with an error; a parsed config parses
/// the same way again and names only valid users.
enum VaultConfigFuzz {
    static func run(_ bytes: [UInt8]) {
        guard let text = String(validating: bytes, as: UTF8.self) else { return }
        guard let config = try? VaultConfig(parsing: text) else { return }
        law((try? VaultConfig(parsing: text)) == config, "the same text parsed twice differs")
        for user in config.users {
            law((try? UserName.validate(user)) != nil, "an invalid user name was accepted")
        }
    }
}
