import ArgumentParser
import Embedder
import Foundation
import Vault

extension Memvault {
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add one memory and commit it; prints its id.",
            discussion: """
                The text comes from the argument, or from standard input when it is - or absent. \
                Without --tier the vault's default tier is used (chronological unless memvault.toml \
                says otherwise); without --date, now. --tier auto (or default_tier = "auto") lets the \
                classifier choose: one line on stderr says which tier and why; doubt always goes to a \
                higher tier, never ultrasecret, and a chosen encrypted tier without a key refuses the write. \
                The memory goes to <user>/<tier>/YYYY-MM.md of its date, or once that file holds 4 MiB \
                to the month's last part, YYYY-MM.part2.md and so on (docs/format.md, "Files").

                Examples:
                  memvault add "Had coffee with Maria. #friends @maria"
                  echo "Allergic to penicillin" | memvault add - --tier general --title Health
                  memvault add "Moved to Berlin" --date 2019-04-01 --tag life
                  memvault add "Bank PIN is in the blue notebook" --tier secret
                  memvault add "Blood test: LDL 162, recheck in March" --tier auto
                """)

        @OptionGroup var vaultOptions: VaultOptions

        @Argument(help: "The memory's text, or - to read standard input.")
        var text: String?

        @Option(
            help: "The tier: chronological, general (plain text), confidential, secret, ultrasecret (encrypted), or auto (classified).",
            completion: VaultCompletion.tiers)
        var tier: String?

        @Option(help: "When it happened: YYYY-MM-DD, 'YYYY-MM-DD HH:MM' or ISO 8601 with an offset. Default: now.")
        var date: String?

        @Option(help: "A one-line title for the heading.")
        var title: String?

        @Option(name: .customLong("tag"), help: "A tag to add (repeatable); written as #tag in the text.")
        var tags: [String] = []

        @Option(help: "Where the memory came from (kept in its metadata). Default: cli.")
        var src: String = "cli"

        @Flag(help: "Write text that looks like a credential (API key, card number, password line) to a plain-text tier anyway.")
        var allowSecret = false

        @Flag(help: "Print the memory as JSON.")
        var json = false

        func run() throws {
            try Output.run {
                let (vault, user) = try vaultOptions.open()
                let body = (text == nil || text == "-") ? try Output.readStandardInput() : text!
                var memory = NewMemory(text: body, title: title, tags: tags, src: src)
                if let tier, tier.lowercased() == "auto" {
                    memory.autoTier = true
                } else if let tier {
                    memory.tier = try Tier(parsing: tier)
                }
                if let date { memory.date = try DateText.parseUserDate(date, timeZone: vault.config.timeZone) }
                let classifies = memory.autoTier || (memory.tier == nil && vault.config.classifiesByDefault)
                // The neighbour signal needs the model; without it the classifier uses the text alone.
                // It is loaded only if the classifier asks for the neighbours (not for a credential,
                // nor for a memory its words put at its floor with no higher index readable).
                let added = try vault.add(
                    memory, user: user, allowSecrets: allowSecret,
                    embedder: classifies ? try? Embedder(modelDirectory: Embedder.defaultModelDirectory()) : nil)
                if let classification = added.classification { Output.printError(classification.summary) }
                if json { try Output.printJSON(added) } else { print(added.id) }
            }
        }
    }
}
