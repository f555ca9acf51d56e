#ifndef MEMVAULT_CLINUXPROCESS_H
#define MEMVAULT_CLINUXPROCESS_H
// Linux calls Swift cannot make directly: variadic in libc (prctl), or made of macros and
// _GNU_SOURCE declarations (CPU sets, a thread's CPU affinity; threads.c).
#include <sys/prctl.h>

/// prctl(PR_SET_DUMPABLE, 0): no core dump, and no ptrace or /proc/PID/mem access by other
/// processes of the same user (only root, with CAP_SYS_PTRACE, may still attach).
static inline int memvault_set_not_dumpable(void) {
    return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/// prctl(PR_GET_DUMPABLE): 0 when the process is not dumpable.
static inline int memvault_get_dumpable(void) {
    return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
}

/// How many CPUs the calling thread may run on (0 when that cannot be read).
int memvault_allowed_cpu_count(void);

/// Starts `body(argument)` on a new detached thread that begins on another CPU than the calling
/// thread's (any CPU when the process may use one only). Linux places a new thread beside its
/// parent first: it then either waits there until the parent's CPU is free or preempts the
/// parent, 0.5-2 ms either way on a two-CPU machine. Once it runs, the thread may use every CPU
/// the process may. Returns 0, or pthread_create's error.
int memvault_start_thread_elsewhere(void (*body)(void *), void *argument);
#endif
