import AgeCrypto
import Crypto
import Foundation

/// What opens an unlocked tier's memories in this process: the identity itself, when this
/// process opened the key file with a passphrase, or the key agent, which holds the identity
/// and answers with the file keys of the entries presented to it (their age recipient stanzas)
/// and with keys derived for a named purpose. An agent-held identity never enters this process.
///
/// The age cryptography is AgeCrypto's: `Age.recipientStanzas(of:)` on this side,
/// `Age.unwrapFileKey(from:with:)` in the agent, `Age.decrypt(_:fileKey:)` here again.
final class TierKey {
    enum Holder {
        /// Opened here from the key file with the passphrase.
        case identity(X25519Identity)
        /// Held by the key agent reachable through `environment`.
        case agent(environment: [String: String])
    }

    let recipient: X25519Recipient
    let holder: Holder
    /// File keys the agent unwrapped, by the stanzas they were unwrapped from (`prefetch`).
    private var fileKeys: [[AgeStanza]: AgentProtocol.Unwrapped] = [:]

    init(identity: X25519Identity) {
        recipient = identity.recipient
        holder = .identity(identity)
    }

    init(agentHolding recipient: X25519Recipient, environment: [String: String]) {
        self.recipient = recipient
        holder = .agent(environment: environment)
    }

    /// The identity when this process holds it (opened with a passphrase); nil for the agent's.
    var localIdentity: X25519Identity? {
        if case .identity(let identity) = holder { return identity }
        return nil
    }

    /// Asks the agent, in as few requests as it takes, for the file keys of `blocks` (armored age
    /// files) not asked for yet; `open` then needs no round trip for them. Blocks whose header
    /// does not parse are left to `open`, which names the error. Nothing to do for a local identity.
    /// - Throws: `.locked` when the agent stopped or no longer holds the key.
    func prefetch(_ blocks: [String]) throws(VaultError) {
        guard case .agent(let environment) = holder else { return }
        var wanted: [[AgeStanza]] = []
        var seen: Set<[AgeStanza]> = []
        for block in blocks {
            guard let stanzas = try? Self.agentStanzas(block), fileKeys[stanzas] == nil, seen.insert(stanzas).inserted else { continue }
            wanted.append(stanzas)
        }
        guard !wanted.isEmpty else { return }
        let answers = try KeyAgent.unwrap(recipient: recipient.encoded, files: wanted, environment: environment)
        for (stanzas, answer) in zip(wanted, answers) { fileKeys[stanzas] = answer }
    }

    /// Decrypts one armored age block.
    /// - Throws: `AgeError` (`.noMatch` when the block is not to this key, as with an identity);
    ///   `VaultError` `.locked` when the agent stopped or no longer holds the key.
    func open(_ block: String) throws -> [UInt8] {
        switch holder {
        case .identity(let identity):
            return try Age.decrypt(Array(block.utf8), with: [identity])
        case .agent:
            let stanzas = try Self.agentStanzas(block)
            if stanzas.isEmpty { throw AgeError(.noMatch, "the file has no X25519 stanza") }
            if fileKeys[stanzas] == nil { try prefetch([block]) }
            switch fileKeys[stanzas] {
            case .key(let bytes)?:
                return try Age.decrypt(Array(block.utf8), fileKey: try AgeFileKey(bytes: bytes))
            case .malformed(let why)?:
                throw AgeError(.headerFailure, why)
            case .noMatch?, nil:
                throw AgeError(.noMatch, "the tier's key does not open any stanza of the file")
            }
        }
    }

    /// The key for `purpose`, derived from the identity here or by the agent (the same key either way).
    /// - Throws: `.locked` when the agent stopped or no longer holds the key.
    func derivedKey(for purpose: KeyPurpose) throws(VaultError) -> SymmetricKey {
        switch holder {
        case .identity(let identity): return KeyAgent.derive(from: identity, for: purpose)
        case .agent(let environment): return try KeyAgent.derivedKey(recipient: recipient.encoded, purpose: purpose, environment: environment)
        }
    }

    /// The stanzas sent to the agent: the X25519 ones (the only type it holds keys for), so an
    /// unusual extra stanza in a file cannot make a whole batch malformed.
    static func agentStanzas(_ block: String) throws(AgeError) -> [AgeStanza] {
        try Age.recipientStanzas(of: Array(block.utf8)).filter { $0.type == "X25519" }
    }
}
