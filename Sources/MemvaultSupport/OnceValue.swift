import Synchronization

/// A value made the first time it is asked for, once, from any thread: callers arriving while it
/// is being made wait for it.
public final class OnceValue<Value: Sendable>: Sendable {
    private let make: @Sendable () -> Value
    private let made = Mutex<Value?>(nil)

    /// `make` runs at most once, on the first `value`.
    public init(_ make: @escaping @Sendable () -> Value) {
        self.make = make
    }

    /// A value known already.
    public init(made value: Value) {
        make = { value }
        made.withLock { $0 = value }
    }

    /// Whether the value is there; never waits (false while another thread is still making it).
    public var isMade: Bool { made.withLockIfAvailable { $0 != nil } ?? false }

    /// The value, made now if nobody has yet.
    public var value: Value {
        made.withLock { made in
            if let known = made { return known }
            let value = make()
            made = value
            return value
        }
    }
}
