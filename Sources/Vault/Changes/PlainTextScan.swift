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
    /// Metadata keys whose values memvault writes: never scanned for credentials.
    static let identifierFields: Set<String> = ["id", "src", "import-hash", "part", "prev", "next", bindingKey]

    /// Credential-looking lines of a plain-tier file, with the file's line numbers; a hit in a
    /// metadata field carries the line where its comment starts. At most one hit per kind and line.
    static func credentialHits(in file: EntryFile) -> [SecretScanner.Hit] {
        var lines = String(decoding: file.bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        var hits: [SecretScanner.Hit] = []
        for entry in file.entries where entry.id != nil || !entry.meta.isEmpty {
            // The comment, when there is one, starts on the line right under the heading.
            let first = entry.line  // 0-based index of the line after the heading
            guard first < lines.count, first < entry.endLine,
                lines[first].drop(while: { $0 == " " || $0 == "\t" }).hasPrefix("<!--")
            else { continue }
            var last = first
            while last < entry.endLine - 1, last + 1 < lines.count, !lines[last].contains("-->") { last += 1 }
            guard lines[last].contains("-->") else { continue }
            for index in first...last { lines[index] = "" }
            for field in entry.meta where !identifierFields.contains(field.key) {
                for hit in SecretScanner.scan("\(field.key): \(field.value)") {
                    hits.append(SecretScanner.Hit(kind: hit.kind, line: first + 1))
                }
            }
        }
        hits += SecretScanner.scan(lines.joined(separator: "\n"))
        var seen = Set<String>()
        return hits.filter { seen.insert("\($0.kind.rawValue) \($0.line)").inserted }.sorted { $0.line < $1.line }
    }

    /// `credentialHits(in:)` of one rendered entry (line 1 is its heading).
    static func credentialHits(inEntry text: String) -> [SecretScanner.Hit] {
        credentialHits(in: EntryFile.parse(text))
    }
}
