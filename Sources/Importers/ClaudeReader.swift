import Foundation
import Vault

/// Reads Claude's `conversations.json` (Settings → Privacy → Export data), alone or in the
/// export's zip, as a stream like ChatGPT's.
///
/// Each conversation has `uuid`, `name`, `created_at` and `chat_messages`; a message has
/// `sender` (`human` or `assistant`), `text`, and in newer exports `content` blocks (`text`,
/// `thinking`, `tool_use`, `tool_result`), plus `attachments` and `files`. Text blocks are the
/// transcript; thinking and tool blocks are left out; attachments and files are noted by name.
struct ClaudeReader: ChatExportReader {
    var options: ImportOptions

    func event(_ conversation: [String: Any], location: String) throws(VaultError) -> ImportEvent {
        guard let messages = conversation["chat_messages"] as? [Any] else {
            throw VaultError(.badInput, "not a Claude conversation: no \"chat_messages\"", at: location,
                hint: conversation["mapping"] != nil ? "this looks like a ChatGPT export: use --from chatgpt" : "is this Claude's conversations.json?")
        }
        guard let id = conversation["uuid"] as? String, !id.isEmpty else {
            throw VaultError(.badInput, "a conversation without a \"uuid\"", at: location)
        }
        var turns: [String] = []
        var files: [String] = []
        for case let message as [String: Any] in messages {
            let sender = message["sender"] as? String ?? ""
            for key in ["attachments", "files"] {
                for case let file as [String: Any] in message[key] as? [Any] ?? [] {
                    if let name = file["file_name"] as? String, !name.isEmpty { files.append(name) }
                }
            }
            guard sender == "human" || sender == "assistant", let text = Self.text(of: message) else { continue }
            turns.append("**\(sender == "human" ? "You" : "Claude"):**\n\n" + text)
        }
        guard !turns.isEmpty else { return .skipped(source: "claude", reason: "no visible messages") }
        let body = turns.joined(separator: "\n\n") + ChatExport.attachmentsLine(files)
        var meta: [(key: String, value: String)] = [("messages", String(turns.count))]
        if let model = conversation["model"] as? String, !model.isEmpty { meta.insert(("model", model), at: 0) }
        if let updated = conversation["updated_at"] as? String, !updated.isEmpty { meta.append(("updated", updated)) }
        let created = (conversation["created_at"] as? String).flatMap(SourceDate.iso8601)
        let title = (conversation["name"] as? String).map(MarkdownText.oneLine).flatMap { $0.isEmpty ? nil : $0 }
        let memory = NewMemory(
            text: body, date: created.map { SourceDate.local($0, timeZone: options.timeZone) },
            title: title ?? "Untitled conversation", src: "claude:\(id)", meta: meta)
        return .item(ImportItem(memory: memory, source: "claude", location: location))
    }

    /// The visible text of a message: its `text` blocks, else its `text` field.
    static func text(of message: [String: Any]) -> String? {
        var pieces: [String] = []
        if let blocks = message["content"] as? [Any], !blocks.isEmpty {
            for case let block as [String: Any] in blocks where (block["type"] as? String) == "text" {
                if let text = (block["text"] as? String).flatMap(MarkdownText.paragraph) { pieces.append(text) }
            }
        } else if let text = (message["text"] as? String).flatMap(MarkdownText.paragraph) {
            pieces.append(text)
        }
        return pieces.isEmpty ? nil : pieces.joined(separator: "\n\n")
    }
}
