import ArgumentParser
import Foundation
import Vault

extension Memvault {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List memories, newest first.",
            discussion: """
                Examples:
                  memvault list --since 2026-11-01
                  memvault list --tier general --tag friends --json
                """)

        @OptionGroup var vaultOptions: VaultOptions
        @OptionGroup var filters: FilterOptions

        @Option(name: [.customShort("n"), .long], help: "Show at most this many.")
        var limit: Int?

        @Flag(help: "Print {\"memories\": [...]} as JSON.")
        var json = false

        func run() async throws {
            try await Output.run {
                let (vault, user) = try vaultOptions.open()
                var memories = try vault.memories(user: user, filter: try filters.filter(timeZone: vault.config.timeZone))
                if let limit { memories = Array(memories.prefix(max(0, limit))) }
                if json {
                    try Output.printJSON(["memories": memories])
                    Output.reportOtherKeyEntries(vault)
                    return
                }
                for memory in memories { print(MemoryFormat.line(memory)) }
                Output.reportOtherKeyEntries(vault)
            }
        }
    }
}

/// Filters shared by `list` and `export`.
struct FilterOptions: ParsableArguments {
    @Option(name: .customLong("tier"), help: "Only this tier (repeatable).", completion: VaultCompletion.tiers)
    var tiers: [String] = []

    @Option(help: "Only memories on or after this date: YYYY-MM-DD, YYYY-MM, 7d, yesterday, last week, last month...")
    var since: String?

    @Option(help: "Only memories on or before this date, in the same forms as --since.")
    var until: String?

    @Option(name: .customLong("tag"), help: "Only memories with this #tag (repeatable: all of them).")
    var tags: [String] = []

    @Option(name: .customLong("mention"), help: "Only memories that mention this @name (repeatable: all of them).")
    var mentions: [String] = []

    func filter(timeZone: TimeZone) throws -> MemoryFilter {
        var filter = MemoryFilter()
        if !tiers.isEmpty { filter.tiers = Set(try tiers.map { try Tier(parsing: $0) }) }
        if let since { filter.since = try DateBound.parse(since, timeZone: timeZone, end: false) }
        if let until { filter.until = try DateBound.parse(until, timeZone: timeZone, end: true) }
        if !tags.isEmpty { filter.tags = Set(tags.map { $0.hasPrefix("#") ? String($0.dropFirst()) : $0 }) }
        if !mentions.isEmpty { filter.mentions = Set(mentions.map { $0.hasPrefix("@") ? String($0.dropFirst()) : $0 }) }
        return filter
    }
}

/// How memories print for a person.
enum MemoryFormat {
    /// `2026-11-22 14:03  general   01JD3K9X2F7Q8R3M  Coffee with Maria`
    static func line(_ memory: Memory) -> String {
        let date = memory.entryDate.map { "\($0.dayKey) \(String(format: "%02d:%02d", $0.hour, $0.minute))" } ?? "(sealed)        "
        let tier = memory.tier.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)
        let summary = Output.safe(memory.title ?? memory.text.map(firstLine) ?? "(locked)")
        return "\(Output.style(date, "2"))  \(tier) \(Output.style(memory.id.isEmpty ? "(no id)         " : memory.id, "33"))  \(summary)"
    }

    static func firstLine(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return line.count > 80 ? String(line.prefix(79)) + "…" : line
    }
}
