// The fuzz executable. Built by `scripts/fuzz` with `-sanitize=fuzzer,address -DFUZZING`, it is a
// libFuzzer binary (libFuzzer brings `main`): `memvault-fuzz --target=NAME [libFuzzer flags]
// [corpus dirs]`. In a normal build it replays files through a target instead, without
// mutation: `memvault-fuzz NAME FILE_OR_DIR...`, and writes the generated seeds with
// `memvault-fuzz --write-seeds DIR`.
import FuzzTargets

#if canImport(Glibc)
import Glibc
#endif

/// One line on stderr.
func printError(_ text: String) {
    var line = text
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

#if FUZZING
nonisolated(unsafe) private var selected: FuzzTarget?

@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// libFuzzer's callback: one input through the selected target.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    selected!.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

/// The entry point (SwiftPM links an executable's `main` to `<module>_main`): picks the target
/// from `--target=NAME` (libFuzzer ignores flags that start with `--`) and hands over to libFuzzer.
@_cdecl("memvault_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    for i in 0..<Int(argc) {
        guard let arg = argv?[i].map({ String(cString: $0) }), arg.hasPrefix("--target=") else { continue }
        selected = FuzzTarget(rawValue: String(arg.dropFirst("--target=".count)))
    }
    guard selected != nil else {
        printError("memvault-fuzz: error: name a target with --target=NAME (\(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")))\n")
        return 64
    }
    var count = argc
    var arguments = argv
    return runDriver(&count, &arguments, { data, size in fuzzerTestOneInput(data, size) })
}
#else
import Foundation

@main
struct Replay {
    static func main() {
        let args = Array(CommandLine.arguments.dropFirst())
        if args.first == "--write-seeds", args.count == 2 {
            do {
                for (target, seeds) in try SeedCorpus.generated() {
                    let dir = URL(fileURLWithPath: args[1]).appendingPathComponent(target.rawValue)
                    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                    for seed in seeds { try Data(seed.bytes).write(to: dir.appendingPathComponent(seed.name)) }
                    print("\(target.rawValue): \(seeds.count) seeds")
                }
            } catch {
                printError("memvault-fuzz: error: \(error)\n")
                exit(1)
            }
            return
        }
        guard args.count >= 2, let target = FuzzTarget(rawValue: args[0]) else {
            printError("usage: memvault-fuzz TARGET FILE_OR_DIR... | --write-seeds DIR\ntargets: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n")
            exit(64)
        }
        var count = 0
        for path in args.dropFirst() {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                printError("memvault-fuzz: error: no such file (\(path))\n")
                exit(1)
            }
            let files = isDirectory.boolValue
                ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { path + "/" + $0 }
                : [path]
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                target.run(Array(data))
                count += 1
            }
        }
        print("\(target.rawValue): \(count) inputs replayed, no law broken")
    }
}
#endif
