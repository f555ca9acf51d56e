import Foundation

/// The products `swift build` made for this test run, found from the test runner itself.
///
/// `swift test` runs `memvaultPackageTests.xctest` from the folder that holds every product of
/// the same build (`.build/<triple>/<debug|release>/`), so the binaries found here are the ones
/// built with these tests, whatever the configuration, triple or `--scratch-path`.
public enum BuiltProducts {
    /// The folder of the running test bundle, links resolved.
    public static let directory: URL = {
        let runner = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        return runner.resolvingSymlinksInPath().deletingLastPathComponent()
    }()

    /// The built executable `name` (the `memvault` binary by default).
    public static func executable(_ name: String = "memvault") -> URL {
        directory.appendingPathComponent(name)
    }
}
