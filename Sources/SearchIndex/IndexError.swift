/// A sidecar index file could not be read or written.
///
/// Every kind means the same thing to a caller: rebuild the index from the vault
/// (with one notice line). The kind says why, for that notice.
public struct IndexError: Error, Sendable, CustomStringConvertible {
    /// Why the file was rejected.
    public enum Kind: Sendable, Equatable {
        /// Wrong magic, bad checksum, impossible lengths: damaged or not ours.
        case corrupt
        /// Written by another format version of this library.
        case versionMismatch
        /// Vectors of another embedding model or dimension.
        case modelMismatch
        /// The operating system refused a read or write.
        case io
    }

    public var kind: Kind
    /// The file concerned.
    public var path: String
    /// What exactly was wrong, with the byte offset where one applies.
    public var message: String

    public init(_ kind: Kind, path: String, _ message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    public var description: String {
        let what: String
        switch kind {
        case .corrupt: what = "corrupt index file"
        case .versionMismatch: what = "index file of another format version"
        case .modelMismatch: what = "index file of another embedding model"
        case .io: what = "index file I/O failed"
        }
        return "\(what): \(message) (\(path))"
    }
}
