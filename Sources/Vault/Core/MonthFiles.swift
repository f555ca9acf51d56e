import Foundation
import MarkdownCodec
import MemvaultSupport

/// Which file of a tier folder a new memory goes to.
///
/// Any `.md` file under a tier folder belongs to that tier, whatever its name, and every reader
/// (list, search, show, export, check, digest, sync's merge, watch, completion) takes them all.
/// A new memory goes to the file of its date's month, `2026-11.md`. Every file must stay under
/// the 16 MiB `ParseLimits` allows, and a heavy month (years of chat history imported: 14 MB a
/// month is ordinary) does not fit one file; so a month file that a new memory would take past
/// `partThreshold` is continued in `2026-11.part2.md`, then `2026-11.part3.md`, and so on.
///
/// The name reads as the same month (never as a day, as `2026-11-2.md` would) and sorts right
/// after the month file and before the next month, bytewise (git, `LC_ALL=C ls`) and in the
/// collation of `ls` in an English locale and of ICU (Obsidian): `.part2` follows `.md`.
public enum MonthFiles {
    /// The size past which a month file (or part) takes no new memory: 4 MiB, a quarter of the
    /// 16 MiB file limit. The rest is room for changes made in place, which never move an entry
    /// to another file: edits that grow entries (each may reach 2 MiB), re-imports of
    /// conversations that went on, and plain entries written by hand into an encrypted tier's
    /// file, which grow by a third when `commit` encrypts them.
    public static let partThreshold = 4 << 20

    /// `2026-11.md` for part 1, `2026-11.part2.md` for part 2.
    public static func name(month: String, part: Int) -> String {
        part <= 1 ? "\(month).md" : "\(month).part\(part).md"
    }

    /// Part `part` of the month whose first file is `monthPath` (`alice/general/2026-11.md`).
    static func partPath(_ monthPath: String, part: Int) -> String {
        part <= 1 ? monthPath : String(monthPath.dropLast(3)) + ".part\(part).md"
    }

    /// Decides the files of many new memories (an import, `import FILE.jsonl`): each goes to the
    /// last part of its month while that stays under `partThreshold`, then to a new part. Sizes
    /// of files on disk are read once per month; what this placer assigns is added to them.
    struct Placer {
        /// Per month file: the part now taking memories and its size with what was placed.
        private var open: [String: (part: Int, size: Int)] = [:]
        let root: URL

        init(root: URL) { self.root = root }

        /// The path for a new entry of `bytes` bytes whose month file is `monthPath`.
        mutating func place(_ monthPath: String, bytes: Int) -> String {
            var current = open[monthPath] ?? MonthFiles.lastPart(of: monthPath, in: root)
            // One blank line separates it from the entry before.
            let added = bytes + 1
            if current.size > 0, current.size + added > MonthFiles.partThreshold {
                current = (current.part + 1, 0)
            }
            current.size += added
            open[monthPath] = current
            return MonthFiles.partPath(monthPath, part: current.part)
        }
    }

    /// The last part of a month that exists and its size in bytes: parts are looked up in order
    /// (`2026-11.md`, `2026-11.part2.md`, ...) up to the first missing one. A month with no file
    /// gives part 1 of size 0. Sizes are read without following links (a link is reported by
    /// name when the file is read).
    static func lastPart(of monthPath: String, in root: URL) -> (part: Int, size: Int) {
        var last = (part: 1, size: 0)
        var part = 1
        while true {
            var info = stat()
            guard lstat(root.appendingPathComponent(partPath(monthPath, part: part)).path, &info) == 0 else { break }
            last = (part, Int(info.st_size))
            part += 1
        }
        return last
    }
}

extension Vault {
    /// The file a new memory of `date` with `bytes` bytes of entry goes to: its month's file, or the
    /// month's last part, or a new part when the last one would pass `MonthFiles.partThreshold`.
    /// Call it under the vault lock (inside `transaction`), where no other writer changes the sizes.
    func newEntryPath(user: String, tier: Tier, date: EntryDate, bytes: Int) -> String {
        var placer = MonthFiles.Placer(root: root)
        return placer.place(monthFilePath(user: user, tier: tier, date: date), bytes: bytes)
    }

    /// Refuses bytes about to be written to a tier file that no reader would take (larger than
    /// `ParseLimits.standard.maximumFileSize`), so that a change never leaves a file memvault
    /// cannot read again.
    /// - Throws: `.badInput` naming the file.
    func checkWritableSize(_ bytes: [UInt8], path: String) throws(VaultError) {
        let limit = ParseLimits.standard.maximumFileSize
        guard bytes.count <= limit else {
            throw VaultError(.badInput, "the change would make the file \(bytes.count) bytes, over the \(limit) a vault file may hold; nothing written",
                at: path, hint: "new memories go to a month's next part (docs/format.md, \"Files\"); move some of this file's memories to another file of the same tier folder")
        }
    }
}
