import Foundation
import Vault

/// Reads ChatGPT's `conversations.json` (Settings → Data controls → Export data), alone or in
/// the export's zip, as a stream: one conversation in memory at a time.
///
/// Each conversation is a tree of message nodes (`mapping`, with `parent` and `children`);
/// edits and regenerated answers leave side branches. The transcript follows the branch that
/// ends at `current_node` (the one the person last saw), keeps text and multimodal parts, notes
/// images and attachments by name, and leaves out system messages, hidden context, tool calls
/// and tool output.
struct ChatGPTReader: ChatExportReader {
    var options: ImportOptions

    /// One conversation as an import event.
    func event(_ conversation: [String: Any], location: String) throws(VaultError) -> ImportEvent {
        guard let mapping = conversation["mapping"] as? [String: Any] else {
            throw VaultError(.badInput, "not a ChatGPT conversation: no \"mapping\" of messages", at: location,
                hint: conversation["chat_messages"] != nil ? "this looks like a Claude export: use --from claude" : "is this ChatGPT's conversations.json?")
        }
        guard let id = (conversation["conversation_id"] as? String) ?? (conversation["id"] as? String), !id.isEmpty else {
            throw VaultError(.badInput, "a conversation without an id", at: location)
        }
        let nodes = mapping.compactMapValues { $0 as? [String: Any] }
        let branch = Self.branch(nodes: nodes, current: conversation["current_node"] as? String)
        var turns: [String] = []
        var models: [String] = []
        var attachments: [String] = []
        for nodeID in branch {
            guard let message = nodes[nodeID]?["message"] as? [String: Any] else { continue }
            guard let text = Self.visibleText(message, attachments: &attachments) else { continue }
            let role = (message["author"] as? [String: Any])?["role"] as? String ?? ""
            let metadata = message["metadata"] as? [String: Any] ?? [:]
            if role == "assistant", let slug = metadata["model_slug"] as? String, !slug.isEmpty, models.last != slug { models.append(slug) }
            turns.append("**\(role == "user" ? "You" : "ChatGPT"):**\n\n" + text)
        }
        guard !turns.isEmpty else { return .skipped(source: "chatgpt", reason: "no visible messages") }
        let created = SourceDate.seconds(conversation["create_time"])
        var meta: [(key: String, value: String)] = []
        let model = (conversation["default_model_slug"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? models.last
        if let model { meta.append(("model", model)) }
        meta.append(("messages", String(turns.count)))
        if let updated = SourceDate.seconds(conversation["update_time"]) {
            meta.append(("updated", updated.formatted(.iso8601)))
        }
        let body = turns.joined(separator: "\n\n") + ChatExport.attachmentsLine(attachments)
        let title = (conversation["title"] as? String).map(MarkdownText.oneLine).flatMap { $0.isEmpty ? nil : $0 }
        let memory = NewMemory(
            text: body, date: created.map { SourceDate.local($0, timeZone: options.timeZone) },
            title: title ?? "Untitled conversation", src: "chatgpt:\(id)", meta: meta)
        return .item(ImportItem(memory: memory, source: "chatgpt", location: location))
    }

    /// The node ids from the root to `current` (the branch the person last saw). Without a valid
    /// `current_node`, the path that always takes the newest child.
    static func branch(nodes: [String: [String: Any]], current: String?) -> [String] {
        var path: [String] = []
        var seen = Set<String>()
        if let current, nodes[current] != nil {
            var node: String? = current
            while let id = node, let value = nodes[id], seen.insert(id).inserted {
                path.append(id)
                node = value["parent"] as? String
            }
            return path.reversed()
        }
        // The root is the node without a (known) parent.
        guard var id = nodes.first(where: { ($0.value["parent"] as? String).flatMap { nodes[$0] } == nil })?.key else { return [] }
        while seen.insert(id).inserted {
            path.append(id)
            guard let next = (nodes[id]?["children"] as? [String])?.last(where: { nodes[$0] != nil }) else { break }
            id = next
        }
        return path
    }

    /// The Markdown of a message a person saw, or nil for system, hidden and tool messages.
    static func visibleText(_ message: [String: Any], attachments: inout [String]) -> String? {
        let role = (message["author"] as? [String: Any])?["role"] as? String ?? ""
        guard role == "user" || role == "assistant" else { return nil }
        let metadata = message["metadata"] as? [String: Any] ?? [:]
        if metadata["is_visually_hidden_from_conversation"] as? Bool == true { return nil }
        if metadata["is_user_system_message"] as? Bool == true { return nil }
        // An assistant message addressed to a tool (code for python, a browser query) is not part of the conversation.
        if let recipient = message["recipient"] as? String, recipient != "all" { return nil }
        let content = message["content"] as? [String: Any] ?? [:]
        let type = content["content_type"] as? String ?? "text"
        var names: [String: String] = [:]
        for case let attachment as [String: Any] in metadata["attachments"] as? [Any] ?? [] {
            let name = (attachment["name"] as? String) ?? (attachment["id"] as? String) ?? "attachment"
            if let id = attachment["id"] as? String { names[id] = name }
            attachments.append(name)
        }
        var pieces: [String] = []
        switch type {
        case "text", "multimodal_text":
            for part in content["parts"] as? [Any] ?? [] {
                if let text = part as? String {
                    if let paragraph = MarkdownText.paragraph(text) { pieces.append(paragraph) }
                } else if let object = part as? [String: Any] {
                    if let piece = describe(part: object, names: names) { pieces.append(piece) }
                }
                // null parts (left by deleted or failed uploads) carry nothing.
            }
        case "code":
            guard let text = content["text"] as? String, !text.isEmpty else { return nil }
            let language = content["language"] as? String ?? ""
            pieces.append("```\(language == "unknown" ? "" : language)\n\(text)\n```")
        default:
            // thoughts, reasoning_recap, execution_output, tether_*, system_error, user_editable_context...
            return nil
        }
        guard !pieces.isEmpty else { return nil }
        return pieces.joined(separator: "\n\n")
    }

    /// A non-text part of a multimodal message: an image, audio or a file, noted by name.
    static func describe(part: [String: Any], names: [String: String]) -> String? {
        let type = part["content_type"] as? String ?? ""
        switch type {
        case "image_asset_pointer":
            let pointer = part["asset_pointer"] as? String ?? ""
            let fileID = pointer.components(separatedBy: "://").last ?? pointer
            let name = names[fileID] ?? fileID
            var size = ""
            if let width = (part["width"] as? NSNumber)?.intValue, let height = (part["height"] as? NSNumber)?.intValue { size = " (\(width)×\(height))" }
            return "*[image: \(name)\(size)]*"
        case "audio_transcription":
            guard let text = part["text"] as? String, !text.isEmpty else { return nil }
            return MarkdownText.nested(text)
        case "audio_asset_pointer", "real_time_user_audio_video_asset_pointer":
            return "*[audio]*"
        default:
            if let text = part["text"] as? String, !text.isEmpty { return MarkdownText.nested(text) }
            return nil
        }
    }
}
