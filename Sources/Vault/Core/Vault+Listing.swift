extension Vault {
    /// The tier files of `user` in `tiers` (vault-relative paths) that this vault's scope lets it
    /// read: what a caller stats to notice, cheaply, that memories changed.
    public func tierFilePaths(user: String, tiers: Set<Tier>) -> [String] {
        Tier.allCases.filter { tiers.contains($0) }.flatMap { tierFiles(user: user, tier: $0) }
    }
}
