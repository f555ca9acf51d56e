#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One finished child process: how long it took, what it cost, how it ended.
public struct ProcessRun: Sendable {
    /// Wall time from just before `posix_spawn` to the return of `wait4`, in seconds.
    public var wall: Double
    /// User and system CPU time of the child, from `wait4`'s `rusage`, in seconds.
    public var user: Double
    public var system: Double
    /// Peak resident set size of the child, in bytes. Measured by GNU time (`/usr/bin/time`)
    /// between this process and the child when the run asked for it (`measuresMemory`); else
    /// wait4's `ru_maxrss`, which on Linux also counts this process's own resident size at the
    /// spawn (the kernel records the old address space's peak at exec): right only for small parents.
    public var peakRSS: Int
    /// The exit status, or 128 + the signal that ended it.
    public var status: Int32

    public var cpu: Double { user + system }
}

/// A failure to start or wait for a child process.
public struct ProcessTimerError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// Times whole processes truly: `posix_spawn`, then a blocking `wait4` that returns the moment the
/// child exits, with the child's own `rusage` for CPU time and peak memory.
///
/// Waiting on a Foundation `Process` instead notices an exit on Linux only at a run-loop tick of
/// about 50 ms, so a 7 ms child reads as 51 ms; this timer has no such tick.
public enum ProcessTimer {
    /// Runs `executable` (a path, or a name looked up in `PATH`) with `arguments` and waits for it.
    ///
    /// - Parameters:
    ///   - environment: the child's environment as `NAME=value` strings; nil keeps this process's.
    ///   - quiet: send the child's stdout and stderr to /dev/null.
    ///   - stdin: a file whose bytes the child reads on standard input; nil gives it /dev/null.
    ///   - stdout, stderr: files that receive the child's output (created, 0600); they win over `quiet`.
    ///   - measuresMemory: run the child under GNU time (`/usr/bin/time`, which forks it afresh) so
    ///     that `peakRSS` is the child's own peak; the wall time then includes time's start (~1 ms).
    /// - Throws: `ProcessTimerError` when the process cannot be started.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String]? = nil, quiet: Bool = true,
        stdin: String? = nil, stdout: String? = nil, stderr: String? = nil, measuresMemory: Bool = false
    ) throws(ProcessTimerError) -> ProcessRun {
        if measuresMemory {
            let report = "/tmp/memvault-timer-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            defer { unlink(report) }
            var run = try self.run(
                "/usr/bin/time", ["-q", "-f", "%M", "-o", report, executable] + arguments, environment: environment,
                quiet: quiet, stdin: stdin, stdout: stdout, stderr: stderr)
            guard let text = try? readSmallFile(report), let kib = Int(text.split(separator: "\n").last ?? "") else {
                throw ProcessTimerError(description: "GNU time (/usr/bin/time) gave no peak memory for \(executable)")
            }
            run.peakRSS = kib * 1024
            return run
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin ?? "/dev/null", O_RDONLY, 0)
        if let stdout {
            posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        } else if quiet {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        if let stderr {
            posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        } else if quiet {
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        var start = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        let pid = try startChild(executable, arguments, environment: environment, actions: &actions)
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw ProcessTimerError(description: "wait4 failed for \(executable)") }
        }
        var end = timespec()
        clock_gettime(CLOCK_MONOTONIC, &end)

        let wall = Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9
        let exited = status & 0x7f == 0
        return ProcessRun(
            wall: wall, user: seconds(usage.ru_utime), system: seconds(usage.ru_stime),
            peakRSS: Int(usage.ru_maxrss) * 1024, status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f))
    }

    /// Runs the command `count` times and returns the runs sorted by wall time (for medians).
    public static func repeated(
        _ count: Int, _ executable: String, _ arguments: [String], environment: [String]? = nil
    ) throws(ProcessTimerError) -> [ProcessRun] {
        var runs: [ProcessRun] = []
        for _ in 0..<count { runs.append(try run(executable, arguments, environment: environment)) }
        return runs.sorted { $0.wall < $1.wall }
    }

    private static func readSmallFile(_ path: String) throws -> String {
        guard let file = fopen(path, "r") else { throw ProcessTimerError(description: "cannot read \(path)") }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = fread(&buffer, 1, buffer.count - 1, file)
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func seconds(_ time: timeval) -> Double {
        Double(time.tv_sec) + Double(time.tv_usec) / 1e6
    }
}

/// A child started by `ProcessTimer.spawn` with pipes on its standard input and output: a
/// long-lived server driven request by response, then shut down and reaped with `wait4`.
public final class SpawnedProcess {
    public let pid: pid_t
    /// The write end of the child's standard input (closed by `closeInput` or `wait`).
    public private(set) var input: Int32
    /// The read end of the child's standard output.
    public let output: Int32
    /// `ProcessTimer.now()` just before `posix_spawn`.
    public let started: Double
    private var pending: [UInt8] = []
    private var reaped: ProcessRun?

    init(pid: pid_t, input: Int32, output: Int32, started: Double) {
        self.pid = pid
        self.input = input
        self.output = output
        self.started = started
    }

    deinit {
        if reaped == nil { _ = try? wait() }
        close(output)
    }

    /// Writes all of `bytes` to the child's standard input.
    /// - Throws: `ProcessTimerError` when the child closed it (with SIGPIPE ignored) or it is closed here.
    public func write(_ bytes: [UInt8]) throws(ProcessTimerError) {
        guard input >= 0 else { throw ProcessTimerError(description: "the child's standard input is closed") }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { writeToFile(input, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw ProcessTimerError(description: "cannot write to the child: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// The next line the child writes to its standard output, without the newline.
    /// - Throws: `ProcessTimerError` when the child closes its output first.
    public func readLine() throws(ProcessTimerError) -> String {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeFirst(newline + 1)
                return line
            }
            let count = read(output, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw ProcessTimerError(description: "the child closed its output") }
            pending += buffer[0..<count]
        }
    }

    /// Closes the child's standard input (a server sees end of file and shuts down).
    public func closeInput() {
        if input >= 0 {
            close(input)
            input = -1
        }
    }

    /// Closes the child's standard input and blocks in `wait4` until it exits: wall time from just
    /// before the spawn, the child's CPU time and peak RSS (`ru_maxrss`), its exit status.
    public func wait() throws(ProcessTimerError) -> ProcessRun {
        if let reaped { return reaped }
        closeInput()
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw ProcessTimerError(description: "wait4 failed for pid \(pid)") }
        }
        let exited = status & 0x7f == 0
        let run = ProcessRun(
            wall: ProcessTimer.now() - started, user: ProcessTimer.seconds(usage.ru_utime), system: ProcessTimer.seconds(usage.ru_stime),
            peakRSS: Int(usage.ru_maxrss) * 1024, status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f))
        reaped = run
        return run
    }
}

extension ProcessTimer {
    /// Monotonic seconds (`CLOCK_MONOTONIC`), the clock of every wall time here.
    public static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Starts `executable` with pipes on its standard input and output (`posix_spawn`); its
    /// standard error goes to `stderr` (a file, created 0600) or /dev/null. Reap it with
    /// `SpawnedProcess.wait()`, which times the whole run with `wait4`.
    ///
    /// Writing to a child that exited raises SIGPIPE: callers that may do so ignore it
    /// (`signal(SIGPIPE, SIG_IGN)`) and get an error from `write` instead.
    /// - Throws: `ProcessTimerError` when the pipes or the process cannot be made.
    public static func spawn(
        _ executable: String, _ arguments: [String], environment: [String]? = nil, stderr: String? = nil
    ) throws(ProcessTimerError) -> SpawnedProcess {
        var toChild: [Int32] = [-1, -1]
        var fromChild: [Int32] = [-1, -1]
        guard pipe(&toChild) == 0 else { throw ProcessTimerError(description: "cannot make a pipe") }
        guard pipe(&fromChild) == 0 else {
            close(toChild[0])
            close(toChild[1])
            throw ProcessTimerError(description: "cannot make a pipe")
        }
        for descriptor in toChild + fromChild { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // dup2 clears close-on-exec on 0 and 1; every pipe end itself closes at exec.
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        if let stderr {
            posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        let started = now()
        let pid: pid_t
        do {
            pid = try startChild(executable, arguments, environment: environment, actions: &actions)
        } catch {
            for descriptor in toChild + fromChild { close(descriptor) }
            throw error
        }
        close(toChild[0])
        close(fromChild[1])
        return SpawnedProcess(pid: pid, input: toChild[1], output: fromChild[0], started: started)
    }

    /// `posix_spawn` (or `posix_spawnp` for a bare name) of `executable` with `arguments`, the
    /// given file actions and `environment` (nil: this process's); the child's pid.
    private static func startChild(
        _ executable: String, _ arguments: [String], environment: [String]?, actions: inout posix_spawn_file_actions_t
    ) throws(ProcessTimerError) -> pid_t {
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envStrings = environment.map { $0.map { strdup($0) } + [nil] }
        defer { envStrings?.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned: Int32 = argv.withUnsafeBufferPointer { argvPointer in
            let argvRaw = UnsafePointer(argvPointer.baseAddress!)
            func start(_ envPointer: UnsafePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
                executable.contains("/")
                    ? posix_spawn(&pid, executable, &actions, nil, argvRaw, envPointer)
                    : posix_spawnp(&pid, executable, &actions, nil, argvRaw, envPointer)
            }
            guard let envStrings else { return start(environ) }
            return envStrings.withUnsafeBufferPointer { start($0.baseAddress!) }
        }
        guard spawned == 0 else {
            throw ProcessTimerError(description: "cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        return pid
    }
}

/// `write(2)`, named apart from `SpawnedProcess.write`.
private func writeToFile(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
