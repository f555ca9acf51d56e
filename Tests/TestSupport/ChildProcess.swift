import Foundation

/// Running a program from a test, for its result (not its timing: `ProcessTimer` times).
public enum ChildProcess {
    /// Runs `executable` with `args` and returns its exit status and its stdout and stderr together.
    @discardableResult
    public static func run(
        _ executable: String, _ args: [String], in directory: URL? = nil, environment: [String: String]? = nil
    ) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = args
        if let directory { process.currentDirectoryURL = directory }
        if let environment { process.environment = environment }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
