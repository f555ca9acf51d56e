import Foundation

/// A duration as people write it on a command line: `500ms`, `2s`, `15m`, `1h`, `1h30m`, or
/// plain seconds (`90`).
public struct WatchDuration: Sendable, Equatable, CustomStringConvertible {
    public var seconds: TimeInterval

    public init(seconds: TimeInterval) { self.seconds = seconds }

    /// Parses `text`.
    /// - Throws: `VaultError.badInput` naming the text when it is not a positive duration.
    public init(parsing text: String) throws(VaultError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        func bad() -> VaultError {
            VaultError(.badInput, "not a duration: '\(text)'", hint: "write it as 500ms, 2s, 15m, 1h or 1h30m")
        }
        if let plain = Double(trimmed) {
            guard plain > 0, plain.isFinite else { throw bad() }
            seconds = plain
            return
        }
        var total: TimeInterval = 0
        var number = ""
        var index = trimmed.startIndex
        var sawUnit = false
        while index < trimmed.endIndex {
            let character = trimmed[index]
            if character.isNumber || character == "." {
                number.append(character)
                index = trimmed.index(after: index)
                continue
            }
            var unit = ""
            while index < trimmed.endIndex, trimmed[index].isLetter {
                unit.append(trimmed[index])
                index = trimmed.index(after: index)
            }
            guard let value = Double(number), let scale = Self.units[unit] else { throw bad() }
            total += value * scale
            number = ""
            sawUnit = true
        }
        guard sawUnit, number.isEmpty, total > 0, total.isFinite else { throw bad() }
        seconds = total
    }

    private static let units: [String: TimeInterval] = [
        "ms": 0.001, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86_400,
    ]

    public var description: String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        let whole = Int(seconds.rounded())
        if whole % 3600 == 0 { return "\(whole / 3600)h" }
        if whole % 60 == 0 { return "\(whole / 60)m" }
        return "\(whole)s"
    }
}
