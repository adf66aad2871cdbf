// The page's files, the worker's side (loaded by skiff-worker.js): a directory kept in the
// worker's memory that the module sees as a preopened directory, mounted at /files in the
// container (as `wasmtime --dir HOST::/files` would mount one). Files the user drops on the page
// are put in it; files the guest writes there get download links. WASI preview 1 calls on its
// descriptors are answered here; nothing leaves the page.
"use strict";

const FILES_GUEST_PATH = "/files";
const FS_ERRNO = { SUCCESS: 0, BADF: 8, EXIST: 20, INVAL: 28, ISDIR: 31, NOENT: 44, NOTDIR: 54, NOTEMPTY: 55, NOTSUP: 58,
                   NOTCAPABLE: 76, SPIPE: 70 };
const FS_FILETYPE = { DIRECTORY: 3, REGULAR_FILE: 4 };
const OFLAGS = { CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 };
const FDFLAGS_APPEND = 1;
const ALL_RIGHTS = 0x1fffffffn;

let nextInode = 1n;
const nowNanoseconds = () => BigInt(Date.now()) * 1000000n;

class FileNode {
    constructor(isDirectory) {
        this.isDirectory = isDirectory;
        this.children = isDirectory ? new Map() : null;
        this.data = isDirectory ? null : new Uint8Array(0);
        this.size = 0;
        this.inode = nextInode++;
        this.modified = nowNanoseconds();
        this.accessed = this.modified;
    }
    bytes() { return this.data.subarray(0, this.size); }
    // Makes room for `length` bytes (zero-filled beyond the old size).
    resize(length) {
        if (length > this.data.length) {
            const grown = new Uint8Array(Math.max(length, this.data.length * 2, 4096));
            grown.set(this.data.subarray(0, this.size));
            this.data = grown;
        } else if (length < this.size) {
            this.data.fill(0, length, this.size);
        }
        this.size = length;
    }
    touch() { this.modified = nowNanoseconds(); }
    // fd_filestat_set_times/path_filestat_set_times: `flags` are WASI's fstflags (ATIM 1,
    // ATIM_NOW 2, MTIM 4, MTIM_NOW 8).
    setTimes(accessed, modified, flags) {
        if (flags & 2) this.accessed = nowNanoseconds(); else if (flags & 1) this.accessed = accessed;
        if (flags & 8) this.modified = nowNanoseconds(); else if (flags & 4) this.modified = modified;
    }
}

class PageFiles {
    // `descriptor`: the preopen's WASI descriptor; `allocate()` gives new descriptors;
    // `changed()` is called when the directory's contents change.
    constructor(descriptor, allocate, changed) {
        this.root = new FileNode(true);
        this.preopen = descriptor;
        this.allocate = allocate;
        this.changed = changed;
        this.open = new Map([[descriptor, { node: this.root, position: 0, append: false }]]);
    }

    owns(fd) { return this.open.has(fd); }

    // A file the user gave the page (at the top of the directory; an existing one is replaced).
    put(name, bytes) {
        const clean = name.replace(/[\/\0]/g, "_");
        const node = new FileNode(false);
        node.resize(bytes.length);
        node.data.set(bytes);
        this.root.children.set(clean === "." || clean === ".." ? "_" + clean : clean, node);
        this.changed();
    }

    // The regular files, with their paths below the directory: [{path, size}].
    list() {
        const result = [];
        const walk = (node, prefix) => {
            for (const [name, child] of [...node.children].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
                if (child.isDirectory) walk(child, prefix + name + "/");
                else result.push({ path: prefix + name, size: child.size });
            }
        };
        walk(this.root, "");
        return result;
    }

    read(path) {
        const found = this.resolve(this.root, path);
        return found.node && !found.node.isDirectory ? found.node.bytes().slice() : null;
    }

    // Finds `path` below `start`: {parent, name, node} (node undefined when only the parent
    // exists), or {error}. ".." never leaves the directory.
    resolve(start, path) {
        const parts = path.split("/").filter((p) => p !== "" && p !== ".");
        if (parts.length === 0) return { parent: null, name: ".", node: start };
        const stack = [start];
        for (let i = 0; i < parts.length - 1; i++) {
            const p = parts[i];
            if (p === "..") {
                if (stack.length === 1) return { error: FS_ERRNO.NOTCAPABLE };
                stack.pop();
                continue;
            }
            const next = stack[stack.length - 1].children.get(p);
            if (!next) return { error: FS_ERRNO.NOENT };
            if (!next.isDirectory) return { error: FS_ERRNO.NOTDIR };
            stack.push(next);
        }
        const last = parts[parts.length - 1];
        if (last === "..") {
            if (stack.length === 1) return { error: FS_ERRNO.NOTCAPABLE };
            stack.pop();
            return { parent: null, name: ".", node: stack[stack.length - 1] };
        }
        const parent = stack[stack.length - 1];
        return { parent, name: last, node: parent.children.get(last) };
    }

    // The WASI functions for this directory's descriptors; `memory()` gives the module's memory,
    // `iovecs(iovs, count)` the buffers an iovec array names (the worker's). Each returns
    // undefined for a descriptor that is not this directory's, so the caller falls back to its
    // own handling.
    functions(memory, iovecs) {
        const view = () => new DataView(memory().buffer);
        const bytes = () => new Uint8Array(memory().buffer);
        const text = (at, length) => new TextDecoder().decode(bytes().slice(at, at + length));
        const filestat = (node, at) => {
            const dv = view();
            bytes().fill(0, at, at + 64);
            dv.setBigUint64(at + 8, node.inode, true);
            dv.setUint8(at + 16, node.isDirectory ? FS_FILETYPE.DIRECTORY : FS_FILETYPE.REGULAR_FILE);
            dv.setBigUint64(at + 24, 1n, true);
            dv.setBigUint64(at + 32, BigInt(node.isDirectory ? 4096 : node.size), true);
            dv.setBigUint64(at + 40, node.accessed, true);
            dv.setBigUint64(at + 48, node.modified, true);
            dv.setBigUint64(at + 56, node.modified, true);
            return FS_ERRNO.SUCCESS;
        };
        const entry = (fd) => this.open.get(fd);
        const file = (fd) => { const e = entry(fd); return e && !e.node.isDirectory ? e : null; };
        const directory = (fd) => { const e = entry(fd); return e && e.node.isDirectory ? e : null; };
        const transfer = (node, parts, position, write) => {
            let done = 0;
            for (const part of parts) {
                if (write) {
                    if (position + done + part.length > node.size) node.resize(position + done + part.length);
                    node.data.set(part, position + done);
                    done += part.length;
                } else {
                    const n = Math.max(0, Math.min(part.length, node.size - position - done));
                    part.set(node.data.subarray(position + done, position + done + n));
                    done += n;
                    if (n < part.length) break;
                }
            }
            if (write && done > 0) { node.touch(); this.changed(); }
            return done;
        };
        return {
            fd_prestat_get: (fd, at) => {
                if (fd !== this.preopen) return undefined;
                view().setUint8(at, 0);
                view().setUint32(at + 4, new TextEncoder().encode(FILES_GUEST_PATH).length, true);
                return FS_ERRNO.SUCCESS;
            },
            fd_prestat_dir_name: (fd, at, length) => {
                if (fd !== this.preopen) return undefined;
                bytes().set(new TextEncoder().encode(FILES_GUEST_PATH).subarray(0, length), at);
                return FS_ERRNO.SUCCESS;
            },
            fd_fdstat_get: (fd, at) => {
                const e = entry(fd);
                if (!e) return undefined;
                const dv = view();
                dv.setUint8(at, e.node.isDirectory ? FS_FILETYPE.DIRECTORY : FS_FILETYPE.REGULAR_FILE);
                dv.setUint16(at + 2, e.append ? FDFLAGS_APPEND : 0, true);
                dv.setBigUint64(at + 8, ALL_RIGHTS, true);
                dv.setBigUint64(at + 16, ALL_RIGHTS, true);
                return FS_ERRNO.SUCCESS;
            },
            fd_fdstat_set_flags: (fd, flags) => {
                const e = entry(fd);
                if (!e) return undefined;
                e.append = (flags & FDFLAGS_APPEND) !== 0;
                return FS_ERRNO.SUCCESS;
            },
            fd_filestat_get: (fd, at) => { const e = entry(fd); return e ? filestat(e.node, at) : undefined; },
            fd_filestat_set_size: (fd, size) => {
                const e = file(fd);
                if (!e) return this.owns(fd) ? FS_ERRNO.ISDIR : undefined;
                e.node.resize(Number(size));
                e.node.touch();
                this.changed();
                return FS_ERRNO.SUCCESS;
            },
            fd_filestat_set_times: (fd, atim, mtim, flags) => {
                const e = entry(fd);
                if (!e) return undefined;
                e.node.setTimes(atim, mtim, flags);
                return FS_ERRNO.SUCCESS;
            },
            fd_read: (fd, iovs, count, at) => {
                const e = file(fd);
                if (!e) return this.owns(fd) ? FS_ERRNO.ISDIR : undefined;
                const n = transfer(e.node, iovecs(iovs, count), e.position, false);
                e.position += n;
                view().setUint32(at, n, true);
                return FS_ERRNO.SUCCESS;
            },
            fd_pread: (fd, iovs, count, offset, at) => {
                const e = file(fd);
                if (!e) return this.owns(fd) ? FS_ERRNO.ISDIR : undefined;
                view().setUint32(at, transfer(e.node, iovecs(iovs, count), Number(offset), false), true);
                return FS_ERRNO.SUCCESS;
            },
            fd_write: (fd, iovs, count, at) => {
                const e = file(fd);
                if (!e) return this.owns(fd) ? FS_ERRNO.ISDIR : undefined;
                if (e.append) e.position = e.node.size;
                const n = transfer(e.node, iovecs(iovs, count), e.position, true);
                e.position += n;
                view().setUint32(at, n, true);
                return FS_ERRNO.SUCCESS;
            },
            fd_pwrite: (fd, iovs, count, offset, at) => {
                const e = file(fd);
                if (!e) return this.owns(fd) ? FS_ERRNO.ISDIR : undefined;
                view().setUint32(at, transfer(e.node, iovecs(iovs, count), Number(offset), true), true);
                return FS_ERRNO.SUCCESS;
            },
            fd_seek: (fd, offset, whence, at) => {
                const e = file(fd);
                if (!e) return this.owns(fd) ? FS_ERRNO.ISDIR : undefined;
                const base = whence === 0 ? 0 : whence === 1 ? e.position : e.node.size;
                const position = base + Number(offset);
                if (position < 0) return FS_ERRNO.INVAL;
                e.position = position;
                view().setBigUint64(at, BigInt(position), true);
                return FS_ERRNO.SUCCESS;
            },
            fd_tell: (fd, at) => {
                const e = file(fd);
                if (!e) return this.owns(fd) ? FS_ERRNO.ISDIR : undefined;
                view().setBigUint64(at, BigInt(e.position), true);
                return FS_ERRNO.SUCCESS;
            },
            // In memory: there is nothing to write back.
            fd_sync: (fd) => (this.owns(fd) ? FS_ERRNO.SUCCESS : undefined),
            fd_datasync: (fd) => (this.owns(fd) ? FS_ERRNO.SUCCESS : undefined),
            fd_close: (fd) => {
                if (!this.owns(fd) || fd === this.preopen) return fd === this.preopen ? FS_ERRNO.SUCCESS : undefined;
                this.open.delete(fd);
                return FS_ERRNO.SUCCESS;
            },
            fd_readdir: (fd, buffer, length, cookie, at) => {
                const e = directory(fd);
                if (!e) return this.owns(fd) ? FS_ERRNO.NOTDIR : undefined;
                const names = [[".", e.node], ["..", e.node], ...e.node.children];
                const out = new Uint8Array(length);
                let used = 0;
                for (let i = Number(cookie); i < names.length && used < length; i++) {
                    const [name, node] = names[i];
                    const encoded = new TextEncoder().encode(name);
                    const record = new Uint8Array(24 + encoded.length);
                    const dv = new DataView(record.buffer);
                    dv.setBigUint64(0, BigInt(i + 1), true);
                    dv.setBigUint64(8, node.inode, true);
                    dv.setUint32(16, encoded.length, true);
                    dv.setUint8(20, node.isDirectory ? FS_FILETYPE.DIRECTORY : FS_FILETYPE.REGULAR_FILE);
                    record.set(encoded, 24);
                    const n = Math.min(record.length, length - used);   // a cut record tells the caller to grow its buffer
                    out.set(record.subarray(0, n), used);
                    used += n;
                }
                bytes().set(out.subarray(0, used), buffer);
                view().setUint32(at, used, true);
                return FS_ERRNO.SUCCESS;
            },
            path_open: (fd, lookupFlags, pathAt, pathLength, oflags, rightsBase, rightsInheriting, fdflags, at) => {
                const e = directory(fd);
                if (!e) return this.owns(fd) ? FS_ERRNO.NOTDIR : undefined;
                const found = this.resolve(e.node, text(pathAt, pathLength));
                if (found.error) return found.error;
                let node = found.node;
                if (node && (oflags & OFLAGS.CREAT) && (oflags & OFLAGS.EXCL)) return FS_ERRNO.EXIST;
                if (!node) {
                    if (!(oflags & OFLAGS.CREAT)) return FS_ERRNO.NOENT;
                    if (oflags & OFLAGS.DIRECTORY) return FS_ERRNO.INVAL;
                    node = new FileNode(false);
                    found.parent.children.set(found.name, node);
                    this.changed();
                }
                if ((oflags & OFLAGS.DIRECTORY) && !node.isDirectory) return FS_ERRNO.NOTDIR;
                if (node.isDirectory && (oflags & OFLAGS.TRUNC)) return FS_ERRNO.ISDIR;
                if (oflags & OFLAGS.TRUNC) { node.resize(0); node.touch(); this.changed(); }
                const descriptor = this.allocate();
                this.open.set(descriptor, { node, position: 0, append: (fdflags & FDFLAGS_APPEND) !== 0 });
                view().setUint32(at, descriptor, true);
                return FS_ERRNO.SUCCESS;
            },
            path_filestat_get: (fd, lookupFlags, pathAt, pathLength, at) => {
                const e = directory(fd);
                if (!e) return this.owns(fd) ? FS_ERRNO.NOTDIR : undefined;
                const found = this.resolve(e.node, text(pathAt, pathLength));
                if (found.error) return found.error;
                return found.node ? filestat(found.node, at) : FS_ERRNO.NOENT;
            },
            path_filestat_set_times: (fd, lookupFlags, pathAt, pathLength, atim, mtim, flags) => {
                const e = directory(fd);
                if (!e) return this.owns(fd) ? FS_ERRNO.NOTDIR : undefined;
                const found = this.resolve(e.node, text(pathAt, pathLength));
                if (found.error) return found.error;
                if (!found.node) return FS_ERRNO.NOENT;
                found.node.setTimes(atim, mtim, flags);
                return FS_ERRNO.SUCCESS;
            },
            path_create_directory: (fd, pathAt, pathLength) => {
                const e = directory(fd);
                if (!e) return this.owns(fd) ? FS_ERRNO.NOTDIR : undefined;
                const found = this.resolve(e.node, text(pathAt, pathLength));
                if (found.error) return found.error;
                if (found.node) return FS_ERRNO.EXIST;
                found.parent.children.set(found.name, new FileNode(true));
                this.changed();
                return FS_ERRNO.SUCCESS;
            },
            path_unlink_file: (fd, pathAt, pathLength) => this.remove(directory(fd), fd, text(pathAt, pathLength), false),
            path_remove_directory: (fd, pathAt, pathLength) => this.remove(directory(fd), fd, text(pathAt, pathLength), true),
            path_rename: (fd, oldAt, oldLength, newFd, newAt, newLength) => {
                const from = directory(fd), to = directory(newFd);
                if (!from || !to) return this.owns(fd) || this.owns(newFd) ? FS_ERRNO.NOTSUP : undefined;
                const source = this.resolve(from.node, text(oldAt, oldLength));
                const target = this.resolve(to.node, text(newAt, newLength));
                if (source.error || target.error) return source.error || target.error;
                if (!source.node || !source.parent) return FS_ERRNO.NOENT;
                if (!target.parent) return FS_ERRNO.INVAL;
                if (target.node) {
                    if (target.node.isDirectory !== source.node.isDirectory) return target.node.isDirectory ? FS_ERRNO.ISDIR : FS_ERRNO.NOTDIR;
                    if (target.node.isDirectory && target.node.children.size > 0) return FS_ERRNO.NOTEMPTY;
                }
                source.parent.children.delete(source.name);
                target.parent.children.set(target.name, source.node);
                this.changed();
                return FS_ERRNO.SUCCESS;
            },
            // No links in the page's directory.
            path_readlink: (fd) => (this.owns(fd) ? FS_ERRNO.INVAL : undefined),
            path_symlink: (oldAt, oldLength, fd) => (this.owns(fd) ? FS_ERRNO.NOTSUP : undefined),
            path_link: (fd, flags, oldAt, oldLength, newFd) => (this.owns(fd) || this.owns(newFd) ? FS_ERRNO.NOTSUP : undefined),
        };
    }

    remove(e, fd, path, isDirectory) {
        if (!e) return this.owns(fd) ? FS_ERRNO.NOTDIR : undefined;
        const found = this.resolve(e.node, path);
        if (found.error) return found.error;
        if (!found.node || !found.parent) return found.node ? FS_ERRNO.INVAL : FS_ERRNO.NOENT;
        if (found.node.isDirectory !== isDirectory) return isDirectory ? FS_ERRNO.NOTDIR : FS_ERRNO.ISDIR;
        if (isDirectory && found.node.children.size > 0) return FS_ERRNO.NOTEMPTY;
        found.parent.children.delete(found.name);
        this.changed();
        return FS_ERRNO.SUCCESS;
    }
}
