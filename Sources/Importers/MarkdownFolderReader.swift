import Foundation
import GitStore
import MarkdownCodec
import MemvaultSupport
import Vault

/// Reads a folder of Markdown notes (an Obsidian vault, a journal folder) into memories: one per file.
///
/// A file named as a date is a daily note, an entry of that day: `2024-03-08.md` (also with a
/// suffix, `2024-03-08 Friday.md`), `2024/03/08.md`, and the long names Obsidian's and Logseq's
/// daily notes use (`March 8th, 2024.md`, `Friday, March 8th 2024.md`, `8 March 2024.md`,
/// `20240308.md`). Any other note is dated by its front matter's `date:`, else by the first
/// commit that added it when the folder is in a git repository, else by its modification time.
///
/// Front matter (`---` YAML block) gives `title`, `tags` and `date`; its other one-line fields
/// become meta. `#tags` and `[[wiki links]]` stay in the text as written; level-1 and level-2
/// headings become level 3 (an entry is a level-2 heading).
struct MarkdownFolderReader {
    var options: ImportOptions

    func read(path: String, emit: (ImportEvent) throws(VaultError) -> Void) throws(VaultError) {
        let root = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory) else {
            throw VaultError(.badInput, "no such folder", at: path)
        }
        guard isDirectory.boolValue else {
            throw VaultError(.badInput, "expected a folder of Markdown notes, found a file", at: path,
                hint: "pass the folder that holds the notes (--from markdown reads every .md file under it)")
        }
        let files = Self.markdownFiles(under: root)
        let history = GitFirstCommit(folder: root)
        for (index, relative) in files.enumerated() {
            let url = root.appendingPathComponent(relative)
            guard let bytes = try? Data(contentsOf: url) else { throw VaultError(.badInput, "cannot read the file", at: url.path) }
            guard let text = String(data: bytes, encoding: .utf8) else {
                throw VaultError(.badInput, "the note is not valid UTF-8", at: url.path)
            }
            let modified = (try? FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as? Date) ?? nil
            try emit(try event(relative: relative, text: text, location: url.path, firstCommit: { history.date(of: url) }, modified: modified ?? Date()))
            options.progress?(index + 1, files.count)
        }
    }

    /// The `.md` files under `root`, relative, sorted; hidden folders (`.obsidian`, `.git`,
    /// `.trash`) are left out.
    static func markdownFiles(under root: URL) -> [String] {
        guard let enumerator = FileManager.default.enumerator(
            at: root, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
        else { return [] }
        let base = root.path.hasSuffix("/") ? root.path : root.path + "/"
        var result: [String] = []
        for case let url as URL in enumerator where url.pathExtension.lowercased() == "md" {
            let full = url.standardizedFileURL.resolvingSymlinksInPath().path
            guard full.hasPrefix(base) else { continue }
            result.append(String(full.dropFirst(base.count)))
        }
        return result.sorted()
    }

    func event(relative: String, text: String, location: String, firstCommit: () -> Date?, modified: Date) throws(VaultError) -> ImportEvent {
        let (front, content) = FrontMatter.split(text.replacingOccurrences(of: "\r\n", with: "\n"))
        var body = content
        var title = front.scalar("title").map(MarkdownText.oneLine)
        // A first "# Title" line is the note's title.
        let lines = body.drop(while: \.isNewline).split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        if let first = lines.first, first.hasPrefix("# ") {
            if title == nil { title = MarkdownText.oneLine(String(first.dropFirst(2))) }
            body = lines.count > 1 ? String(lines[1]) : ""
        }
        let day = Self.dailyDate(relative)
        var date: EntryDate
        var meta: [(key: String, value: String)] = [("file", relative)]
        if let frontDate = front.scalar("date") {
            do {
                date = try DateText.parseUserDate(frontDate, timeZone: options.timeZone)
            } catch {
                throw VaultError(.badInput, "front matter date '\(frontDate.prefix(40))' cannot be read", at: location,
                    hint: "use YYYY-MM-DD or YYYY-MM-DD HH:MM")
            }
            if let day, date.dayKey != day.dayKey { date = day }
        } else if let day {
            date = day
        } else if let committed = firstCommit() {
            date = SourceDate.local(committed, timeZone: options.timeZone)
            meta.append(("dated-by", "first commit"))
        } else {
            date = SourceDate.local(modified, timeZone: options.timeZone)
            meta.append(("dated-by", "modification time"))
        }
        if day != nil { meta.append(("daily-note", "true")) }
        if title == nil, day == nil {
            title = ((relative as NSString).lastPathComponent as NSString).deletingPathExtension
        }
        let reserved: Set<String> = ["title", "date", "tags", "tag", "id", "src", "import-hash", "part", "prev", "next", "file", "daily-note", "dated-by"]
        for (key, value) in front.fields where !reserved.contains(key.lowercased()) {
            guard key.range(of: "^[A-Za-z][A-Za-z0-9_-]*$", options: .regularExpression) != nil else { continue }
            switch value {
            case .scalar(let text) where !text.isEmpty: meta.append((key, MarkdownText.oneLine(text)))
            case .list(let items) where !items.isEmpty: meta.append((key, items.joined(separator: ", ")))
            default: continue
            }
        }
        let tags = (front.list("tags") + front.list("tag")).compactMap(MarkdownText.tag)
        let nested = MarkdownText.nested(body.trimmingWhitespaceAndNewlines())
        guard !nested.isEmpty || title != nil else { return .skipped(source: "markdown", reason: "empty note") }
        let memory = NewMemory(
            text: nested.isEmpty ? (title ?? "") : nested, date: date, title: title, tags: tags,
            src: "markdown:\(relative)", meta: meta)
        return .item(ImportItem(memory: memory, source: "markdown", location: location))
    }

    static let monthNames: [String: Int] = {
        let names = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]
        var map: [String: Int] = [:]
        for (index, name) in names.enumerated() {
            map[name] = index + 1
            map[String(name.prefix(3))] = index + 1
        }
        map["sept"] = 9
        return map
    }()

    static let weekdays: Set<String> = [
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
    ]

    /// The day a daily note's path names, or nil for any other note.
    static func dailyDate(_ relative: String) -> EntryDate? {
        let components = relative.split(separator: "/").map(String.init)
        let name = ((components.last ?? "") as NSString).deletingPathExtension
        func valid(_ y: Int, _ m: Int, _ d: Int) -> EntryDate? {
            let date = EntryDate(year: y, month: m, day: d)
            return date.isValid && y >= 1900 ? date : nil
        }
        // 2024-03-08, 2024_03_08, 2024.03.08, optionally followed by a space and more words.
        let scalars = Array(name.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= scalars.count else { return nil }
            var value = 0
            for b in scalars[range] {
                guard b >= 48, b <= 57 else { return nil }
                value = value * 10 + Int(b - 48)
            }
            return value
        }
        if scalars.count >= 10, let y = number(0..<4), let m = number(5..<7), let d = number(8..<10),
            [45, 95, 46].contains(scalars[4]), scalars[7] == scalars[4],
            scalars.count == 10 || scalars[10] == 32 || scalars[10] == 95
        {
            return valid(y, m, d)
        }
        // 20240308
        if scalars.count == 8, let y = number(0..<4), let m = number(4..<6), let d = number(6..<8) { return valid(y, m, d) }
        // 2024/03/08.md
        if components.count >= 3, name.count <= 2, let d = Int(name),
            let m = Int(components[components.count - 2]), components[components.count - 2].count == 2,
            let y = Int(components[components.count - 3]), components[components.count - 3].count == 4
        {
            return valid(y, m, d)
        }
        // March 8th, 2024 / Friday, March 8th 2024 / 8 March 2024 / Mar 8, 2024
        let words = name.lowercased().split(whereSeparator: { $0 == " " || $0 == "," || $0 == "_" }).map(String.init)
            .filter { !weekdays.contains($0) }
        guard words.count == 3 else { return nil }
        func day(_ word: String) -> Int? {
            var digits = word
            for suffix in ["st", "nd", "rd", "th"] where digits.hasSuffix(suffix) { digits.removeLast(2) }
            guard digits.count <= 2, let value = Int(digits) else { return nil }
            return value
        }
        guard let y = Int(words[2]), words[2].count == 4 else { return nil }
        if let m = monthNames[words[0]], let d = day(words[1]) { return valid(y, m, d) }
        if let d = day(words[0]), let m = monthNames[words[1]] { return valid(y, m, d) }
        return nil
    }
}

/// A note's YAML front matter, read only as far as notes use it: `key: value`, `key: [a, b]`
/// and `key:` followed by `- item` lines.
struct FrontMatter {
    enum Value {
        case scalar(String)
        case list([String])
    }

    var fields: [(key: String, value: Value)] = []

    func scalar(_ key: String) -> String? {
        for field in fields where field.key.lowercased() == key {
            if case .scalar(let text) = field.value, !text.isEmpty { return text }
        }
        return nil
    }

    func list(_ key: String) -> [String] {
        for field in fields where field.key.lowercased() == key {
            switch field.value {
            case .list(let items): return items
            case .scalar(let text): return text.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
            }
        }
        return []
    }

    /// Splits a note into its front matter and the rest; a note without one has empty front matter.
    static func split(_ text: String) -> (FrontMatter, String) {
        guard text.hasPrefix("---\n") else { return (FrontMatter(), text) }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let end = lines.dropFirst().firstIndex(where: { $0 == "---" || $0 == "..." }) else { return (FrontMatter(), text) }
        var matter = FrontMatter()
        for line in lines[1..<end] {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if trimmed.hasPrefix("- "), let last = matter.fields.indices.last {
                let item = unquote(String(trimmed.dropFirst(2)))
                switch matter.fields[last].value {
                case .list(let items): matter.fields[last].value = .list(items + [item])
                case .scalar(let text) where text.isEmpty: matter.fields[last].value = .list([item])
                default: break
                }
                continue
            }
            guard line.first != " ", let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("[") && value.hasSuffix("]") {
                let items = value.dropFirst().dropLast().split(separator: ",").map { unquote($0.trimmingCharacters(in: .whitespaces)) }
                matter.fields.append((key, .list(items.filter { !$0.isEmpty })))
            } else {
                matter.fields.append((key, .scalar(unquote(value))))
            }
        }
        let rest = lines[(end + 1)...].joined(separator: "\n")
        return (matter, rest)
    }

    private static func unquote(_ text: String) -> String {
        if text.count >= 2, let first = text.first, first == "\"" || first == "'", text.last == first {
            return String(text.dropFirst().dropLast())
        }
        return text
    }
}

/// The time of the first commit that touched a file, when the folder is in a git repository (libgit2).
final class GitFirstCommit {
    private let repository: GitRepository?
    private let root: URL?

    init(folder: URL) {
        if let root = GitRepository.discover(from: folder) {
            self.root = root.standardizedFileURL.resolvingSymlinksInPath()
            self.repository = try? GitRepository(at: root)
        } else {
            self.root = nil
            self.repository = nil
        }
    }

    func date(of file: URL) -> Date? {
        guard let repository, let root else { return nil }
        let base = root.path.hasSuffix("/") ? root.path : root.path + "/"
        let full = file.standardizedFileURL.resolvingSymlinksInPath().path
        guard full.hasPrefix(base) else { return nil }
        let relative = String(full.dropFirst(base.count))
        guard let commits = try? repository.log(paths: [relative]), let first = commits.last else { return nil }
        return first.author.date ?? first.date
    }
}
