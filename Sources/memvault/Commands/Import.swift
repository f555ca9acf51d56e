import ArgumentParser
import Foundation
import Importers
import MemvaultSupport
import Vault

extension Memvault {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Add many memories in one commit: from JSON Lines, or from a ChatGPT, Claude, Day One, jrnl or Markdown export.",
            discussion: """
                Without --from, reads JSON Lines, one object per line; only "text" is required:
                  {"text": "Had coffee with Maria", "tier": "general", "date": "2023-05-08T13:56:00Z",
                   "title": "Coffee", "tags": ["friends"], "src": "chat:D1:3", "meta": {"any": "string"}}
                Every line is checked before anything is written: one bad line imports nothing and \
                is reported with its line number. An "id" (as export writes it) is kept. \
                "tier": "auto" lets the classifier choose the record's tier from its text.

                With --from, reads another service's export as it comes (the file, or the zip):
                  chatgpt   conversations.json or the export zip: one memory per conversation
                  claude    conversations.json or the export zip: one memory per conversation
                  dayone    a journal's JSON or the JSON export zip: one memory per entry
                  jrnl      jrnl --format json output: one memory per entry
                  markdown  a folder of notes: one memory per file; daily notes keep their day
                Importing the same export again adds nothing; a newer export adds what is new and \
                updates what changed, in place (git keeps the earlier text). Chat histories go to \
                the confidential tier unless --tier says otherwise; journals and notes to the \
                vault's default tier. See docs/import.md.

                Examples:
                  memvault import old-notes.jsonl
                  memvault export | memvault import --vault ~/other -
                  memvault import --from chatgpt ~/Downloads/chatgpt-export.zip
                  memvault import --from claude ~/Downloads/claude-export.zip --dry-run
                  memvault import --from markdown ~/Obsidian/Journal --tier general
                  memvault import --from dayone ~/Downloads/Journal.json
                  memvault import --from jrnl ~/jrnl-export.json --json
                """)

        @OptionGroup var vaultOptions: VaultOptions

        @Flag(help: "Write text that looks like a credential (API key, card number, password line) to a plain-text tier anyway.")
        var allowSecret = false

        @Option(help: "The service the export comes from: chatgpt, claude, markdown, dayone or jrnl. Without it, FILE is JSON Lines.")
        var from: String?

        @Option(help: "The tier of every imported memory (with --from), or auto to classify each one. Default: auto when memvault.toml says default_tier = \"auto\", else confidential for chat histories and the vault's default tier for journals and notes.")
        var tier: String?

        @Flag(help: "Show what would be added, updated and skipped, per tier and source, and write nothing (with --from).")
        var dryRun = false

        @Flag(help: "Print the summary as one JSON object (with --from).")
        var json = false

        @Argument(help: "The JSON Lines file (or - for standard input); with --from, the export file, zip or folder.")
        var file: String

        func validate() throws {
            if from == nil, dryRun || tier != nil || json {
                throw ValidationError("--dry-run, --tier and --json apply to imports with --from")
            }
        }

        func run() throws {
            try Output.run {
                let (vault, user) = try vaultOptions.open()
                if let from {
                    try importExport(from: from, vault: vault, user: user)
                    return
                }
                let bytes: [UInt8]
                if file == "-" {
                    bytes = Array(FileHandle.standardInput.readDataToEndOfFile())
                } else {
                    guard let read = try AtomicFile.read(URL(fileURLWithPath: file)) else {
                        throw VaultError(.badInput, "no such file", at: file)
                    }
                    bytes = read
                }
                let ids = try vault.importRecords(bytes, user: user, allowSecrets: allowSecret, progress: Output.progress("importing"))
                print("imported \(ids.count) \(ids.count == 1 ? "memory" : "memories")")
            }
        }

        private func importExport(from: String, vault: Vault, user: String) throws {
            let source = try ImportSource(parsing: from)
            var override: Tier?
            var classify: ((NewMemory) throws(VaultError) -> Tier)?
            if let tier, tier.lowercased() == "auto" {
                classify = ImportSource.classifier(vault: vault, user: user)
            } else if let tier {
                override = try Tier(parsing: tier)
            } else if vault.config.classifiesByDefault {
                classify = ImportSource.classifier(vault: vault, user: user)
            }
            let policy = try source.tierPolicy(override: override, classify: classify, vault: vault, user: user)
            let options = ImportOptions(timeZone: vault.config.timeZone, progress: Self.byteProgress(source == .markdown ? "notes" : nil))
            let summary = try vault.importItems(user: user, dryRun: dryRun, allowSecrets: allowSecret) { (emit) throws(VaultError) in
                try Importer.read(source, path: file, options: options, policy: policy, emit: emit)
            }
            if json {
                try Output.printJSON(summary)
            } else {
                print(Self.describe(summary, source: source))
            }
        }

        /// The human summary: one line overall, then one per tier and source, with skip reasons.
        static func describe(_ summary: ImportSummary, source: ImportSource) -> String {
            var lines: [String] = []
            if summary.dryRun {
                lines.append("dry run, nothing written: would add \(summary.added), update \(summary.updated), skip \(summary.skipped) from \(source.rawValue)")
            } else {
                lines.append("imported from \(source.rawValue): \(summary.added) added, \(summary.updated) updated, \(summary.skipped) skipped")
            }
            for row in summary.rows {
                lines.append("  \((row.tier?.rawValue ?? "-").padding(toLength: 13, withPad: " ", startingAt: 0)) \(row.source.padding(toLength: 9, withPad: " ", startingAt: 0)) added \(row.added), updated \(row.updated), skipped \(row.skipped)")
                for (reason, count) in row.reasons.sorted(by: { $0.key < $1.key }) {
                    lines.append("      skipped \(count): \(reason)")
                }
            }
            return lines.joined(separator: "\n")
        }

        /// A progress bar on stderr for reading an export, only on a terminal; `unit` nil means bytes.
        static func byteProgress(_ unit: String?) -> ((Int, Int) -> Void)? {
            guard Output.stderrIsTerminal else { return nil }
            var lastShown = -1
            return { done, total in
                let width = 30
                let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
                let percent = Int(fraction * 100)
                guard percent != lastShown else { return }
                lastShown = percent
                let filled = Int(fraction * Double(width))
                let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
                let amount = unit.map { "\(done)/\(total) \($0)" } ?? String(format: "%.1f/%.1f MB", Double(done) / 1e6, Double(total) / 1e6)
                FileHandle.standardError.write(Data("\rreading [\(bar)] \(amount)\(percent == 100 ? "\n" : "")".utf8))
            }
        }
    }
}
