import Foundation
internal import CLinuxProcess

/// Threads that work beside the caller from the moment they are made.
public enum ThreadStart {
    /// Runs `body` on a new thread that begins on another CPU than the caller's.
    ///
    /// Linux places a new thread on its parent's CPU first, where it either waits until the
    /// parent blocks or preempts the parent: on a two-CPU machine a helper thread started that
    /// way began its work 0.5-2 ms late, or held the command's own thread up as long. The new
    /// thread may run on every CPU again once it runs (`memvault_start_thread_elsewhere`).
    public static func elsewhere(_ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Body(body)).toOpaque()
        let started = memvault_start_thread_elsewhere({ raw in
            Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue().run()
        }, box)
        if started != 0 {
            Unmanaged<Body>.fromOpaque(box).release()
            Thread(block: body).start()
        }
    }

    /// How many CPUs the calling thread may run on (0 when that cannot be read).
    public static var allowedCPUCount: Int { Int(memvault_allowed_cpu_count()) }

    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }
}
