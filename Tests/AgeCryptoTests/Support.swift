import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A unique temporary directory for one test; remove it with `defer`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("agecrypto-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// The result of running an outside tool.
struct ToolResult {
    var status: Int32
    var stdout: [UInt8]
    var stderr: String
}

enum Tool {
    struct NotFound: Error, CustomStringConvertible {
        var name: String
        var description: String { "\(name) not found on PATH (install the Debian package: apt-get install age)" }
    }

    /// The absolute path of `name` on PATH.
    static func path(_ name: String) throws -> String {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for directory in directories + ["/usr/bin"] {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw NotFound(name: name)
    }

    /// Runs `name` with `arguments` (inputs go in files named by the arguments).
    /// stdout may be large; stderr must stay under a pipe buffer (64 KiB).
    static func run(_ name: String, _ arguments: [String]) throws -> ToolResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try path(name))
        process.arguments = arguments
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ToolResult(
            status: process.terminationStatus, stdout: Array(output), stderr: String(decoding: errors, as: UTF8.self))
    }

    /// Runs `name` with its stdin, stdout and stderr on a new pseudo-terminal
    /// that is its controlling terminal (through `setsid -c -w`), answers the
    /// first prompt containing `prompt` with `answer` and a newline, and returns
    /// the exit status and everything written to the terminal. With
    /// `repeatAnswers`, every further occurrence of `prompt` is answered too.
    static func runOnTerminal(
        _ name: String, _ arguments: [String], prompt: String, answer: String, repeatAnswers: Bool = false,
        timeout: Double = 60
    ) throws -> (status: Int32, transcript: String) {
        let pty = try PseudoTerminalFunctions()
        let master = pty.openMaster(O_RDWR | O_NOCTTY)
        try #require(master >= 0, "posix_openpt failed: errno \(errno)")
        defer { close(master) }
        try #require(pty.grant(master) == 0 && pty.unlock(master) == 0, "grantpt/unlockpt failed: errno \(errno)")
        var nameBuffer = [CChar](repeating: 0, count: 256)
        try #require(pty.slaveName(master, &nameBuffer, nameBuffer.count) == 0, "ptsname_r failed")
        let slavePath = String(decoding: nameBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let slave = open(slavePath, O_RDWR | O_NOCTTY)
        try #require(slave >= 0, "opening \(slavePath) failed: errno \(errno)")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: try path("setsid"))
        process.arguments = ["-c", "-w", try path(name)] + arguments
        let terminal = FileHandle(fileDescriptor: slave, closeOnDealloc: true)
        process.standardInput = terminal
        process.standardOutput = terminal
        process.standardError = terminal
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        try terminal.close()

        var transcript: [UInt8] = []
        var answers = 0
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 100)
            if ready > 0 {
                let count = read(master, &buffer, buffer.count)
                if count <= 0 { break }  // EIO once every slave descriptor is closed
                transcript += buffer[..<count]
                let prompts = String(decoding: transcript, as: UTF8.self).components(separatedBy: prompt).count - 1
                if prompts > answers, answers == 0 || repeatAnswers {
                    let line = Array((answer + "\n").utf8)
                    #expect(write(master, line, line.count) == line.count)
                    answers += 1
                }
            } else if !process.isRunning {
                break
            }
        }
        // The terminal hangs up as the tool exits; wait for the process to be reaped.
        if exited.wait(timeout: .now() + max(0, deadline.timeIntervalSinceNow)) == .timedOut {
            process.terminate()
            Issue.record("\(name) did not finish within \(timeout) s; terminal said: \(String(decoding: transcript, as: UTF8.self))")
        }
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: transcript, as: UTF8.self))
    }
}

/// The POSIX pseudo-terminal calls. Glibc declares them only under
/// `_XOPEN_SOURCE`, which Swift's Glibc module does not define, so they are
/// looked up in the C library at run time.
private struct PseudoTerminalFunctions {
    typealias OpenMaster = @convention(c) (Int32) -> Int32
    typealias Grant = @convention(c) (Int32) -> Int32
    typealias SlaveName = @convention(c) (Int32, UnsafeMutablePointer<CChar>?, Int) -> Int32

    let openMaster: OpenMaster
    let grant: Grant
    let unlock: Grant
    let slaveName: SlaveName

    struct Missing: Error, CustomStringConvertible {
        var symbol: String
        var description: String { "the C library has no \(symbol)" }
    }

    init() throws {
        let handle = dlopen(nil, RTLD_NOW)
        func symbol(_ name: String) throws -> UnsafeMutableRawPointer {
            guard let pointer = dlsym(handle, name) else { throw Missing(symbol: name) }
            return pointer
        }
        openMaster = unsafeBitCast(try symbol("posix_openpt"), to: OpenMaster.self)
        grant = unsafeBitCast(try symbol("grantpt"), to: Grant.self)
        unlock = unsafeBitCast(try symbol("unlockpt"), to: Grant.self)
        slaveName = unsafeBitCast(try symbol("ptsname_r"), to: SlaveName.self)
    }
}
