import Foundation

/// Exports of other services, generated at run time in each service's shape, for the importer
/// benchmarks (`memvault-bench import`) and the importer tests that need a large input. Nothing
/// generated here is committed: a 500 MB export is written when it is measured and removed after.
///
/// The text is plain prose made of twenty everyday words, so it holds nothing that looks like a
/// credential (plain-text tiers refuse those) and nothing a Markdown parser treats specially.
/// Every generator is deterministic: the same arguments write the same bytes.
public enum SyntheticExport {
    static let words = ["garden", "museum", "coffee", "river", "letter", "winter", "piano", "market", "train", "lantern",
                        "harbour", "recipe", "violin", "meadow", "castle", "pencil", "orchard", "bridge", "candle", "island"]

    /// `count` words of prose ending with a full stop; `seed` picks which.
    public static func prose(_ seed: Int, words count: Int) -> String {
        var out = ""
        out.reserveCapacity(count * 8)
        for k in 0..<count {
            if k > 0 { out += " " }
            out += words[(seed &* 7 &+ k &* k &+ k) % words.count]
        }
        return out + "."
    }

    // MARK: ChatGPT

    /// The shape of the generated ChatGPT conversations.
    public struct ChatGPTShape: Sendable {
        /// Messages per conversation, alternating user and assistant, one branch.
        public var turns = 16
        /// Words per message.
        public var wordsPerMessage = 520
        /// The days the creation times spread over: three years, a heavy user's history, so that
        /// a 500 MB export holds about 14 MB of text a month (encrypted: about 19 MB), more than
        /// one vault file may hold: each month continues in parts (docs/format.md, "Files").
        public var days = 1096
        public init(turns: Int = 16, wordsPerMessage: Int = 520, days: Int = 1096) {
            self.turns = turns
            self.wordsPerMessage = wordsPerMessage
            self.days = days
        }
    }

    /// Writes a ChatGPT `conversations.json` of at least `bytes` bytes (it stops after the
    /// conversation that reaches the size) and returns how many conversations it holds.
    ///
    /// Each conversation is what ChatGPT exports for a chat without edits: a `mapping` of nodes
    /// from a root without message through `turns` messages (user, then assistant with a
    /// `model_slug`), each with its author, times, status and weight, `current_node` at the last
    /// one. With the default shape a conversation is about 58 KB. Creation times spread over
    /// `shape.days` from 2020-01-01, 37 days apart from one conversation to the next (so even a
    /// few conversations fall into many month files). The file is written in 4 MB pieces: generating it needs little memory.
    @discardableResult
    public static func writeChatGPT(to url: URL, bytes: Int, shape: ChatGPTShape = ChatGPTShape()) throws -> Int {
        // A pool of messages (as JSON strings), so that generating 500 MB costs seconds:
        // conversations differ by which messages they take, in which order, and by ids, titles and times.
        let pool = (0..<97).map { json(prose($0 &* 31, words: shape.wordsPerMessage)) }
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var written = 0
        var count = 0
        var buffer = "["
        while written + buffer.utf8.count < bytes {
            if count > 0 { buffer += ",\n" }
            let created = 1_577_836_800 + (count &* 37 % shape.days) * 86_400 + (count % 1440) * 60
            var mapping = #""root": {"id": "root", "message": null, "parent": null, "children": ["m0"]}"#
            var parent = "root"
            for turn in 0..<shape.turns {
                let id = "m\(turn)"
                let user = turn % 2 == 0
                let children = turn + 1 < shape.turns ? #"["m\#(turn + 1)"]"# : "[]"
                let metadata = user ? "{}" : #"{"model_slug": "gpt-4o", "finish_details": {"type": "stop"}}"#
                let text = pool[(count &* 31 &+ turn &* 7) % pool.count]
                mapping += #", "\#(id)": {"id": "\#(id)", "message": {"id": "\#(id)", "author": {"role": "\#(user ? "user" : "assistant")", "name": null, "metadata": {}}, "create_time": \#(created + turn * 30).0, "update_time": null, "content": {"content_type": "text", "parts": [\#(text)]}, "status": "finished_successfully", "end_turn": \#(user ? "null" : "true"), "weight": 1.0, "metadata": \#(metadata), "recipient": "all"}, "parent": "\#(parent)", "children": \#(children)}"#
                parent = id
            }
            let id = String(format: "00000000-0000-4000-8000-%012d", count)
            buffer += #"{"title": "Conversation \#(count)", "create_time": \#(created).0, "update_time": 1700000000.0, "mapping": {\#(mapping)}, "moderation_results": [], "current_node": "\#(parent)", "plugin_ids": null, "conversation_id": "\#(id)", "conversation_template_id": null, "gizmo_id": null, "is_archived": false, "safe_urls": [], "default_model_slug": "gpt-4o", "id": "\#(id)"}"#
            count += 1
            if buffer.utf8.count > 4 << 20 {
                try handle.write(contentsOf: Data(buffer.utf8))
                written += buffer.utf8.count
                buffer = ""
            }
        }
        buffer += "]\n"
        try handle.write(contentsOf: Data(buffer.utf8))
        return count
    }

    /// `text` as a JSON string literal.
    static func json(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    // MARK: Claude, Day One, jrnl, Markdown notes

    /// An instant of record `index`: one of a thousand days from 2022-01-01, at a varying minute.
    public static func day(_ index: Int) -> Date {
        Date(timeIntervalSince1970: 1_640_995_200 + Double(index % 1000) * 86_400 + Double(index % 600) * 60)
    }

    /// Claude's `conversations.json`: `count` conversations of four turns (text content blocks).
    public static func writeClaude(_ count: Int, to url: URL) throws {
        let iso = ISO8601DateFormatter()
        let list: [[String: Any]] = (0..<count).map { i in
            [
                "uuid": "claude-\(i)", "name": "Chat \(i)", "created_at": iso.string(from: day(i)), "updated_at": iso.string(from: day(i)),
                "chat_messages": (0..<4).map { turn in
                    ["uuid": "m\(turn)", "sender": turn % 2 == 0 ? "human" : "assistant", "text": "",
                     "content": [["type": "text", "text": prose(i &* 5 &+ turn, words: 60)]]] as [String: Any]
                },
            ]
        }
        try JSONSerialization.data(withJSONObject: list).write(to: url)
    }

    /// A Day One journal JSON: `count` entries with a title line, a tag, weather and a time zone.
    public static func writeDayOne(_ count: Int, to url: URL) throws {
        let iso = ISO8601DateFormatter()
        let entries: [[String: Any]] = (0..<count).map { i in
            ["uuid": String(format: "%032X", i), "creationDate": iso.string(from: day(i)), "timeZone": "Europe/Berlin",
             "text": "# Day \(i)\n\n" + prose(i, words: 120), "tags": ["daily"], "starred": i % 10 == 0,
             "weather": ["conditionsDescription": "Cloudy", "temperatureCelsius": 9.5]]
        }
        try JSONSerialization.data(withJSONObject: ["metadata": ["version": "1.0"], "entries": entries]).write(to: url)
    }

    /// jrnl's JSON export: `count` entries with a title, a body and a tag.
    public static func writeJrnl(_ count: Int, to url: URL) throws {
        let entries: [[String: Any]] = (0..<count).map { i in
            ["title": "Entry \(i).", "body": prose(i, words: 120), "date": dayText(day(i)),
             "time": String(format: "%02d:%02d", i % 24, i % 60), "tags": ["@life"], "starred": false]
        }
        try JSONSerialization.data(withJSONObject: ["tags": ["@life": count], "entries": entries]).write(to: url)
    }

    /// A folder of `count` Markdown notes: daily notes (`YYYY/MM/DD.md`) for the first thousand,
    /// then notes dated by front matter, each with tags and a wiki link.
    public static func writeNotes(_ count: Int, to folder: URL) throws {
        for i in 0..<count {
            let date = dayText(day(i))
            let parts = date.split(separator: "-")
            let directory = folder.appendingPathComponent("\(parts[0])/\(parts[1])")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let name = i < 1000 ? "\(parts[2]).md" : "note-\(i).md"
            let text = "---\ntags: [journal]\ndate: \(date)\n---\n# Note \(i)\n\n" + prose(i, words: 120) + " [[Link \(i % 50)]]\n"
            try text.write(to: directory.appendingPathComponent(name), atomically: false, encoding: .utf8)
        }
    }

    /// `YYYY-MM-DD` of an instant in UTC.
    public static func dayText(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }
}
