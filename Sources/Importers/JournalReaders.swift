import Foundation
import MarkdownCodec
import MemvaultSupport
import Vault

/// Reads Day One's JSON export (File → Export → JSON: a zip with one `<Journal>.json` per
/// journal and a `photos/` folder), the zip or one of its JSON files.
///
/// Each entry has `uuid`, `creationDate` (UTC), `timeZone` (where it was written), `text`
/// (Markdown, a first `# ` line being its title), `tags`, `starred`, `location`, `weather` and
/// `photos`. The entry keeps its local time with that place's offset; location, weather and
/// starred become meta; photos are noted by file name in the text where Day One placed them.
struct DayOneReader {
    var options: ImportOptions

    func read(path: String, emit: (ImportEvent) throws(VaultError) -> Void) throws(VaultError) {
        let inputs = try ExportInput.open(path, expected: "Day One journal JSON file") {
            $0.hasSuffix(".json") && !$0.contains("/")
        }
        try JournalExport.readEntries(inputs, service: "Day One", hint: nil, options: options) { (entry, input, location) throws(VaultError) in
            let journal = ((input.name as NSString).lastPathComponent as NSString).deletingPathExtension
            try emit(try event(entry, journal: journal, location: location))
        }
    }

    func event(_ entry: [String: Any], journal: String, location: String) throws(VaultError) -> ImportEvent {
        guard let id = entry["uuid"] as? String, !id.isEmpty else {
            throw VaultError(.badInput, "an entry without a \"uuid\"", at: location,
                hint: entry["body"] != nil && entry["date"] != nil ? "this looks like a jrnl export: use --from jrnl" : "is this Day One's JSON export?")
        }
        guard let created = (entry["creationDate"] as? String).flatMap(SourceDate.iso8601) else {
            throw VaultError(.badInput, "entry \(id) has no readable \"creationDate\"", at: location)
        }
        var text = (entry["text"] as? String ?? "").replacingOccurrences(of: "\r\n", with: "\n")
        var title: String?
        let lines = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        if let first = lines.first, first.hasPrefix("# ") {
            title = MarkdownText.oneLine(String(first.dropFirst(2)))
            text = lines.count > 1 ? String(lines[1]) : ""
        }
        var meta: [(key: String, value: String)] = [("journal", journal)]
        // Photos: Day One writes ![](dayone-moment://<identifier>) where each one sits.
        var photoCount = 0
        for case let photo as [String: Any] in entry["photos"] as? [Any] ?? [] {
            photoCount += 1
            let identifier = photo["identifier"] as? String ?? ""
            let file = (photo["md5"] as? String).map { "\($0).\(photo["type"] as? String ?? "jpeg")" } ?? identifier
            let note = "*[photo: \(file)]*"
            let pointer = "![](dayone-moment://\(identifier))"
            if !identifier.isEmpty, text.contains(pointer) {
                text = text.replacingOccurrences(of: pointer, with: note)
            } else {
                text += "\n\n" + note
            }
        }
        if photoCount > 0 { meta.append(("photos", String(photoCount))) }
        let zone = (entry["timeZone"] as? String).flatMap(TimeZone.init(identifier:))
        if let name = entry["timeZone"] as? String, zone != nil { meta.append(("timezone", name)) }
        if let place = entry["location"] as? [String: Any] {
            let parts = ["placeName", "localityName", "administrativeArea", "country"].compactMap { place[$0] as? String }.filter { !$0.isEmpty }
            var unique: [String] = []
            for part in parts where !unique.contains(part) { unique.append(part) }
            if !unique.isEmpty { meta.append(("location", unique.joined(separator: ", "))) }
            if let lat = place["latitude"] as? NSNumber, let lon = place["longitude"] as? NSNumber {
                meta.append(("coordinates", "\(lat.doubleValue),\(lon.doubleValue)"))
            }
        }
        if let weather = entry["weather"] as? [String: Any] {
            var parts: [String] = []
            if let conditions = weather["conditionsDescription"] as? String, !conditions.isEmpty { parts.append(conditions) }
            if let celsius = weather["temperatureCelsius"] as? NSNumber { parts.append(String(format: "%.0f °C", celsius.doubleValue)) }
            if !parts.isEmpty { meta.append(("weather", parts.joined(separator: ", "))) }
        }
        if entry["starred"] as? Bool == true { meta.append(("starred", "true")) }
        let tags = (entry["tags"] as? [Any] ?? []).compactMap { ($0 as? String).flatMap(MarkdownText.tag) }
        let body = MarkdownText.nested(text.trimmingWhitespaceAndNewlines())
        guard !body.isEmpty || title != nil else { return .skipped(source: "dayone", reason: "empty entry") }
        let memory = NewMemory(
            text: body.isEmpty ? title! : body,
            date: zone.map { SourceDate.withOffset(created, timeZone: $0) } ?? SourceDate.local(created, timeZone: options.timeZone),
            title: title, tags: tags, src: "dayone:\(id)", meta: meta)
        return .item(ImportItem(memory: memory, source: "dayone", location: location))
    }
}

/// Reads jrnl's JSON export (`jrnl --format json > journal.json`): `entries` with `date`
/// (`YYYY-MM-DD`), `time` (`HH:MM`), `title`, `body`, `tags` and `starred`.
///
/// jrnl entries carry no id; the identity is the entry's date, time and title, so an entry
/// whose title is edited in jrnl comes back as a new memory.
struct JrnlReader {
    var options: ImportOptions

    func read(path: String, emit: (ImportEvent) throws(VaultError) -> Void) throws(VaultError) {
        let inputs = try ExportInput.open(path, expected: "jrnl JSON export") { $0.hasSuffix(".json") }
        try JournalExport.readEntries(inputs, service: "jrnl", hint: "export with: jrnl --format json > journal.json", options: options) { (entry, _, location) throws(VaultError) in
            try emit(try event(entry, location: location))
        }
    }

    func event(_ entry: [String: Any], location: String) throws(VaultError) -> ImportEvent {
        guard let day = entry["date"] as? String else {
            throw VaultError(.badInput, "an entry without a \"date\"", at: location,
                hint: entry["creationDate"] != nil ? "this looks like a Day One export: use --from dayone" : "export with: jrnl --format json > journal.json")
        }
        let time = entry["time"] as? String ?? "00:00"
        let date: EntryDate
        do {
            date = try DateText.parseUserDate("\(day) \(time)", timeZone: options.timeZone)
        } catch {
            throw VaultError(.badInput, "entry date '\(day) \(time)' cannot be read", at: location)
        }
        let title = (entry["title"] as? String).map(MarkdownText.oneLine) ?? ""
        let body = MarkdownText.nested((entry["body"] as? String ?? "").trimmingWhitespaceAndNewlines())
        guard !title.isEmpty || !body.isEmpty else { return .skipped(source: "jrnl", reason: "empty entry") }
        var meta: [(key: String, value: String)] = []
        if entry["starred"] as? Bool == true { meta.append(("starred", "true")) }
        let tags = (entry["tags"] as? [Any] ?? []).compactMap { ($0 as? String).flatMap(MarkdownText.tag) }
        // The title is jrnl's first sentence; the memory keeps it as the title and the rest as the text.
        let digest = Self.shortHash(title)
        let memory = NewMemory(
            text: body.isEmpty ? title : body, date: date, title: title.isEmpty ? nil : title, tags: tags,
            src: "jrnl:\(date.dayKey)T\(String(format: "%02d:%02d", date.hour, date.minute)):\(digest)", meta: meta)
        return .item(ImportItem(memory: memory, source: "jrnl", location: location))
    }

    /// FNV-1a of the title, 8 hex digits: enough to tell apart two entries of the same minute.
    static func shortHash(_ text: String) -> String {
        var hash: UInt32 = 0x811C_9DC5
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        return String(format: "%08x", hash)
    }
}

/// What the journal readers (Day One, jrnl) share: each export file is one JSON object whose
/// `entries` list holds the entries, small enough to be read whole (text only; photos stay in the zip).
enum JournalExport {
    /// Calls `entry` with each entry of every input, the input, and where it is
    /// (`Journal.json, entry 3`), in order; reports progress per input.
    /// - Parameters:
    ///   - service: the export's name in errors (`Day One`).
    ///   - hint: how to make the export, for an object without `entries`.
    /// - Throws: `VaultError.badInput` for malformed JSON (with the byte JSONSerialization names),
    ///   a top level that is not an object, no `entries` list, an entry that is not an object;
    ///   whatever `entry` throws.
    static func readEntries(
        _ inputs: [ExportInput], service: String, hint: String?, options: ImportOptions,
        _ entry: ([String: Any], ExportInput, String) throws(VaultError) -> Void
    ) throws(VaultError) {
        for input in inputs {
            let bytes = try input.readAll()
            options.progress?(bytes.count, input.size)
            let parsed: Any
            do {
                parsed = try JSONSerialization.jsonObject(with: Data(bytes))
            } catch {
                throw VaultError(.badInput, "malformed JSON\(offset(of: error))", at: input.name)
            }
            guard let root = parsed as? [String: Any] else {
                throw VaultError(.badInput, "not a \(service) export: the top level is not an object", at: input.name,
                    hint: parsed is [Any] ? "a list of conversations is a chat export: use --from chatgpt or --from claude" : hint)
            }
            guard let entries = root["entries"] as? [Any] else {
                throw VaultError(.badInput, "not a \(service) export: no \"entries\" list", at: input.name, hint: hint)
            }
            for (index, value) in entries.enumerated() {
                let location = "\(input.name), entry \(index + 1)"
                guard let object = value as? [String: Any] else { throw VaultError(.badInput, "an entry is not an object", at: location) }
                try entry(object, input, location)
            }
        }
    }

    /// The byte offset JSONSerialization reports, when it does.
    static func offset(of error: Error) -> String {
        let info = (error as NSError).userInfo
        if let index = info["NSJSONSerializationErrorIndex"] as? Int { return " near byte \(index)" }
        return ""
    }
}
