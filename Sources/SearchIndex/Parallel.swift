import Dispatch

/// Splitting work across the machine's two cores.
enum Parallel {
    /// Runs `body` on the two halves of `0..<count` at once and returns when both are done.
    static func forEachHalf(count: Int, _ body: (Range<Int>) -> Void) {
        let mid = count / 2
        withoutActuallyEscaping(body) { body in
            // The closure only touches disjoint halves of caller-owned buffers and
            // concurrentPerform returns after both calls: no shared mutable state escapes.
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: 2) { half in
                body(half == 0 ? 0..<mid : mid..<count)
            }
        }
    }
}
