import Vault

/// What one MCP client may do, from `memvault.toml`'s `[mcp]` settings: the tiers it may read
/// and write, and whether it may write at all. Fail-safe: a client not named gets the default
/// (the plain tiers unless configured), and ultrasecret is never granted, whatever the file says.
public struct AssistantPolicy: Sendable, Equatable {
    /// The client name (`--client`), or nil for a client that gave none.
    public var client: String?
    /// Tiers granted, in tier order; never ultrasecret.
    public var tiers: [Tier]
    public var canWrite: Bool

    /// The policy of `client` under `settings`.
    public init(client: String?, settings: AssistantPolicySettings) {
        self.client = client
        let entry = client.flatMap { settings.clients[$0] }
        let granted = Set(entry?.tiers ?? settings.defaultTiers)
        tiers = Tier.allCases.filter { granted.contains($0) && $0 != .ultrasecret }
        canWrite = entry?.write ?? settings.defaultWrite
    }

    /// The `src` of memories this client writes: `mcp:claude-code`, or `mcp` without a name.
    public var source: String { client.map { "mcp:\($0)" } ?? "mcp" }
}
