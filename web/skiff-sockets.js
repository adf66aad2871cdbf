// The page's network relay, the worker's side (loaded by skiff-worker.js).
//
// When the site is served by `skiff serve --network host`, the worker gives the module a
// listening socket (a WASI descriptor after the preopened directory). Each `sock_accept` on it opens a WebSocket to the
// server's /.skiff/net, and the accepted descriptor reads and writes that WebSocket's bytes:
// the module asks for a connection on it and then carries the guest's TCP stream over it
// (wasm/WasiRelay.swift and Sources/skiff/Images/ServeNetworkRelay.swift have the protocol).
// An empty binary message is the end of one direction (sock_shutdown of writing, or the peer's
// end of data).
"use strict";

const RELAY_PATH = "/.skiff/net";

// One accepted stream: a WebSocket, what it has brought in and not been read yet, and whether
// it has ended.
class RelayStream {
    constructor(url, wake) {
        this.incoming = [];
        this.ended = false;        // no more bytes will come (end of data, close or error)
        this.outbox = [];          // written before the WebSocket opened
        this.shutPending = false;
        this.socket = new WebSocket(url);
        this.socket.binaryType = "arraybuffer";
        this.socket.onopen = () => {
            for (const b of this.outbox) this.socket.send(b);
            this.outbox = [];
            if (this.shutPending) this.socket.send(new Uint8Array(0));
        };
        this.socket.onmessage = (event) => {
            const bytes = new Uint8Array(event.data);
            if (bytes.length === 0) this.ended = true; else this.incoming.push(bytes);
            wake();
        };
        this.socket.onclose = () => { this.ended = true; wake(); };
        this.socket.onerror = () => { this.ended = true; wake(); };
    }

    readable() { return this.incoming.length > 0 || this.ended; }
    available() { return this.incoming.reduce((n, c) => n + c.length, 0); }

    // Copies what has come into `parts` (Uint8Arrays of the module's memory); returns the count.
    read(parts) {
        let total = 0;
        for (const part of parts) {
            let at = 0;
            while (at < part.length && this.incoming.length > 0) {
                const chunk = this.incoming[0];
                const n = Math.min(part.length - at, chunk.length);
                part.set(chunk.subarray(0, n), at);
                at += n;
                total += n;
                if (n === chunk.length) this.incoming.shift(); else this.incoming[0] = chunk.subarray(n);
            }
            if (this.incoming.length === 0) break;
        }
        return total;
    }

    // False once the WebSocket is gone (the module sees EPIPE).
    write(bytes) {
        if (this.socket.readyState === WebSocket.CONNECTING) { this.outbox.push(bytes); return true; }
        if (this.socket.readyState !== WebSocket.OPEN) return false;
        this.socket.send(bytes);
        return true;
    }

    shutWrite() {
        if (this.socket.readyState === WebSocket.CONNECTING) this.shutPending = true;
        else if (this.socket.readyState === WebSocket.OPEN) this.socket.send(new Uint8Array(0));
    }

    close() { this.socket.close(); }
}

// The listening socket and the streams accepted from it, by WASI descriptor.
class Relay {
    // `base`: the site's URL (the page's); `wake`: called when a stream has news for a wait;
    // `allocate()` gives new WASI descriptors.
    constructor(base, wake, allocate) {
        const url = new URL(RELAY_PATH, base);
        url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
        this.url = url.href;
        this.wake = wake;
        this.allocate = allocate;
        this.listener = allocate();
        this.streams = new Map();
    }

    // A relay when the server has one (`skiff serve --network host`), else null.
    static async probe(base, wake, allocate) {
        try {
            const response = await fetch(new URL(RELAY_PATH, base), { cache: "no-store" });
            return response.ok ? new Relay(base, wake, allocate) : null;
        } catch (e) {
            return null;
        }
    }

    accept() {
        const fd = this.allocate();
        this.streams.set(fd, new RelayStream(this.url, this.wake));
        return fd;
    }

    isSocket(fd) { return fd === this.listener || this.streams.has(fd); }
    stream(fd) { return this.streams.get(fd); }

    close(fd) {
        const s = this.streams.get(fd);
        if (!s) return false;
        s.close();
        this.streams.delete(fd);
        return true;
    }

    // For poll_oneoff: whether a read on `fd` would not wait, and how much it would get.
    readReady(fd) { return fd === this.listener || (this.streams.get(fd)?.readable() ?? true); }
    readableBytes(fd) { return this.streams.get(fd)?.available() ?? 0; }
}
