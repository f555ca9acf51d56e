import Foundation
import Vault

/// Two independent pieces of work run at once (on two threads when the machine has more than one
/// core; `concurrentPerform` runs them one after the other on one).
enum Overlap {
    /// Runs `first` and `second` at the same time and returns both results once both are done.
    ///
    /// Used to load the search index while the tier files are read: the two touch different
    /// state of the vault (the index loader its loaded index, the file reader its unlocked
    /// keys; both only read its settings), and nothing they return is shared until both end.
    /// - Throws: the error of `first`, else of `second`.
    static func both<A, B>(
        _ first: () throws(VaultError) -> A, _ second: () throws(VaultError) -> B
    ) throws(VaultError) -> (A, B) {
        // Each slot is written by exactly one of the two calls, and read only after
        // concurrentPerform has returned, which orders those writes before the reads.
        nonisolated(unsafe) var a: Result<A, VaultError>?
        nonisolated(unsafe) var b: Result<B, VaultError>?
        withoutActuallyEscaping(first) { first in
            withoutActuallyEscaping(second) { second in
                // Both closures are called once each, on one thread each, before this returns.
                nonisolated(unsafe) let first = first, second = second
                DispatchQueue.concurrentPerform(iterations: 2) { slot in
                    if slot == 0 {
                        a = Result { () throws(VaultError) in try first() }
                    } else {
                        b = Result { () throws(VaultError) in try second() }
                    }
                }
            }
        }
        return (try a!.get(), try b!.get())
    }
}
