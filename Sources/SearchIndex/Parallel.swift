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

    /// Runs `body` on consecutive blocks of `0..<count` on every core, each block
    /// taken by whichever thread is free: a thread that is not scheduled in time
    /// leaves its share to the others instead of delaying the result.
    /// - Parameters:
    ///   - blockSize: rows per block (the last block may be shorter).
    ///   - body: called once per block with the block number and its range.
    static func forEachBlock(count: Int, blockSize: Int, _ body: (Int, Range<Int>) -> Void) {
        let blocks = (count + blockSize - 1) / blockSize
        withoutActuallyEscaping(body) { body in
            // Each call gets its own block (its own output slot in the caller's buffers) and
            // concurrentPerform returns after all calls: no shared mutable state escapes.
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: blocks) { b in
                body(b, b * blockSize..<min(count, (b + 1) * blockSize))
            }
        }
    }
}
