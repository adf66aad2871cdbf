// The WASI file layer that `skiff convert` merges into a WASI app module to make a *packed*
// module (docs/convert.md, "Packing a WASI image"): the app's wasi_snapshot_preview1 imports are
// redirected to the functions this file exports under the same names. They serve the image's
// tree (the pack the converter appends as a passive data segment) as a writable in-memory
// filesystem preopened at "/" (descriptor 3), and forward everything else to the runtime's real
// WASI functions, translating descriptor numbers:
//
//   app fd 0..2        -> real fd 0..2 (stdio)
//   app fd 3           -> the packed root "/"
//   app fd 4..2^30-1   -> real fd (app fd - 1): the runtime's own preopens (--dir) and what it opens
//   app fd 2^30 + i    -> packed open file i
//
// Freestanding C (no libc), compiled for plain wasm32 (-mcpu=mvp) by scripts/build-wasm.sh into
// .build-wasm/skiff-wasi-pack.wasm. This module's linear memory is a *region* of the app's
// memory placed after the app's own pages: the converter rewrites this code so every address
// it uses is offset by the region's base, and moves the region up when the app grows its memory.
// Addresses in the app's memory are reached only through the skiff_pack functions below, which
// the converter writes.

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef long long i64;
typedef int i32;
typedef unsigned long size_t;

#define PACK(name) __attribute__((import_module("skiff_pack"), import_name(#name)))
#define WASI_IMPORT(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))
#define WASI_EXPORT(name) __attribute__((export_name(#name)))

// Written by the converter (Sources/Skiff/Convert/WasiPackIntrinsics.swift).
PACK(pack_size) u32 pack_size(void);                                   // bytes of the pack
PACK(pack_read) void pack_read(void *dst, u32 offset, u32 length);        // pack -> this memory
PACK(pack_read_app) void pack_read_app(u32 app_dst, u32 offset, u32 length); // pack -> app memory
PACK(from_app) void from_app(void *dst, u32 app_src, u32 length);         // app memory -> this memory
PACK(to_app) void to_app(u32 app_dst, const void *src, u32 length);       // this memory -> app memory
PACK(physical) u32 physical(const void *p);                              // where p is in the app's address space

// WASI errno values and types (wasi_snapshot_preview1).
enum {
    E_OK = 0, E_ACCES = 2, E_BADF = 8, E_EXIST = 20, E_INVAL = 28, E_ISDIR = 31, E_LOOP = 32,
    E_NAMETOOLONG = 37, E_NOENT = 44, E_NOMEM = 48, E_NOSYS = 52, E_NOTDIR = 54, E_NOTEMPTY = 55,
    E_NOTSOCK = 57, E_NOTSUP = 58, E_SPIPE = 70, E_XDEV = 75,
};
enum { T_UNKNOWN = 0, T_DIR = 3, T_REG = 4, T_SYMLINK = 7 };
#define RIGHTS_ALL 0x1FFFFFFFull
#define RIGHT_FD_READ 0x2ull
#define RIGHT_FD_WRITE 0x40ull
#define ROOT_FD 3u
#define VBASE 0x40000000u
#define PATH_MAX 4096u

// ---- memory -------------------------------------------------------------------------------

void *memcpy(void *d, const void *s, size_t n) {
    u8 *dp = d; const u8 *sp = s;
    while (n--) *dp++ = *sp++;
    return d;
}
void *memset(void *d, int c, size_t n) {
    u8 *dp = d;
    while (n--) *dp++ = (u8)c;
    return d;
}
void *memmove(void *d, const void *s, size_t n) {
    u8 *dp = d; const u8 *sp = s;
    if (dp < sp) { while (n--) *dp++ = *sp++; }
    else { dp += n; sp += n; while (n--) *--dp = *--sp; }
    return d;
}
int memcmp(const void *a, const void *b, size_t n) {
    const u8 *x = a, *y = b;
    for (; n; n--, x++, y++) if (*x != *y) return *x - *y;
    return 0;
}

extern u8 __heap_base;
static u8 *heap_top, *heap_end;
static void *free_lists[32];

// Power-of-two size classes with a free list each; a block's class sits in the 8 bytes before it.
static void *xalloc(u64 n) {
    if (n > 0x7fff0000ull) return 0;
    u32 c = 4;
    while ((1ull << c) < n + 8) c++;
    u8 *block = free_lists[c];
    if (block) {
        free_lists[c] = *(void **)block;
    } else {
        if (!heap_top) {
            heap_top = (u8 *)(((u32)&__heap_base + 15) & ~15u);
            heap_end = (u8 *)(__builtin_wasm_memory_size(0) * 65536u);
        }
        u32 size = 1u << c;
        if ((u32)(heap_end - heap_top) < size) {
            u32 pages = (size - (u32)(heap_end - heap_top) + 65535u) / 65536u;
            if (__builtin_wasm_memory_grow(0, pages) == (size_t)-1) return 0;
            heap_end += pages * 65536u;
        }
        block = heap_top;
        heap_top += size;
    }
    *(u32 *)block = c;
    return block + 8;
}
static void xfree(void *p) {
    if (!p) return;
    u8 *block = (u8 *)p - 8;
    u32 c = *(u32 *)block;
    *(void **)block = free_lists[c];
    free_lists[c] = block;
}

static u32 app_u32(u32 a) { u32 v; from_app(&v, a, 4); return v; }
static void put_u32(u32 a, u32 v) { to_app(a, &v, 4); }
static void put_u64(u32 a, u64 v) { to_app(a, &v, 8); }

// ---- the tree -------------------------------------------------------------------------------

typedef struct node {
    struct node *parent, *child, *next;  // children: a list, in the pack's order
    const char *name;
    u32 name_length;
    u32 type;                            // a WASI filetype
    u32 links;                           // 0 once unlinked
    u32 opens;                           // open descriptors
    u64 size;
    u32 pack_offset;                     // contents (files) or target (symlinks) in the pack, while data == 0
    u8 *data;                            // own bytes: written files, new files and symlinks
    u64 capacity;
    u64 ino, mtime;
} node;

// The pack (written by Sources/Skiff/Convert/WasiPackTree.swift): a 24-byte header
// ("SKPK", version 1, node count, metadata bytes, process offset, process length), node records
// of 32 bytes, the names, the process (below); then contents and symlink targets, at the offsets
// the records give.
typedef struct {
    u32 parent, type, name_offset, name_length;
    u32 size, data_offset;
    u64 mtime;
} pack_record;

static node *root;
static int initialized, root_closed;
static u64 next_ino;
static const u8 *process;  // the image's process, in the metadata
static u32 process_length;

static void init(void) {
    if (initialized) return;
    initialized = 1;
    u32 header[6] = {0, 0, 0, 0, 0, 0};
    if (pack_size() >= 24) pack_read(header, 0, 24);
    u32 count = header[2], meta = header[3];
    int ok = header[0] == 0x4b504b53u && header[1] == 1 && count >= 1 && meta <= pack_size()
        && 24ull + 32ull * count <= meta && (u64)header[4] + header[5] <= meta;
    u8 *bytes = ok ? xalloc(meta) : 0;
    node *nodes = ok ? xalloc((u64)count * sizeof(node)) : 0;
    if (!bytes || !nodes) {  // an empty root: a module packed with nothing, or out of memory
        root = xalloc(sizeof(node));
        memset(root, 0, sizeof(node));
        root->type = T_DIR;
        root->links = 1;
        root->ino = next_ino = 1;
        return;
    }
    pack_read(bytes, 0, meta);
    process = bytes + header[4];
    process_length = header[5];
    memset(nodes, 0, (u64)count * sizeof(node));
    node *last_child_of_parent = 0;
    for (u32 i = 0; i < count; i++) {
        pack_record *r = (pack_record *)(bytes + 24 + 32 * i);
        node *n = &nodes[i];
        n->type = r->type;
        n->links = 1;
        n->size = r->size;
        n->pack_offset = r->data_offset;
        n->mtime = r->mtime;
        n->ino = i + 1;
        if (r->name_offset <= meta && r->name_length <= meta - r->name_offset) {
            n->name = (const char *)bytes + r->name_offset;
            n->name_length = r->name_length;
        }
        if (i == 0 || r->parent >= i || nodes[r->parent].type != T_DIR) {
            n->parent = i == 0 ? 0 : &nodes[0];  // a corrupt record: hang it under the root
        } else {
            n->parent = &nodes[r->parent];
        }
        if (i == 0) continue;
        // Records come parent by parent: append after the previous child of the same parent.
        if (last_child_of_parent && last_child_of_parent->parent == n->parent) last_child_of_parent->next = n;
        else { n->next = n->parent->child; n->parent->child = n; }
        last_child_of_parent = n;
    }
    root = &nodes[0];
    root->type = T_DIR;
    root->parent = 0;
    next_ino = count;
}

static node *new_node(node *parent, const char *name, u32 length, u32 type) {
    node *n = xalloc(sizeof(node));
    char *copy = xalloc(length ? length : 1);
    if (!n || !copy) { xfree(n); xfree(copy); return 0; }
    memset(n, 0, sizeof(node));
    memcpy(copy, name, length);
    n->name = copy;
    n->name_length = length;
    n->type = type;
    n->links = 1;
    n->ino = ++next_ino;
    n->parent = parent;
    n->next = parent->child;
    parent->child = n;
    return n;
}

// Takes `n` out of its directory's list.
static void take_out(node *n) {
    node **p = &n->parent->child;
    while (*p && *p != n) p = &(*p)->next;
    if (*p) *p = n->next;
    n->next = 0;
}

// Removes `n` from the tree; its bytes go when no descriptor has it open.
static void detach(node *n) {
    take_out(n);
    n->links = 0;
    if (!n->opens && n->type != T_DIR) { xfree(n->data); n->data = 0; }
}

static node *lookup(node *dir, const char *name, u32 length) {
    for (node *c = dir->child; c; c = c->next)
        if (c->name_length == length && memcmp(c->name, name, length) == 0) return c;
    return 0;
}

// Makes a file's bytes its own (a copy of the packed contents) with room for `size`.
static int own(node *n, u64 size) {
    if (n->data && n->capacity >= size) return E_OK;
    u64 capacity = n->capacity ? n->capacity : 64;
    while (capacity < size) capacity *= 2;
    u8 *data = xalloc(capacity);
    if (!data) return E_NOMEM;
    if (n->data) { memcpy(data, n->data, n->size); xfree(n->data); }
    else if (n->size) pack_read(data, n->pack_offset, (u32)n->size);
    n->data = data;
    n->capacity = capacity;
    return E_OK;
}

static int resize(node *n, u64 size) {
    if (size > 0xffffffffull) return E_NOMEM;
    int e = own(n, size);
    if (e) return e;
    if (size > n->size) memset(n->data + n->size, 0, size - n->size);
    n->size = size;
    return E_OK;
}

// The target of a symlink, in a buffer the caller frees.
static char *link_target(node *n) {
    char *t = xalloc(n->size + 1);
    if (!t) return 0;
    if (n->data) memcpy(t, n->data, n->size);
    else pack_read(t, n->pack_offset, (u32)n->size);
    t[n->size] = 0;
    return t;
}

typedef struct {
    node *found;          // the node, or 0 when only the last component is missing
    node *parent;         // the directory holding the last component
    const char *last;     // the last component (in the path)
    u32 last_length;
} resolution;

// Resolves `path` from `dir`: ".." stops at the root, symlinks are followed inside the tree
// (absolute ones from the packed root), the last one only when `follow`.
static int resolve(node *dir, const char *path, u32 length, int follow, int depth, resolution *out) {
    if (depth > 40) return E_LOOP;
    node *current = dir;
    u32 i = 0;
    if (length && path[0] == '/') current = root;
    out->found = current; out->parent = current->parent ? current->parent : current;
    out->last = "."; out->last_length = 1;
    while (i < length) {
        while (i < length && path[i] == '/') i++;
        if (i >= length) break;
        u32 start = i;
        while (i < length && path[i] != '/') i++;
        const char *name = path + start;
        u32 name_length = i - start;
        u32 rest = i;
        while (rest < length && path[rest] == '/') rest++;
        int is_last = rest >= length;
        if (current->type != T_DIR) return E_NOTDIR;
        out->parent = current;
        out->last = name;
        out->last_length = name_length;
        node *next;
        if (name_length == 1 && name[0] == '.') next = current;
        else if (name_length == 2 && name[0] == '.' && name[1] == '.') next = current->parent ? current->parent : current;
        else next = lookup(current, name, name_length);
        if (!next) {
            if (!is_last) return E_NOENT;
            out->found = 0;
            return E_OK;
        }
        if (next->type == T_SYMLINK && (!is_last || follow || i < length)) {
            char *target = link_target(next);
            if (!target) return E_NOMEM;
            resolution inner;
            int e = resolve(current, target, (u32)next->size, 1, depth + 1, &inner);
            xfree(target);
            if (e) return e;
            if (!inner.found) {
                if (!is_last) return E_NOENT;
                *out = inner;
                return E_OK;
            }
            next = inner.found;
        }
        current = next;
        if (is_last && i < length && current->type != T_DIR) return E_NOTDIR;  // "file/"
    }
    out->found = current;
    return E_OK;
}

// ---- descriptors ----------------------------------------------------------------------------

typedef struct {
    node *n;
    u64 position;
    u32 readable, writable, append, used;
} vfile;

static vfile *vfiles;
static u32 vfile_count;
static vfile root_file;

enum { FD_REAL, FD_VIRTUAL, FD_BAD };

static int classify(u32 fd, u32 *real, vfile **file) {
    if (fd < 3) { *real = fd; return FD_REAL; }
    if (fd == ROOT_FD) {
        init();
        if (root_closed) return FD_BAD;
        root_file.n = root; root_file.readable = 1; root_file.used = 1;
        *file = &root_file;
        return FD_VIRTUAL;
    }
    if (fd < VBASE) { *real = fd - 1; return FD_REAL; }
    u32 i = fd - VBASE;
    if (i < vfile_count && vfiles[i].used) { *file = &vfiles[i]; return FD_VIRTUAL; }
    return FD_BAD;
}
static u32 app_fd(u32 real) { return real < 3 ? real : real + 1; }

static int open_file(node *n, int readable, int writable, int append, u32 *fd) {
    u32 i = 0;
    while (i < vfile_count && vfiles[i].used) i++;
    if (i == vfile_count) {
        u32 count = vfile_count ? vfile_count * 2 : 16;
        vfile *grown = xalloc((u64)count * sizeof(vfile));
        if (!grown) return E_NOMEM;
        memset(grown, 0, (u64)count * sizeof(vfile));
        if (vfiles) memcpy(grown, vfiles, vfile_count * sizeof(vfile));
        xfree(vfiles);
        vfiles = grown;
        vfile_count = count;
    }
    vfiles[i].n = n; vfiles[i].position = 0; vfiles[i].used = 1;
    vfiles[i].readable = readable; vfiles[i].writable = writable; vfiles[i].append = append;
    n->opens++;
    *fd = VBASE + i;
    return E_OK;
}

static void close_file(vfile *f) {
    if (f == &root_file) { root_closed = 1; return; }
    node *n = f->n;
    f->used = 0;
    if (--n->opens == 0 && n->links == 0) { xfree(n->data); n->data = 0; }
}

// Copies an app path into a buffer the caller frees.
static int app_path(u32 path, u32 length, char **out) {
    if (length > PATH_MAX) return E_NAMETOOLONG;
    char *p = xalloc(length + 1);
    if (!p) return E_NOMEM;
    from_app(p, path, length);
    p[length] = 0;
    *out = p;
    return E_OK;
}

static int resolve_app(vfile *dir, u32 path, u32 length, int follow, resolution *r) {
    if (dir->n->type != T_DIR) return E_NOTDIR;
    char *p;
    int e = app_path(path, length, &p);
    if (e) return e;
    e = resolve(dir->n, p, length, follow, 0, r);
    if (!e && !r->found) {  // keep the missing name alive past the path buffer
        char *name = xalloc(r->last_length + 1);
        if (!name) e = E_NOMEM;
        else { memcpy(name, r->last, r->last_length); r->last = name; }
    } else {
        r->last = 0;
    }
    xfree(p);
    return e;
}
static void release(resolution *r) { if (r->last) xfree((void *)r->last); r->last = 0; }

static void filestat(node *n, u32 buf) {
    u64 s[8] = {0, n->ino, n->type, n->links ? n->links : 0, n->size, n->mtime, n->mtime, n->mtime};
    if (n->type == T_DIR) s[4] = 4096;
    to_app(buf, s, 64);
}

// ---- the real WASI functions ------------------------------------------------------------------

WASI_IMPORT(fd_advise) i32 real_fd_advise(u32, u64, u64, u32);
WASI_IMPORT(fd_allocate) i32 real_fd_allocate(u32, u64, u64);
WASI_IMPORT(fd_close) i32 real_fd_close(u32);
WASI_IMPORT(fd_datasync) i32 real_fd_datasync(u32);
WASI_IMPORT(fd_fdstat_get) i32 real_fd_fdstat_get(u32, u32);
WASI_IMPORT(fd_fdstat_set_flags) i32 real_fd_fdstat_set_flags(u32, u32);
WASI_IMPORT(fd_fdstat_set_rights) i32 real_fd_fdstat_set_rights(u32, u64, u64);
WASI_IMPORT(fd_filestat_get) i32 real_fd_filestat_get(u32, u32);
WASI_IMPORT(fd_filestat_set_size) i32 real_fd_filestat_set_size(u32, u64);
WASI_IMPORT(fd_filestat_set_times) i32 real_fd_filestat_set_times(u32, u64, u64, u32);
WASI_IMPORT(fd_pread) i32 real_fd_pread(u32, u32, u32, u64, u32);
WASI_IMPORT(fd_prestat_get) i32 real_fd_prestat_get(u32, u32);
WASI_IMPORT(fd_prestat_dir_name) i32 real_fd_prestat_dir_name(u32, u32, u32);
WASI_IMPORT(fd_pwrite) i32 real_fd_pwrite(u32, u32, u32, u64, u32);
WASI_IMPORT(fd_read) i32 real_fd_read(u32, u32, u32, u32);
WASI_IMPORT(fd_readdir) i32 real_fd_readdir(u32, u32, u32, u64, u32);
WASI_IMPORT(fd_renumber) i32 real_fd_renumber(u32, u32);
WASI_IMPORT(fd_seek) i32 real_fd_seek(u32, i64, u32, u32);
WASI_IMPORT(fd_sync) i32 real_fd_sync(u32);
WASI_IMPORT(fd_tell) i32 real_fd_tell(u32, u32);
WASI_IMPORT(fd_write) i32 real_fd_write(u32, u32, u32, u32);
WASI_IMPORT(path_create_directory) i32 real_path_create_directory(u32, u32, u32);
WASI_IMPORT(path_filestat_get) i32 real_path_filestat_get(u32, u32, u32, u32, u32);
WASI_IMPORT(path_filestat_set_times) i32 real_path_filestat_set_times(u32, u32, u32, u32, u64, u64, u32);
WASI_IMPORT(path_link) i32 real_path_link(u32, u32, u32, u32, u32, u32, u32);
WASI_IMPORT(path_open) i32 real_path_open(u32, u32, u32, u32, u32, u64, u64, u32, u32);
WASI_IMPORT(path_readlink) i32 real_path_readlink(u32, u32, u32, u32, u32, u32);
WASI_IMPORT(path_remove_directory) i32 real_path_remove_directory(u32, u32, u32);
WASI_IMPORT(path_rename) i32 real_path_rename(u32, u32, u32, u32, u32, u32);
WASI_IMPORT(path_symlink) i32 real_path_symlink(u32, u32, u32, u32, u32);
WASI_IMPORT(path_unlink_file) i32 real_path_unlink_file(u32, u32, u32);
WASI_IMPORT(poll_oneoff) i32 real_poll_oneoff(u32, u32, u32, u32);
WASI_IMPORT(sock_accept) i32 real_sock_accept(u32, u32, u32);
WASI_IMPORT(sock_recv) i32 real_sock_recv(u32, u32, u32, u32, u32, u32);
WASI_IMPORT(sock_send) i32 real_sock_send(u32, u32, u32, u32, u32);
WASI_IMPORT(sock_shutdown) i32 real_sock_shutdown(u32, u32);
WASI_IMPORT(clock_time_get) i32 real_clock_time_get(u32, u64, u32);

static u64 now(void) {
    u64 t = 0;
    if (real_clock_time_get(0, 1000, physical(&t)) != 0) t = 0;
    return t;
}

// Declares the exported wrapper NAME: virtual descriptors go to the code after it; real ones
// are forwarded with `fd` translated; others are EBADF.
#define DISPATCH(fd, forward) \
    u32 real_; vfile *f = 0; \
    switch (classify(fd, &real_, &f)) { \
    case FD_BAD: return E_BADF; \
    case FD_REAL: { u32 fd_real = real_; (void)fd_real; return forward; } \
    default: break; \
    }

// ---- data -------------------------------------------------------------------------------------

static int read_at(vfile *f, u32 iovs, u32 count, u64 offset, u32 *done) {
    node *n = f->n;
    if (n->type == T_DIR) return E_ISDIR;
    if (!f->readable) return E_BADF;
    u32 total = 0;
    for (u32 i = 0; i < count; i++) {
        u32 buf = app_u32(iovs + 8 * i), length = app_u32(iovs + 8 * i + 4);
        if (offset >= n->size) break;
        u64 left = n->size - offset;
        u32 k = left < length ? (u32)left : length;
        if (n->data) to_app(buf, n->data + offset, k);
        else pack_read_app(buf, n->pack_offset + (u32)offset, k);
        offset += k; total += k;
        if (k < length) break;
    }
    *done = total;
    return E_OK;
}

static int write_at(vfile *f, u32 iovs, u32 count, u64 offset, u32 *done) {
    node *n = f->n;
    if (n->type == T_DIR) return E_ISDIR;
    if (!f->writable) return E_BADF;
    u32 total = 0;
    for (u32 i = 0; i < count; i++) {
        u32 buf = app_u32(iovs + 8 * i), length = app_u32(iovs + 8 * i + 4);
        if (!length) continue;
        u64 end = offset + length;
        if (end > n->size) { int e = resize(n, end); if (e) return e; }
        else { int e = own(n, n->size); if (e) return e; }
        from_app(n->data + offset, buf, length);
        offset = end; total += length;
    }
    if (total) n->mtime = now();
    *done = total;
    return E_OK;
}

WASI_EXPORT(fd_read) i32 fd_read(u32 fd, u32 iovs, u32 count, u32 nread) {
    DISPATCH(fd, real_fd_read(fd_real, iovs, count, nread))
    u32 done;
    int e = read_at(f, iovs, count, f->position, &done);
    if (e) return e;
    f->position += done;
    put_u32(nread, done);
    return E_OK;
}

WASI_EXPORT(fd_pread) i32 fd_pread(u32 fd, u32 iovs, u32 count, u64 offset, u32 nread) {
    DISPATCH(fd, real_fd_pread(fd_real, iovs, count, offset, nread))
    u32 done;
    int e = read_at(f, iovs, count, offset, &done);
    if (!e) put_u32(nread, done);
    return e;
}

WASI_EXPORT(fd_write) i32 fd_write(u32 fd, u32 iovs, u32 count, u32 nwritten) {
    DISPATCH(fd, real_fd_write(fd_real, iovs, count, nwritten))
    if (f->append) f->position = f->n->size;
    u32 done;
    int e = write_at(f, iovs, count, f->position, &done);
    if (e) return e;
    f->position += done;
    put_u32(nwritten, done);
    return E_OK;
}

WASI_EXPORT(fd_pwrite) i32 fd_pwrite(u32 fd, u32 iovs, u32 count, u64 offset, u32 nwritten) {
    DISPATCH(fd, real_fd_pwrite(fd_real, iovs, count, offset, nwritten))
    u32 done;
    int e = write_at(f, iovs, count, offset, &done);
    if (!e) put_u32(nwritten, done);
    return e;
}

WASI_EXPORT(fd_seek) i32 fd_seek(u32 fd, i64 offset, u32 whence, u32 result) {
    DISPATCH(fd, real_fd_seek(fd_real, offset, whence, result))
    if (f->n->type == T_DIR) return E_ISDIR;
    i64 base = whence == 0 ? 0 : whence == 1 ? (i64)f->position : whence == 2 ? (i64)f->n->size : -1;
    if (base < 0 || whence > 2) return E_INVAL;
    i64 target = base + offset;
    if (target < 0) return E_INVAL;
    f->position = (u64)target;
    put_u64(result, f->position);
    return E_OK;
}

WASI_EXPORT(fd_tell) i32 fd_tell(u32 fd, u32 result) {
    DISPATCH(fd, real_fd_tell(fd_real, result))
    put_u64(result, f->position);
    return E_OK;
}

WASI_EXPORT(fd_close) i32 fd_close(u32 fd) {
    DISPATCH(fd, real_fd_close(fd_real))
    close_file(f);
    return E_OK;
}

WASI_EXPORT(fd_fdstat_get) i32 fd_fdstat_get(u32 fd, u32 buf) {
    DISPATCH(fd, real_fd_fdstat_get(fd_real, buf))
    u64 s[3] = {f->n->type | (f->append ? 1u << 16 : 0), RIGHTS_ALL, RIGHTS_ALL};
    to_app(buf, s, 24);
    return E_OK;
}

WASI_EXPORT(fd_fdstat_set_flags) i32 fd_fdstat_set_flags(u32 fd, u32 flags) {
    DISPATCH(fd, real_fd_fdstat_set_flags(fd_real, flags))
    if (flags & ~1u) return E_NOTSUP;  // only APPEND: nonblock, sync... mean nothing in memory
    f->append = flags & 1;
    return E_OK;
}

WASI_EXPORT(fd_fdstat_set_rights) i32 fd_fdstat_set_rights(u32 fd, u64 base, u64 inheriting) {
    DISPATCH(fd, real_fd_fdstat_set_rights(fd_real, base, inheriting))
    if (!(base & RIGHT_FD_READ)) f->readable = 0;
    if (!(base & RIGHT_FD_WRITE)) f->writable = 0;
    return E_OK;
}

WASI_EXPORT(fd_filestat_get) i32 fd_filestat_get(u32 fd, u32 buf) {
    DISPATCH(fd, real_fd_filestat_get(fd_real, buf))
    filestat(f->n, buf);
    return E_OK;
}

WASI_EXPORT(fd_filestat_set_size) i32 fd_filestat_set_size(u32 fd, u64 size) {
    DISPATCH(fd, real_fd_filestat_set_size(fd_real, size))
    if (f->n->type == T_DIR) return E_ISDIR;
    if (!f->writable) return E_BADF;
    return resize(f->n, size);
}

static void set_times(node *n, u64 atim, u64 mtim, u32 flags) {
    (void)atim;
    if (flags & 8) n->mtime = now();
    else if (flags & 4) n->mtime = mtim;
}

WASI_EXPORT(fd_filestat_set_times) i32 fd_filestat_set_times(u32 fd, u64 atim, u64 mtim, u32 flags) {
    DISPATCH(fd, real_fd_filestat_set_times(fd_real, atim, mtim, flags))
    set_times(f->n, atim, mtim, flags);
    return E_OK;
}

WASI_EXPORT(fd_advise) i32 fd_advise(u32 fd, u64 offset, u64 length, u32 advice) {
    DISPATCH(fd, real_fd_advise(fd_real, offset, length, advice))
    return f->n->type == T_DIR ? E_ISDIR : E_OK;  // advice: nothing to do in memory
}

WASI_EXPORT(fd_allocate) i32 fd_allocate(u32 fd, u64 offset, u64 length) {
    DISPATCH(fd, real_fd_allocate(fd_real, offset, length))
    if (f->n->type == T_DIR) return E_ISDIR;
    if (!f->writable) return E_BADF;
    return offset + length > f->n->size ? resize(f->n, offset + length) : E_OK;
}

// Nothing to write back: the packed tree lives in memory.
WASI_EXPORT(fd_datasync) i32 fd_datasync(u32 fd) {
    DISPATCH(fd, real_fd_datasync(fd_real))
    return E_OK;
}
WASI_EXPORT(fd_sync) i32 fd_sync(u32 fd) {
    DISPATCH(fd, real_fd_sync(fd_real))
    return E_OK;
}

WASI_EXPORT(fd_prestat_get) i32 fd_prestat_get(u32 fd, u32 buf) {
    DISPATCH(fd, real_fd_prestat_get(fd_real, buf))
    if (f != &root_file) return E_BADF;
    u32 s[2] = {0, 1};  // a directory named "/"
    to_app(buf, s, 8);
    return E_OK;
}

WASI_EXPORT(fd_prestat_dir_name) i32 fd_prestat_dir_name(u32 fd, u32 buf, u32 length) {
    DISPATCH(fd, real_fd_prestat_dir_name(fd_real, buf, length))
    if (f != &root_file) return E_BADF;
    if (length < 1) return E_NAMETOOLONG;
    to_app(buf, "/", 1);
    return E_OK;
}

WASI_EXPORT(fd_renumber) i32 fd_renumber(u32 from, u32 to) {
    u32 real_from, real_to;
    vfile *a = 0, *b = 0;
    int ka = classify(from, &real_from, &a), kb = classify(to, &real_to, &b);
    if (ka == FD_BAD) return E_BADF;
    if (ka == FD_REAL && kb == FD_REAL) return real_fd_renumber(real_from, real_to);
    if (ka == FD_VIRTUAL && kb == FD_VIRTUAL && a != &root_file && b != &root_file) {
        if (a == b) return E_OK;
        close_file(b);
        *b = *a;
        a->used = 0;
        return E_OK;
    }
    return E_NOTSUP;  // between the packed tree and the runtime's descriptors, or onto fd 3
}

WASI_EXPORT(fd_readdir) i32 fd_readdir(u32 fd, u32 buf, u32 length, u64 cookie, u32 used) {
    DISPATCH(fd, real_fd_readdir(fd_real, buf, length, cookie, used))
    node *dir = f->n;
    if (dir->type != T_DIR) return E_NOTDIR;
    u32 filled = 0;
    node *child = dir->child;
    for (u64 i = 2; child && i < cookie; i++) child = child->next;
    for (u64 c = cookie; filled < length; c++) {
        node *n;
        const char *name;
        u32 name_length;
        if (c == 0) { n = dir; name = "."; name_length = 1; }
        else if (c == 1) { n = dir->parent ? dir->parent : dir; name = ".."; name_length = 2; }
        else { if (!child) break; n = child; name = child->name; name_length = child->name_length; child = child->next; }
        u8 header[24];
        memset(header, 0, 24);
        u64 next = c + 1, ino = n->ino;
        memcpy(header, &next, 8);
        memcpy(header + 8, &ino, 8);
        memcpy(header + 16, &name_length, 4);
        header[20] = (u8)n->type;
        u32 k = length - filled < 24 ? length - filled : 24;
        to_app(buf + filled, header, k);
        filled += k;
        k = length - filled < name_length ? length - filled : name_length;
        to_app(buf + filled, name, k);
        filled += k;
    }
    put_u32(used, filled);
    return E_OK;
}

// ---- paths ------------------------------------------------------------------------------------

WASI_EXPORT(path_open) i32 path_open(u32 fd, u32 lookup_flags, u32 path, u32 path_length, u32 oflags,
                                     u64 rights, u64 inheriting, u32 fdflags, u32 result) {
    u32 real_; vfile *dir = 0;
    switch (classify(fd, &real_, &dir)) {
    case FD_BAD: return E_BADF;
    case FD_REAL: {
        i32 e = real_path_open(real_, lookup_flags, path, path_length, oflags, rights, inheriting, fdflags, result);
        if (e == E_OK) put_u32(result, app_fd(app_u32(result)));
        return e;
    }
    default: break;
    }
    resolution r;
    int e = resolve_app(dir, path, path_length, lookup_flags & 1, &r);
    if (e) return e;
    node *n = r.found;
    int writable = (rights & RIGHT_FD_WRITE) != 0;
    int readable = (rights & RIGHT_FD_READ) != 0 || !writable;
    if (n) {
        if ((oflags & 1) && (oflags & 4)) e = E_EXIST;
        else if ((oflags & 2) && n->type != T_DIR) e = E_NOTDIR;
        else if (n->type == T_SYMLINK) e = E_LOOP;
        else if (n->type == T_DIR && (writable || (oflags & 8))) e = (oflags & 2) ? E_OK : E_ISDIR;
        if (n->type == T_DIR) writable = 0;
        if (!e && (oflags & 8) && n->type == T_REG) e = resize(n, 0);
    } else if (oflags & 1) {
        n = new_node(r.parent, r.last, r.last_length, T_REG);
        if (!n) e = E_NOMEM;
        else n->mtime = now();
    } else {
        e = E_NOENT;
    }
    release(&r);
    if (e) return e;
    u32 newfd;
    e = open_file(n, readable, writable, fdflags & 1, &newfd);
    if (!e) put_u32(result, newfd);
    return e;
}

WASI_EXPORT(path_filestat_get) i32 path_filestat_get(u32 fd, u32 flags, u32 path, u32 length, u32 buf) {
    DISPATCH(fd, real_path_filestat_get(fd_real, flags, path, length, buf))
    resolution r;
    int e = resolve_app(f, path, length, flags & 1, &r);
    if (e) return e;
    if (!r.found) { release(&r); return E_NOENT; }
    filestat(r.found, buf);
    return E_OK;
}

WASI_EXPORT(path_filestat_set_times) i32 path_filestat_set_times(u32 fd, u32 flags, u32 path, u32 length,
                                                                 u64 atim, u64 mtim, u32 fst_flags) {
    DISPATCH(fd, real_path_filestat_set_times(fd_real, flags, path, length, atim, mtim, fst_flags))
    resolution r;
    int e = resolve_app(f, path, length, flags & 1, &r);
    if (e) return e;
    if (!r.found) { release(&r); return E_NOENT; }
    set_times(r.found, atim, mtim, fst_flags);
    return E_OK;
}

WASI_EXPORT(path_create_directory) i32 path_create_directory(u32 fd, u32 path, u32 length) {
    DISPATCH(fd, real_path_create_directory(fd_real, path, length))
    resolution r;
    int e = resolve_app(f, path, length, 0, &r);
    if (e) return e;
    if (r.found) return E_EXIST;
    node *n = new_node(r.parent, r.last, r.last_length, T_DIR);
    release(&r);
    if (!n) return E_NOMEM;
    n->mtime = now();
    return E_OK;
}

WASI_EXPORT(path_unlink_file) i32 path_unlink_file(u32 fd, u32 path, u32 length) {
    DISPATCH(fd, real_path_unlink_file(fd_real, path, length))
    resolution r;
    int e = resolve_app(f, path, length, 0, &r);
    if (e) return e;
    if (!r.found) { release(&r); return E_NOENT; }
    if (r.found->type == T_DIR) return E_ISDIR;
    detach(r.found);
    return E_OK;
}

WASI_EXPORT(path_remove_directory) i32 path_remove_directory(u32 fd, u32 path, u32 length) {
    DISPATCH(fd, real_path_remove_directory(fd_real, path, length))
    resolution r;
    int e = resolve_app(f, path, length, 0, &r);
    if (e) return e;
    if (!r.found) { release(&r); return E_NOENT; }
    if (r.found->type != T_DIR) return E_NOTDIR;
    if (r.found->child) return E_NOTEMPTY;
    if (r.found == root || r.found == f->n) return E_INVAL;
    detach(r.found);
    return E_OK;
}

WASI_EXPORT(path_readlink) i32 path_readlink(u32 fd, u32 path, u32 length, u32 buf, u32 buf_length, u32 used) {
    DISPATCH(fd, real_path_readlink(fd_real, path, length, buf, buf_length, used))
    resolution r;
    int e = resolve_app(f, path, length, 0, &r);
    if (e) return e;
    if (!r.found) { release(&r); return E_NOENT; }
    if (r.found->type != T_SYMLINK) return E_INVAL;
    char *target = link_target(r.found);
    if (!target) return E_NOMEM;
    u32 k = r.found->size < buf_length ? (u32)r.found->size : buf_length;
    to_app(buf, target, k);
    xfree(target);
    put_u32(used, k);
    return E_OK;
}

WASI_EXPORT(path_symlink) i32 path_symlink(u32 old_path, u32 old_length, u32 fd, u32 path, u32 length) {
    DISPATCH(fd, real_path_symlink(old_path, old_length, fd_real, path, length))
    resolution r;
    int e = resolve_app(f, path, length, 0, &r);
    if (e) return e;
    if (r.found) return E_EXIST;
    char *target;
    e = app_path(old_path, old_length, &target);
    node *n = e ? 0 : new_node(r.parent, r.last, r.last_length, T_SYMLINK);
    release(&r);
    if (e) return e;
    if (!n) { xfree(target); return E_NOMEM; }
    n->data = (u8 *)target;
    n->size = n->capacity = old_length;
    n->mtime = now();
    return E_OK;
}

WASI_EXPORT(path_rename) i32 path_rename(u32 fd, u32 path, u32 length, u32 new_fd, u32 new_path, u32 new_length) {
    u32 real_a, real_b;
    vfile *a = 0, *b = 0;
    int ka = classify(fd, &real_a, &a), kb = classify(new_fd, &real_b, &b);
    if (ka == FD_BAD || kb == FD_BAD) return E_BADF;
    if (ka == FD_REAL && kb == FD_REAL) return real_path_rename(real_a, path, length, real_b, new_path, new_length);
    if (ka != kb) return E_XDEV;
    resolution from, to;
    int e = resolve_app(a, path, length, 0, &from);
    if (e) return e;
    if (!from.found) { release(&from); return E_NOENT; }
    node *n = from.found;
    if (n == root) return E_INVAL;
    e = resolve_app(b, new_path, new_length, 0, &to);
    if (e) return e;
    if (to.found == n) { release(&to); return E_OK; }
    for (node *p = to.found ? to.found->parent : to.parent; p; p = p->parent)
        if (p == n) { release(&to); return E_INVAL; }  // into itself
    node *parent = to.found ? to.found->parent : to.parent;
    if (to.found) {
        if (to.found->type == T_DIR && n->type != T_DIR) return E_ISDIR;
        if (to.found->type != T_DIR && n->type == T_DIR) return E_NOTDIR;
        if (to.found->type == T_DIR && to.found->child) return E_NOTEMPTY;
    }
    const char *name = to.found ? to.found->name : to.last;
    u32 name_length = to.found ? to.found->name_length : to.last_length;
    char *copy = xalloc(name_length ? name_length : 1);
    if (!copy) { release(&to); return E_NOMEM; }
    memcpy(copy, name, name_length);
    if (to.found) detach(to.found);
    release(&to);
    take_out(n);
    n->name = copy;  // the old name may be in the pack's metadata: left as it is
    n->name_length = name_length;
    n->parent = parent;
    n->next = parent->child;
    parent->child = n;
    return E_OK;
}

WASI_EXPORT(path_link) i32 path_link(u32 fd, u32 flags, u32 path, u32 length, u32 new_fd, u32 new_path, u32 new_length) {
    u32 real_a, real_b;
    vfile *a = 0, *b = 0;
    int ka = classify(fd, &real_a, &a), kb = classify(new_fd, &real_b, &b);
    if (ka == FD_BAD || kb == FD_BAD) return E_BADF;
    if (ka == FD_REAL && kb == FD_REAL) return real_path_link(real_a, flags, path, length, real_b, new_path, new_length);
    return ka != kb ? E_XDEV : E_NOTSUP;  // hard links inside the packed tree: not supported
}

// ---- arguments and environment ----------------------------------------------------------------

// The image's process (the pack's process area): u32 counts of the Entrypoint's arguments after
// the program, of the default arguments (Cmd) and of the environment, then that many
// NUL-terminated strings. The app gets argv[0] from the runtime, then the Entrypoint's arguments,
// then the runtime's arguments or, when it gives none, the Cmd (as `skiff run` and docker do);
// its environment is the image's Env with the runtime's variables added over it.

WASI_IMPORT(args_sizes_get) i32 real_args_sizes_get(u32, u32);
WASI_IMPORT(args_get) i32 real_args_get(u32, u32);
WASI_IMPORT(environ_sizes_get) i32 real_environ_sizes_get(u32, u32);
WASI_IMPORT(environ_get) i32 real_environ_get(u32, u32);

typedef struct { const char **items; u32 count; } strings;
static strings composed[2];  // 0: arguments, 1: environment
static int composed_ready[2];

static u32 length_of(const char *s) { u32 n = 0; while (s[n]) n++; return n; }

// The runtime's list, in this memory (its pointers turned from app addresses into ours).
static int runtime_list(int environment, strings *out) {
    u32 sizes[2] = {0, 0};
    i32 e = environment ? real_environ_sizes_get(physical(&sizes[0]), physical(&sizes[1]))
                        : real_args_sizes_get(physical(&sizes[0]), physical(&sizes[1]));
    if (e) return e;
    const char **items = xalloc(((u64)sizes[0] + 1) * 4);
    char *buffer = xalloc((u64)sizes[1] + 1);
    if (!items || !buffer) return E_NOMEM;
    e = environment ? real_environ_get(physical(items), physical(buffer)) : real_args_get(physical(items), physical(buffer));
    if (e) return e;
    u32 base = physical(0);
    for (u32 i = 0; i < sizes[0]; i++) items[i] = (const char *)((u32)items[i] - base);
    out->items = items;
    out->count = sizes[0];
    return E_OK;
}

// The next NUL-terminated string of the process area ("" past its end).
static const char *image_string(u32 *at) {
    const char *s = (const char *)process + *at;
    u32 n = 0;
    while (*at + n < process_length && s[n]) n++;
    *at += n + 1;
    return *at <= process_length ? s : "";
}

static int name_length(const char *variable) { int n = 0; while (variable[n] && variable[n] != '=') n++; return n; }

static int compose(int environment) {
    if (composed_ready[environment]) return E_OK;
    init();
    strings runtime;
    int e = runtime_list(environment, &runtime);
    if (e) return e;
    u32 counts[3] = {0, 0, 0};
    if (process_length >= 12) memcpy(counts, process, 12);
    u32 at = 12;
    if (process_length < 12) at = process_length;
    const char **fixed = xalloc(((u64)counts[0] + counts[1] + counts[2] + 1) * 4);
    if (!fixed) return E_NOMEM;
    for (u32 i = 0; i < counts[0] + counts[1] + counts[2]; i++) fixed[i] = image_string(&at);
    const char **items = xalloc(((u64)runtime.count + counts[0] + counts[1] + counts[2] + 1) * 4);
    if (!items) return E_NOMEM;
    u32 n = 0;
    if (!environment) {
        if (runtime.count) items[n++] = runtime.items[0];
        for (u32 i = 0; i < counts[0]; i++) items[n++] = fixed[i];
        if (runtime.count > 1) for (u32 i = 1; i < runtime.count; i++) items[n++] = runtime.items[i];
        else for (u32 i = 0; i < counts[1]; i++) items[n++] = fixed[counts[0] + i];
    } else {
        for (u32 i = 0; i < counts[2]; i++) {
            const char *v = fixed[counts[0] + counts[1] + i];
            int k = name_length(v), overridden = 0;
            for (u32 j = 0; j < runtime.count && !overridden; j++)
                overridden = name_length(runtime.items[j]) == k && memcmp(runtime.items[j], v, k) == 0;
            if (!overridden) items[n++] = v;
        }
        for (u32 i = 0; i < runtime.count; i++) items[n++] = runtime.items[i];
    }
    composed[environment].items = items;
    composed[environment].count = n;
    composed_ready[environment] = 1;
    return E_OK;
}

static i32 list_sizes(int environment, u32 count, u32 size) {
    int e = compose(environment);
    if (e) return e;
    u32 bytes = 0;
    for (u32 i = 0; i < composed[environment].count; i++) bytes += length_of(composed[environment].items[i]) + 1;
    put_u32(count, composed[environment].count);
    put_u32(size, bytes);
    return E_OK;
}

static i32 list_get(int environment, u32 pointers, u32 buffer) {
    int e = compose(environment);
    if (e) return e;
    for (u32 i = 0; i < composed[environment].count; i++) {
        const char *s = composed[environment].items[i];
        u32 n = length_of(s) + 1;
        to_app(buffer, s, n);
        put_u32(pointers + 4 * i, buffer);
        buffer += n;
    }
    return E_OK;
}

WASI_EXPORT(args_sizes_get) i32 args_sizes_get(u32 count, u32 size) { return list_sizes(0, count, size); }
WASI_EXPORT(args_get) i32 args_get(u32 pointers, u32 buffer) { return list_get(0, pointers, buffer); }
WASI_EXPORT(environ_sizes_get) i32 environ_sizes_get(u32 count, u32 size) { return list_sizes(1, count, size); }
WASI_EXPORT(environ_get) i32 environ_get(u32 pointers, u32 buffer) { return list_get(1, pointers, buffer); }

// ---- waiting ----------------------------------------------------------------------------------

// Descriptors of the packed tree are always ready: a poll that asks about one reports them
// at once (and nothing else); otherwise the subscriptions' descriptors are translated for the
// runtime's poll_oneoff and restored after it.
WASI_EXPORT(poll_oneoff) i32 poll_oneoff(u32 in, u32 out, u32 count, u32 nevents) {
    if (count == 0) return E_INVAL;
    if (count > 4096) return E_NOTSUP;
    u8 *subs = xalloc((u64)count * 48);
    if (!subs) return E_NOMEM;
    from_app(subs, in, count * 48);
    u32 ready = 0, real;
    vfile *f;
    for (u32 i = 0; i < count; i++) {
        u8 *s = subs + 48 * i;
        if (s[8] != 1 && s[8] != 2) continue;
        u32 fd; memcpy(&fd, s + 16, 4);
        if (classify(fd, &real, &f) != FD_VIRTUAL) continue;
        u8 event[32];
        memset(event, 0, 32);
        memcpy(event, s, 8);
        event[10] = s[8];
        u64 nbytes = s[8] == 1 && f->n->size > f->position ? f->n->size - f->position : 0;
        memcpy(event + 16, &nbytes, 8);
        to_app(out + 32 * ready, event, 32);
        ready++;
    }
    if (ready) { xfree(subs); put_u32(nevents, ready); return E_OK; }
    for (u32 i = 0; i < count; i++) {
        u8 *s = subs + 48 * i;
        if (s[8] != 1 && s[8] != 2) continue;
        u32 fd; memcpy(&fd, s + 16, 4);
        u32 translated = classify(fd, &real, &f) == FD_REAL ? real : 0xffffffffu;
        put_u32(in + 48 * i + 16, translated);
    }
    i32 e = real_poll_oneoff(in, out, count, nevents);
    to_app(in, subs, count * 48);
    xfree(subs);
    return e;
}

// ---- sockets: only the runtime's -------------------------------------------------------------

WASI_EXPORT(sock_accept) i32 sock_accept(u32 fd, u32 flags, u32 result) {
    u32 real_; vfile *f = 0;
    switch (classify(fd, &real_, &f)) {
    case FD_BAD: return E_BADF;
    case FD_REAL: {
        i32 e = real_sock_accept(real_, flags, result);
        if (e == E_OK) put_u32(result, app_fd(app_u32(result)));
        return e;
    }
    default: return E_NOTSOCK;
    }
}
WASI_EXPORT(sock_recv) i32 sock_recv(u32 fd, u32 iovs, u32 count, u32 flags, u32 nread, u32 oflags) {
    DISPATCH(fd, real_sock_recv(fd_real, iovs, count, flags, nread, oflags))
    (void)f;
    return E_NOTSOCK;
}
WASI_EXPORT(sock_send) i32 sock_send(u32 fd, u32 iovs, u32 count, u32 flags, u32 nwritten) {
    DISPATCH(fd, real_sock_send(fd_real, iovs, count, flags, nwritten))
    (void)f;
    return E_NOTSOCK;
}
WASI_EXPORT(sock_shutdown) i32 sock_shutdown(u32 fd, u32 how) {
    DISPATCH(fd, real_sock_shutdown(fd_real, how))
    (void)f;
    return E_NOTSOCK;
}
