// The WASI side of Skiff's `Host`: thin wrappers over wasi-libc (and, where wasi-libc's POSIX layer
// loses information, over the WASI preview1 calls themselves) with Linux's conventions at the
// boundary, so WasiHost.swift never sees a wasi-libc struct layout, flag value or errno number:
//   - every function returns >= 0 on success or a negated *Linux* errno;
//   - flags and modes coming in are Linux's (asm-generic), and go out converted;
//   - structures crossing to Swift are flat arrays of int64_t with the indices below.
// Nothing here pretends: what WASI cannot do (chmod, chown, termios, statfs) is not in this file
// and is refused by WasiHost.swift with the errno Linux would give.

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

// MARK: errno

// WASI's errno numbers (wasi-libc's E* values) -> Linux's (asm-generic/errno*.h).
static int32_t linux_errno(int e) {
    switch (e) {
    case E2BIG: return 7;
    case EACCES: return 13;
    case EADDRINUSE: return 98;
    case EADDRNOTAVAIL: return 99;
    case EAFNOSUPPORT: return 97;
    case EAGAIN: return 11;
    case EALREADY: return 114;
    case EBADF: return 9;
    case EBADMSG: return 74;
    case EBUSY: return 16;
    case ECANCELED: return 125;
    case ECHILD: return 10;
    case ECONNABORTED: return 103;
    case ECONNREFUSED: return 111;
    case ECONNRESET: return 104;
    case EDEADLK: return 35;
    case EDESTADDRREQ: return 89;
    case EDOM: return 33;
    case EDQUOT: return 122;
    case EEXIST: return 17;
    case EFAULT: return 14;
    case EFBIG: return 27;
    case EHOSTUNREACH: return 113;
    case EIDRM: return 43;
    case EILSEQ: return 84;
    case EINPROGRESS: return 115;
    case EINTR: return 4;
    case EINVAL: return 22;
    case EIO: return 5;
    case EISCONN: return 106;
    case EISDIR: return 21;
    case ELOOP: return 40;
    case EMFILE: return 24;
    case EMLINK: return 31;
    case EMSGSIZE: return 90;
    case EMULTIHOP: return 72;
    case ENAMETOOLONG: return 36;
    case ENETDOWN: return 100;
    case ENETRESET: return 102;
    case ENETUNREACH: return 101;
    case ENFILE: return 23;
    case ENOBUFS: return 105;
    case ENODEV: return 19;
    case ENOENT: return 2;
    case ENOEXEC: return 8;
    case ENOLCK: return 37;
    case ENOLINK: return 67;
    case ENOMEM: return 12;
    case ENOMSG: return 42;
    case ENOPROTOOPT: return 92;
    case ENOSPC: return 28;
    case ENOSYS: return 38;
    case ENOTCONN: return 107;
    case ENOTDIR: return 20;
    case ENOTEMPTY: return 39;
    case ENOTRECOVERABLE: return 131;
    case ENOTSOCK: return 88;
    case ENOTSUP: return 95;
    case ENOTTY: return 25;
    case ENXIO: return 6;
    case EOVERFLOW: return 75;
    case EOWNERDEAD: return 130;
    case EPERM: return 1;
    case EPIPE: return 32;
    case EPROTO: return 71;
    case EPROTONOSUPPORT: return 93;
    case EPROTOTYPE: return 91;
    case ERANGE: return 34;
    case EROFS: return 30;
    case ESPIPE: return 29;
    case ESRCH: return 3;
    case ESTALE: return 116;
    case ETIMEDOUT: return 110;
    case ETXTBSY: return 26;
    case EXDEV: return 18;
    // The runtime refused for lack of a capability (a right, or a path outside the preopens):
    // to the guest this is a permission problem.
    case ENOTCAPABLE: return 13;
    default: return 5;  // EIO: an error WASI added after this table
    }
}

static int64_t failed(void) { return -(int64_t)linux_errno(errno); }
static int64_t from_wasi(__wasi_errno_t e) { return -(int64_t)linux_errno(e); }

// MARK: Files

// Linux open(2) flags (asm-generic, octal) -> wasi-libc's.
enum {
    L_ACCMODE = 03, L_CREAT = 0100, L_EXCL = 0200, L_TRUNC = 01000, L_APPEND = 02000,
    L_NONBLOCK = 04000, L_DSYNC = 010000, L_DIRECTORY = 0200000, L_NOFOLLOW = 0400000,
    L_SYNC = 04010000, L_PATH = 010000000,
};

int32_t skiff_wasi_open(int32_t dir, const char *path, int32_t flags, uint32_t mode) {
    int wflags;
    if (flags & L_PATH) {
        wflags = O_SEARCH;  // no read or write rights: what an O_PATH descriptor may do
    } else {
        switch (flags & L_ACCMODE) {
        case 0: wflags = O_RDONLY; break;
        case 1: wflags = O_WRONLY; break;
        case 2: wflags = O_RDWR; break;
        default: return -22;  // EINVAL
        }
    }
    if (flags & L_CREAT) wflags |= O_CREAT;
    if (flags & L_EXCL) wflags |= O_EXCL;
    if (flags & L_TRUNC) wflags |= O_TRUNC;
    if (flags & L_APPEND) wflags |= O_APPEND;
    if (flags & L_NONBLOCK) wflags |= O_NONBLOCK;
    if ((flags & L_SYNC) == L_SYNC) wflags |= O_SYNC;
    else if (flags & L_DSYNC) wflags |= O_DSYNC;
    if (flags & L_DIRECTORY) wflags |= O_DIRECTORY;
    if (flags & L_NOFOLLOW) wflags |= O_NOFOLLOW;
    int fd = openat(dir, path, wflags, (mode_t)mode);
    return fd < 0 ? (int32_t)failed() : fd;
}

/// The `index`th directory the runtime preopened (they are numbered from fd 3 up): returns its
/// descriptor and writes its guest-visible name (NUL-terminated, cut to `size`) to `name`;
/// -EBADF past the last one.
int32_t skiff_wasi_preopen(int32_t index, char *name, size_t size) {
    if (size == 0) return -22;
    for (int32_t fd = 3, seen = 0;; fd++) {
        __wasi_prestat_t prestat;
        __wasi_errno_t e = __wasi_fd_prestat_get(fd, &prestat);
        if (e == __WASI_ERRNO_BADF) return -9;
        if (e != 0) return (int32_t)from_wasi(e);
        if (prestat.tag != __WASI_PREOPENTYPE_DIR) continue;
        if (seen++ < index) continue;
        size_t length = prestat.u.dir.pr_name_len;
        char *full = malloc(length + 1);
        if (!full) return -12;
        e = __wasi_fd_prestat_dir_name(fd, (uint8_t *)full, length);
        if (e != 0) { free(full); return (int32_t)from_wasi(e); }
        full[length] = 0;
        strncpy(name, full, size - 1);
        name[size - 1] = 0;
        free(full);
        return fd;
    }
}

int32_t skiff_wasi_close(int32_t fd) { return close(fd) != 0 ? (int32_t)failed() : 0; }

int64_t skiff_wasi_read(int32_t fd, void *buffer, size_t count) {
    ssize_t n = read(fd, buffer, count);
    return n < 0 ? failed() : n;
}

int64_t skiff_wasi_write(int32_t fd, const void *buffer, size_t count) {
    ssize_t n = write(fd, buffer, count);
    return n < 0 ? failed() : n;
}

int64_t skiff_wasi_pread(int32_t fd, void *buffer, size_t count, int64_t offset) {
    ssize_t n = pread(fd, buffer, count, (off_t)offset);
    return n < 0 ? failed() : n;
}

int64_t skiff_wasi_pwrite(int32_t fd, const void *buffer, size_t count, int64_t offset) {
    ssize_t n = pwrite(fd, buffer, count, (off_t)offset);
    return n < 0 ? failed() : n;
}

int64_t skiff_wasi_seek(int32_t fd, int64_t offset, int32_t whence) {
    int w;
    switch (whence) {
    case 0: w = SEEK_SET; break;
    case 1: w = SEEK_CUR; break;
    case 2: w = SEEK_END; break;
    default: return -22;  // SEEK_DATA/SEEK_HOLE: WASI has no such thing (EINVAL, as the protocol allows)
    }
    off_t r = lseek(fd, (off_t)offset, w);
    return r < 0 ? failed() : r;
}

// MARK: Metadata

// The flat stat record WasiHost.swift reads (indices of an int64_t[SKIFF_STAT_COUNT]).
enum {
    ST_DEV, ST_INO, ST_MODE, ST_NLINK, ST_UID, ST_GID, ST_RDEV, ST_SIZE, ST_BLKSIZE, ST_BLOCKS,
    ST_ATIME, ST_ATIME_NS, ST_MTIME, ST_MTIME_NS, ST_CTIME, ST_CTIME_NS, SKIFF_STAT_COUNT
};

// WASI file systems have no permission bits (wasi-libc's st_mode holds the type only): every
// file is as accessible as the runtime's capabilities allow. The guest is shown that as
// rwxr-xr-x for directories and regular files (so programs can be executed), rwxrwxrwx for
// symlinks, rw-rw-rw- for devices and sockets. WASI's "unknown" type is what wasmtime reports
// for its standard streams (pipes, files or terminals alike, never seekable): it is shown as a
// FIFO, rw-------, as Linux shows a pipe.
static uint32_t linux_mode(mode_t mode) {
    switch (mode & S_IFMT) {
    case S_IFDIR: return 0040000 | 0755;
    case S_IFREG: return 0100000 | 0755;
    case S_IFLNK: return 0120000 | 0777;
    case S_IFCHR: return 0020000 | 0666;
    case S_IFBLK: return 0060000 | 0666;
    case S_IFSOCK: return 0140000 | 0666;  // wasi-libc's S_IFIFO is the same value: WASI has no FIFOs
    default: return 0010000 | 0600;  // WASI's "unknown" file type
    }
}

static void flatten(const struct stat *st, int64_t *out) {
    out[ST_DEV] = (int64_t)st->st_dev;
    out[ST_INO] = (int64_t)st->st_ino;
    out[ST_MODE] = linux_mode(st->st_mode);
    out[ST_NLINK] = (int64_t)st->st_nlink;
    out[ST_UID] = st->st_uid;
    out[ST_GID] = st->st_gid;
    out[ST_RDEV] = (int64_t)st->st_rdev;
    out[ST_SIZE] = st->st_size;
    out[ST_BLKSIZE] = st->st_blksize > 0 ? st->st_blksize : 4096;
    // WASI reports no allocation: assume whole 4 KiB blocks, as most host file systems allocate.
    out[ST_BLOCKS] = st->st_blocks > 0 ? st->st_blocks : (st->st_size + 4095) / 4096 * 8;
    out[ST_ATIME] = st->st_atim.tv_sec;
    out[ST_ATIME_NS] = st->st_atim.tv_nsec;
    out[ST_MTIME] = st->st_mtim.tv_sec;
    out[ST_MTIME_NS] = st->st_mtim.tv_nsec;
    out[ST_CTIME] = st->st_ctim.tv_sec;
    out[ST_CTIME_NS] = st->st_ctim.tv_nsec;
}

int32_t skiff_wasi_stat_count(void) { return SKIFF_STAT_COUNT; }

int32_t skiff_wasi_fstat(int32_t fd, int64_t *out) {
    struct stat st;
    if (fstat(fd, &st) != 0) return (int32_t)failed();
    flatten(&st, out);
    return 0;
}

int32_t skiff_wasi_fstatat(int32_t dir, const char *path, int32_t follow, int64_t *out) {
    struct stat st;
    if (fstatat(dir, path, &st, follow ? 0 : AT_SYMLINK_NOFOLLOW) != 0) return (int32_t)failed();
    flatten(&st, out);
    return 0;
}

int64_t skiff_wasi_readlink(int32_t dir, const char *path, char *buffer, size_t size) {
    ssize_t n = readlinkat(dir, path, buffer, size);
    return n < 0 ? failed() : n;
}

int32_t skiff_wasi_access(int32_t dir, const char *path, int32_t mode) {
    // R_OK 4, W_OK 2, X_OK 1 on Linux; wasi-libc's own values differ.
    int m = 0;
    if (mode & 4) m |= R_OK;
    if (mode & 2) m |= W_OK;
    if (mode & 1) m |= X_OK;
    return faccessat(dir, path, mode == 0 ? F_OK : m, 0) != 0 ? (int32_t)failed() : 0;
}

// Linux's utimensat markers -> wasi-libc's.
static struct timespec wasi_time(int64_t seconds, int64_t nanoseconds) {
    struct timespec t = { .tv_sec = (time_t)seconds, .tv_nsec = (long)nanoseconds };
    if (nanoseconds == (1 << 30) - 1) t.tv_nsec = UTIME_NOW;
    else if (nanoseconds == (1 << 30) - 2) t.tv_nsec = UTIME_OMIT;
    return t;
}

int32_t skiff_wasi_set_times_at(int32_t dir, const char *path, int64_t as, int64_t ans, int64_t ms, int64_t mns, int32_t follow) {
    struct timespec times[2] = { wasi_time(as, ans), wasi_time(ms, mns) };
    return utimensat(dir, path, times, follow ? 0 : AT_SYMLINK_NOFOLLOW) != 0 ? (int32_t)failed() : 0;
}

int32_t skiff_wasi_set_times(int32_t fd, int64_t as, int64_t ans, int64_t ms, int64_t mns) {
    struct timespec times[2] = { wasi_time(as, ans), wasi_time(ms, mns) };
    return futimens(fd, times) != 0 ? (int32_t)failed() : 0;
}

int32_t skiff_wasi_truncate(int32_t fd, int64_t length) {
    return ftruncate(fd, (off_t)length) != 0 ? (int32_t)failed() : 0;
}

int32_t skiff_wasi_sync(int32_t fd, int32_t data_only) {
    return (data_only ? fdatasync(fd) : fsync(fd)) != 0 ? (int32_t)failed() : 0;
}

// MARK: Directory entries and names

int32_t skiff_wasi_mkdir(int32_t dir, const char *path, uint32_t mode) {
    return mkdirat(dir, path, (mode_t)mode) != 0 ? (int32_t)failed() : 0;
}

int32_t skiff_wasi_unlink(int32_t dir, const char *path, int32_t is_directory) {
    return unlinkat(dir, path, is_directory ? AT_REMOVEDIR : 0) != 0 ? (int32_t)failed() : 0;
}

int32_t skiff_wasi_rename(int32_t old_dir, const char *old_path, int32_t new_dir, const char *new_path) {
    return renameat(old_dir, old_path, new_dir, new_path) != 0 ? (int32_t)failed() : 0;
}

int32_t skiff_wasi_link(int32_t old_dir, const char *old_path, int32_t new_dir, const char *new_path) {
    return linkat(old_dir, old_path, new_dir, new_path, 0) != 0 ? (int32_t)failed() : 0;
}

int32_t skiff_wasi_symlink(const char *target, int32_t dir, const char *path) {
    return symlinkat(target, dir, path) != 0 ? (int32_t)failed() : 0;
}

// WASI's file types -> Linux's DT_* values.
static uint8_t linux_dirent_type(__wasi_filetype_t type) {
    switch (type) {
    case __WASI_FILETYPE_BLOCK_DEVICE: return 6;
    case __WASI_FILETYPE_CHARACTER_DEVICE: return 2;
    case __WASI_FILETYPE_DIRECTORY: return 4;
    case __WASI_FILETYPE_REGULAR_FILE: return 8;
    case __WASI_FILETYPE_SOCKET_DGRAM:
    case __WASI_FILETYPE_SOCKET_STREAM: return 12;
    case __WASI_FILETYPE_SYMBOLIC_LINK: return 10;
    default: return 0;
    }
}

// Reads a directory with fd_readdir (wasi-libc's readdir would take the descriptor over, and
// WASI has no dup). Writes whole entries into `out` as [u64 inode][u8 DT type][u16 name length]
// [name], little-endian, unaligned; advances *cookie past them. Returns the bytes written,
// 0 at the end of the directory.
int64_t skiff_wasi_read_directory(int32_t fd, uint64_t *cookie, uint8_t *out, size_t size) {
    static uint8_t buffer[16384];
    size_t used = 0;
    __wasi_size_t filled;
    __wasi_errno_t e = __wasi_fd_readdir(fd, buffer, sizeof buffer, *cookie, &filled);
    if (e != 0) return from_wasi(e);
    size_t at = 0;
    while (at + sizeof(__wasi_dirent_t) <= filled) {
        __wasi_dirent_t entry;
        memcpy(&entry, buffer + at, sizeof entry);
        size_t whole = sizeof entry + entry.d_namlen;
        if (at + whole > filled) break;             // cut off: read again from this cookie
        if (entry.d_namlen > 0xffff) return -36;    // ENAMETOOLONG
        size_t record = 8 + 1 + 2 + entry.d_namlen;
        if (used + record > size) break;
        uint64_t ino = entry.d_ino;
        memcpy(out + used, &ino, 8);
        out[used + 8] = linux_dirent_type(entry.d_type);
        uint16_t length = (uint16_t)entry.d_namlen;
        memcpy(out + used + 9, &length, 2);
        memcpy(out + used + 11, buffer + at + sizeof entry, entry.d_namlen);
        used += record;
        at += whole;
        *cookie = entry.d_next;
    }
    if (used == 0 && at == 0 && filled == sizeof buffer) return -75;  // EOVERFLOW: one name > 16 KiB
    return (int64_t)used;
}

int64_t skiff_wasi_bytes_available(int32_t fd) {
    int n = 0;
    if (ioctl(fd, FIONREAD, &n) != 0) return failed();
    return n;
}

// MARK: Sockets the runtime passes in (the network relay, docs/convert.md)

/// The first descriptor the runtime opened as a stream socket (a listening socket the module may
/// `sock_accept` on: the page's relay, or a runtime's `--tcplisten`), or -1.
int32_t skiff_wasi_find_listener(void) {
    for (int32_t fd = 3; fd < 64; fd++) {
        __wasi_fdstat_t st;
        if (__wasi_fd_fdstat_get(fd, &st) != 0) continue;
        if (st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM) return fd;
    }
    return -1;
}

/// A connection accepted on `fd`, non-blocking, or a negated Linux errno (EAGAIN: none waiting).
int32_t skiff_wasi_accept(int32_t fd) {
    __wasi_fd_t connection;
    __wasi_errno_t e = __wasi_sock_accept(fd, __WASI_FDFLAGS_NONBLOCK, &connection);
    return e != 0 ? (int32_t)from_wasi(e) : (int32_t)connection;
}

/// `how`: SHUT_RD 0, SHUT_WR 1, SHUT_RDWR 2 (Linux's).
int32_t skiff_wasi_shutdown(int32_t fd, int32_t how) {
    __wasi_sdflags_t flags = how == 0 ? __WASI_SDFLAGS_RD : how == 1 ? __WASI_SDFLAGS_WR : (__WASI_SDFLAGS_RD | __WASI_SDFLAGS_WR);
    __wasi_errno_t e = __wasi_sock_shutdown(fd, flags);
    return e != 0 ? (int32_t)from_wasi(e) : 0;
}

// MARK: Time, waiting, randomness

/// `which`: 0 realtime, 1 monotonic, 2 process CPU time. Nanoseconds, or a negated errno.
int64_t skiff_wasi_clock(int32_t which) {
    __wasi_clockid_t id = which == 0 ? __WASI_CLOCKID_REALTIME
        : which == 1 ? __WASI_CLOCKID_MONOTONIC : __WASI_CLOCKID_PROCESS_CPUTIME_ID;
    __wasi_timestamp_t t;
    __wasi_errno_t e = __wasi_clock_time_get(id, 1, &t);
    return e != 0 ? from_wasi(e) : (int64_t)t;
}

// Linux POLL* bits.
enum { L_POLLIN = 0x1, L_POLLPRI = 0x2, L_POLLOUT = 0x4, L_POLLERR = 0x8, L_POLLHUP = 0x10, L_POLLNVAL = 0x20 };

// One poll_oneoff over `count` descriptors with a relative clock timeout (negative: none).
// Returns how many descriptors have events, or a negated WASI errno.
static int32_t poll_once(const int32_t *fds, const int16_t *events, int16_t *revents, int32_t count, int64_t timeout,
                         __wasi_subscription_t *subscriptions, __wasi_event_t *results) {
    size_t n = 0;
    for (int32_t i = 0; i < count; i++) {
        revents[i] = 0;
        if (fds[i] < 0) continue;
        if (events[i] & (L_POLLIN | L_POLLPRI)) {
            memset(&subscriptions[n], 0, sizeof subscriptions[n]);
            subscriptions[n].userdata = (uint64_t)i;
            subscriptions[n].u.tag = __WASI_EVENTTYPE_FD_READ;
            subscriptions[n].u.u.fd_read.file_descriptor = fds[i];
            n++;
        }
        if (events[i] & L_POLLOUT) {
            memset(&subscriptions[n], 0, sizeof subscriptions[n]);
            subscriptions[n].userdata = (uint64_t)i;
            subscriptions[n].u.tag = __WASI_EVENTTYPE_FD_WRITE;
            subscriptions[n].u.u.fd_write.file_descriptor = fds[i];
            n++;
        }
    }
    if (timeout >= 0) {
        memset(&subscriptions[n], 0, sizeof subscriptions[n]);
        subscriptions[n].userdata = UINT64_MAX;
        subscriptions[n].u.tag = __WASI_EVENTTYPE_CLOCK;
        subscriptions[n].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
        subscriptions[n].u.u.clock.timeout = (__wasi_timestamp_t)timeout;
        n++;
    }
    if (n == 0) return 0;
    __wasi_size_t got = 0;
    __wasi_errno_t e = __wasi_poll_oneoff(subscriptions, results, n, &got);
    if (e != 0) return -(int32_t)e;
    int32_t ready = 0;
    for (__wasi_size_t k = 0; k < got; k++) {
        __wasi_event_t *ev = &results[k];
        if (ev->userdata == UINT64_MAX) continue;  // the timeout
        int32_t i = (int32_t)ev->userdata;
        int16_t bits;
        if (ev->error == __WASI_ERRNO_BADF) bits = L_POLLNVAL;
        else if (ev->error != 0) bits = L_POLLERR;
        else {
            bits = ev->type == __WASI_EVENTTYPE_FD_READ ? L_POLLIN : L_POLLOUT;
            if (ev->fd_readwrite.flags & __WASI_EVENTRWFLAGS_FD_READWRITE_HANGUP) bits |= L_POLLHUP;
        }
        if (revents[i] == 0) ready++;
        revents[i] |= bits;
    }
    return ready;
}

// Set once the runtime has answered poll_oneoff with ENOSYS (WasmKit 0.1.6).
static int poll_unsupported;

// poll(2) over poll_oneoff with a nanosecond timeout (negative: none). `fds`, `events` and
// `revents` are parallel arrays of `count` entries with Linux bits. Returns how many descriptors
// have events (0 on timeout) or a negated Linux errno.
//
// Two runtime quirks are absorbed here:
// - node's WASI (uvwasi) fires a zero timeout before it looks at the descriptors, so a zero-timeout
//   poll never reports a ready one. When a zero-timeout poll with descriptors finds nothing, it is
//   asked again with a 1 ms timeout (uvwasi's timer granularity), which lets ready ones through.
// - WasmKit 0.1.6 has no poll_oneoff at all. There a pure timeout is waited out on the monotonic
//   clock, and descriptors are reported ready for what was asked: a read or write then blocks
//   inside the runtime until it can proceed, which is the best a runtime that cannot wait offers.
int32_t skiff_wasi_poll(const int32_t *fds, const int16_t *events, int16_t *revents, int32_t count, int64_t timeout) {
    int32_t live = 0;
    for (int32_t i = 0; i < count; i++) if (fds[i] >= 0) live++;
    if (!poll_unsupported) {
        __wasi_subscription_t *subscriptions = calloc((size_t)count * 2 + 1, sizeof *subscriptions);
        __wasi_event_t *results = calloc((size_t)count * 2 + 1, sizeof *results);
        if (!subscriptions || !results) { free(subscriptions); free(results); return -12; }
        int32_t ready = poll_once(fds, events, revents, count, timeout, subscriptions, results);
        if (ready == 0 && timeout == 0 && live > 0)
            ready = poll_once(fds, events, revents, count, 1000000, subscriptions, results);
        free(subscriptions);
        free(results);
        if (ready != -__WASI_ERRNO_NOSYS) return ready < 0 ? -linux_errno(-ready) : ready;
        poll_unsupported = 1;
    }
    int32_t ready = 0;
    for (int32_t i = 0; i < count; i++) {
        revents[i] = fds[i] < 0 ? 0 : events[i] & (L_POLLIN | L_POLLPRI | L_POLLOUT);
        if (revents[i]) ready++;
    }
    if (ready == 0 && timeout > 0) {
        __wasi_timestamp_t start, now;
        if (__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &start) != 0) return 0;
        do {
            if (__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &now) != 0) break;
        } while (now - start < (__wasi_timestamp_t)timeout);
    }
    return ready;
}

int32_t skiff_wasi_random(void *buffer, size_t count) {
    __wasi_errno_t e = __wasi_random_get(buffer, count);
    return e != 0 ? (int32_t)from_wasi(e) : 0;
}

int32_t skiff_wasi_isatty(int32_t fd) { return isatty(fd); }

/// Bytes of linear memory the module has now (it may grow to 4 GiB on wasm32).
uint64_t skiff_wasi_memory_size(void) { return (uint64_t)__builtin_wasm_memory_size(0) * 65536; }

void skiff_wasi_exit(int32_t status) { exit(status); }

// The runtime's environment (wasmtime --env, node's `env`), entry by entry as KEY=VALUE.
extern char **environ;
int32_t skiff_wasi_environ_count(void) {
    int32_t n = 0;
    while (environ && environ[n]) n++;
    return n;
}
const char *skiff_wasi_environ_entry(int32_t index) { return environ[index]; }
