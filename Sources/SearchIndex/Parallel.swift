import Dispatch
import Foundation

/// Splitting work across the machine's active cores.
enum Parallel {
    /// The cores this process may use (`ProcessInfo.activeProcessorCount`), at least one.
    static let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Runs `body` on consecutive parts of `0..<count`, one per core (fewer when `count` is
    /// smaller), at once, and returns when all are done.
    static func forEachPart(count: Int, _ body: (Range<Int>) -> Void) {
        let parts = min(cores, max(1, count))
        withoutActuallyEscaping(body) { body in
            // The closure only touches disjoint parts of caller-owned buffers and
            // concurrentPerform returns after all calls: no shared mutable state escapes.
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                body(count * part / parts..<count * (part + 1) / parts)
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
