import Foundation
import MemvaultSupport
import Vault

#if canImport(Glibc)
import Glibc
#endif

/// The paths of the scratch file and its folder, for the signal handlers to remove (C strings
/// set once before the handlers are installed, freed after they are reset).
nonisolated(unsafe) private var scratchPathForSignals: UnsafeMutablePointer<CChar>?
nonisolated(unsafe) private var scratchFolderForSignals: UnsafeMutablePointer<CChar>?

/// A memory's text while `$EDITOR` runs: a 0600 file created exclusively (`O_CREAT|O_EXCL|
/// O_NOFOLLOW`) inside a fresh private folder (`mkdtemp`, 0700) named
/// `memvault-edit-<uid>-<pid>-XXXXXX`, so no other user can plant a link or read the text.
/// Encrypted memories go to a memory-backed file system (`/dev/shm`, else `$XDG_RUNTIME_DIR` on
/// tmpfs) and never to disk. Removed when closed, on error, and on SIGINT, SIGTERM, SIGHUP and
/// SIGQUIT; after a SIGKILL, the next memvault command removes it (`removeStale()`).
final class ScratchFile {
    let path: String
    let folder: String
    private static let signals = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]
    static let prefix = "memvault-edit-"

    /// Writes `text` to a new scratch file.
    /// - Parameters:
    ///   - name: the file's name without `.md` (the memory's id).
    ///   - memoryBacked: the text is the plaintext of an encrypted memory: a memory-backed folder only.
    /// - Throws: `.badInput` when no memory-backed folder exists (nothing is written then) or the
    ///   folder or file cannot be created.
    init(text: String, name: String, memoryBacked: Bool) throws {
        let parent: String
        if memoryBacked {
            guard let folder = Self.memoryBackedFolder() else {
                throw VaultError(.badInput, "no memory-backed folder (/dev/shm or $XDG_RUNTIME_DIR on tmpfs) for the decrypted text; nothing opened",
                    hint: "editing encrypted memories never writes their plaintext to disk")
            }
            parent = folder
        } else {
            parent = Self.temporaryFolder()
        }
        guard MemoryID.isValid(name) else { throw VaultError(.badInput, "'\(name.prefix(40))' is not a memory id") }
        var template = Array("\(parent)/\(Self.prefix)\(getuid())-\(getpid())-XXXXXX".utf8CString)
        guard let created = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw VaultError(.badInput, "cannot create a private folder for the edit (errno \(errno))", at: parent)
        }
        folder = String(cString: created)
        path = "\(folder)/\(name).md"
        scratchPathForSignals = strdup(path)
        scratchFolderForSignals = strdup(folder)
        for signal in Self.signals {
            Glibc.signal(signal) { number in
                if let path = scratchPathForSignals { unlink(path) }
                if let folder = scratchFolderForSignals { rmdir(folder) }
                _exit(128 + number)
            }
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let code = errno
            remove()
            throw VaultError(.badInput, "cannot create the scratch file (errno \(code))", at: path)
        }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count else {
            remove()
            throw VaultError(.badInput, "cannot write the scratch file", at: path)
        }
    }

    /// The edited text, read without following a link.
    func read() throws -> String {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw VaultError(.badInput, "the edited file is gone or not a regular file; nothing changed", at: path) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw VaultError(.badInput, "the edited text is not valid UTF-8; nothing changed")
        }
        return text
    }

    /// Removes the file (and whatever else the editor left in the private folder), the folder,
    /// and puts the default signal handlers back.
    func remove() {
        Self.removePrivateFolder(folder)
        for signal in Self.signals { Glibc.signal(signal, SIG_DFL) }
        free(scratchPathForSignals)
        free(scratchFolderForSignals)
        scratchPathForSignals = nil
        scratchFolderForSignals = nil
    }

    deinit {
        unlink(path)
        rmdir(folder)
    }

    /// /dev/shm, else $XDG_RUNTIME_DIR, if it is a tmpfs mount point we can write (per /proc/mounts).
    static func memoryBackedFolder() -> String? {
        var candidates = ["/dev/shm"]
        if let runtime = variable("XDG_RUNTIME_DIR") { candidates.append(runtime) }
        guard let mounts = try? String(contentsOfFile: "/proc/mounts", encoding: .utf8) else { return nil }
        let tmpfs = Set(mounts.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ")
            return fields.count >= 3 && (fields[2] == "tmpfs" || fields[2] == "ramfs") ? String(fields[1]) : nil
        })
        return candidates.first { tmpfs.contains($0) && access($0, W_OK) == 0 }
    }

    /// The environment variable `name` when set and not empty. (`getenv`: every command cleans up
    /// stale files first, and Foundation's `environment` copies the whole environment.)
    private static func variable(_ name: String) -> String? {
        guard let value = getenv(name), value.pointee != 0 else { return nil }
        return String(cString: value)
    }

    /// `$TMPDIR`, else /tmp, without a trailing slash.
    static func temporaryFolder() -> String {
        var folder = variable("TMPDIR") ?? "/tmp"
        while folder.count > 1, folder.hasSuffix("/") { folder.removeLast() }
        return folder
    }

    // MARK: Stale files of a killed edit

    /// Removes what an edit killed before it could clean up (SIGKILL, a crash) left behind: private
    /// folders `memvault-edit-<uid>-<pid>-XXXXXX` in /dev/shm, `$XDG_RUNTIME_DIR` and the
    /// temporary folder, and the single files `memvault-<pid>-<id>.md` earlier versions left in
    /// /dev/shm. Only what is certainly ours is touched: our uid in the name and as owner, our
    /// modes (0700 folder, 0600 file), never a link (`lstat`, `O_NOFOLLOW`), and only when the
    /// process named in it is gone.
    /// - Returns: the paths removed.
    @discardableResult
    static func removeStale(in folders: [String]? = nil) -> [String] {
        var removed: [String] = []
        let uid = getuid()
        var candidates = folders ?? ["/dev/shm", temporaryFolder()]
        if folders == nil, let runtime = variable("XDG_RUNTIME_DIR") {
            candidates.append(runtime)
        }
        for parent in Set(candidates) {
            for name in memvaultNames(in: parent) {
                let full = "\(parent)/\(name)"
                if name.hasPrefix("\(prefix)\(uid)-") {
                    // memvault-edit-<uid>-<pid>-XXXXXX
                    let fields = name.dropFirst(prefix.count).split(separator: "-")
                    guard fields.count == 3, let pid = Int32(fields[1]), !isAlive(pid) else { continue }
                    var info = stat()
                    guard lstat(full, &info) == 0, info.st_mode & mode_t(S_IFMT) == mode_t(S_IFDIR), info.st_uid == uid,
                        info.st_mode & 0o7777 == 0o700
                    else { continue }
                    if removePrivateFolder(full) { removed.append(full) }
                } else if parent == "/dev/shm", name.hasPrefix("memvault-"), name.hasSuffix(".md") {
                    // memvault-<pid>-<id>.md, the single file of earlier versions.
                    let fields = name.dropFirst("memvault-".count).dropLast(3).split(separator: "-")
                    guard fields.count == 2, let pid = Int32(fields[0]), MemoryID.isValid(String(fields[1])), !isAlive(pid) else { continue }
                    var info = stat()
                    guard lstat(full, &info) == 0, info.st_mode & mode_t(S_IFMT) == mode_t(S_IFREG), info.st_uid == uid,
                        info.st_mode & 0o7777 == 0o600
                    else { continue }
                    if unlink(full) == 0 { removed.append(full) }
                }
            }
        }
        return removed
    }

    /// The names starting with `memvault-` in the folder `parent` (none if it cannot be read).
    /// Every command looks, and a shared /tmp may hold thousands of others: names are compared
    /// as bytes, and only the ones that match become strings.
    private static func memvaultNames(in parent: String) -> [String] {
        guard let directory = opendir(parent) else { return [] }
        defer { closedir(directory) }
        let wanted = Array("memvault-".utf8CString.dropLast())
        var names: [String] = []
        while let entry = readdir(directory) {
            let matches = withUnsafeBytes(of: &entry.pointee.d_name) { raw in
                raw.count > wanted.count && memcmp(raw.baseAddress!, wanted, wanted.count) == 0
            }
            if matches {
                names.append(withUnsafeBytes(of: &entry.pointee.d_name) { raw in
                    String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
                })
            }
        }
        return names
    }

    /// Whether a process with `pid` exists (a process of another user counts as alive).
    private static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        return kill(pid, 0) == 0 || errno != ESRCH
    }

    /// Removes the entries of one of our private folders and the folder, through a descriptor
    /// opened without following links and checked to be ours.
    @discardableResult
    private static func removePrivateFolder(_ folder: String) -> Bool {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return false }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_uid == getuid() else {
            close(fd)
            return false
        }
        // fdopendir takes the descriptor; closedir closes it.
        guard let directory = fdopendir(fd) else {
            close(fd)
            return false
        }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        let descriptor = dirfd(directory)
        for name in names { _ = unlinkat(descriptor, name, 0) }
        closedir(directory)
        return rmdir(folder) == 0
    }
}
