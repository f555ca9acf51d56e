#ifndef MEMVAULT_COPENBLAS_SHIM_H
#define MEMVAULT_COPENBLAS_SHIM_H
// OpenBLAS's CBLAS declarations, for their types. The library itself is not linked: the embedder
// loads it with dlopen the first time a model is loaded (Sources/Embedder/OpenBLAS.swift), so that
// commands which never embed do not pay for mapping it and starting its threads.
#include <cblas.h>

typedef void (*memvault_cblas_sgemm_function)(
    enum CBLAS_ORDER, enum CBLAS_TRANSPOSE, enum CBLAS_TRANSPOSE, blasint, blasint, blasint,
    float, const float *, blasint, const float *, blasint, float, float *, blasint);
typedef void (*memvault_cblas_sgemv_function)(
    enum CBLAS_ORDER, enum CBLAS_TRANSPOSE, blasint, blasint,
    float, const float *, blasint, const float *, blasint, float, float *, blasint);
typedef void (*memvault_openblas_set_num_threads_function)(int);
typedef char *(*memvault_openblas_get_corename_function)(void);
// OpenBLAS's own `blas_thread_shutdown_` (not in cblas.h; exported by the pthreads build, which
// calls it at fork): stops and joins the threads of its pool.
typedef int (*memvault_blas_thread_shutdown_function)(void);
#endif
