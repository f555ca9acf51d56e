import ArgumentParser
import Embedder
import Foundation
import Vault

extension Memvault {
    struct Classify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "classify",
            abstract: "Explain which tier a text would go to, or audit the plain tiers for sensitive memories.",
            discussion: """
                With a text (or - for standard input) it prints the tier an automatic write would \
                choose, its confidence and the signals that fired, and writes nothing. Signals: the \
                secret scanner (at least secret), sensitive categories such as health, finances, \
                identity documents, legal matters, intimate life, home address, children and \
                password hints (at least confidential), the tiers of your most similar memories \
                (when the model is installed), and event language with a time anchor \
                (chronological) against facts and preferences (general). Doubt always moves a \
                memory up; ultrasecret is never chosen automatically.

                With --review it lists the memories of the plain tiers (or the --tier ones) that \
                the classifier would put in an encrypted tier, most sensitive first, with path:line; \
                move them with memvault mv ID --tier T.

                Examples:
                  memvault classify "My PIN for the Sparkasse card is 4711"
                  echo "Blood test: LDL 162" | memvault classify - --json
                  memvault classify --review
                  memvault classify --review --tier general --json
                """)

        @OptionGroup var vaultOptions: VaultOptions

        @Argument(help: "The text to classify, or - to read standard input.")
        var text: String?

        @Flag(help: "Audit the plain tiers instead of classifying a text.")
        var review = false

        @Option(name: .customLong("tier"), help: "With --review: a plain tier to audit (repeatable). Default: both.")
        var tiers: [String] = []

        @Flag(help: "Print the result as JSON.")
        var json = false

        func validate() throws {
            if review && text != nil { throw ValidationError("give a text or --review, not both") }
            if !review && text == nil { throw ValidationError("give a text to classify (or - for standard input), or --review") }
            if !review && !tiers.isEmpty { throw ValidationError("--tier goes with --review") }
        }

        func run() throws {
            try Output.run {
                let (vault, user) = try vaultOptions.open()
                if review {
                    var selected: Set<Tier>?
                    if !tiers.isEmpty {
                        selected = []
                        for name in tiers {
                            let tier = try Tier(parsing: name)
                            guard !tier.isEncrypted else {
                                throw VaultError(.badInput, "--review audits the plain tiers; \(tier.rawValue) is encrypted",
                                    hint: "choose chronological or general")
                            }
                            selected!.insert(tier)
                        }
                    }
                    let items = try vault.reviewPlainTiers(user: user, tiers: selected)
                    if json {
                        try Output.printJSON(ReviewOutput(memories: items))
                    } else {
                        for item in items {
                            let c = item.classification
                            print("\(item.path):\(item.line) \(item.id) \(item.tier.rawValue) -> \(Output.style(c.tier.rawValue, "33")) (\(c.reasons.prefix(2).joined(separator: "; ")); \(String(format: "%.2f", c.confidence)))")
                        }
                        Output.printError("\(items.count) plain \(items.count == 1 ? "memory looks" : "memories look") sensitive")
                    }
                    return
                }
                let body = text == "-" ? try Output.readStandardInput() : text!
                // The model loads only if the neighbours are asked for.
                let result = try vault.classify(
                    text: body, user: user, embedder: try? Embedder(modelDirectory: Embedder.defaultModelDirectory()))
                if json {
                    try Output.printJSON(result)
                } else {
                    print("\(result.tier.rawValue) (confidence \(String(format: "%.2f", result.confidence))\(result.escalated ? ", moved up by doubt" : ""))")
                    for reason in result.reasons { print("  - \(reason)") }
                    if !result.tags.isEmpty { print("  tags: \(result.tags.map { "#" + $0 }.joined(separator: " "))") }
                }
            }
        }
    }

    /// `classify --review --json`.
    struct ReviewOutput: Encodable {
        var memories: [ReviewItem]
    }
}
