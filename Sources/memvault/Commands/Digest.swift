import ArgumentParser
import Digest
import Embedder
import Foundation
import Vault

extension Memvault {
    struct DigestCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "digest",
            abstract: "Write the daily digest of a day's memories and commit it.",
            discussion: """
                Writes <user>/digests/YYYY/YYYY-MM-DD.md: the day at a glance, highlights, themes, \
                open tasks, people and tags, connections to older memories and this day in earlier \
                years. Days are cut in the vault's time zone. The same vault and day give the same bytes. \
                Without a date, today's digest; --since-last fills every missing day up to yesterday.

                Encrypted tiers are counted; those already unlocked (agent or MEMVAULT_PASSPHRASE_<TIER>; \
                the digest never asks) are quoted in one section encrypted to the highest tier it quotes. \
                --stdout shows that section in the clear only when standard output is a terminal.

                Examples:
                  memvault digest
                  memvault digest --date 2026-11-21
                  memvault digest --since-last
                  memvault digest --date 2026-11-21 --stdout
                """)

        @OptionGroup var vaultOptions: VaultOptions

        @Option(help: "The day to digest, YYYY-MM-DD. Default: today.")
        var date: String?

        @Flag(help: "Write every missing day from the newest digest up to yesterday, skipping empty days.")
        var sinceLast = false

        @Flag(help: "Print the digest instead of writing and committing it (the encrypted section in the clear only to a terminal).")
        var stdout = false

        func validate() throws {
            if sinceLast && date != nil { throw ValidationError("--since-last and --date cannot be combined") }
            if sinceLast && stdout { throw ValidationError("--since-last writes files; it cannot be combined with --stdout") }
        }

        func run() throws {
            try Output.run {
                let (vault, user) = try vaultOptions.open()
                let embedder = try? Embedder(modelDirectory: Embedder.defaultModelDirectory())
                if embedder == nil { Output.printError("memvault: notice: embedding model missing: highlights by length, connections by words") }
                let builder = DigestBuilder(vault: vault, user: user, embedder: embedder)
                if sinceLast {
                    for path in try builder.writeSinceLast(now: Date()) { print(path) }
                    return
                }
                let day = if let date { try DigestDay(parsing: date) } else {
                    DigestDay(containing: Date(), timeZone: vault.config.timeZone)
                }
                if stdout {
                    // The encrypted section is shown in the clear only to a terminal, never to a pipe or file.
                    let section: DigestBuilder.EncryptedSection = isatty(STDOUT_FILENO) == 1 ? .clear : .encrypted
                    print(Output.safe(try builder.render(day, explicit: true, encryptedSection: section) ?? ""), terminator: "")
                } else if let path = try builder.write(day, explicit: true) {
                    print(path)
                }
            }
        }
    }
}
