import Foundation

internal import COpenBLAS

/// The OpenBLAS functions the embedder calls, from `libopenblas.so.0` loaded at run time.
///
/// The library is opened by the first matrix product that needs it (a forward pass of more
/// tokens than a short query has, `Kernels.linear`), not when the process starts or the model
/// loads: loading it and its libraries takes about 2 ms, and OpenBLAS starts its thread pool as
/// it loads (stopped again at once, see `open()`). A command that never embeds (`--version`,
/// `add` to a plain tier, `list`), and a search whose query is short, do not pay for that. Where
/// the library cannot be opened, the products run on the embedder's own short-query kernel, a
/// few rows at a time. The functions are OpenBLAS's own; only the moment of loading differs
/// from linking them.
struct OpenBLAS: @unchecked Sendable {
    /// The library's name as the dynamic linker finds it (Debian: `libopenblas0`).
    static let soname = "libopenblas.so.0"

    /// `cblas_sgemm`: C = alpha · op(A) · op(B) + beta · C.
    let sgemm: memvault_cblas_sgemm_function
    /// `openblas_set_num_threads`.
    let setThreadCount: memvault_openblas_set_num_threads_function
    /// `openblas_get_corename`: the kernel OpenBLAS chose for this CPU.
    let coreName: memvault_openblas_get_corename_function
    /// OpenBLAS's `blas_server_avail`: non-zero while its thread pool runs (nil in a build that
    /// does not export it).
    let poolFlag: UnsafePointer<Int32>?

    /// Whether OpenBLAS's own thread pool is running (nil when the library does not say).
    var threadPoolRunning: Bool? { poolFlag.map { $0.pointee != 0 } }

    /// The library, opened once per process on first use (or why it could not be).
    static let shared: Result<OpenBLAS, EmbedderError> = open()

    /// The loaded library, for the kernels, which call it only once `shared` has succeeded.
    static var loaded: OpenBLAS {
        guard case .success(let library) = shared else {
            preconditionFailure("OpenBLAS used although it could not be loaded")
        }
        return library
    }

    private static func open() -> Result<OpenBLAS, EmbedderError> {
        guard let handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "not found"
            return .failure(missing(reason))
        }
        func function<Function>(_ name: String, as type: Function.Type) -> Function? {
            dlsym(handle, name).map { unsafeBitCast($0, to: type) }
        }
        guard let sgemm = function("cblas_sgemm", as: memvault_cblas_sgemm_function.self),
            let setThreadCount = function(
                "openblas_set_num_threads", as: memvault_openblas_set_num_threads_function.self),
            let coreName = function("openblas_get_corename", as: memvault_openblas_get_corename_function.self)
        else {
            return .failure(missing("it lacks cblas_sgemm, openblas_set_num_threads or openblas_get_corename"))
        }
        // We parallelize across batches ourselves; OpenBLAS threads would only contend with us.
        setThreadCount(1)
        // OpenBLAS started its pool as it loaded, one thread per core but one, and each of them
        // spins (calling sched_yield) for 2^28 cycles, about a tenth of a second, before it
        // sleeps: a whole CLI search long, on every other core, beside our own threads (a quarter
        // of a 100k search's CPU on two cores). With one thread OpenBLAS never uses the pool, so
        // it is stopped now; a build without `blas_thread_shutdown_` keeps it.
        if let shutdown = function("blas_thread_shutdown_", as: memvault_blas_thread_shutdown_function.self) {
            _ = shutdown()
        }
        let poolFlag = dlsym(handle, "blas_server_avail").map { UnsafePointer($0.assumingMemoryBound(to: Int32.self)) }
        return .success(OpenBLAS(sgemm: sgemm, setThreadCount: setThreadCount, coreName: coreName, poolFlag: poolFlag))
    }

    private static func missing(_ reason: String) -> EmbedderError {
        EmbedderError(
            kind: .libraryMissing, message: "cannot load OpenBLAS: \(reason)", path: soname,
            hint: "install it (Debian: apt-get install libopenblas0)")
    }
}
