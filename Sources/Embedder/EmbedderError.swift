import Foundation

/// An error from loading or reading the embedding model.
///
/// The description is one line that names the file (and, where it applies, the
/// line or byte offset) and, when there is one, the fix.
public struct EmbedderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for callers that react differently to each case.
    public enum Kind: Sendable, Equatable {
        /// The model directory or its weights file does not exist.
        case modelMissing
        /// The vocabulary file does not exist or cannot be read.
        case vocabularyMissing
        /// A file exists but could not be opened, read or mapped.
        case unreadable
        /// A file is truncated, malformed, or does not hold the tensors this model needs.
        case corrupt
        /// OpenBLAS, which the embedder loads at run time, is not installed or not usable.
        case libraryMissing
    }

    /// What went wrong.
    public let kind: Kind
    /// What was found, in words.
    public let message: String
    /// The file or directory the error is about.
    public let path: String
    /// Where in the file, if it applies: `line 12`, `byte 8`.
    public let location: String?
    /// What to do about it, if there is something to do.
    public let hint: String?

    /// Creates an error.
    public init(kind: Kind, message: String, path: String, location: String? = nil, hint: String? = nil) {
        self.kind = kind
        self.message = message
        self.path = path
        self.location = location
        self.hint = hint
    }

    public var description: String {
        let place = location.map { "\(path):\($0)" } ?? path
        let fix = hint.map { "; \($0)" } ?? ""
        return "\(message) (\(place))\(fix)"
    }

    static let fetchHint = "run scripts/fetch-model to install it"

    static func corrupt(_ message: String, _ url: URL, at location: String? = nil) -> EmbedderError {
        EmbedderError(kind: .corrupt, message: message, path: url.path, location: location, hint: fetchHint)
    }
}
