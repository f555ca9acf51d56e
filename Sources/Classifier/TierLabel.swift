/// The tier a classification names. The same five names as the vault's tiers (`Vault.Tier`),
/// kept here so the classifier depends on nothing; the vault converts by raw value.
public enum TierLabel: String, Sendable, Codable, CaseIterable, Comparable {
    case chronological, general, confidential, secret, ultrasecret

    /// The confidence a label must reach before the classifier takes it: chronological 0.7,
    /// general 0.6, confidential 0.8, secret 0.9, ultrasecret 0.95. Below it, the memory goes to
    /// a higher tier (see ``TierClassifier/decide(_:floor:)``).
    public var threshold: Double {
        switch self {
        case .chronological: 0.7
        case .general: 0.6
        case .confidential: 0.8
        case .secret: 0.9
        case .ultrasecret: 0.95
        }
    }

    /// Whether the tier's entries are stored encrypted.
    public var isEncrypted: Bool { self >= .confidential }

    /// The tiers the classifier may choose: every one but ultrasecret, which needs a second
    /// factor to read and is only ever chosen by the person.
    public static let automatic: [TierLabel] = [.chronological, .general, .confidential, .secret]

    var rank: Int {
        switch self {
        case .chronological: 0
        case .general: 1
        case .confidential: 2
        case .secret: 3
        case .ultrasecret: 4
        }
    }

    public static func < (a: TierLabel, b: TierLabel) -> Bool { a.rank < b.rank }
}
