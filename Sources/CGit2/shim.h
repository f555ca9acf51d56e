#ifndef MEMVAULT_CGIT2_SHIM_H
#define MEMVAULT_CGIT2_SHIM_H
// libgit2's declarations only: the library itself is opened on first use (Sources/CGit2Loader).
#include <git2.h>
#endif
