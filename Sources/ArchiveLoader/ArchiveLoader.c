// libarchive, loaded with dlopen on first use instead of at every start of skiff.
//
// libarchive is linked dynamically by Debian against libxml2 and ICU (and nettle, lzma, bzip2,
// lz4, acl...): loading and relocating them costs ~2 ms at every process start, while only the
// commands that unpack or pack layers (pull, import, save, export, commit, the first run of a new
// image) use libarchive at all. So skiff is not linked against libarchive: each libarchive
// function Skiff calls is defined here with the same prototype (checked by the compiler against
// <archive.h>) and forwards to the real one, looked up in the library on its first call.
//
// A libarchive function not listed here fails to link ("undefined reference to archive_..."):
// add it with ARCHIVE_FORWARD / ARCHIVE_FORWARD_VOID below.

#include <archive.h>
#include <archive_entry.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ArchiveLoader.h"

#if defined(__APPLE__)
static const char *const library_names[] = { "libarchive.13.dylib", "/opt/homebrew/opt/libarchive/lib/libarchive.13.dylib",
                                             "/usr/local/opt/libarchive/lib/libarchive.13.dylib" };
#else
static const char *const library_names[] = { "libarchive.so.13", "libarchive.so" };
#endif

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static void *library;
static char load_error[512];

static void load_library(void) {
    load_error[0] = 0;
    for (size_t i = 0; i < sizeof library_names / sizeof library_names[0]; i++) {
        library = dlopen(library_names[i], RTLD_NOW | RTLD_LOCAL);
        if (library) return;
        const char *why = dlerror();
        if (load_error[0] == 0 && why) snprintf(load_error, sizeof load_error, "%s", why);
    }
}

int skiff_archive_load(char *error, unsigned long size) {
    pthread_once(&load_once, load_library);
    if (library) return 0;
    if (error && size > 0) snprintf(error, size, "%s", load_error);
    return -1;
}

/// The address of libarchive's `name`; without the library (or the symbol) there is no way to
/// go on, so this says what is missing and exits.
static void *archive_symbol(const char *name) {
    if (skiff_archive_load(NULL, 0) != 0) {
        fprintf(stderr, "skiff: cannot load libarchive, needed to read and write layer archives (%s); "
                        "install it (Debian: apt-get install libarchive13)\n", load_error);
        exit(127);
    }
    void *address = dlsym(library, name);
    if (!address) {
        fprintf(stderr, "skiff: the libarchive found has no %s (%s)\n", name, dlerror());
        exit(127);
    }
    return address;
}

#define ARCHIVE_RESOLVE(ret, name, params) \
    static ret (*resolved) params; \
    ret (*f) params = __atomic_load_n(&resolved, __ATOMIC_ACQUIRE); \
    if (!f) { \
        f = (ret (*) params)archive_symbol(#name); \
        __atomic_store_n(&resolved, f, __ATOMIC_RELEASE); \
    }

#define ARCHIVE_FORWARD(ret, name, params, args) \
    ret name params { ARCHIVE_RESOLVE(ret, name, params) return f args; }

#define ARCHIVE_FORWARD_VOID(name, params, args) \
    void name params { ARCHIVE_RESOLVE(void, name, params) f args; }

typedef struct archive A;
typedef struct archive_entry E;

// Reading.
ARCHIVE_FORWARD(A *, archive_read_new, (void), ())
ARCHIVE_FORWARD(int, archive_read_free, (A *a), (a))
ARCHIVE_FORWARD(int, archive_read_support_filter_all, (A *a), (a))
ARCHIVE_FORWARD(int, archive_read_support_filter_bzip2, (A *a), (a))
ARCHIVE_FORWARD(int, archive_read_support_filter_gzip, (A *a), (a))
ARCHIVE_FORWARD(int, archive_read_support_filter_xz, (A *a), (a))
ARCHIVE_FORWARD(int, archive_read_support_filter_zstd, (A *a), (a))
ARCHIVE_FORWARD(int, archive_read_support_format_empty, (A *a), (a))
ARCHIVE_FORWARD(int, archive_read_support_format_gnutar, (A *a), (a))
ARCHIVE_FORWARD(int, archive_read_support_format_raw, (A *a), (a))
ARCHIVE_FORWARD(int, archive_read_support_format_tar, (A *a), (a))
ARCHIVE_FORWARD(int, archive_read_open_filename, (A *a, const char *path, size_t block), (a, path, block))
ARCHIVE_FORWARD(int, archive_read_next_header, (A *a, E **entry), (a, entry))
ARCHIVE_FORWARD(la_ssize_t, archive_read_data, (A *a, void *buffer, size_t size), (a, buffer, size))
ARCHIVE_FORWARD(int, archive_read_data_block, (A *a, const void **buffer, size_t *size, la_int64_t *offset),
                (a, buffer, size, offset))
ARCHIVE_FORWARD(const char *, archive_error_string, (A *a), (a))

// Writing.
ARCHIVE_FORWARD(A *, archive_write_new, (void), ())
ARCHIVE_FORWARD(int, archive_write_free, (A *a), (a))
ARCHIVE_FORWARD(int, archive_write_add_filter_gzip, (A *a), (a))
ARCHIVE_FORWARD(int, archive_write_add_filter_none, (A *a), (a))
ARCHIVE_FORWARD(int, archive_write_add_filter_zstd, (A *a), (a))
ARCHIVE_FORWARD(int, archive_write_set_filter_option, (A *a, const char *m, const char *o, const char *v), (a, m, o, v))
ARCHIVE_FORWARD(int, archive_write_set_format_gnutar, (A *a), (a))
ARCHIVE_FORWARD(int, archive_write_set_format_pax, (A *a), (a))
ARCHIVE_FORWARD(int, archive_write_set_format_pax_restricted, (A *a), (a))
ARCHIVE_FORWARD(int, archive_write_set_format_ustar, (A *a), (a))
ARCHIVE_FORWARD(int, archive_write_set_bytes_in_last_block, (A *a, int bytes), (a, bytes))
ARCHIVE_FORWARD(int, archive_write_open_fd, (A *a, int fd), (a, fd))
ARCHIVE_FORWARD(int, archive_write_open_filename, (A *a, const char *path), (a, path))
ARCHIVE_FORWARD(int, archive_write_header, (A *a, E *entry), (a, entry))
ARCHIVE_FORWARD(la_ssize_t, archive_write_data, (A *a, const void *buffer, size_t size), (a, buffer, size))
ARCHIVE_FORWARD(int, archive_write_close, (A *a), (a))

// Entries.
ARCHIVE_FORWARD(E *, archive_entry_new, (void), ())
ARCHIVE_FORWARD_VOID(archive_entry_free, (E *e), (e))
ARCHIVE_FORWARD(__LA_MODE_T, archive_entry_filetype, (E *e), (e))
ARCHIVE_FORWARD(__LA_MODE_T, archive_entry_perm, (E *e), (e))
ARCHIVE_FORWARD(la_int64_t, archive_entry_uid, (E *e), (e))
ARCHIVE_FORWARD(la_int64_t, archive_entry_gid, (E *e), (e))
ARCHIVE_FORWARD(la_int64_t, archive_entry_size, (E *e), (e))
ARCHIVE_FORWARD(time_t, archive_entry_mtime, (E *e), (e))
ARCHIVE_FORWARD(long, archive_entry_mtime_nsec, (E *e), (e))
ARCHIVE_FORWARD(dev_t, archive_entry_rdevmajor, (E *e), (e))
ARCHIVE_FORWARD(dev_t, archive_entry_rdevminor, (E *e), (e))
ARCHIVE_FORWARD(const char *, archive_entry_pathname, (E *e), (e))
ARCHIVE_FORWARD(const char *, archive_entry_pathname_utf8, (E *e), (e))
ARCHIVE_FORWARD(const char *, archive_entry_hardlink, (E *e), (e))
ARCHIVE_FORWARD(const char *, archive_entry_hardlink_utf8, (E *e), (e))
ARCHIVE_FORWARD(const char *, archive_entry_symlink, (E *e), (e))
ARCHIVE_FORWARD(const char *, archive_entry_symlink_utf8, (E *e), (e))
ARCHIVE_FORWARD_VOID(archive_entry_set_filetype, (E *e, unsigned int type), (e, type))
ARCHIVE_FORWARD_VOID(archive_entry_set_perm, (E *e, __LA_MODE_T mode), (e, mode))
ARCHIVE_FORWARD_VOID(archive_entry_set_uid, (E *e, la_int64_t uid), (e, uid))
ARCHIVE_FORWARD_VOID(archive_entry_set_gid, (E *e, la_int64_t gid), (e, gid))
ARCHIVE_FORWARD_VOID(archive_entry_set_size, (E *e, la_int64_t size), (e, size))
ARCHIVE_FORWARD_VOID(archive_entry_set_mtime, (E *e, time_t seconds, long nanoseconds), (e, seconds, nanoseconds))
ARCHIVE_FORWARD_VOID(archive_entry_set_rdevmajor, (E *e, dev_t major), (e, major))
ARCHIVE_FORWARD_VOID(archive_entry_set_rdevminor, (E *e, dev_t minor), (e, minor))
ARCHIVE_FORWARD_VOID(archive_entry_set_pathname, (E *e, const char *path), (e, path))
ARCHIVE_FORWARD_VOID(archive_entry_set_hardlink, (E *e, const char *target), (e, target))
ARCHIVE_FORWARD_VOID(archive_entry_set_symlink, (E *e, const char *target), (e, target))
