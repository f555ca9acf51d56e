import Foundation
import Vault
import ZIPFoundation

/// One file of an export: a file on disk, or a member of the zip a service exports, read in
/// chunks so that its size never matters.
public struct ExportInput: Sendable {
    enum Origin: Sendable {
        case file(URL)
        case zipMember(archive: URL, path: String)
    }

    let origin: Origin
    /// How errors name it: `conversations.json` or `export.zip:conversations.json`.
    public let name: String
    /// Its size in bytes (uncompressed for a zip member), for the progress bar.
    public let size: Int

    /// The bytes read per chunk.
    static let chunkSize = 1 << 20

    /// Whether the file at `url` starts like a zip archive.
    public static func isZip(_ url: URL) -> Bool {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return false }
        defer { try? handle.close() }
        let magic = (try? handle.read(upToCount: 4)) ?? Data()
        return Array(magic) == [0x50, 0x4B, 0x03, 0x04] || Array(magic) == [0x50, 0x4B, 0x05, 0x06]
    }

    /// The inputs to read at `path`: the file itself, or the members of the zip at `path` that
    /// `wanted` accepts (given the member's path inside the zip).
    /// - Parameter expected: what the zip must hold, for the error when nothing matches.
    /// - Throws: `VaultError.badInput` for a missing file, an unreadable zip, or a zip without
    ///   the expected file.
    /// - Parameter single: take only the member nearest the zip's top (a zip may hold copies in folders).
    public static func open(_ path: String, expected: String, single: Bool = false, wanted: (String) -> Bool) throws(VaultError) -> [ExportInput] {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw VaultError(.badInput, "no such file", at: path)
        }
        guard !isDirectory.boolValue else {
            throw VaultError(.badInput, "expected a file or a zip, found a folder", at: path,
                hint: "pass the export's \(expected) or the zip it came in")
        }
        guard isZip(url) else {
            let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
            let size = (attributes?[.size] as? NSNumber)?.intValue ?? 0
            return [ExportInput(origin: .file(url), name: url.lastPathComponent, size: size)]
        }
        let archive: Archive
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw VaultError(.badInput, "not a readable zip archive (\(error))", at: path)
        }
        var members: [ExportInput] = []
        var seen: [String] = []
        for entry in archive where entry.type == .file {
            seen.append(entry.path)
            let name = entry.path
            if name.hasPrefix("__MACOSX/") || (name as NSString).lastPathComponent.hasPrefix("._") { continue }
            if wanted(name) {
                members.append(ExportInput(
                    origin: .zipMember(archive: url, path: name), name: "\(url.lastPathComponent):\(name)",
                    size: Int(entry.uncompressedSize)))
            }
        }
        guard !members.isEmpty else {
            let listing = seen.prefix(5).joined(separator: ", ") + (seen.count > 5 ? ", ..." : "")
            throw VaultError(.badInput, "the zip holds no \(expected)", at: path,
                hint: seen.isEmpty ? "the zip is empty" : "it holds: \(listing); is this the right --from?")
        }
        if single, let nearest = members.min(by: { ($0.name.split(separator: "/").count, $0.name) < ($1.name.split(separator: "/").count, $1.name) }) {
            return [nearest]
        }
        return members.sorted { $0.name < $1.name }
    }

    /// Calls `chunk` with the input's bytes, in order, a chunk at a time.
    /// - Throws: `VaultError.badInput` for a read failure or a damaged zip member, and whatever `chunk` throws.
    public func read(_ chunk: (Data) throws(VaultError) -> Void) throws(VaultError) {
        switch origin {
        case .file(let url):
            guard let handle = try? FileHandle(forReadingFrom: url) else {
                throw VaultError(.badInput, "cannot read the file", at: url.path)
            }
            defer { try? handle.close() }
            while true {
                let data: Data
                do {
                    data = try handle.read(upToCount: Self.chunkSize) ?? Data()
                } catch {
                    throw VaultError(.badInput, "cannot read the file: \(error.localizedDescription)", at: url.path)
                }
                if data.isEmpty { break }
                try chunk(data)
            }
        case .zipMember(let archiveURL, let path):
            let archive: Archive
            do {
                archive = try Archive(url: archiveURL, accessMode: .read)
            } catch {
                throw VaultError(.badInput, "not a readable zip archive (\(error))", at: archiveURL.path)
            }
            guard let entry = archive[path] else { throw VaultError(.badInput, "no \(path) in the zip", at: archiveURL.path) }
            do {
                _ = try archive.extract(entry, bufferSize: Self.chunkSize) { data in
                    do throws(VaultError) { try chunk(data) } catch { throw Failure(error: error) }
                }
            } catch let failure as Failure {
                throw failure.error
            } catch {
                throw VaultError(.badInput, "the zip member is damaged (\(error))", at: name)
            }
        }
    }

    /// The whole input, for formats that are read at once (Day One, jrnl).
    public func readAll() throws(VaultError) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size)
        try read { (data) throws(VaultError) in bytes.append(contentsOf: data) }
        return bytes
    }

    /// Carries an error of the consumer through ZIPFoundation's untyped `throws`.
    private struct Failure: Error {
        var error: VaultError
    }
}
