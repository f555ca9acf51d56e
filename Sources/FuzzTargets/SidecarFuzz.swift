import Foundation
import SearchIndex

/// The index's sidecar files, read from memory. An input whose first byte is even is read as it
/// is (checking the header and checksum paths); otherwise the rest gets a valid header and
/// checksums first, so that mutations reach the readers' bodies. An opened file must answer
/// every question without trapping, and what it answers must be consistent.
enum SidecarFuzz {
    static let modelID = "fuzz-model"
    static let dimension = 4

    static func prepared(_ bytes: [UInt8], _ kind: SidecarHeaderFilling.Kind) -> [UInt8] {
        guard let first = bytes.first else { return [] }
        var rest = Array(bytes.dropFirst())
        if first & 1 == 1 { SidecarHeaderFilling.fillHeaders(&rest, as: kind) }
        return rest
    }

    static func entryTable(_ bytes: [UInt8]) {
        guard let table = try? EntryTable(bytes: prepared(bytes, .entryTable)) else { return }
        let rows = min(table.count, 256)
        for row in 0..<rows {
            let record = table.record(at: row)
            let key = table.key(at: row)
            law(record.entry.id == key, "row \(row): record id and key differ")
            if let found = table.row(ofKey: key) {
                law(table.key(at: found) == key, "row(ofKey:) found a row with another key")
            }
            _ = table.rows(inPath: table.path(at: row))
            _ = table.byteRange(at: row)
            _ = table.date(at: row)
            law(record.extraPassages == table.extraPassages(at: row), "row \(row): passage counts differ")
        }
        _ = table.keys(withPrefix: "", limit: 16)
        _ = table.keys(withPrefix: "0", limit: 16)
        _ = table.mask(SearchFilter(), hidden: nil, requireVector: false)
        _ = table.mask(SearchFilter(), hidden: nil, requireVector: true)
    }

    static func postings(_ bytes: [UInt8]) {
        guard let file = try? PostingsFile(bytes: prepared(bytes, .postings)) else { return }
        var search = LexicalSearch(base: file, hidden: nil, delta: [])
        for query in ["memory", "coffee maria", "a b c d e f", "zz"] {
            let hits = search.search(query, k: 10, allowedBase: nil, allowedDelta: [])
            law(hits.count <= 10, "more hits than asked for")
            for hit in hits {
                law(hit.document >= 0 && hit.document < file.documentCount, "hit on document \(hit.document) of \(file.documentCount)")
            }
        }
    }

    static func vectors(_ bytes: [UInt8]) {
        guard let store = try? VectorStore(
            bytes: prepared(bytes, .vectors), expectedModelID: modelID, expectedDimension: dimension, verification: .onFirstUse)
        else { return }
        if let ids = try? store.loadIDs() { law(ids.count == store.count, "\(ids.count) ids for \(store.count) rows") }
        for row in 0..<min(store.count, 64) {
            if let vector = try? store.checkedVector(at: row) { law(vector.count == dimension, "a vector of \(vector.count)") }
        }
        if let hits = try? store.search([1, 0, 0, 0], k: 5, rowMask: nil) {
            law(hits.count <= min(5, store.count), "\(hits.count) vector hits")
            for hit in hits { law(hit.row >= 0 && hit.row < store.count, "vector hit on row \(hit.row) of \(store.count)") }
        }
    }

    static func indexState(_ bytes: [UInt8]) {
        guard let state = try? IndexState(bytes: prepared(bytes, .state)) else { return }
        // Written back, it reads again, and writing that gives the same bytes (a fixed point:
        // comparing states would call a NaN length different from itself).
        let written = state.serialized()
        guard let reread = try? IndexState(bytes: written) else {
            law(false, "a state written back does not read")
            return
        }
        law(reread.serialized() == written, "a state written back reads differently")
        law(reread.changes.count == state.changes.count && reread.files.keys == state.files.keys, "a state written back lost changes or files")
    }
}
