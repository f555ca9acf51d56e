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
        if base == nil, let oursFile = try? EntryFile.parse(ours), let theirsFile = try? EntryFile.parse(theirs) {
            // Without a base ours' text always stays under its id, and theirs' under an id ours
            // does not have: the merge moves entries, never changes what they say.
            func unique(_ file: EntryFile) -> [String: Entry] {
                let ids = file.entries.compactMap(\.id)
                let once = Set(ids.filter { id in ids.lazy.filter { $0 == id }.count == 1 })
                return Dictionary(file.entries.compactMap { entry in entry.id.flatMap { once.contains($0) ? ($0, entry) : nil } },
                    uniquingKeysWith: { first, _ in first })
            }
            let (mine, their, out) = (unique(oursFile), unique(theirsFile), unique(merged))
            let allIDs = Set(oursFile.entries.compactMap(\.id) + theirsFile.entries.compactMap(\.id))
            for (id, entry) in out {
                guard let source = mine[id] ?? (allIDs.contains(id) && !oursIDs.contains(id) ? their[id] : nil) else { continue }
                law(entry.title == source.title && entry.body == source.body && entry.date == source.date,
                    "the merge changed entry \(id): \(String(reflecting: source.body)) became \(String(reflecting: entry.body))")
            }
        }
        if base == nil, ours == theirs, let file = try? EntryFile.parse(ours) {
            law(merged.entries.map { [$0.id, $0.title, $0.body] } == file.entries.map { [$0.id, $0.title, $0.body] },
                "merging a file with itself changed its entries")
        }
    }
}
