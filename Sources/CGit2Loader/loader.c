#include "CGit2Loader.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

static void *library;
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
    library = handle;
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

// MARK: CA certificates, read when a command first reaches a remote

// Debian's libgit2 has its TLS back end (mbedTLS) read the system's CA certificates in
// git_libgit2_init: 5 ms of base64 decoding and X.509 parsing in every command that commits,
// though only a sync or clone over https uses them. The programs export the two mbedTLS
// functions that read them (Package.swift, programLinkerSettings), so libgit2's calls bind
// here: while memvault_git_init runs, they only note which file or folder was asked for;
// memvault_git_load_certificates reads it before the first network operation.

typedef int (*certificate_reader)(void *chain, const char *path);

static atomic_int deferring;
static char deferred_file[4096];
static char deferred_folder[4096];
static pthread_mutex_t certificates_lock = PTHREAD_MUTEX_INITIALIZER;
static int certificates_loaded;

/// mbedTLS's own function `name`, from the libraries libgit2 loaded (a handle's lookup starts
/// at the library, not at the program that exports the function too).
static certificate_reader mbedtls_reader(const char *name) {
    return library == NULL ? NULL : (certificate_reader)dlsym(library, name);
}

static int read_or_defer(const char *name, char *deferred, size_t size, void *chain, const char *path) {
    if (atomic_load(&deferring)) {
        snprintf(deferred, size, "%s", path);
        return 0;
    }
    certificate_reader reader = mbedtls_reader(name);
    // MBEDTLS_ERR_X509_FILE_IO_ERROR: libgit2 then reports that no certificate could be read.
    return reader == NULL ? -0x2900 : reader(chain, path);
}

__attribute__((visibility("default"))) int mbedtls_x509_crt_parse_file(void *chain, const char *path) {
    return read_or_defer("mbedtls_x509_crt_parse_file", deferred_file, sizeof deferred_file, chain, path);
}

__attribute__((visibility("default"))) int mbedtls_x509_crt_parse_path(void *chain, const char *path) {
    return read_or_defer("mbedtls_x509_crt_parse_path", deferred_folder, sizeof deferred_folder, chain, path);
}

int memvault_git_init(const memvault_git *git) {
    atomic_store(&deferring, 1);
    int result = git->git_libgit2_init();
    atomic_store(&deferring, 0);
    return result;
}

static int certificates_deferred(void) {
    return deferred_file[0] != 0 || deferred_folder[0] != 0;
}

int memvault_git_load_certificates(const memvault_git *git) {
    pthread_mutex_lock(&certificates_lock);
    int result = 0;
    if (!certificates_loaded && certificates_deferred()) {
        result = git->git_libgit2_opts(
            GIT_OPT_SET_SSL_CERT_LOCATIONS, deferred_file[0] ? deferred_file : NULL,
            deferred_folder[0] ? deferred_folder : NULL);
    }
    if (result == 0) certificates_loaded = 1;
    pthread_mutex_unlock(&certificates_lock);
    return result;
}
