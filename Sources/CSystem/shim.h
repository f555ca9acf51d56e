#ifndef MEMVAULT_CSYSTEM_SHIM_H
#define MEMVAULT_CSYSTEM_SHIM_H
// Linux system calls Swift cannot call directly (variadic in libc).
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
#endif
