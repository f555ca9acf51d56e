#include "CGit2Loader.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static memvault_git table;
static const memvault_git *opened;
static char failure[512];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void open_library(void) {
    const char *name = "libgit2.so." LIBGIT2_SOVERSION;
    void *handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        const char *reason = dlerror();
        snprintf(failure, sizeof failure, "cannot open %s: %s", name, reason ? reason : "unknown reason");
        return;
    }
#define MEMVAULT_GIT_LOOKUP(function) \
    table.function = (__typeof__(table.function))dlsym(handle, #function); \
    if (table.function == NULL) { \
        snprintf(failure, sizeof failure, "%s has no function %s", name, #function); \
        return; \
    }
    MEMVAULT_GIT_FUNCTIONS(MEMVAULT_GIT_LOOKUP)
#undef MEMVAULT_GIT_LOOKUP
    opened = &table;
}

const memvault_git *memvault_git_open(const char **error) {
    pthread_once(&once, open_library);
    if (opened == NULL) *error = failure;
    return opened;
}

int memvault_git_set_owner_validation(const memvault_git *git, int enabled) {
    return git->git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, enabled);
}

int memvault_git_enable_fsync_gitdir(const memvault_git *git, int enabled) {
    return git->git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, enabled);
}

int memvault_git_enable_strict_object_creation(const memvault_git *git, int enabled) {
    return git->git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, enabled);
}
