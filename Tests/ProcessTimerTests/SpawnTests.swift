import Testing
import ProcessTimer
#if canImport(Glibc)
import Glibc
#endif

@Suite struct SpawnTests {
    /// A long-lived child on pipes: a line written is read back, closing its input ends it, and
    /// wait4 gives its exit status and CPU time.
    @Test func spawnedChildOnPipes() throws {
        let child = try ProcessTimer.spawn("cat", [])
        try child.write(Array("hello\nworld\n".utf8))
        #expect(try child.readLine() == "hello")
        #expect(try child.readLine() == "world")
        let run = try child.wait()
        #expect(run.status == 0)
        #expect(run.wall > 0)
        #expect(throws: ProcessTimerError.self) { try child.readLine() }
    }

    @Test func spawnedChildStatusAndMissingProgram() throws {
        let failed = try ProcessTimer.spawn("sh", ["-c", "read line; exit 7"])
        try failed.write(Array("x\n".utf8))
        #expect(try failed.wait().status == 7)
        #expect(throws: ProcessTimerError.self) { try ProcessTimer.spawn("/nonexistent/program", []) }
    }
}
