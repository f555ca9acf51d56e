import Foundation
import Vault

/// How memories print for a person.
enum MemoryFormat {
    /// `2026-11-22 14:03  general   01JD3K9X2F7Q8R3M  Coffee with Maria`
    static func line(_ memory: Memory) -> String {
        let date = memory.entryDate.map { "\($0.dayKey) \(String(format: "%02d:%02d", $0.hour, $0.minute))" } ?? "(encrypted)     "
        let tier = memory.tier.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)
        let summary = Output.safe(memory.title ?? memory.text.map(firstLine) ?? "(locked)")
        return "\(Output.style(date, "2"))  \(tier) \(Output.style(memory.id.isEmpty ? "(no id)         " : memory.id, "33"))  \(summary)"
    }

    static func firstLine(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return line.count > 80 ? String(line.prefix(79)) + "…" : line
    }
}
