import AgeCrypto
import Foundation
import SearchIndex
import Vault

/// Valid inputs for the targets whose files only a program writes (the index's sidecar files and
/// the sealed index), made with the real writers: `memvault-fuzz --write-seeds DIR` writes them
/// into `DIR/<target>/`, and the committed corpus under `Tests/Fuzz/` holds their output.
public enum SeedCorpus {
    /// Seeds by target, each a file name and its bytes (first byte: 1 = headers and checksums filled in, 0 = as is).
    public static func generated() throws -> [FuzzTarget: [(name: String, bytes: [UInt8])]] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("memvault-fuzz-seeds-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var seeds: [FuzzTarget: [(name: String, bytes: [UInt8])]] = [:]
        func both(_ target: FuzzTarget, _ name: String, _ bytes: [UInt8]) {
            seeds[target, default: []].append(("\(name)-resealed", [1] + bytes))
            seeds[target, default: []].append(("\(name)-as-is", [0] + bytes))
        }
        for n in [0, 1, 3] {
            let records: [EntryRecord] = (0..<n).map { (i: Int) -> EntryRecord in record(i) }
            let tableURL = dir.appendingPathComponent("entries-\(n)")
            try EntryTable.write(to: tableURL, generation: UInt64(n), records: records)
            both(.entryTable, "entries-\(n)", try SidecarFile.read(tableURL))

            let documents = (0..<n).map { i in
                LexicalDocument(fields: LexicalFields(
                    title: "title \(i)", body: "coffee with maria about memory number \(i) #work", tags: ["work"], mentions: ["maria"]))
            }
            let postingsURL = dir.appendingPathComponent("postings-\(n)")
            try PostingsFile.write(to: postingsURL, generation: UInt64(n), base: nil, keep: [], appended: documents)
            both(.postings, "postings-\(n)", try SidecarFile.read(postingsURL))

            let vectorsURL = dir.appendingPathComponent("vectors-\(n)")
            let vectors = (0..<n * SidecarFuzz.dimension).map { Float(($0 * 7) % 5) / 5 - 0.4 }
            try VectorStore.create(
                at: vectorsURL, modelID: SidecarFuzz.modelID, dimension: SidecarFuzz.dimension, ids: records.map { (r: EntryRecord) -> String in r.entry.id }, vectors: vectors)
            both(.vectors, "vectors-\(n)", try SidecarFile.read(vectorsURL))

            var state = IndexState(modelID: SidecarFuzz.modelID)
            state.generation = UInt64(n)
            state.deltaSequence = UInt64(n)
            state.vectorsComplete = n % 2 == 1
            for (i, record) in records.enumerated() {
                state.files[record.entry.path] = IndexState.FileState(size: 100 + i, modified: 1_764_000_000 + Int64(i))
                if i == 0 { state.hiddenRows.append(0) }
                if i == 1 { state.moves[1] = IndexState.Move(line: 9, byteRange: 10..<50) }
                // The third change is a long memory: its passages after the first are delta rows 2 and 3.
                state.changes.append(IndexState.Change(
                    record: record, vector: i == 0 ? .none : i == 1 ? .base(0) : .delta(1), document: documents[i],
                    passages: i == 2 ? [2, 3] : []))
            }
            let stateURL = dir.appendingPathComponent("state-\(n)")
            try state.write(to: stateURL)
            both(.indexState, "state-\(n)", try SidecarFile.read(stateURL))

            let payload = EncryptedIndexCodec.samplePayload(records: n, dimension: 384)
            seeds[.sealedIndex, default: []].append(("payload-\(n)", [0] + payload))
            if let file = EncryptedIndexCodec.encryptedFile(payload: payload, key: SealedIndexFuzz.key, modelID: SealedIndexFuzz.modelID, dimension: 384) {
                seeds[.sealedIndex, default: []].append(("file-\(n)", [1] + file))
            }
        }
        seeds[.agentProtocol] = agentProtocolSeeds()
        return seeds
    }

    /// Every request and every kind of answer of the key agent, encoded by `AgentProtocol.encode`,
    /// and lines of the former text protocol (which the decoder refuses).
    static func agentProtocolSeeds() -> [(name: String, bytes: [UInt8])] {
        let recipient = "age1tgyuvdlmpejqsdf847hevurz9szk7vf3j7ytfyqecgzvphvu2d8qrtaxl6"
        let x25519 = AgeStanza(arguments: ["X25519", "TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc"], body: Array((0..<32).map { UInt8($0 * 7 & 0xFF) }))
        let scrypt = AgeStanza(arguments: ["scrypt", "rF0/NwblUHHTpgQgRpe5CQ", "10"], body: Array(repeating: 0x5A, count: 32))
        let grease = AgeStanza(arguments: ["-grease", "x", "y"], body: [])
        let requests: [(String, AgentProtocol.Request)] = [
            ("request-ping", .ping),
            ("request-lock", .lock),
            ("request-put", .put(seconds: 900, identity: Array(AgeFuzz.testKitIdentities[0].utf8))),
            ("request-holds", .holds(recipient: recipient)),
            ("request-unwrap-0", .unwrap(recipient: recipient, files: [])),
            ("request-unwrap-3", .unwrap(recipient: recipient, files: [[x25519], [scrypt], [grease, x25519, x25519]])),
            ("request-derive", .derive(recipient: recipient, purpose: "memvault-sealed-index/v1/user=ana/tier=secret")),
        ]
        let answers: [(String, AgentProtocol.Response)] = [
            ("answer-ok", .ok),
            ("answer-none", .none),
            ("answer-error", .error("no identity for this recipient is held")),
            ("answer-file-keys-3", .fileKeys([.key(Array(0..<16)), .noMatch, .malformed("the X25519 stanza needs a share")])),
            ("answer-derived-key", .derivedKey(Array((0..<32).map { UInt8(255 - $0) }))),
        ]
        var seeds = requests.map { ($0.0, AgentProtocol.encode($0.1)) } + answers.map { ($0.0, AgentProtocol.encode($0.1)) }
        seeds.append(("legacy-get", Array("GET \(recipient)\n".utf8)))
        seeds.append(("legacy-put", Array("PUT 900 \(AgeFuzz.testKitIdentities[1])\n".utf8)))
        return seeds
    }

    private static func record(_ i: Int) -> EntryRecord {
        let date: Date? = i == 1 ? nil : Date(timeIntervalSince1970: 1_764_000_000 + Double(i) * 86_400)
        let tags: [String] = i == 0 ? [] : ["work", "t\(i)"]
        let mentions: [String] = i == 1 ? ["maria"] : []
        let entry = IndexedEntry(
            id: "01KB00000\(i)", user: i % 2 == 0 ? "ana" : "bob", tier: "general", path: "ana/general/2026-1\(i).md",
            line: 1 + 6 * i, date: date, title: i == 2 ? nil : "title \(i)", contentHash: "hash\(i)", tags: tags,
            mentions: mentions, src: i == 0 ? "cli" : nil)
        let start = 100 * i
        return EntryRecord(entry: entry, byteRange: start..<start + 80, hasVector: i != 1, extraPassages: i == 2 ? 2 : 0)
    }
}
