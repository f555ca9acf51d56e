import Dispatch
import Foundation
import MemvaultSupport
import Synchronization
import Testing

@Suite("ThreadStart: a helper thread that begins on another CPU")
struct ThreadStartTests {
    @Test("the body runs on another thread, which may use every CPU the caller may once it runs")
    func runsUnpinned() {
        let done = DispatchSemaphore(value: 0)
        let seen = Mutex<(cpus: Int, isMain: Bool)?>(nil)
        let callerCPUs = ThreadStart.allowedCPUCount
        ThreadStart.elsewhere {
            seen.withLock { $0 = (ThreadStart.allowedCPUCount, Thread.isMainThread) }
            done.signal()
        }
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(callerCPUs > 0)
        #expect(seen.withLock { $0?.cpus } == callerCPUs)
        #expect(seen.withLock { $0?.isMain } == false)
    }

    @Test("many threads started at once each run their body once")
    func manyAtOnce() {
        let count = 32
        let done = DispatchSemaphore(value: 0)
        let runs = Atomic(0)
        for _ in 0..<count {
            ThreadStart.elsewhere {
                runs.add(1, ordering: .relaxed)
                done.signal()
            }
        }
        for _ in 0..<count { #expect(done.wait(timeout: .now() + 10) == .success) }
        #expect(runs.load(ordering: .relaxed) == count)
    }
}
