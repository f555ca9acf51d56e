import Foundation
import MarkdownCodec
import Testing
@testable import Vault

@Suite("memories(user:filter:limit:): the newest, without building the others")
struct ListLimitTests {
    @Test("every limit gives the first memories of the whole list, unlocked and locked, with date and tier filters")
    func limitIsPrefix() throws {
        let fixture = try SecretVault()
        defer { fixture.cleanup() }
        // Plain memories around the secret ones' dates (October and November 2026), two at one instant.
        for (i, day) in [1, 5, 5, 12, 20, 28].enumerated() {
            _ = try fixture.vault.add(NewMemory(
                text: "plain note \(i)", tier: i % 2 == 0 ? .general : .chronological,
                date: EntryDate(year: 2026, month: 10 + i % 2, day: day, hour: 9, minute: 3)), user: "alice")
        }
        // A hand-written entry without an id, at the same instant as two others.
        let path = "alice/general/2026-09.md"
        try Data("## 2026-10-05 09:03\n\nhand-written, no id\n".utf8).write(to: fixture.vault.root.appendingPathComponent(path))
        let since = DateText.instant(EntryDate(year: 2026, month: 10, day: 5, hour: 0, minute: 0), timeZone: fixture.vault.config.timeZone)
        let filters = [
            MemoryFilter(), MemoryFilter(tiers: [.general, .secret]), MemoryFilter(since: since),
            MemoryFilter(until: since), MemoryFilter(tags: ["t3"]),
        ]
        for vault in [fixture.vault, try fixture.reopened(unlocked: false)] {
            for filter in filters {
                let all = try vault.memories(user: "alice", filter: filter)
                for limit in 0...(all.count + 1) {
                    let limited = try vault.memories(user: "alice", filter: filter, limit: limit)
                    #expect(limited.map(\.id) == all.prefix(limit).map(\.id), "limit \(limit), \(filter)")
                    #expect(limited.map(\.text) == all.prefix(limit).map(\.text))
                }
            }
        }
        #expect(try fixture.vault.memories(user: "alice").count == SecretVault.topics.count + 7)
    }

    @Test("with a limit, only the newest plain entries become memories")
    func onlyNewestBuilt() throws {
        let fixture = try SecretVault()
        defer { fixture.cleanup() }
        for day in 1...20 {
            _ = try fixture.vault.add(NewMemory(
                text: "plain \(day)", tier: .general, date: EntryDate(year: 2026, month: 12, day: day, hour: 9, minute: 0)), user: "alice")
        }
        let places = try fixture.vault.allLocated(user: "alice")
        let chosen = Vault.newest(places, limit: 3, filter: MemoryFilter(), timeZone: fixture.vault.config.timeZone)
        let plain = chosen.filter { !$0.entry.isEncrypted }
        #expect(plain.compactMap(\.entry.date?.day).sorted() == [18, 19, 20])
        #expect(chosen.count == 3 + SecretVault.topics.count)
    }
}
