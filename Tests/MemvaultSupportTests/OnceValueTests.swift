import Dispatch
import Foundation
import MemvaultSupport
import Synchronization
import Testing

@Suite("OnceValue")
struct OnceValueTests {
    @Test("made once, by the first caller, however many threads ask at once; a known value is never made")
    func madeOnce() {
        let calls = Atomic(0)
        let once = OnceValue<Int> {
            calls.add(1, ordering: .relaxed)
            usleep(2_000)
            return 42
        }
        let results = Mutex<[Int]>([])
        DispatchQueue.concurrentPerform(iterations: 16) { _ in
            let value = once.value
            results.withLock { $0.append(value) }
        }
        #expect(calls.load(ordering: .relaxed) == 1)
        #expect(results.withLock { $0 } == Array(repeating: 42, count: 16))

        let known = OnceValue<Int?>(made: nil)
        #expect(known.value == nil)
    }

    @Test("isMade never waits: false before, and while another thread makes the value; true after")
    func isMadeDoesNotWait() {
        let started = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let once = OnceValue<Int> {
            started.signal()
            release.wait()
            return 7
        }
        #expect(!once.isMade)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            _ = once.value
            done.signal()
        }
        started.wait()
        #expect(!once.isMade)  // answered while the maker holds the lock
        release.signal()
        done.wait()
        #expect(once.isMade)
        #expect(OnceValue<Int>(made: 1).isMade)
    }
}
