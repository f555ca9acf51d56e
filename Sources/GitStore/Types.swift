import Foundation

/// Who made a commit, and when.
public struct Signature: Sendable, Hashable {
    public var name: String
    public var email: String
    /// The time of the signature; `nil` means "now" when committing.
    public var date: Date?

    public init(name: String, email: String, date: Date? = nil) {
        self.name = name
        self.email = email
        self.date = date
    }
}

/// One commit, copied out of libgit2.
public struct CommitInfo: Sendable, Hashable {
    /// The full 40-hex-digit commit id.
    public var id: String
    /// The shortest unambiguous abbreviation (at least 7 digits).
    public var shortID: String
    /// The first paragraph of the message, on one line.
    public var summary: String
    /// The whole message without trailing newlines.
    public var message: String
    public var author: Signature
    /// The committer date.
    public var date: Date
    /// Parent commit ids, first parent first.
    public var parents: [String]

    public init(
        id: String, shortID: String, summary: String, message: String, author: Signature,
        date: Date, parents: [String]
    ) {
        self.id = id
        self.shortID = shortID
        self.summary = summary
        self.message = message
        self.author = author
        self.date = date
        self.parents = parents
    }
}

/// A change to one file between two trees (or a tree and the working directory).
public enum FileChange: Sendable, Hashable {
    case added(String)
    case modified(String)
    case deleted(String)
    case renamed(from: String, to: String)

    /// The path the change leaves behind (the new path of a rename).
    public var path: String {
        switch self {
        case .added(let path), .modified(let path), .deleted(let path): path
        case .renamed(_, let to): to
        }
    }
}

/// A configured remote.
public struct GitRemote: Sendable, Hashable {
    public var name: String
    public var url: String

    public init(name: String, url: String) {
        self.name = name
        self.url = url
    }
}
