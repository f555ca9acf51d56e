import Foundation
import MarkdownCodec
import Vault

/// JSON Lines of `memvault import`, checked and rendered by a vault made once per process in a
/// temporary folder (user `fuzz`, plain tiers only: records for encrypted tiers are refused for
/// want of a key, like in a vault without keys). Law: every accepted record renders to exactly
/// one entry that carries its id and a date.
enum ImportRecordsFuzz {
    nonisolated(unsafe) static let vault: Vault = {
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("memvault-fuzz-import-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        do {
            return try Vault.create(at: root, user: "fuzz", environment: [:])
        } catch {
            fatalError("cannot create the fuzz vault: \(error)")
        }
    }()

    static let now = Date(timeIntervalSince1970: 1_764_000_000)

    static func run(_ bytes: [UInt8]) {
        guard let records = try? vault.checkedImportRecords(bytes, user: "fuzz", now: now) else { return }
        var ids = Set<String>()
        for record in records {
            law(ids.insert(record.id).inserted, "two accepted records share the id \(record.id)")
            let entries = EntryFile.parse(record.rendered).entries
            law(entries.count == 1, "a record rendered to \(entries.count) entries")
            law(entries.first?.id == record.id, "a rendered record does not carry its id \(record.id)")
            law(entries.first?.date != nil, "a rendered record has no date")
        }
    }
}
