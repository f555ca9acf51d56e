import Foundation
import Vault

/// What the chat-history readers (ChatGPT, Claude) share: both services export a
/// `conversations.json` holding one JSON list of conversations, alone or in the export's zip.
enum ChatExport {
    /// Reads the `conversations.json` at `path` (or in the zip at `path`) as a stream and calls
    /// `conversation` with each conversation, parsed, and where it is (`conversations.json,
    /// conversation 3 (byte 5120)`), in order; reports progress in bytes.
    /// - Throws: `VaultError.badInput` for a missing file, a zip without `conversations.json`, a
    ///   truncated or malformed list or conversation; whatever `conversation` throws.
    static func readConversations(
        path: String, options: ImportOptions, _ conversation: ([String: Any], String) throws(VaultError) -> Void
    ) throws(VaultError) {
        let inputs = try ExportInput.open(path, expected: "conversations.json", single: true) { ($0 as NSString).lastPathComponent == "conversations.json" }
        for input in inputs {
            var stream = JSONArrayStream(name: input.name)
            var done = 0
            try input.read { (data) throws(VaultError) in
                try stream.feed(data) { (element) throws(VaultError) in
                    let object = try JSONArrayStream.object(element, name: input.name, what: "conversation")
                    try conversation(object, "\(input.name), conversation \(element.index + 1) (byte \(element.offset))")
                }
                done += data.count
                options.progress?(done, input.size)
            }
            try stream.finish()
        }
    }

    /// The transcript's closing line naming the attached files once each, in order of first
    /// mention (`**Attachments:** `a.pdf`, `b.png``), or nothing when there are none.
    static func attachmentsLine(_ names: [String]) -> String {
        guard !names.isEmpty else { return "" }
        var seen = Set<String>()
        let unique = names.filter { seen.insert($0).inserted }
        return "\n\n**Attachments:** " + unique.map { "`\($0)`" }.joined(separator: ", ")
    }
}

/// A reader of one service's chat export: how one conversation becomes an import event; the
/// reading itself (the file or zip, the stream, progress, errors) is `ChatExport`'s.
protocol ChatExportReader {
    var options: ImportOptions { get }
    /// One conversation as an import event.
    /// - Parameter location: where it is, for errors (`conversations.json, conversation 3 (byte 5120)`).
    func event(_ conversation: [String: Any], location: String) throws(VaultError) -> ImportEvent
}

extension ChatExportReader {
    /// Reads the export at `path` (`conversations.json`, or the zip it came in) as a stream and
    /// emits one event per conversation, in order.
    func read(path: String, emit: (ImportEvent) throws(VaultError) -> Void) throws(VaultError) {
        try ChatExport.readConversations(path: path, options: options) { (conversation, location) throws(VaultError) in
            try emit(try event(conversation, location: location))
        }
    }
}
