/// The `[mcp]` settings of `memvault.toml`: which tiers each AI assistant (MCP client) may read
/// and whether it may write.
///
/// ```toml
/// [mcp]
/// default_tiers = ["chronological", "general"]   # clients not listed below
/// write = true                                   # default for clients not listed below
/// [mcp.clients.claude-code]
/// tiers = ["chronological", "general", "confidential"]
/// write = true
/// ```
/// Absent settings mean the plain tiers with writing allowed. Ultrasecret may be listed but is
/// never served; the server drops it.
public struct AssistantPolicySettings: Sendable, Equatable {
    public struct Client: Sendable, Equatable {
        /// Tiers granted; nil means the default tiers.
        public var tiers: [Tier]?
        /// Whether writing is allowed; nil means the default.
        public var write: Bool?
    }

    /// Tiers a client not named in `clients` may see.
    public var defaultTiers: [Tier] = [.chronological, .general]
    /// Whether a client not named in `clients` (or naming no `write`) may write.
    public var defaultWrite = true
    public var clients: [String: Client] = [:]

    public init() {}

    /// The `[mcp]` table as memvault.toml has it (`VaultConfig` reads it).
    struct Section {
        var default_tiers: [String]?
        var write: Bool?
        var clients: [String: ClientSection]?
        struct ClientSection {
            var tiers: [String]?
            var write: Bool?
        }
    }

    init(_ section: Section?, path: String) throws(VaultError) {
        guard let section else { return }
        func tiers(_ names: [String], _ key: String) throws(VaultError) -> [Tier] {
            var result: [Tier] = []
            for name in names {
                do {
                    let tier = try Tier(parsing: name)
                    if !result.contains(tier) { result.append(tier) }
                } catch {
                    throw VaultError(.badInput, "\(error.message) in \(key)", at: path, hint: error.hint)
                }
            }
            return result
        }
        if let names = section.default_tiers { defaultTiers = try tiers(names, "[mcp] default_tiers") }
        if let write = section.write { defaultWrite = write }
        for (name, client) in section.clients ?? [:] {
            clients[name] = Client(
                tiers: try client.tiers.map { (names) throws(VaultError) in try tiers(names, "[mcp.clients.\(name)] tiers") },
                write: client.write)
        }
    }
}
