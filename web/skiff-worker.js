// Runs a module made by `skiff convert` in a Web Worker, with a small WASI preview 1
// implementation of its own: standard input is what the page's terminal types, standard output
// and error go to the terminal, the container's root is inside the module (its writable layer in
// the module's memory), and one preopened directory, /files, holds the files the user drops on
// the page and those the guest leaves there for download (skiff-files.js).
//
// The module calls fd_read and poll_oneoff synchronously. They are imported through JSPI
// (WebAssembly.Suspending; the export through WebAssembly.promising): when the guest has to
// wait for typing or a timeout, the module's stack is suspended, this worker's event loop runs
// (and receives the page's messages), and the module resumes when a key, a resize or the timeout
// arrives. No SharedArrayBuffer, so no cross-origin isolation headers: see docs/web.md.
//
// With `image` in the start message, that image is pulled from its registry and run instead of the
// module's own (skiff-pull.js): the module finds it in the preopened directory `.skiff-image`.
//
// Messages from the page: {type: "start", url, args, env, rows, columns, image}, {type: "input", bytes},
// {type: "resize", rows, columns}, {type: "upload", name, bytes}, {type: "download", path}.
// To the page: {type: "progress", loaded, total}, {type: "started", seconds},
// {type: "output", bytes}, {type: "exit", status, message}, {type: "files", list: [{path, size}]},
// {type: "file", path, bytes} (null when there is no such file).
//
// With `skiff serve --network host`, the module also gets a listening socket (descriptor 3) whose
// accepted streams are WebSockets to the server: guest TCP connections (skiff-sockets.js).
"use strict";

importScripts("skiff-sockets.js", "skiff-files.js", "skiff-pull.js");

const ERRNO = { SUCCESS: 0, AGAIN: 6, BADF: 8, INVAL: 28, IO: 29, NOSYS: 52, NOTSOCK: 57, PIPE: 64, SPIPE: 70, NOTCAPABLE: 76 };
const FILETYPE_CHARACTER_DEVICE = 2;
const FILETYPE_SOCKET_STREAM = 6;
const EVENTTYPE = { CLOCK: 0, FD_READ: 1, FD_WRITE: 2 };

class Exit { constructor(status) { this.status = status; } }

const encoder = new TextEncoder();

// What the page typed and has not been read yet: a queue of byte chunks. A resize report
// (ESC [ 8 ; ROWS ; COLUMNS t, WasiTerminal.swift) is one chunk and is never split or merged
// with typing, so the module always sees it whole within one read.
const input = [];
const reports = new WeakSet();   // the chunks of `input` that are resize reports
let inputWaiter = null;          // resolves a suspended fd_read/poll_oneoff when input (or a relay stream's news) arrives
let relay = null;                // the network relay, when the server has one (skiff-sockets.js)
let nextDescriptor = 3;          // WASI descriptors: /files (3), .skiff-image (4), then the relay's and open files'
const allocateDescriptor = () => nextDescriptor++;
let filesTimer = null;
const files = new PageFiles(allocateDescriptor(), allocateDescriptor, () => {
    // Tells the page what /files holds, at most every 200 ms.
    if (filesTimer === null) filesTimer = setTimeout(() => { filesTimer = null; postMessage({ type: "files", list: files.list() }); }, 200);
});
let pullReported = 0;
const pull = new ImagePull(allocateDescriptor(), allocateDescriptor, (loaded, total) => {
    if (loaded - pullReported > 1 << 20 || loaded === total) {
        pullReported = loaded;
        postMessage({ type: "progress", loaded, total, what: "pulling" });
    }
});

function wakeWaiter() {
    if (inputWaiter) { const w = inputWaiter; inputWaiter = null; w(); }
}

function pushInput(bytes, isReport = false) {
    if (bytes.length === 0) return;
    if (isReport) reports.add(bytes);
    input.push(bytes);
    wakeWaiter();
}

// Output is batched and sent to the page before every wait and at least every 15 ms.
let pending = [];
let pendingBytes = 0;
let lastFlush = 0;
function flushOutput() {
    lastFlush = performance.now();
    if (pendingBytes === 0) return;
    const all = new Uint8Array(pendingBytes);
    let at = 0;
    for (const chunk of pending) { all.set(chunk, at); at += chunk.length; }
    pending = [];
    pendingBytes = 0;
    postMessage({ type: "output", bytes: all }, [all.buffer]);
}
function crlf(bytes) {
    const out = [];
    for (const b of bytes) { if (b === 0x0a) out.push(0x0d); out.push(b); }
    return new Uint8Array(out);
}
function queueOutput(bytes) {
    pending.push(bytes);
    pendingBytes += bytes.length;
    if (pendingBytes > 1 << 16 || performance.now() - lastFlush > 15) flushOutput();
}

// A task that runs right after the event loop has handled what is queued (messages from the
// page), without setTimeout's 4 ms clamp.
const yieldChannel = new MessageChannel();
const yieldResolvers = [];
yieldChannel.port1.onmessage = () => { const r = yieldResolvers.shift(); if (r) r(); };
function nextTask() {
    return new Promise((resolve) => { yieldResolvers.push(resolve); yieldChannel.port2.postMessage(0); });
}
let lastYield = 0;

function run(module, args, env) {
    let memory = null;
    const view = () => new DataView(memory.buffer);
    const bytes = () => new Uint8Array(memory.buffer);
    // The buffers an iovec array names, as views of the module's memory (empty ones left out).
    const iovecs = (iovs, count) => {
        const dv = view();
        const parts = [];
        for (let i = 0; i < count; i++) {
            const at = dv.getUint32(iovs + i * 8, true), length = dv.getUint32(iovs + i * 8 + 4, true);
            if (length > 0) parts.push(new Uint8Array(memory.buffer, at, length));
        }
        return parts;
    };
    const fileCalls = files.functions(() => memory, iovecs);
    const pullCalls = pull.functions(() => memory, iovecs);

    function writeStrings(strings, pointersAt, bufferAt) {
        const dv = view();
        const mem = bytes();
        for (const s of strings) {
            dv.setUint32(pointersAt, bufferAt, true);
            pointersAt += 4;
            const b = encoder.encode(s);
            mem.set(b, bufferAt);
            mem[bufferAt + b.length] = 0;
            bufferAt += b.length + 1;
        }
        return ERRNO.SUCCESS;
    }
    function sizes(strings, countAt, sizeAt) {
        const dv = view();
        dv.setUint32(countAt, strings.length, true);
        dv.setUint32(sizeAt, strings.reduce((n, s) => n + encoder.encode(s).length + 1, 0), true);
        return ERRNO.SUCCESS;
    }

    // Copies queued input into the iovecs; returns the byte count (0 only when nothing is queued).
    function takeInput(iovs, iovsLength) {
        const dv = view();
        const mem = bytes();
        let total = 0;
        for (let i = 0; i < iovsLength && input.length > 0; i++) {
            let at = dv.getUint32(iovs + i * 8, true);
            let room = dv.getUint32(iovs + i * 8 + 4, true);
            while (room > 0 && input.length > 0) {
                const chunk = input[0];
                const report = reports.has(chunk);
                if (report && total > 0) return total;   // a report goes alone
                const n = Math.min(room, chunk.length);
                mem.set(chunk.subarray(0, n), at);
                at += n; room -= n; total += n;
                if (n === chunk.length) input.shift(); else input[0] = chunk.subarray(n);
                if (report) return total;
            }
        }
        return total;
    }

    function now(clock) {
        if (clock === 0) return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
        return BigInt(Math.round(performance.now() * 1e6));
    }

    // Waits for input or `nanoseconds` (null: no limit), whichever comes first.
    async function wait(nanoseconds) {
        flushOutput();
        await new Promise((resolve) => {
            let timer = null;
            inputWaiter = () => { if (timer !== null) clearTimeout(timer); resolve(); };
            if (nanoseconds !== null) {
                timer = setTimeout(() => { inputWaiter = null; resolve(); }, Number(nanoseconds / 1000000n));
            }
        });
        lastYield = performance.now();
    }

    const wasi = {
        args_sizes_get: (countAt, sizeAt) => sizes(args, countAt, sizeAt),
        args_get: (pointersAt, bufferAt) => writeStrings(args, pointersAt, bufferAt),
        environ_sizes_get: (countAt, sizeAt) => sizes(env, countAt, sizeAt),
        environ_get: (pointersAt, bufferAt) => writeStrings(env, pointersAt, bufferAt),
        clock_res_get: (id, at) => { view().setBigUint64(at, 1000n, true); return ERRNO.SUCCESS; },
        clock_time_get: (id, precision, at) => {
            if (id !== 0 && id !== 1) return ERRNO.INVAL;   // no CPU-time clocks: the module falls back
            view().setBigUint64(at, now(id), true);
            return ERRNO.SUCCESS;
        },
        fd_write: (fd, iovs, iovsLength, writtenAt) => {
            const stream = relay?.stream(fd);
            if (stream) {
                const parts = iovecs(iovs, iovsLength);
                const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
                let at = 0;
                for (const p of parts) { all.set(p, at); at += p.length; }
                if (!stream.write(all)) return ERRNO.PIPE;
                view().setUint32(writtenAt, all.length, true);
                return ERRNO.SUCCESS;
            }
            if (fd !== 1 && fd !== 2) return ERRNO.BADF;
            let total = 0;
            for (const part of iovecs(iovs, iovsLength)) {
                let chunk = part.slice();
                if (fd === 2) chunk = crlf(chunk);   // the module's own messages; the guest writes through its terminal
                queueOutput(chunk);
                total += part.length;
            }
            view().setUint32(writtenAt, total, true);
            return ERRNO.SUCCESS;
        },
        fd_read: new WebAssembly.Suspending(async (fd, iovs, iovsLength, readAt) => {
            const inFiles = fileCalls.fd_read(fd, iovs, iovsLength, readAt) ?? pullCalls.fd_read(fd, iovs, iovsLength, readAt);
            if (inFiles !== undefined) return await inFiles;
            const stream = relay?.stream(fd);
            if (stream) {
                // Accepted streams are non-blocking: the module waits in poll_oneoff.
                if (!stream.readable()) return ERRNO.AGAIN;
                view().setUint32(readAt, stream.read(iovecs(iovs, iovsLength)), true);
                return ERRNO.SUCCESS;
            }
            if (fd !== 0) return ERRNO.BADF;
            while (input.length === 0) await wait(null);
            view().setUint32(readAt, takeInput(iovs, iovsLength), true);
            return ERRNO.SUCCESS;
        }),
        poll_oneoff: new WebAssembly.Suspending(async (subscriptions, events, count, countAt) => {
            // Subscriptions are 48 bytes: userdata u64, tag u8 at 8, then clock {id u32 at 16,
            // timeout u64 at 24, precision, flags u16 at 40} or fd_readwrite {fd u32 at 16}.
            // Events are 32 bytes: userdata u64, error u16 at 8, type u8 at 10, nbytes u64 at 16.
            let dv = view();
            let deadline = null;
            let clockUserdata = 0n;
            const fds = [];
            for (let i = 0; i < count; i++) {
                const s = subscriptions + i * 48;
                const tag = dv.getUint8(s + 8);
                const userdata = dv.getBigUint64(s, true);
                if (tag === EVENTTYPE.CLOCK) {
                    const id = dv.getUint32(s + 16, true);
                    const timeout = dv.getBigUint64(s + 24, true);
                    const absolute = (dv.getUint16(s + 40, true) & 1) !== 0;
                    const d = absolute ? timeout - now(id) + now(1) : now(1) + timeout;
                    if (deadline === null || d < deadline) { deadline = d; clockUserdata = userdata; }
                } else {
                    fds.push({ userdata, tag, fd: dv.getUint32(s + 16, true) });
                }
            }
            const ready = () => fds.filter((f) => f.tag === EVENTTYPE.FD_WRITE
                || (f.fd === 0 ? input.length > 0 : !relay?.isSocket(f.fd) || relay.readReady(f.fd)));
            let found = ready();
            if (found.length === 0 && (deadline === null || deadline > now(1))) {
                // Nothing ready yet. A short timeout (the scheduler checks for typing after every
                // time slice) is answered at once, letting the worker's event loop run every
                // 10 ms of guest work; a longer one, or none, suspends the module until input or
                // the deadline.
                const remaining = deadline === null ? null : deadline - now(1);
                if (remaining !== null && remaining <= 2000000n) {
                    if (performance.now() - lastYield > 10) { flushOutput(); await nextTask(); lastYield = performance.now(); }
                } else {
                    await wait(remaining);
                }
                found = ready();
            } else if (performance.now() - lastYield > 10) {
                flushOutput();
                await nextTask();
                lastYield = performance.now();
                found = ready();
            }
            dv = view();
            let n = 0;
            for (const f of found) {
                const e = events + n * 32;
                dv.setBigUint64(e, f.userdata, true);
                const socket = relay?.isSocket(f.fd);
                dv.setUint16(e + 8, (f.fd <= 2 || socket || files.owns(f.fd)) ? ERRNO.SUCCESS : ERRNO.BADF, true);
                dv.setUint8(e + 10, f.tag);
                const readable = socket ? relay.readableBytes(f.fd) : input.reduce((k, c) => k + c.length, 0);
                dv.setBigUint64(e + 16, f.tag === EVENTTYPE.FD_READ ? BigInt(readable) : 65536n, true);
                // A stream that has ended reads end of file: the hang-up flag says so.
                const ended = socket && f.tag === EVENTTYPE.FD_READ && relay.stream(f.fd)?.ended && readable === 0;
                dv.setUint16(e + 24, ended ? 1 : 0, true);
                n++;
            }
            if (n === 0) {
                const e = events;
                dv.setBigUint64(e, clockUserdata, true);
                dv.setUint16(e + 8, ERRNO.SUCCESS, true);
                dv.setUint8(e + 10, EVENTTYPE.CLOCK);
                n = 1;
            }
            dv.setUint32(countAt, n, true);
            return ERRNO.SUCCESS;
        }),
        proc_exit: (status) => { throw new Exit(status); },
        random_get: (at, length) => {
            const mem = bytes();
            for (let done = 0; done < length; done += 65536) {
                crypto.getRandomValues(mem.subarray(at + done, at + Math.min(length, done + 65536)));
            }
            return ERRNO.SUCCESS;
        },
        sched_yield: () => ERRNO.SUCCESS,
        fd_fdstat_get: (fd, at) => {
            const socket = relay?.isSocket(fd);
            if (fd > 2 && !socket) return ERRNO.BADF;
            const dv = view();
            dv.setUint8(at, socket ? FILETYPE_SOCKET_STREAM : FILETYPE_CHARACTER_DEVICE);
            dv.setUint16(at + 2, 0, true);
            dv.setBigUint64(at + 8, 0x8000042n, true);   // fd_read | fd_write | poll_fd_readwrite; no seek/tell
            dv.setBigUint64(at + 16, 0n, true);
            return ERRNO.SUCCESS;
        },
        fd_fdstat_set_flags: (fd) => (fd <= 2 || relay?.isSocket(fd) ? ERRNO.SUCCESS : ERRNO.BADF),
        fd_filestat_get: (fd, at) => {
            if (fd > 2) return ERRNO.BADF;
            const mem = bytes();
            mem.fill(0, at, at + 64);
            view().setUint8(at + 16, FILETYPE_CHARACTER_DEVICE);
            view().setBigUint64(at + 24, 1n, true);
            return ERRNO.SUCCESS;
        },
        fd_seek: (fd) => (fd <= 2 ? ERRNO.SPIPE : ERRNO.BADF),
        fd_close: (fd) => (fd <= 2 || relay?.close(fd) ? ERRNO.SUCCESS : ERRNO.BADF),
        sock_accept: (fd, flags, at) => {
            if (!relay || fd !== relay.listener) return relay?.isSocket(fd) ? ERRNO.INVAL : ERRNO.NOTSOCK;
            view().setUint32(at, relay.accept(), true);
            return ERRNO.SUCCESS;
        },
        sock_shutdown: (fd, how) => {
            const stream = relay?.stream(fd);
            if (!stream) return ERRNO.NOTSOCK;
            if (how & 2) stream.shutWrite();   // SDFLAGS_WR; reading is the module's business
            return ERRNO.SUCCESS;
        },
        fd_prestat_get: () => ERRNO.BADF,             // the one preopened directory is /files (below)
        fd_prestat_dir_name: () => ERRNO.BADF,
    };
    // /files and .skiff-image answer for their own descriptors first (skiff-files.js,
    // skiff-pull.js); fd_read does so itself.
    for (const calls of [fileCalls, pullCalls]) {
        for (const [name, call] of Object.entries(calls)) {
            if (name === "fd_read") continue;
            const otherwise = wasi[name] ?? (() => ERRNO.BADF);
            wasi[name] = (...args) => { const r = call(...args); return r !== undefined ? r : otherwise(...args); };
        }
    }
    // Everything else the module may import (files by path, which need a preopen) is refused.
    const imports = {};
    for (const entry of WebAssembly.Module.imports(module)) {
        if (entry.kind !== "function") continue;
        imports[entry.module] ??= {};
        imports[entry.module][entry.name] = entry.module === "wasi_snapshot_preview1" && wasi[entry.name]
            ? wasi[entry.name] : () => ERRNO.BADF;
    }
    return WebAssembly.instantiate(module, imports).then(async (instance) => {
        memory = instance.exports.memory;
        const start = WebAssembly.promising(instance.exports._start);
        try {
            await start();
            return 0;
        } catch (e) {
            if (e instanceof Exit) return e.status;
            throw e;
        }
    });
}

async function fetchModule(url) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    const total = Number(response.headers.get("Content-Length")) || 0;
    let loaded = 0;
    let reported = 0;
    const counting = new TransformStream({
        transform(chunk, controller) {
            loaded += chunk.length;
            if (loaded - reported > 1 << 20 || loaded === total) {
                reported = loaded;
                postMessage({ type: "progress", loaded, total });
            }
            controller.enqueue(chunk);
        },
    });
    const streamed = new Response(response.body.pipeThrough(counting), { headers: { "Content-Type": "application/wasm" } });
    return WebAssembly.compileStreaming(streamed);
}

// The module is fetched and compiled, and the relay looked for, as soon as the worker starts:
// the page creates it before it loads xterm.js, so this overlaps with the page's own loading.
const began = performance.now();
const preparing = (async () => {
    let url = "container.wasm";
    try {
        const response = await fetch("site.json");
        if (response.ok) url = (await response.json()).module || url;
    } catch (e) { /* the default name */ }
    const [module, found] = await Promise.all([fetchModule(url), Relay.probe(self.location.href, wakeWaiter, allocateDescriptor)]);
    return { url, module, relay: found };
})();
preparing.catch(() => {});   // a failure is reported when the page starts the container

onmessage = async (event) => {
    const message = event.data;
    if (message.type === "input") { pushInput(message.bytes); return; }
    if (message.type === "upload") { files.put(message.name, message.bytes); return; }
    if (message.type === "download") {
        const bytes = files.read(message.path);
        postMessage({ type: "file", path: message.path, bytes }, bytes ? [bytes.buffer] : []);
        return;
    }
    if (message.type === "resize") {
        pushInput(encoder.encode(`\x1b[8;${message.rows};${message.columns}t`), true);
        return;
    }
    if (message.type !== "start") return;
    if (typeof WebAssembly.Suspending !== "function" || typeof WebAssembly.promising !== "function") {
        postMessage({ type: "exit", status: null, message: "this browser has no JavaScript Promise Integration (WebAssembly.Suspending): use Chrome/Chromium 137 or later, or enable it (see docs/web.md)" });
        return;
    }
    try {
        const prepared = await preparing;
        relay = prepared.relay;
        const module = prepared.url === message.url ? prepared.module : await fetchModule(message.url);
        const args = ["container.wasm", "--tty-size", `${message.rows}x${message.columns}`];
        if (message.image) {
            // The image's configuration and layers (fetched while the module reads them).
            postMessage({ type: "progress", loaded: 0, total: 0, what: `pulling ${message.image}` });
            const image = await pull.prepare(message.image);
            if (image.user) args.push("-u", image.user);
        }
        postMessage({ type: "started", seconds: (performance.now() - began) / 1000 });
        for (const e of message.env) args.push("-e", e);
        args.push("--", ...message.command);
        const status = await run(module, args, []);
        if (pull.failure) queueOutput(crlf(encoder.encode(`skiff: pulling ${message.image}: ${pull.failure}\n`)));
        flushOutput();
        postMessage({ type: "exit", status });
    } catch (e) {
        flushOutput();
        postMessage({ type: "exit", status: null, message: String(e && e.stack || e) });
    }
};
