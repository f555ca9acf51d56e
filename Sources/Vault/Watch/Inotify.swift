#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MemvaultSupport

/// One change the kernel reported in a watched folder.
struct FolderEvent: Sendable, Equatable {
    /// The watched folder, relative to the vault ("" for the root).
    var folder: String
    /// The name inside it (empty for an event on the folder itself).
    var name: String
    var mask: UInt32

    var path: String { folder.isEmpty ? name : name.isEmpty ? folder : folder + "/" + name }
    var isDirectory: Bool { mask & UInt32(IN_ISDIR) != 0 }
    /// A file was written and closed, or moved or renamed into place: its content is complete now.
    var isSaved: Bool { mask & (UInt32(IN_CLOSE_WRITE) | UInt32(IN_MOVED_TO)) != 0 }
    /// A file was opened for writing or written to, and may still be being written.
    var isWriting: Bool { mask & UInt32(IN_MODIFY) != 0 }
    var isCreatedOrMovedIn: Bool { mask & (UInt32(IN_CREATE) | UInt32(IN_MOVED_TO)) != 0 }
    /// The kernel's queue overflowed: events were lost, so everything must be looked at again.
    var isOverflow: Bool { mask & UInt32(IN_Q_OVERFLOW) != 0 }
    /// The watched folder itself went away (deleted, moved, or its file system unmounted).
    var folderGone: Bool { mask & (UInt32(IN_IGNORED) | UInt32(IN_DELETE_SELF) | UInt32(IN_MOVE_SELF)) != 0 }
}

/// The Linux inotify interface for a set of folders, read by blocking in `poll(2)`: a process
/// waiting here uses no CPU until the kernel reports a change or the timeout ends.
///
/// A C resource with one owner: not `Sendable`; the watch loop owns it. `wake()` alone may be
/// called from another thread or a signal handler (it only writes one byte to a pipe).
final class Inotify {
    private let fd: Int32
    /// What `wake()` writes to, so that it interrupts a wait at once.
    private let wakePipe: WakePipe
    /// The pipe's write end, for a signal handler.
    var wakeWrite: Int32 { wakePipe.writeEnd }
    /// Watch descriptor → folder relative to the vault, and back.
    private var folders: [Int32: String] = [:]
    private var descriptors: [String: Int32] = [:]
    private let root: URL

    /// What a folder is watched for: every way a file's content or presence changes.
    private static let mask = UInt32(IN_CLOSE_WRITE) | UInt32(IN_MODIFY) | UInt32(IN_CREATE) | UInt32(IN_DELETE)
        | UInt32(IN_MOVED_FROM) | UInt32(IN_MOVED_TO) | UInt32(IN_DELETE_SELF) | UInt32(IN_MOVE_SELF)
        | UInt32(IN_ATTRIB) | UInt32(IN_ONLYDIR)

    init(root: URL) throws(VaultError) {
        self.root = root
        let fd = inotify_init1(Int32(IN_CLOEXEC) | Int32(IN_NONBLOCK))
        guard fd >= 0 else {
            throw VaultError(.badInput, "cannot watch files: inotify_init1: \(String(cString: strerror(errno)))", at: root.path)
        }
        guard let wakePipe = WakePipe() else {
            close(fd)
            throw VaultError(.badInput, "cannot watch files: pipe: \(String(cString: strerror(errno)))", at: root.path)
        }
        self.fd = fd
        self.wakePipe = wakePipe
    }

    deinit {
        close(fd)
    }

    /// The folders watched now, relative to the vault.
    var watchedFolders: [String] { descriptors.keys.sorted() }

    /// Starts watching one folder (relative to the vault; "" is the root). Watching it twice is harmless.
    /// - Returns: false when the folder does not exist (or vanished meanwhile).
    /// - Throws: when the kernel refuses for another reason (the per-user watch limit, say).
    @discardableResult
    func watch(_ folder: String) throws(VaultError) -> Bool {
        let path = folder.isEmpty ? root.path : root.appendingPathComponent(folder).path
        let wd = inotify_add_watch(fd, path, Self.mask)
        if wd < 0 {
            if errno == ENOENT || errno == ENOTDIR { return false }
            let reason = String(cString: strerror(errno))
            throw VaultError(.badInput, "cannot watch a folder: inotify_add_watch: \(reason)", at: path,
                hint: errno == ENOSPC ? "raise fs.inotify.max_user_watches (sysctl)" : nil)
        }
        if let old = folders[wd], old != folder { descriptors[old] = nil }
        folders[wd] = folder
        descriptors[folder] = wd
        return true
    }

    /// Forgets a folder the kernel no longer watches.
    private func forget(_ wd: Int32) {
        if let folder = folders.removeValue(forKey: wd), descriptors[folder] == wd { descriptors[folder] = nil }
    }

    /// Interrupts a `wait` from any thread or a signal handler.
    func wake() { wakePipe.wake() }

    enum WaitResult: Equatable {
        case events([FolderEvent])
        case timedOut
        case woken
    }

    /// Blocks until the kernel reports changes, `wake()` is called, or `timeout` seconds pass
    /// (nil: no timeout). Uses no CPU while it waits.
    func wait(timeout: TimeInterval?) throws(VaultError) -> WaitResult {
        let milliseconds: Int32 = timeout.map { Int32(clamping: Int(($0 * 1000).rounded(.up))) } ?? -1
        switch wakePipe.wait(on: fd, milliseconds: max(milliseconds, -1)) {
        case .ready: return .events(readEvents())
        case .woken: return .woken
        case .timedOut: return .timedOut
        case .interrupted: return .events([])
        case .failed(let code):
            throw VaultError(.badInput, "cannot watch files: poll: \(String(cString: strerror(code)))", at: root.path)
        }
    }

    /// Reads every event queued now.
    private func readEvents() -> [FolderEvent] {
        var events: [FolderEvent] = []
        let capacity = 64 * 1024
        var buffer = [UInt8](repeating: 0, count: capacity)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, capacity) }
            if count <= 0 { break }
            buffer.withUnsafeBytes { raw in
                var offset = 0
                let header = MemoryLayout<inotify_event>.size
                while offset + header <= count {
                    let wd = raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)
                    let mask = raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
                    let length = Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                    var name = ""
                    if length > 0 {
                        let bytes = raw[(offset + header)..<(offset + header + length)]
                        name = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
                    }
                    offset += header + length
                    if mask & UInt32(IN_Q_OVERFLOW) != 0 {
                        events.append(FolderEvent(folder: "", name: "", mask: mask))
                        continue
                    }
                    guard let folder = folders[wd] else { continue }
                    events.append(FolderEvent(folder: folder, name: name, mask: mask))
                    if mask & UInt32(IN_IGNORED) != 0 { forget(wd) }
                }
            }
        }
        return events
    }
}
