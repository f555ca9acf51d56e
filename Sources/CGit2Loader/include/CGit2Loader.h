#ifndef MEMVAULT_CGIT2_LOADER_H
#define MEMVAULT_CGIT2_LOADER_H
// libgit2, opened with dlopen on first use instead of linked: libgit2 brings about twenty
// shared libraries (libssh2, OpenSSL, mbedtls, Kerberos, ...) whose loading and relocation
// every memvault process would pay at start, also the ones that never touch git
// (`--version`, shell completion, search). The table below names every libgit2 function
// memvault calls; its fields have the functions' own types, taken from <git2.h>.
#include <git2.h>

#define MEMVAULT_GIT_FUNCTIONS(X) \
    X(git_blob_create_from_buffer) \
    X(git_blob_free) \
    X(git_blob_lookup) \
    X(git_blob_lookup_prefix) \
    X(git_blob_rawcontent) \
    X(git_blob_rawsize) \
    X(git_branch_create) \
    X(git_buf_dispose) \
    X(git_checkout_head) \
    X(git_checkout_options_init) \
    X(git_checkout_tree) \
    X(git_clone) \
    X(git_clone_options_init) \
    X(git_commit_author) \
    X(git_commit_create) \
    X(git_commit_free) \
    X(git_commit_id) \
    X(git_commit_lookup) \
    X(git_commit_message) \
    X(git_commit_parent) \
    X(git_commit_parent_id) \
    X(git_commit_parentcount) \
    X(git_commit_summary) \
    X(git_commit_time) \
    X(git_commit_tree) \
    X(git_commit_tree_id) \
    X(git_config_free) \
    X(git_config_get_string) \
    X(git_config_open_level) \
    X(git_config_set_string) \
    X(git_credential_ssh_key_from_agent) \
    X(git_credential_ssh_key_new) \
    X(git_credential_username_new) \
    X(git_credential_userpass_plaintext_new) \
    X(git_diff_find_options_init) \
    X(git_diff_find_similar) \
    X(git_diff_free) \
    X(git_diff_get_delta) \
    X(git_diff_num_deltas) \
    X(git_diff_options_init) \
    X(git_diff_tree_to_tree) \
    X(git_diff_tree_to_index) \
    X(git_diff_tree_to_workdir_with_index) \
    X(git_error_clear) \
    X(git_error_last) \
    X(git_error_set_str) \
    X(git_fetch_options_init) \
    X(git_graph_descendant_of) \
    X(git_index_add) \
    X(git_index_add_all) \
    X(git_index_add_bypath) \
    X(git_index_conflict_iterator_free) \
    X(git_index_conflict_iterator_new) \
    X(git_index_conflict_next) \
    X(git_index_conflict_remove) \
    X(git_index_entry_stage) \
    X(git_index_entrycount) \
    X(git_index_find_prefix) \
    X(git_index_free) \
    X(git_index_get_byindex) \
    X(git_index_get_bypath) \
    X(git_index_has_conflicts) \
    X(git_index_new) \
    X(git_index_open) \
    X(git_index_read) \
    X(git_index_read_tree) \
    X(git_index_remove_bypath) \
    X(git_index_remove_directory) \
    X(git_index_update_all) \
    X(git_index_write) \
    X(git_index_write_tree) \
    X(git_index_write_tree_to) \
    X(git_libgit2_init) \
    X(git_merge_base) \
    X(git_message_prettify) \
    X(git_object_free) \
    X(git_object_id) \
    X(git_object_peel) \
    X(git_object_short_id) \
    X(git_object_type) \
    X(git_odb_hash) \
    X(git_oid_equal) \
    X(git_oid_fromstrn) \
    X(git_push_options_init) \
    X(git_reference_create) \
    X(git_reference_create_matching) \
    X(git_reference_free) \
    X(git_reference_list) \
    X(git_reference_lookup) \
    X(git_reference_peel) \
    X(git_reference_symbolic_target) \
    X(git_reference_type) \
    X(git_remote_create) \
    X(git_remote_fetch) \
    X(git_remote_free) \
    X(git_remote_list) \
    X(git_remote_lookup) \
    X(git_remote_push) \
    X(git_remote_url) \
    X(git_repository_config) \
    X(git_repository_config_snapshot) \
    X(git_repository_free) \
    X(git_repository_head) \
    X(git_repository_index) \
    X(git_repository_init_ext) \
    X(git_repository_init_options_init) \
    X(git_repository_item_path) \
    X(git_repository_open_ext) \
    X(git_repository_path) \
    X(git_repository_set_head) \
    X(git_repository_set_head_detached) \
    X(git_repository_state_cleanup) \
    X(git_repository_workdir) \
    X(git_reset_default) \
    X(git_revparse_single) \
    X(git_signature_free) \
    X(git_signature_new) \
    X(git_signature_now) \
    X(git_strarray_dispose) \
    X(git_tree_create_updated) \
    X(git_tree_entry_byindex) \
    X(git_tree_entry_bypath) \
    X(git_tree_entry_filemode) \
    X(git_tree_entry_free) \
    X(git_tree_entry_id) \
    X(git_tree_entry_name) \
    X(git_tree_entry_type) \
    X(git_tree_entrycount) \
    X(git_tree_free) \
    X(git_tree_id) \
    X(git_tree_lookup) \
    X(git_libgit2_opts)

/// One field per function in MEMVAULT_GIT_FUNCTIONS, of that function's pointer type.
typedef struct memvault_git {
#define MEMVAULT_GIT_FIELD(name) __typeof__(name) *_Nonnull name;
    MEMVAULT_GIT_FUNCTIONS(MEMVAULT_GIT_FIELD)
#undef MEMVAULT_GIT_FIELD
} memvault_git;

/// Opens libgit2 (`libgit2.so.<the SOVERSION of the headers memvault was built with>`) and
/// looks up every function, once per process (thread-safe). Returns the table, or NULL with
/// a message that names the library or the missing function in `*error`.
const memvault_git *_Nullable memvault_git_open(const char *_Nullable *_Nonnull error);

/// git_libgit2_opts is variadic, which Swift cannot call: its calls memvault makes.
int memvault_git_set_owner_validation(const memvault_git *_Nonnull git, int enabled);
/// Makes libgit2 fsync the objects, the index and the refs it writes.
int memvault_git_enable_fsync_gitdir(const memvault_git *_Nonnull git, int enabled);
/// Whether libgit2 reads the header of every object a new tree or commit names, to check it
/// exists with the right type.
int memvault_git_enable_strict_object_creation(const memvault_git *_Nonnull git, int enabled);

/// git_libgit2_init, with the system's CA certificates only noted, not read (loader.c): in a
/// program that exports mbedTLS's two certificate readers, as memvault and memvault-mcp do.
int memvault_git_init(const memvault_git *_Nonnull git);
/// Reads the CA certificates memvault_git_init noted, once per process (thread-safe): call it
/// before the first fetch, push or clone. 0 when read or nothing was noted; -1 with libgit2's
/// error set when they cannot be read.
int memvault_git_load_certificates(const memvault_git *_Nonnull git);

#endif
