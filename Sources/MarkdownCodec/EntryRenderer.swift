/// Writes entries in the canonical form, which `EntryFile` reads back field for field.
public enum EntryRenderer {
    /// `## <date> · <title>\n<!-- id: X src: cli k: v -->\n\n<body>\n`.
    ///
    /// The title's line breaks become spaces and it is trimmed; an empty title is left
    /// out. The body's leading blank lines and trailing whitespace are trimmed; an empty
    /// body leaves only the heading and comment. The body is written as given: a
    /// top-level `## ` line in it would start another entry.
    public static func render(date: EntryDate, title: String?, id: String, meta: [MetaField], body: String) -> String {
        var text = "## " + date.headingText
        if let title = title.map(cleanTitle), !title.isEmpty {
            text += " · " + title
            // A trailing run of '#' after a blank would be read as a closing sequence.
            if title.last == "#", let lastWord = title.split(whereSeparator: \.isWhitespace).last,
                lastWord.allSatisfy({ $0 == "#" })
            {
                text += " #"
            }
        }
        text += "\n" + metadataComment(id: id, meta: meta) + "\n"
        let trimmedBody = body.trimmedBlock()
        if !trimmedBody.isEmpty { text += "\n" + trimmedBody + "\n" }
        return text
    }

    /// `## <date>\n<!-- id: X -->\n\n```age\n<armor>\n```\n`; with a nil date (ultrasecret)
    /// the heading shows only the id.
    public static func renderEncrypted(date: EntryDate?, id: String, armored: String) -> String {
        let heading = date?.headingText ?? id
        let armor = armored.replacingCarriageReturns().trimmingWhitespace()
        return "## \(heading)\n\(metadataComment(id: id, meta: []))\n\n```age\n\(armor)\n```\n"
    }

    /// `<!-- id: X key: value ... -->`, quoting keys and values that need it (see
    /// docs/format.md); a meta field named `id` is kept after the real id.
    public static func metadataComment(id: String, meta: [MetaField]) -> String {
        MetadataCodec.render(id: id, meta: meta)
    }

    private static func cleanTitle(_ title: String) -> String {
        String(title.unicodeScalars.map { $0 == "\n" || $0 == "\r" ? " " : Character($0) }).trimmingWhitespace()
    }
}

extension String {
    /// Without leading blank lines or trailing whitespace, line endings as `\n`.
    func trimmedBlock() -> String {
        // From the start of the first line that holds more than white space to the last
        // character that is not white space; only the blank ends are walked.
        let text = replacingCarriageReturns()
        guard let firstVisible = text.firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let lineStart = text[..<firstVisible].lastIndex(of: "\n").map { text.index(after: $0) } ?? text.startIndex
        let lastVisible = text.lastIndex(where: { !$0.isWhitespace })!
        return String(text[lineStart...lastVisible])
    }
}
