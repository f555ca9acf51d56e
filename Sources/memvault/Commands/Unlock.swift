import ArgumentParser
import Foundation
import Vault

#if canImport(Glibc)
import Glibc
#endif

extension Memvault {
    struct Unlock: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "unlock",
            abstract: "Unlock an encrypted tier; the agent keeps confidential and secret keys for a while.",
            discussion: """
                Asks for the tier's passphrase without echo on a terminal, or reads \
                MEMVAULT_PASSPHRASE_<TIER> or --passphrase-file. A wrong passphrase exits with 3. \
                Confidential and secret keys are then held in memory by a per-user agent for --ttl \
                (default 15m); ultrasecret is never cached: commands reading it ask again on a \
                terminal, or take MEMVAULT_PASSPHRASE_ULTRASECRET (and MEMVAULT_KEY_FILE_ULTRASECRET \
                when the key was made with a key file).

                Examples:
                  memvault unlock secret
                  memvault unlock confidential --ttl 1h
                  memvault unlock secret --passphrase-file ~/.config/memvault/secret.pass
                """)

        @OptionGroup var vaultOptions: VaultOptions

        @OptionGroup var key: TierKeyOptions

        @Option(help: "How long the agent keeps the key: seconds, or a number with s, m, h or d; at most 7 days. Default: 15m.")
        var ttl: String = "15m"

        func validate() throws {
            guard let seconds = Self.seconds(ttl) else { throw ValidationError("--ttl must look like 900, 90s, 15m or 2h") }
            guard seconds <= KeyAgent.maximumTTL else {
                throw ValidationError("--ttl \(ttl) is longer than the longest a key is held, 7 days (168h); nothing was unlocked")
            }
        }

        /// Seconds of a TTL text; `Int.max` for a number too large to hold (refused by `validate`).
        static func seconds(_ text: String) -> Int? {
            let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
            var digits = Substring(text)
            var unit = 1
            if let last = text.last, let multiplier = units[last] {
                digits = digits.dropLast()
                unit = multiplier
            }
            guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
            guard let value = Int(digits) else { return Int.max }  // more digits than an Int holds
            guard value > 0 else { return nil }
            let (product, overflow) = value.multipliedReportingOverflow(by: unit)
            return overflow ? Int.max : product
        }

        func run() throws {
            try Output.run {
                let (vault, user) = try vaultOptions.open()
                vault.keyFile = key.keyFile
                let tier = try Passphrase.encryptedTier(key.tier)
                guard vault.hasKey(user: user, tier: tier) else {
                    throw VaultError(.badInput, "the encrypted \(tier.rawValue) tier of \(user) has no key yet", hint: "create one with: memvault passwd \(tier.rawValue)")
                }
                let passphrase = try Passphrase.current(tier, file: key.passphraseFile)
                let unlocked = try vault.unlock(user: user, tier: tier, passphrase: passphrase)
                // Memories written to an earlier key of the tier are re-encrypted to the current one.
                let reencrypted = try vault.reencryptOlderEntries(user: user, tier: tier, passphrase: passphrase)
                if reencrypted > 0 {
                    print("\(reencrypted) \(reencrypted == 1 ? "memory" : "memories") written to an earlier \(tier.rawValue) key re-encrypted to the current one")
                }
                Output.reportOtherKeyEntries(vault)
                guard tier.isCacheable else {
                    print("the \(tier.rawValue) passphrase is correct; \(tier.rawValue) is never cached: commands that read it ask again, or take \(tier.passphraseVariable)")
                    return
                }
                let environment = ProcessInfo.processInfo.environment
                try AgentProcess.ensureRunning(environment: environment)
                let seconds = Self.seconds(ttl)!
                try KeyAgent.store(unlocked, ttl: seconds, environment: environment)
                print("\(tier.rawValue) unlocked for \(ttl)")
            }
        }
    }
}
