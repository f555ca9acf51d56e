import Foundation
import MarkdownCodec

/// What a hand edit did to one file's memories, for the commit message
/// `memvault: edit by hand: alice/general/2026-11.md (+2 ~1 -0)`.
public struct EditCounts: Sendable, Equatable {
    public var added = 0
    public var changed = 0
    public var removed = 0

    public init(added: Int = 0, changed: Int = 0, removed: Int = 0) {
        self.added = added
        self.changed = changed
        self.removed = removed
    }

    static func + (a: EditCounts, b: EditCounts) -> EditCounts {
        EditCounts(added: a.added + b.added, changed: a.changed + b.changed, removed: a.removed + b.removed)
    }

    /// `(+2 ~1 -0)`.
    public var text: String { "(+\(added) ~\(changed) -\(removed))" }

    /// Compares a file's memories before (`old`, nil for a new file) and after (`new`, nil when
    /// deleted). Memories are matched by id; one without an id is matched by its exact text.
    public init(old: [UInt8]?, new: [UInt8]?) {
        let before = old.flatMap { try? EntryFile.parse($0) }?.entries ?? []
        let after = new.flatMap { try? EntryFile.parse($0) }?.entries ?? []
        // Blank lines between memories belong to the one above; adding or removing them changes nothing.
        func text(_ entry: Entry) -> Substring {
            let raw = Substring(entry.rawText)
            return raw[..<(raw.lastIndex { !$0.isWhitespace }.map { raw.index(after: $0) } ?? raw.startIndex)]
        }
        var oldByID: [String: Substring] = [:]
        var oldUnnamed: [Substring: Int] = [:]
        for entry in before {
            if let id = entry.id { oldByID[id] = text(entry) } else { oldUnnamed[text(entry), default: 0] += 1 }
        }
        var seen = Set<String>()
        for entry in after {
            if let id = entry.id, let previous = oldByID[id] {
                seen.insert(id)
                if previous != text(entry) { changed += 1 }
            } else if entry.id == nil, let count = oldUnnamed[text(entry)], count > 0 {
                oldUnnamed[text(entry)] = count - 1
            } else {
                added += 1
            }
        }
        removed = oldByID.keys.filter { !seen.contains($0) }.count + oldUnnamed.values.reduce(0, +)
    }
}

/// The commit message of one settled burst of hand edits.
public enum EditMessage {
    /// `memvault: edit by hand: alice/general/2026-11.md (+2 ~1 -0)` for one file; for several,
    /// the folder they share (or the number of files) and the total counts, then one line per file.
    public static func make(_ files: [(path: String, counts: EditCounts)]) -> String {
        let sorted = files.sorted { $0.path < $1.path }
        guard sorted.count > 1 else {
            guard let only = sorted.first else { return "memvault: edit by hand" }
            return "memvault: edit by hand: \(only.path) \(only.counts.text)"
        }
        let total = sorted.map(\.counts).reduce(EditCounts(), +)
        let folders = Array(Set(sorted.map { ($0.path as NSString).deletingLastPathComponent })).sorted()
        let place = folders.count == 1 && !folders[0].isEmpty
            ? "\(sorted.count) files in \(folders[0])"
            : folders.count <= 3 ? "\(sorted.count) files in \(folders.map { $0.isEmpty ? "the vault's root" : $0 }.joined(separator: ", "))"
            : "\(sorted.count) files"
        return "memvault: edit by hand: \(place) \(total.text)"
    }
}
