import Foundation
internal import CGit2
internal import CGit2Loader

/// A tree entry that is neither a regular file nor a folder: a symbolic link, a gitlink (submodule
/// commit) or an unknown mode. A vault holds none of these; see `GitRepository.specialEntries(at:)`.
public struct SpecialTreeEntry: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case symbolicLink = "a symbolic link"
        case gitlink = "a gitlink (submodule)"
        case other = "an entry of unknown mode"
    }

    /// The path in the tree.
    public var path: String
    /// The git file mode, as git prints it (`120000`, `160000`).
    public var mode: String
    /// The object the entry points to.
    public var id: String
    public var kind: Kind

    public var description: String { "\(path) is \(kind.rawValue) (mode \(mode))" }
}

extension GitRepository {
    /// Every entry of `revision`'s tree whose mode is not a regular file (100644, 100755) or a folder,
    /// sorted by path. Nothing is checked out or read from the working directory.
    /// - Complexity: O(entries in the tree).
    public func specialEntries(at revision: String) throws(GitError) -> [SpecialTreeEntry] {
        let tree = try lookupTree(revision)
        defer { git.git_tree_free(tree) }
        var found: [SpecialTreeEntry] = []
        try collectSpecial(tree, base: "", into: &found)
        return found.sorted { $0.path < $1.path }
    }

    private func collectSpecial(_ tree: OpaquePointer, base: String, into found: inout [SpecialTreeEntry]) throws(GitError) {
        for number in 0..<git.git_tree_entrycount(tree) {
            guard let entry = git.git_tree_entry_byindex(tree, number) else { continue }
            let path = base + String(cString: git.git_tree_entry_name(entry)!)
            let mode = git.git_tree_entry_filemode(entry)
            switch mode {
            case GIT_FILEMODE_TREE:
                var subtree: OpaquePointer?
                try check(git.git_tree_lookup(&subtree, pointer, git.git_tree_entry_id(entry)), "git_tree_lookup")
                defer { git.git_tree_free(subtree) }
                try collectSpecial(subtree!, base: path + "/", into: &found)
            case GIT_FILEMODE_BLOB, GIT_FILEMODE_BLOB_EXECUTABLE:
                continue
            default:
                let kind: SpecialTreeEntry.Kind = mode == GIT_FILEMODE_LINK ? .symbolicLink
                    : mode == GIT_FILEMODE_COMMIT ? .gitlink : .other
                found.append(SpecialTreeEntry(
                    path: path, mode: String(mode.rawValue, radix: 8), id: git.git_tree_entry_id(entry)!.pointee.hex, kind: kind))
            }
        }
    }

    /// Checks out HEAD into a working directory that holds nothing yet (a clone made without
    /// checkout), overwriting whatever is missing.
    public func checkOutHeadIntoEmptyWorkdir() throws(GitError) {
        var options = git_checkout_options()
        try check(
            git.git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION)), "git_checkout_options_init")
        options.checkout_strategy = GIT_CHECKOUT_FORCE.rawValue
        try check(git.git_checkout_head(pointer, &options), "git_checkout_head", path: workdir.path)
    }
}
