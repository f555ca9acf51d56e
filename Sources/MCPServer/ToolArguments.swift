import MCP
import Vault

/// A tool call that cannot be served: one clear line for the model (`isError: true`).
public struct ToolError: Error, Sendable, Equatable {
    public var message: String

    public init(_ message: String) { self.message = message }

    /// A vault error as one line: what, where, and the hint when there is one. Vault errors never
    /// carry plaintext of an encrypted tier.
    init(_ error: VaultError) {
        message = error.description + (error.hint.map { " (hint: \($0))" } ?? "")
    }
}

/// The arguments of one tool call, read with their types checked; every problem is a `ToolError`
/// naming the argument.
struct ToolArguments {
    let values: [String: Value]

    /// - Throws: `ToolError` when an argument not in `known` was given.
    init(_ values: [String: Value]?, known: Set<String>) throws(ToolError) {
        self.values = values ?? [:]
        if let unknown = self.values.keys.sorted().first(where: { !known.contains($0) }) {
            throw ToolError("unknown argument '\(unknown)' (this tool takes: \(known.sorted().joined(separator: ", ")))")
        }
    }

    private func present(_ name: String) -> Value? {
        guard let value = values[name], !value.isNull else { return nil }
        return value
    }

    func string(_ name: String) throws(ToolError) -> String? {
        guard let value = present(name) else { return nil }
        guard let text = value.stringValue else { throw ToolError("argument '\(name)' must be a string") }
        return text
    }

    func requiredString(_ name: String) throws(ToolError) -> String {
        guard let text = try string(name) else { throw ToolError("missing required argument '\(name)'") }
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ToolError("argument '\(name)' must not be empty")
        }
        return text
    }

    func integer(_ name: String, in range: ClosedRange<Int>) throws(ToolError) -> Int? {
        guard let value = present(name) else { return nil }
        let number: Int
        if let int = value.intValue {
            number = int
        } else if let double = value.doubleValue, double.rounded() == double, abs(double) < 1e15 {
            number = Int(double)
        } else {
            throw ToolError("argument '\(name)' must be an integer")
        }
        guard range.contains(number) else {
            throw ToolError("argument '\(name)' must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return number
    }

    func strings(_ name: String) throws(ToolError) -> [String]? {
        guard let value = present(name) else { return nil }
        guard let array = value.arrayValue else { throw ToolError("argument '\(name)' must be an array of strings") }
        var result: [String] = []
        for element in array {
            guard let text = element.stringValue else { throw ToolError("argument '\(name)' must be an array of strings") }
            result.append(text)
        }
        return result
    }
}
