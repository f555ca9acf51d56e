import Foundation
import Vault

/// A digest before encryption: the plain part, and the section quoting unlocked encrypted tiers.
///
/// In the file that section is one armored age block in an `age` fence, exactly as encrypted
/// entries are written (docs/format.md), encrypted to the highest tier it quotes, so the digest
/// never holds their plaintext in the clear. Its plaintext is deterministic; the ciphertext is
/// not (age is randomized), so `matches` compares decrypted content instead of bytes.
struct DigestPage {
    var plain: String
    /// The highest tier quoted and the section's plaintext, when an encrypted memory is quoted.
    var encrypted: (tier: Tier, plaintext: String)?

    init(plain: String) { self.plain = plain }

    /// The section's heading and a line on the key. It does not name the tier: a digest that
    /// quotes ultrasecret must not say so in the clear, so none does.
    private func intro(_ tier: Tier) -> String {
        "\n## Encrypted\n\nQuotes the unlocked encrypted tiers; encrypted to the key of the highest tier it quotes.\n\n"
    }

    /// The file's text, the section encrypted by `encrypt` (plaintext, tier) → armored block.
    func text(encrypt: (String, Tier) throws(VaultError) -> String) throws(VaultError) -> String {
        guard let encrypted else { return plain }
        let armor = try encrypt(encrypted.plaintext, encrypted.tier).trimmingCharacters(in: .whitespacesAndNewlines)
        return plain + intro(encrypted.tier) + "```age\n" + armor + "\n```\n"
    }

    /// The text with the section in the clear, for a terminal only.
    var clearText: String {
        guard let encrypted else { return plain }
        return plain + intro(encrypted.tier) + encrypted.plaintext
    }

    /// Whether `existing` (a digest file) says the same: the same plain part, and a block that
    /// `decrypt` (armored block, tier) → plaintext opens to the same plaintext.
    func matches(_ existing: String, decrypt: (String, Tier) -> String?) -> Bool {
        guard let encrypted else { return existing == plain }
        let bytes = Array(existing.utf8)
        let head = Array((plain + intro(encrypted.tier) + "```age\n").utf8), tail = Array("\n```\n".utf8)
        guard bytes.count >= head.count + tail.count, bytes.starts(with: head), bytes.suffix(tail.count).elementsEqual(tail) else {
            return false
        }
        let armor = String(decoding: bytes[head.count..<(bytes.count - tail.count)], as: UTF8.self)
        return decrypt(armor, encrypted.tier) == encrypted.plaintext
    }
}

extension DigestBuilder {
    /// The plaintext of the encrypted section: the day's memories of unlocked encrypted tiers
    /// (oldest first, with their tier), their open tasks, people and tags, and this day in
    /// earlier years; nil when nothing encrypted can be quoted.
    func encryptedPart(_ today: [DatedMemory], _ all: [DatedMemory], _ day: DigestDay, _ links: inout LinkMaker) -> (tier: Tier, plaintext: String)? {
        let quoted = today.filter(\.isDecrypted)
        let earlier = Self.earlierYears(all, day, \.isDecrypted)
        guard let tier = (quoted + earlier).map(\.memory.tier).max() else { return nil }
        var parts: [(String, [String])] = []
        parts.append(("Memories", quoted.map { memory in
            let snippet = memory.snippet(limit: 140).map { " — " + $0 } ?? ""
            return "- \(memory.time.map { $0 + " " } ?? "")\(links.link(memory)) · \(memory.memory.tier.rawValue)\(snippet)"
        }))
        parts.append(("Open tasks", quoted.flatMap { memory in
            memory.memory.tasks.filter { !$0.checked }.map { "- [ ] \(Prose.escape(Prose.stripInline($0.text))) — \(links.link(memory))" }
        }))
        parts.append(("People and tags", peopleAndTags(quoted)))
        parts.append(("On this day", onThisDay(earlier, &links, tiers: true)))
        let plaintext = parts.filter { !$0.1.isEmpty }.map { "### \($0.0)\n\n" + $0.1.map { $0 + "\n" }.joined() }
            .joined(separator: "\n")
        return (tier, plaintext)
    }
}
