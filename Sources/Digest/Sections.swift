import Foundation
import SearchIndex
import MarkdownCodec
import Vault

/// A memory with its day and time in the vault's time zone.
struct DatedMemory {
    var memory: Memory
    var day: DigestDay?
    var hour: Int?
    var minute = 0
    /// `HH:MM` in the vault's time zone.
    var time: String? { hour.map { String(format: "%02d:%02d", $0, minute) } }

    /// - Parameter calendar: a Gregorian calendar in the vault's time zone, shared so that a
    ///   heading without an offset (the usual case) needs no date arithmetic at all.
    init(_ memory: Memory, calendar: Calendar) {
        self.memory = memory
        guard let date = memory.entryDate else { return }
        (day, hour, minute) = Self.local(date, calendar: calendar).map { ($0.day, $0.hour, $0.minute) } ?? (nil, nil, 0)
    }

    /// The day, hour and minute of a heading's date in the calendar's time zone.
    static func local(_ date: EntryDate?, calendar: Calendar) -> (day: DigestDay, hour: Int, minute: Int)? {
        guard let date else { return nil }
        if date.utcOffsetMinutes == nil {
            return (DigestDay(year: date.year, month: date.month, day: date.day), date.hour, date.minute)
        }
        let c = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute], from: DateText.instant(date, timeZone: calendar.timeZone))
        return (DigestDay(year: c.year!, month: c.month!, day: c.day!), c.hour!, c.minute!)
    }

    /// Oldest first (undated first); ties by file and line.
    static func chronological(_ a: DatedMemory, _ b: DatedMemory) -> Bool {
        let ka = (a.day?.year ?? 0, a.day?.month ?? 0, a.day?.day ?? 0, a.hour ?? -1, a.minute)
        let kb = (b.day?.year ?? 0, b.day?.month ?? 0, b.day?.day ?? 0, b.hour ?? -1, b.minute)
        if ka != kb { return ka < kb }
        return (a.memory.path, a.memory.line) < (b.memory.path, b.memory.line)
    }

    /// Whether the digest may quote it in the clear: never for an encrypted tier, nor without text.
    var isQuotable: Bool { !memory.tier.isEncrypted && memory.text != nil }

    /// Whether it is of an encrypted tier that is unlocked: quoted only in the encrypted section.
    var isDecrypted: Bool { memory.tier.isEncrypted && memory.text != nil }

    /// Title and body, the text that is embedded and scanned for words.
    /// The same text the search index embeds, so stored and fresh vectors agree.
    var fullText: String {
        guard let title = memory.title, !title.isEmpty else { return memory.text ?? "" }
        return title + ". " + (memory.text ?? "")
    }

    /// The body as one line of prose (no list, task or emphasis markup).
    var prose: String { Prose.of(memory.text ?? "") }

    /// The title, else the first words of the body (never a date: the digest shows those beside it).
    var label: String { Self.label(title: memory.title, prose: prose) }

    static func label(title: String?, prose: String) -> String {
        if let title, !title.isEmpty { return Prose.stripInline(title) }
        // The first clause when it is short enough to be a name ("Shopping list for the dinner"),
        // else the first words.
        if let end = prose.firstIndex(where: { ".;:!?".contains($0) }) {
            let clause = prose[..<end]
            if (10...48).contains(clause.count) { return String(clause) }
        }
        let words = Prose.firstWords(prose, limit: 48)
        return words.isEmpty ? "untitled memory" : words
    }

    /// What to quote after the label: the prose without the label repeated, at most `limit`
    /// characters, escaped for Markdown; nil when the label already says it all.
    func snippet(limit: Int) -> String? {
        let hasTitle = !(memory.title ?? "").isEmpty
        guard let rest = Prose.remainder(prose, after: label, isTitle: hasTitle) else { return nil }
        return Prose.escape(Snippet.make(rest, limit: limit))
    }
}

/// Relative links from a digest to entries, with heading anchors read from the entries' files.
struct LinkMaker {
    let vault: Vault
    let digestPath: String
    private var anchors: [String: [Int: String]] = [:]
    private var entryFiles: [String: EntryFile?] = [:]

    init(vault: Vault, digestPath: String) {
        self.vault = vault
        self.digestPath = digestPath
    }

    /// `[label](../../chronological/2026-11.md#anchor)`.
    mutating func link(_ label: String, path: String, line: Int) -> String {
        if anchors[path] == nil {
            let text = vault.fileText(path) ?? ""
            anchors[path] = HeadingAnchors.anchors(of: text)
        }
        let target = HeadingAnchors.relativePath(from: digestPath, to: path)
            + (anchors[path]?[line].map { "#" + $0 } ?? "")
        return "[\(Self.linkText(label))](\(target.replacingOccurrences(of: " ", with: "%20")))"
    }

    mutating func link(_ memory: DatedMemory) -> String {
        link(memory.label, path: memory.memory.path, line: memory.memory.line)
    }

    /// A label as a link's text: prose escaping, and brackets escaped so the link stays one link.
    static func linkText(_ label: String) -> String {
        Prose.escape(label).replacingOccurrences(of: "[", with: "\\[").replacingOccurrences(of: "]", with: "\\]")
    }

    /// The title of the entry whose heading is at `line` of `path`, else its first words
    /// (for older memories the digest knows only by the index).
    mutating func label(path: String, line: Int, title: String?) -> String {
        if let title, !title.isEmpty { return Prose.stripInline(title) }
        if entryFiles[path] == nil {
            entryFiles[path] = (try? Data(contentsOf: vault.fileURL(path))).flatMap { try? EntryFile.parse(Array($0)) }
        }
        let body = entryFiles[path]??.entries.first { $0.line == line }.map(\.body) ?? ""
        return DatedMemory.label(title: nil, prose: Prose.of(body))
    }
}

/// One-line excerpts safe to put inside a Markdown list item.
enum Snippet {
    static func make(_ text: String, limit: Int) -> String {
        let words = text.split(whereSeparator: { $0.isWhitespace })
        var result = ""
        for word in words {
            if result.count + word.count + 1 > limit {
                return result + "…"
            }
            result += (result.isEmpty ? "" : " ") + word
        }
        return result
    }
}

/// Words for tf-idf: lowercased letters and digits, at least three long, common words left out.
enum Words {
    static let stop: Set<String> = [
        "the", "and", "for", "with", "that", "this", "was", "were", "are", "has", "had", "have", "her", "his",
        "she", "him", "they", "them", "their", "you", "your", "our", "but", "not", "from", "out", "all", "about",
        "into", "its", "then", "than", "there", "what", "when", "which", "who", "will", "would", "can", "did",
        "just", "also", "been", "after", "again", "some", "very", "one", "two", "der", "die", "das", "und",
    ]

    /// Words written: whitespace-separated tokens with a letter or digit, task boxes not counted.
    static func count(_ text: String) -> Int {
        text.split(whereSeparator: { $0.isWhitespace })
            .filter { $0.lowercased() != "[x]" && $0.contains(where: { $0.isLetter || $0.isNumber }) }.count
    }

    static func of(_ text: String) -> [String] {
        text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
            .filter { $0.count >= 3 && !stop.contains($0) }
    }
}

/// The cosine of two vectors of any length (the tf-idf vectors are not unit length).
func cosine(_ a: [Float], _ b: [Float]) -> Float {
    if a.count != b.count {
        let n = min(a.count, b.count)
        return cosine(Array(a.prefix(n)), Array(b.prefix(n)))
    }
    let na = Vectors.dot(a, a), nb = Vectors.dot(b, b)
    return na > 0 && nb > 0 ? Vectors.dot(a, b) / (na.squareRoot() * nb.squareRoot()) : 0
}

extension DigestBuilder {
    /// Embeddings of the memories (the index's stored vectors; the model embeds what it lacks),
    /// or tf-idf vectors over the day's words without a model.
    func vectors(_ memories: [DatedMemory], index: DigestIndex?) -> [[Float]] {
        if let embedder {
            var vectors = memories.map { index?.vector(id: $0.memory.id) ?? [] }
            let missing = memories.indices.filter { vectors[$0].isEmpty }
            for (i, vector) in zip(missing, embedder.embed(missing.map { memories[$0].fullText })) { vectors[i] = vector }
            return vectors
        }
        let documents = memories.map { Words.of($0.fullText) }
        let vocabulary = Array(Set(documents.joined())).sorted()
        let position = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($1, $0) })
        var df = [Float](repeating: 0, count: vocabulary.count)
        for document in documents { for word in Set(document) { df[position[word]!] += 1 } }
        let n = Float(documents.count)
        return documents.map { document in
            var vector = [Float](repeating: 0, count: vocabulary.count)
            for word in document { vector[position[word]!] += 1 }
            for i in vector.indices where vector[i] > 0 { vector[i] *= log((1 + n) / (1 + df[i])) + 1 }
            return vector
        }
    }

    /// Indices of the day's readable memories, most central first (mean cosine to the others);
    /// without a model, longest first. Ties go to the earlier memory.
    func centralityOrder(_ memories: [DatedMemory], _ vectors: [[Float]]) -> [Int] {
        let scores: [Float]
        if embedder != nil, memories.count > 1 {
            scores = memories.indices.map { i in
                var sum: Float = 0
                for j in memories.indices where j != i { sum += cosine(vectors[i], vectors[j]) }
                return sum / Float(memories.count - 1)
            }
        } else {
            scores = memories.map { Float(Words.count($0.memory.text ?? "")) }
        }
        return memories.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
    }

    /// The counts in the clear. Ultrasecret memories appear only in the "N encrypted" line: not in
    /// the total, the per-tier counts or the busiest hours (their heading hides even the time).
    func glance(_ today: [DatedMemory]) -> [String] {
        var lines: [String] = []
        let clear = today.filter { $0.memory.tier != .ultrasecret }
        let counts = Tier.allCases.compactMap { tier -> String? in
            let n = clear.filter { $0.memory.tier == tier }.count
            return n == 0 ? nil : "\(n) \(tier.rawValue)"
        }
        if !clear.isEmpty {
            lines.append("- \(clear.count) \(clear.count == 1 ? "memory" : "memories"): \(counts.joined(separator: ", "))")
        }
        let words = today.filter(\.isQuotable).reduce(0) { $0 + Words.count($1.memory.text ?? "") }
        lines.append("- \(words) words written")
        let locked = today.filter { $0.memory.tier.isEncrypted && !$0.isDecrypted }.count
        if locked > 0 { lines.append("- \(locked) encrypted: counted, not quoted") }
        let decrypted = today.filter(\.isDecrypted).count
        if decrypted > 0 { lines.append("- \(decrypted) encrypted: quoted in the encrypted section") }
        var perHour: [Int: Int] = [:]
        for memory in clear { if let hour = memory.hour { perHour[hour, default: 0] += 1 } }
        let busiest = perHour.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(3)
        if !busiest.isEmpty {
            lines.append("- Busiest hours: " + busiest.map { String(format: "%02d:00 (%d)", $0.key, $0.value) }.joined(separator: ", "))
        }
        return lines
    }

    func highlights(_ order: [Int], _ memories: [DatedMemory], _ vectors: [[Float]], _ links: inout LinkMaker) -> [String] {
        var chosen: [Int] = []
        for i in order where chosen.count < highlightCount {
            if chosen.contains(where: { cosine(vectors[$0], vectors[i]) > duplicateThreshold }) { continue }
            chosen.append(i)
        }
        return chosen.map { i in
            let memory = memories[i]
            let snippet = memory.snippet(limit: 140).map { " — " + $0 } ?? ""
            return "- \(memory.time.map { $0 + " " } ?? "")\(links.link(memory))\(snippet)"
        }
    }

    func themes(_ order: [Int], _ memories: [DatedMemory], _ vectors: [[Float]], _ links: inout LinkMaker) -> [String] {
        guard memories.count >= 3 else { return [] }
        var clusters: [[Int]] = []
        for i in order {
            var best: (cluster: Int, score: Float)?
            for (c, members) in clusters.enumerated() {
                let score = cosine(vectors[members[0]], vectors[i])
                if score >= (embedder == nil ? wordThemeThreshold : themeThreshold), best.map({ score > $0.score }) ?? true { best = (c, score) }
            }
            if let best { clusters[best.cluster].append(i) } else { clusters.append([i]) }
        }
        let documents = memories.map { Words.of($0.fullText) }
        var df: [String: Int] = [:]
        for document in documents { for word in Set(document) { df[word, default: 0] += 1 } }
        let n = Double(documents.count)
        return clusters.filter { $0.count >= 2 }.map { members in
            var tf: [String: Int] = [:]
            for m in members { for word in documents[m] { tf[word, default: 0] += 1 } }
            var scored: [(String, Double)] = []
            for (word, count) in tf { scored.append((word, Double(count) * (log((1 + n) / (1 + Double(df[word]!))) + 1))) }
            let label = scored.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(3).map(\.0)
            let items = members.sorted().map { links.link(memories[$0]) }
            return "- **\(label.joined(separator: ", "))** — " + items.joined(separator: ", ")
        }
    }

    func openTasks(_ today: [DatedMemory], _ older: [DatedMemory], _ links: inout LinkMaker) -> [String] {
        var lines: [String] = []
        for memory in today {
            for task in memory.memory.tasks where !task.checked {
                lines.append("- [ ] \(Prose.escape(Prose.stripInline(task.text))) — \(links.link(memory))")
            }
        }
        let earlier = older.sorted { DatedMemory.chronological($1, $0) }.flatMap { memory in
            memory.memory.tasks.filter { !$0.checked }.map { (memory, $0) }
        }
        if !earlier.isEmpty {
            if !lines.isEmpty { lines.append("") }
            lines.append("Still open from earlier:")
            lines.append("")
            for (memory, task) in earlier.prefix(20) {
                lines.append("- [ ] \(Prose.escape(Prose.stripInline(task.text))) — \(links.link(memory)) (\(memory.day.map(\.description) ?? "undated"))")
            }
            if earlier.count > 20 { lines.append("- … and \(earlier.count - 20) more") }
        }
        return lines
    }

    func peopleAndTags(_ today: [DatedMemory]) -> [String] {
        func counted(_ lists: [[String]], prefix: Character) -> String? {
            var counts: [String: Int] = [:]
            for list in lists {
                for name in Set(list.map { $0.first == prefix ? String($0.dropFirst()) : $0 }) { counts[name, default: 0] += 1 }
            }
            guard !counts.isEmpty else { return nil }
            return counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .map { "\(prefix)\($0.key) (\($0.value))" }.joined(separator: ", ")
        }
        var lines: [String] = []
        if let people = counted(today.map(\.memory.mentions), prefix: "@") { lines.append("- People: " + people) }
        if let tags = counted(today.map(\.memory.tags), prefix: "#") { lines.append("- Tags: " + tags) }
        return lines
    }

    /// For the most central memories, the most related older ones: by their vectors with the
    /// model, by their words without it.
    func connections(
        _ sources: [(memory: DatedMemory, vector: [Float])], start: Date, index: DigestIndex, _ links: inout LinkMaker
    ) -> [String] {
        let timeZone = vault.config.timeZone
        var lines: [String] = []
        for (memory, vector) in sources.prefix(connectionSources) {
            let neighbours = index.related(
                vector: embedder == nil || vector.isEmpty ? nil : vector, text: Snippet.make(memory.fullText, limit: 500),
                before: start, k: connectionsPerMemory)
            guard !neighbours.isEmpty else { continue }
            let related = neighbours.map { neighbour in
                let day = neighbour.date.map { DigestDay(containing: $0, timeZone: timeZone).description }
                let label = links.label(path: neighbour.path, line: neighbour.line, title: neighbour.title)
                return links.link(label, path: neighbour.path, line: neighbour.line) + (day.map { " (\($0))" } ?? "")
            }
            let joined = related.count <= 1 ? related.joined()
                : related.dropLast().joined(separator: ", ") + " and " + related.last!
            lines.append("- \(links.link(memory)) relates to \(joined)")
        }
        return lines
    }

    /// Memories of the same month and day in earlier years that pass `include`, newest year first.
    static func earlierYears(_ all: [DatedMemory], _ day: DigestDay, _ include: (DatedMemory) -> Bool) -> [DatedMemory] {
        all.filter { memory in
            guard let d = memory.day, include(memory) else { return false }
            return d.month == day.month && d.day == day.day && d.year < day.year
        }
        .sorted { ($0.day!.year != $1.day!.year) ? $0.day!.year > $1.day!.year : DatedMemory.chronological($0, $1) }
    }

    /// `- 2025 · [title](link) — snippet`, with ` · tier` after the link when `tiers`.
    func onThisDay(_ memories: [DatedMemory], _ links: inout LinkMaker, tiers: Bool = false) -> [String] {
        memories.map { memory in
            let tier = tiers ? " · \(memory.memory.tier.rawValue)" : ""
            return "- \(memory.day!.year) · \(links.link(memory))\(tier)\(memory.snippet(limit: 140).map { " — " + $0 } ?? "")"
        }
    }
}
