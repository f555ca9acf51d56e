import MarkdownCodec
import MemvaultSupport

/// Entry files: parsing never changes a byte, the segments cover the file in order, and giving
/// entries their missing ids inserts id text and changes nothing else.
enum EntryFileFuzz {
    static func run(_ bytes: [UInt8]) {
        guard let file = try? EntryFile.parse(bytes) else { return }
        law(file.bytes == bytes, "parse changed the bytes")
        checkLayout(file)
        let viaString = EntryFile.parse(String(decoding: bytes, as: UTF8.self))
        law(viaString.bytes == bytes, "parsing the text changed the bytes")
        law(viaString.entries.count == file.entries.count, "the text parses to another entry count")

        checkChangesReadAsWholeFile(file)

        var counter: UInt64 = 0
        var withIDs = file
        let newIDs = withIDs.assignMissingIDs {
            counter += 1
            return MemoryID.encode(milliseconds: 1_764_000_000_000 + counter, random: UInt32(counter))
        }
        law(newIDs.count == Int(counter), "assignMissingIDs returned \(newIDs.count) ids for \(counter) made")
        guard !newIDs.isEmpty else {
            law(withIDs.bytes == bytes, "assignMissingIDs without new ids changed the file")
            return
        }
        checkLayout(withIDs)
        law(withIDs.entries.count == file.entries.count, "id insertion changed the entry count")
        law(withIDs.segments.count == file.segments.count, "id insertion changed the segments")
        var assigned = newIDs[...]
        for (old, new) in zip(file.entries, withIDs.entries) {
            law(old.date == new.date && old.title == new.title, "id insertion changed a heading (line \(old.line))")
            law(old.body == new.body, "id insertion changed a body (line \(old.line))")
            law(old.tags == new.tags && old.mentions == new.mentions, "id insertion changed tags or mentions (line \(old.line))")
            law(old.tasks.map(\.text) == new.tasks.map(\.text) && old.tasks.map(\.checked) == new.tasks.map(\.checked),
                "id insertion changed tasks (line \(old.line))")
            law(old.armoredBlock == new.armoredBlock, "id insertion changed an encrypted block (line \(old.line))")
            law(old.meta.filter { $0.key != "id" } == new.meta.filter { $0.key != "id" }, "id insertion changed metadata (line \(old.line))")
            if let id = old.id {
                law(new.id == id, "id insertion changed the id \(id)")
            } else if new.id != nil, let next = assigned.first, new.id == next {
                assigned = assigned.dropFirst()
            }
        }
        law(assigned.isEmpty, "a new id is not on its entry: \(Array(assigned))")
        for id in newIDs { law(withIDs.entry(id: id) != nil, "the new id \(id) does not read back") }
        // Only insertions: the old bytes are a subsequence of the new ones, and what was added
        // is at most one id comment line per new id.
        var index = 0
        for byte in withIDs.bytes where index < bytes.count && bytes[index] == byte { index += 1 }
        law(index == bytes.count, "id insertion changed or removed existing bytes")
        let added = withIDs.bytes.count - bytes.count
        let bound = newIDs.reduce(0) { $0 + "<!-- id:  -->".utf8.count + $1.utf8.count + 2 * withIDs.lineEnding.utf8.count }
        law(added > 0 && added <= bound, "id insertion added \(added) bytes for \(newIDs.count) ids")
        // Idempotent.
        var again = withIDs
        law(again.assignMissingIDs(using: { "unused" }).isEmpty && again.bytes == withIDs.bytes, "a second id insertion changed the file")
    }

    /// An insert, a replacement and a removal parse the file again only from the heading before
    /// the change: each must read exactly as the whole changed file does.
    static func checkChangesReadAsWholeFile(_ file: EntryFile) {
        func same(_ changed: EntryFile, _ what: String) {
            let whole = EntryFile.parse(String(decoding: changed.bytes, as: UTF8.self))
            law(changed.segments == whole.segments && changed.problems == whole.problems && changed.lineEnding == whole.lineEnding,
                "\(what): the segments or problems differ from the whole file's parse")
            law(changed.entries.count == whole.entries.count, "\(what): the entry count differs from the whole file's parse")
            for (left, right) in zip(changed.entries, whole.entries) {
                law(String(describing: left) == String(describing: right), "\(what): the entry on line \(right.line) reads differently")
            }
        }
        func rendered(_ id: String) -> String {
            EntryRenderer.render(date: EntryDate(year: 2026, month: 1, day: 15, hour: 12), title: "fuzz", id: id, meta: [], body: "added #fuzz")
        }
        var inserted = file
        if inserted.insert(rendered("01KFUZZ0000000000000000000")) { same(inserted, "insert") }
        guard let last = file.entries.last(where: { $0.id != nil }), let id = last.id else { return }
        var replaced = file
        if replaced.replace(id: id, with: rendered(id)) { same(replaced, "replace") }
        var removed = file
        if removed.remove(id: id) { same(removed, "remove") }
    }

    /// Segments cover every byte in order; entries lie inside the file.
    static func checkLayout(_ file: EntryFile) {
        var offset = 0
        for segment in file.segments {
            law(segment.byteRange.lowerBound == offset, "segments leave a gap or overlap at byte \(offset)")
            offset = segment.byteRange.upperBound
        }
        law(offset == file.bytes.count || (file.segments.isEmpty && file.bytes.isEmpty) || offset == file.bytes.count,
            "segments end at \(offset) of \(file.bytes.count)")
        for entry in file.entries {
            law(entry.byteRange.lowerBound >= 0 && entry.byteRange.upperBound <= file.bytes.count, "an entry lies outside the file")
            law(entry.line >= 1 && entry.endLine >= entry.line, "an entry's lines are \(entry.line)...\(entry.endLine)")
        }
    }
}
