import ArgumentParser
import Foundation
import Vault

/// The filter options `list` and `search` share: tiers, dates, tags and mentions.
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
