import Foundation
import Vault

#if canImport(Glibc)
import Glibc
#endif

extension Vault {
    /// Installs the test seams of a debug build. A release build compiles this to nothing: no
    /// environment variable can change what the shipped binary does (`ReleaseSwitchTests` checks
    /// the binaries' strings).
    func installDebugHooks() {
        #if DEBUG
        let environment = ProcessInfo.processInfo.environment
        if let text = environment["MEMVAULT_DEBUG_SCRYPT_WORK_FACTOR"], let value = Int(text) {
            scryptWorkFactorLimit = value
        }
        if let text = environment["MEMVAULT_DEBUG_COMPACT_AFTER"], let value = Int(text) {
            indexCompactionLimit = value
        }
        let crash = environment["MEMVAULT_DEBUG_CRASH_AT"].flatMap { $0.isEmpty ? nil : $0 }
        let script = environment["MEMVAULT_DEBUG_BEFORE_PUSH"].flatMap { $0.isEmpty ? nil : $0 }
        if crash != nil || script != nil {
            faults = DebugFaults(crashAt: crash, beforePushScript: script, root: root)
        }
        #endif
    }
}

#if DEBUG
/// Debug builds only: `MEMVAULT_DEBUG_CRASH_AT=POINT[:N]` kills the process with SIGKILL the N-th
/// time (default 1) it reaches POINT (see `FaultPoint`); `MEMVAULT_DEBUG_BEFORE_PUSH=SCRIPT` runs a
/// shell script before sync's first push, so a test can move the remote meanwhile.
final class DebugFaults: FaultInjection {
    private let point: String?
    private var remaining: Int
    private let script: String?
    private let root: URL

    init(crashAt: String?, beforePushScript: String?, root: URL) {
        let parts = crashAt?.split(separator: ":", maxSplits: 1).map(String.init) ?? []
        point = parts.first
        remaining = parts.count > 1 ? Int(parts[1]) ?? 1 : 1
        script = beforePushScript
        self.root = root
    }

    func reached(_ point: FaultPoint) {
        if point == .syncBeforePush, let script {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = [script]
            process.currentDirectoryURL = root
            process.standardOutput = FileHandle.standardError  // keep stdout for the command's own output
            try? process.run()
            process.waitUntilExit()
        }
        guard point.rawValue == self.point else { return }
        remaining -= 1
        guard remaining <= 0 else { return }
        FileHandle.standardError.write(Data("memvault: debug crash at \(point)\n".utf8))
        kill(getpid(), SIGKILL)
    }
}
#endif
