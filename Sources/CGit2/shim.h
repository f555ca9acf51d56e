#ifndef MEMVAULT_CGIT2_SHIM_H
#define MEMVAULT_CGIT2_SHIM_H
#include <git2.h>

/// git_libgit2_opts is variadic; Swift cannot call it directly.
static inline int memvault_git_set_search_path(int level, const char *path) {
    return git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, level, path);
}
static inline int memvault_git_set_owner_validation(int enabled) {
    return git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, enabled);
}
/// Makes libgit2 fsync objects, the index and refs it writes, so a commit survives power loss.
static inline int memvault_git_enable_fsync_gitdir(int enabled) {
    return git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, enabled);
}
#endif
