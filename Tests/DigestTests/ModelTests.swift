import Digest
import Embedder
import Foundation
import Testing
import Vault

/// Highlights and themes with the real model (CI installs it first).
@Suite struct ModelTests {
    /// A vault of `records` and a builder of its digests with the model.
    static func withModel(_ records: [String]) throws -> (TempVault, DigestBuilder) {
        let temp = try TempVault(records: records)
        return (temp, DigestBuilder(vault: temp.vault, user: "alice", embedder: try Embedder(modelDirectory: Embedder.defaultModelDirectory())))
    }

    @Test func centralHighlightsWithoutNearDuplicates() throws {
        let (temp, builder) = try Self.withModel([
            record("2026-11-22T09:00", "Walk", "Long walk with @maria along the Isar river in the autumn sun."),
            record("2026-11-22T09:05", "Walk", "Long walk with @maria along the Isar river in the autumn sun!"),
            record("2026-11-22T12:00", "River", "Walked by the river Isar with Maria, the leaves were falling."),
            record("2026-11-22T18:00", "Sink", "Fixed the kitchen sink leak with a new rubber washer."),
        ])
        defer { temp.remove() }
        let day = DigestDay(year: 2026, month: 11, day: 22)
        let digest = try #require(try builder.render(day, explicit: true))
        let highlights = items(section(digest, "Highlights"))
        #expect(highlights.count == 3)
        #expect(highlights.filter { $0.contains("[Walk]") }.count == 1)
        #expect(highlights.last?.contains("[Sink]") == true)
        let themes = items(section(digest, "Themes"))
        #expect(themes.count == 1)
        #expect(themes.first.map { $0.contains("[River]") && !$0.contains("[Sink]") } == true)
        #expect(try builder.render(day, explicit: true) == digest)
    }

    @Test func connectionsAreTheNearestOlderMemoriesByMeaning() throws {
        var (temp, builder) = try Self.withModel([
            record("2026-11-22T18:00", "Sink", "Fixed the kitchen sink leak with a new rubber washer."),
            record("2026-05-01T10:00", "Plumber", "The plumber repaired the dripping tap in the bathroom."),
            record("2026-06-01T20:00", "Concert", "An evening of Brahms with the philharmonic orchestra."),
            record("2026-12-01T09:00", "Later", "Replaced the leaking kitchen sink washer again."),
        ])
        defer { temp.remove() }
        builder.connectionsPerMemory = 1
        let digest = try #require(try builder.render(DigestDay(year: 2026, month: 11, day: 22), explicit: true))
        #expect(items(section(digest, "Connections")) == [
            "- [Sink](../../chronological/2026-11.md#2026-11-22-1800--sink) relates to [Plumber](../../chronological/2026-05.md#2026-05-01-1000--plumber) (2026-05-01)",
        ])
    }
}
