import MarkdownCodec
import Vault

/// The entry-level merge of `sync` and `resolve`. The input holds the versions separated by NUL
/// bytes: `ours NUL theirs` (no base) or `base NUL ours NUL theirs`. Laws: the result parses;
/// no entry id of either side is lost (without a base; with one, ids both sides keep); merging
/// twice gives the same bytes; merging a file with itself changes no entry.
enum EntryMergeFuzz {
    static func run(_ bytes: [UInt8]) {
        let parts = splitAtNUL(bytes, maxParts: 3)
        let base: [UInt8]?, ours: [UInt8], theirs: [UInt8]
        switch parts.count {
        case 3: (base, ours, theirs) = (parts[0], parts[1], parts[2])
        case 2: (base, ours, theirs) = (nil, parts[0], parts[1])
        default: (base, ours, theirs) = (nil, parts[0], parts[0])
        }
        guard let result = try? EntryMerge.merge(base: base, ours: ours, theirs: theirs) else { return }
        guard let merged = try? EntryFile.parse(result.bytes) else {
            law(false, "the merge wrote bytes that do not parse")
            return
        }
        let again = try? EntryMerge.merge(base: base, ours: ours, theirs: theirs)
        law(again?.bytes == result.bytes, "merging twice gave different bytes")
        let mergedIDs = Set(merged.entries.compactMap(\.id))
        let oursIDs = Set(((try? EntryFile.parse(ours))?.entries ?? []).compactMap(\.id))
        let theirsIDs = Set(((try? EntryFile.parse(theirs))?.entries ?? []).compactMap(\.id))
        let kept = base == nil ? oursIDs.union(theirsIDs) : oursIDs.intersection(theirsIDs)
        let lost = kept.subtracting(mergedIDs)
        law(lost.isEmpty, "the merge lost entries \(lost.sorted())")
        for id in result.conflicts { law(mergedIDs.contains(id), "conflict \(id) is not in the result") }
        if let oursFile = try? EntryFile.parse(ours), let theirsFile = try? EntryFile.parse(theirs) {
            // The merge moves entries and picks a side's version, never changes what one says:
            // every entry under an id of either side says what one of that side's entries under
            // the id says (without a base, ours' under our ids, theirs' under ids only theirs
            // has). A side may repeat an id (a format error the merge matches by text), so every
            // entry of a side under the id is a possible source, not only the first.
            func byID(_ file: EntryFile) -> [String: [Entry]] {
                Dictionary(grouping: file.entries.filter { $0.id != nil }, by: { $0.id ?? "" })
            }
            func uniqueIDs(_ file: EntryFile) -> [String: Entry] {
                byID(file).compactMapValues { $0.count == 1 ? $0[0] : nil }
            }
            func same(_ one: Entry, _ other: Entry) -> Bool {
                one.title == other.title && one.body == other.body && one.date == other.date
            }
            let (mine, their, out) = (byID(oursFile), byID(theirsFile), uniqueIDs(merged))
            for (id, entry) in out {
                let sources = base == nil ? mine[id] ?? their[id] ?? [] : (mine[id] ?? []) + (their[id] ?? [])
                guard !sources.isEmpty else { continue }  // a conflict copy's new id
                law(sources.contains { same(entry, $0) },
                    "the merge changed entry \(id): \(sources.map { String(reflecting: $0.body) }) became \(String(reflecting: entry.body))")
            }
        }
        if base == nil, ours == theirs, let file = try? EntryFile.parse(ours) {
            law(merged.entries.map { [$0.id, $0.title, $0.body] } == file.entries.map { [$0.id, $0.title, $0.body] },
                "merging a file with itself changed its entries")
        }
    }
}
