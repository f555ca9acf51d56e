/// The classification tag of a memory. The three upper tiers are encrypted per entry.
public enum Tier: String, Sendable, Codable, CaseIterable, Comparable {
    case chronological, general, confidential, secret, ultrasecret

    /// Whether entries of this tier are stored as age ciphertext.
    public var isEncrypted: Bool {
        switch self {
        case .chronological, .general: false
        case .confidential, .secret, .ultrasecret: true
        }
    }

    /// Parses a tier name, case-insensitively.
    /// - Throws: `VaultError.badInput` listing the valid names.
    public init(parsing text: String) throws(VaultError) {
        guard let tier = Tier(rawValue: text.lowercased()) else {
            throw VaultError(.badInput, "unknown tier '\(text)'",
                hint: "tiers are: \(Tier.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = tier
    }

    public static func < (a: Tier, b: Tier) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
