import Classifier
import Foundation
import MarkdownCodec

/// What the secret scanner reads of a file (or one entry) bound for a plain-text tier: every
/// line a person or a source wrote, and nothing memvault writes itself.
///
/// - Headings (titles), bodies and any text outside entries are scanned line by line as written.
/// - An entry's metadata comment is not scanned as the line it is written on. Each field a
///   person or a source gave (`model`, `location`, `weather`, `journal`, front matter fields,
///   a Markdown note's `file`) is scanned on its own, as `key: value` with the value as read
///   back (JSON escapes decoded): escaping cannot hide a key, a private key block or a
///   `password: x` in a value, and the fields written side by side on one line cannot add up
///   to a false card number or IBAN across their boundaries.
/// - Fields memvault writes (`id`, `src`: the source's own identifier, `import-hash`, `part`,
///   `prev`, `next`, `bound`) are identifiers and fingerprints, not scanned: a Day One entry's
///   32-digit hex uuid reads as an IBAN about once in 1,800 entries, which refused whole journals.
///
/// `add`, `import`, `mv`, `edit`, `commit`, `sync`, `watch` and `check` all use this one rule,
/// so what an import writes, `check` finds clean.
extension Vault {
    /// The bytes that open and close an entry's metadata comment.
    private static let commentOpen = Array("<!--".utf8), commentClose = Array("-->".utf8)

    /// Metadata keys whose values memvault writes: never scanned for credentials.
    static let identifierFields: Set<String> = ["id", "src", "import-hash", "part", "prev", "next", bindingKey]

    /// Credential-looking lines of a plain-tier file, with the file's line numbers; a hit in a
    /// metadata field carries the line where its comment starts. At most one hit per kind and line.
    static func credentialHits(in file: EntryFile) -> [SecretScanner.Hit] {
        // Lines split on LF bytes, as the parser numbers them (a String split on "\n" would walk
        // grapheme clusters, a fifth of `check`, and keep "\r\n" whole).
        let bytes = file.bytes
        var starts = [0]
        for (i, byte) in bytes.enumerated() where byte == 0x0A { starts.append(i + 1) }
        func line(_ i: Int) -> ArraySlice<UInt8> { bytes[starts[i]..<(i + 1 < starts.count ? starts[i + 1] - 1 : bytes.count)] }
        func contains(_ line: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
            guard line.count >= needle.count else { return false }
            return (line.startIndex...(line.endIndex - needle.count)).contains { line[$0..<($0 + needle.count)].elementsEqual(needle) }
        }
        var blanked = Set<Int>()
        var hits: [SecretScanner.Hit] = []
        for entry in file.entries where entry.id != nil || !entry.meta.isEmpty {
            // The comment, when there is one, starts on the line right under the heading.
            let first = entry.line  // 0-based index of the line after the heading
            guard first < starts.count, first < entry.endLine,
                line(first).drop(while: { $0 == 0x20 || $0 == 0x09 }).starts(with: Self.commentOpen)
            else { continue }
            var last = first
            while last < entry.endLine - 1, last + 1 < starts.count, !contains(line(last), Self.commentClose) { last += 1 }
            guard contains(line(last), Self.commentClose) else { continue }
            blanked.formUnion(first...last)
            for field in entry.meta where !identifierFields.contains(field.key) {
                for hit in SecretScanner.scan("\(field.key): \(field.value)") {
                    hits.append(SecretScanner.Hit(kind: hit.kind, line: first + 1))
                }
            }
        }
        var scanned: [UInt8] = []
        scanned.reserveCapacity(bytes.count)
        for i in starts.indices {
            if !blanked.contains(i) { scanned += line(i) }
            if i + 1 < starts.count { scanned.append(0x0A) }
        }
        hits += SecretScanner.scan(String(decoding: scanned, as: UTF8.self))
        var seen = Set<String>()
        return hits.filter { seen.insert("\($0.kind.rawValue) \($0.line)").inserted }.sorted { $0.line < $1.line }
    }

    /// `credentialHits(in:)` of one rendered entry (line 1 is its heading).
    static func credentialHits(inEntry text: String) -> [SecretScanner.Hit] {
        credentialHits(in: EntryFile.parse(text))
    }
}
