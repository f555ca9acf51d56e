import ArgumentParser
import Foundation
import Vault

extension Memvault {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Validate every memory file; with --fix, give id-less memories an id.",
            discussion: """
                Reports invalid UTF-8, text outside entries, headings without dates, malformed \
                metadata and duplicate ids as path:line lines. --fix inserts only the missing \
                "<!-- id: ... -->" lines, touching no other byte; run memvault commit afterwards. \
                Exits 1 when errors remain.

                Examples:
                  memvault check
                  memvault check --fix && memvault commit
                  memvault check --secrets-are-errors --staged   # what the pre-commit hook runs
                """)

        @OptionGroup var vaultOptions: VaultOptions

        @Flag(help: "Assign ids to memories that have none (writes files, does not commit).")
        var fix = false

        @Flag(help: "Report credentials in plain-text tiers as errors (exit 1), as the pre-commit hook does.")
        var secretsAreErrors = false

        @Flag(help: "Look for credentials only in what the next git commit records (the files as staged), as the pre-commit hook does.")
        var staged = false

        @Flag(help: "Print the report as JSON.")
        var json = false

        func run() throws {
            try Output.run {
                let (vault, _) = try vaultOptions.open()
                let report = try vault.check(fix: fix, secretsAreErrors: secretsAreErrors, staged: staged)
                if json {
                    try Output.printJSON(report)
                } else {
                    for problem in report.problems {
                        print(problem.severity == "error" ? Output.style(problem.description, "31") : problem.description)
                    }
                    var summary = "checked \(report.entriesChecked) memories in \(report.filesChecked) files"
                    if report.idsAssigned > 0 { summary += "; assigned \(report.idsAssigned) ids (run memvault commit to record them)" }
                    let errors = report.problems.filter { $0.severity == "error" }.count
                    if errors > 0 { summary += "; \(errors) \(errors == 1 ? "error" : "errors")" }
                    FileHandle.standardError.write(Data((summary + "\n").utf8))
                }
                if report.hasErrors { throw ExitCode(1) }
            }
        }
    }
}
