import Foundation
import Vault

#if canImport(Glibc)
import Glibc
#endif

/// The path of the plaintext scratch file, for the signal handlers to remove (a C string set
/// once before the handlers are installed, freed after they are reset).
nonisolated(unsafe) private var scratchPathForSignals: UnsafeMutablePointer<CChar>?

/// A 0600 file on a memory-backed file system holding the plaintext of an encrypted entry while
/// `$EDITOR` runs; removed when closed, on error, and on SIGINT, SIGTERM or SIGHUP.
final class ScratchFile {
    let path: String
    private static let signals = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]

    /// Writes `text` to a new scratch file.
    /// - Throws: `.badInput` when no memory-backed folder exists (nothing is written to disk then).
    init(text: String, name: String) throws {
        guard let folder = Self.memoryBackedFolder() else {
            throw VaultError(.badInput, "no memory-backed folder (/dev/shm or $XDG_RUNTIME_DIR on tmpfs) for the decrypted text; nothing opened",
                hint: "editing encrypted memories never writes their plaintext to disk")
        }
        path = "\(folder)/memvault-\(getpid())-\(name).md"
        scratchPathForSignals = strdup(path)
        for signal in Self.signals {
            Glibc.signal(signal) { number in
                if let path = scratchPathForSignals { unlink(path) }
                _exit(128 + number)
            }
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            remove()
            throw VaultError(.badInput, "cannot create the scratch file (errno \(errno))", at: path)
        }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count else {
            remove()
            throw VaultError(.badInput, "cannot write the scratch file", at: path)
        }
    }

    func read() throws -> String {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw VaultError(.badInput, "the edited text is not valid UTF-8; nothing changed")
        }
        return text
    }

    /// Removes the file and puts the default signal handlers back.
    func remove() {
        unlink(path)
        for signal in Self.signals { Glibc.signal(signal, SIG_DFL) }
        free(scratchPathForSignals)
        scratchPathForSignals = nil
    }

    deinit { unlink(path) }

    /// /dev/shm, else $XDG_RUNTIME_DIR, if it is a tmpfs mount point we can write (per /proc/mounts).
    static func memoryBackedFolder() -> String? {
        var candidates = ["/dev/shm"]
        if let runtime = ProcessInfo.processInfo.environment["XDG_RUNTIME_DIR"], !runtime.isEmpty { candidates.append(runtime) }
        guard let mounts = try? String(contentsOfFile: "/proc/mounts", encoding: .utf8) else { return nil }
        let tmpfs = Set(mounts.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ")
            return fields.count >= 3 && (fields[2] == "tmpfs" || fields[2] == "ramfs") ? String(fields[1]) : nil
        })
        return candidates.first { tmpfs.contains($0) && access($0, W_OK) == 0 }
    }
}
