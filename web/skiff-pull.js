// Pulls a linux/riscv64 image from a registry into the worker (URL parameter `?image=REF`) and
// hands it to the module as the preopened directory `.skiff-image` (wasm/PulledImage.swift):
//   config               the container's configuration, in the module's encoding
//   layer-1 … layer-N    the layers as plain tar streams
// A layer is fetched while the module reads it, through the browser's DecompressionStream, so the
// page never holds a whole layer: the module flattens each read straight into its filesystem image.
//
// The registry must let the page read it: CORS headers (Access-Control-Allow-Origin, and
// Allow-Headers with Accept and Authorization for the preflight), as docs/web.md shows for a
// docker-registry; or the page is served by `skiff serve --registry-proxy`, which forwards the
// requests (with Skiff's own authentication) to any registry, Docker Hub included. Anonymous Bearer tokens (WWW-Authenticate exposed through CORS) are fetched
// as docker does. The manifest and config are checked against their digests; layers are not
// (the browser's crypto cannot hash a stream): a corrupt layer fails as a corrupt tar.
"use strict";

const PULL_PREOPEN = ".skiff-image";
const PULL_ERRNO = { SUCCESS: 0, BADF: 8, INVAL: 28, IO: 29, ISDIR: 31, NOENT: 44, NOTCAPABLE: 76 };
const MANIFEST_TYPES = {
    index: ["application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"],
    image: ["application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json"],
};
const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

class PullError extends Error {}

// "localhost:5000/app:1", "ghcr.io/o/r@sha256:…", "busybox" (docker.io/library/busybox:latest).
function parseImageReference(text) {
    let rest = text.trim();
    let digest = null;
    const at = rest.indexOf("@");
    if (at >= 0) { digest = rest.slice(at + 1); rest = rest.slice(0, at); }
    let tag = null;
    const colon = rest.lastIndexOf(":");
    if (colon > rest.lastIndexOf("/")) { tag = rest.slice(colon + 1); rest = rest.slice(0, colon); }
    const slash = rest.indexOf("/");
    let registry = "docker.io";
    let name = rest;
    if (slash >= 0 && /[.:]|^localhost$/.test(rest.slice(0, slash))) {
        registry = rest.slice(0, slash);
        name = rest.slice(slash + 1);
    }
    if (!/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(name)) {
        throw new PullError(`invalid image reference "${text}"`);
    }
    if (registry === "docker.io" && !name.includes("/")) name = "library/" + name;
    const local = /^(localhost|127\.[0-9.]+|\[::1\])(:\d+)?$/.test(registry);
    const base = registry === "docker.io" ? "https://registry-1.docker.io" : `${local ? "http" : "https"}://${registry}`;
    return { text, registry, name, reference: digest || tag || "latest", base };
}

class ImagePull {
    // `descriptor`: the WASI descriptor of the `.skiff-image` preopen; `allocate()` gives more;
    // `progress(loaded, total)` reports compressed layer bytes fetched.
    constructor(descriptor, allocate, progress) {
        this.preopen = descriptor;
        this.allocate = allocate;
        this.progress = progress;
        this.files = null;          // name -> {bytes} | {layer}, once `prepare` has run
        this.open = new Map();      // descriptor -> {file, position, reader, pending}
        this.token = null;
        this.proxy = null;          // the URL prefix of skiff serve's registry proxy, when it has one
        this.loaded = 0;
        this.total = 0;
    }

    get active() { return this.files !== null; }

    async request(ref, path, accept) {
        const base = this.proxy ? `${this.proxy}${ref.registry}` : ref.base;
        const url = `${base}/v2/${ref.name}/${path}`;
        const headers = {};
        if (accept) headers.Accept = accept.join(", ");
        if (this.token) headers.Authorization = `Bearer ${this.token}`;
        let response;
        try {
            response = await fetch(url, { headers });
        } catch (e) {
            throw new PullError(`cannot reach ${ref.registry} (${url}): ${e.message}; the registry must allow this page's origin (CORS), or serve the page with \`skiff serve --registry-proxy\` (docs/web.md)`);
        }
        if (response.status === 401 && !this.token) {
            await this.authenticate(ref, response.headers.get("WWW-Authenticate"));
            return this.request(ref, path, accept);
        }
        if (!response.ok) {
            // A registry's JSON errors, or the proxy's plain-text reason (e.g. an unknown host).
            const body = await response.text().catch(() => "");
            let detail;
            try { detail = JSON.parse(body).errors?.map((e) => e.message).join("; ") || ""; } catch (e) { detail = body.trim().slice(0, 300); }
            throw new PullError(`${ref.registry}: ${path}: HTTP ${response.status}${detail ? ": " + detail : ""}`);
        }
        return response;
    }

    // An anonymous token from the realm a Bearer challenge names (docker's token protocol).
    async authenticate(ref, challenge) {
        const fields = {};
        const match = /^Bearer\s+(.*)$/i.exec(challenge || "");
        if (!match) throw new PullError(`${ref.registry} wants credentials the page does not have (WWW-Authenticate: ${challenge || "not readable: expose it through CORS"})`);
        for (const [, key, value] of match[1].matchAll(/(\w+)="([^"]*)"/g)) fields[key] = value;
        if (!fields.realm) throw new PullError(`${ref.registry}: a Bearer challenge without a realm`);
        const url = new URL(fields.realm);
        if (fields.service) url.searchParams.set("service", fields.service);
        url.searchParams.set("scope", fields.scope || `repository:${ref.name}:pull`);
        let response;
        try { response = await fetch(url); } catch (e) { throw new PullError(`cannot reach the token service ${url.origin}: ${e.message}`); }
        if (!response.ok) throw new PullError(`the token service ${url.origin} refused: HTTP ${response.status}`);
        const body = await response.json();
        this.token = body.token || body.access_token;
        if (!this.token) throw new PullError(`the token service ${url.origin} gave no token`);
    }

    // Fetches a manifest or config and checks it against `digest` (when known).
    async document(ref, path, accept, digest) {
        const response = await this.request(ref, path, accept);
        const bytes = new Uint8Array(await response.arrayBuffer());
        const expected = digest || response.headers.get("Docker-Content-Digest");
        if (expected) {
            if (!expected.startsWith("sha256:")) throw new PullError(`${path}: unsupported digest algorithm ${expected}`);
            const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
            const hex = Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("");
            if ("sha256:" + hex !== expected) throw new PullError(`${path}: content does not match its digest ${expected}`);
        }
        try {
            return { json: JSON.parse(new TextDecoder().decode(bytes)), type: response.headers.get("Content-Type") || "" };
        } catch (e) {
            throw new PullError(`${path}: not JSON (${e.message})`);
        }
    }

    // Resolves `text` to a linux/riscv64 image: its configuration and its layers' descriptors.
    async prepare(text, extraEnvironment) {
        const ref = parseImageReference(text);
        // `skiff serve --registry-proxy` answers its prefix: then every request goes through it.
        const proxy = new URL("/.skiff/registry/", self.location.href).href;
        try { this.proxy = (await fetch(proxy)).ok ? proxy : null; } catch (e) { this.proxy = null; }
        const accept = [...MANIFEST_TYPES.index, ...MANIFEST_TYPES.image];
        let { json: manifest } = await this.document(ref, `manifests/${ref.reference}`, accept,
                                                     ref.reference.startsWith("sha256:") ? ref.reference : null);
        if (manifest.manifests) {
            const chosen = manifest.manifests.find((m) => m.platform?.os === "linux" && m.platform?.architecture === "riscv64");
            if (!chosen) {
                const have = manifest.manifests.map((m) => m.platform && `${m.platform.os}/${m.platform.architecture}`).filter(Boolean);
                throw new PullError(`${text} has no linux/riscv64 image (it has ${have.join(", ") || "none"})`);
            }
            ({ json: manifest } = await this.document(ref, `manifests/${chosen.digest}`, MANIFEST_TYPES.image, chosen.digest));
        }
        if (!manifest.config || !Array.isArray(manifest.layers)) throw new PullError(`${text}: not an image manifest`);
        const { json: config } = await this.document(ref, `blobs/${manifest.config.digest}`, null, manifest.config.digest);
        if (config.architecture && config.architecture !== "riscv64") {
            throw new PullError(`${text} is a ${config.os || "linux"}/${config.architecture} image: the page runs linux/riscv64 images`);
        }
        const layers = manifest.layers.map((layer, i) => {
            const type = layer.mediaType || "";
            if (/zstd/.test(type)) throw new PullError(`layer ${i + 1} of ${text} is zstd-compressed: browsers have no zstd decompressor (use gzip layers)`);
            if (!/tar/.test(type)) throw new PullError(`layer ${i + 1} of ${text} has media type ${type}, not a tar layer`);
            return { digest: layer.digest, size: layer.size || 0, gzip: /gzip/.test(type), ref };
        });
        this.total = layers.reduce((n, l) => n + l.size, 0);
        const c = config.config || {};
        const environment = c.Env ? [...c.Env] : [];
        if (!environment.some((e) => e.startsWith("PATH="))) environment.unshift("PATH=" + DEFAULT_PATH);
        this.files = new Map([["config", { bytes: encodeConfiguration({
            entrypoint: c.Entrypoint || [], command: c.Cmd || [], environment: environment.concat(extraEnvironment || []),
            workingDirectory: c.WorkingDir || "/", platform: "linux/riscv64", imageName: text,
        }) }]]);
        layers.forEach((layer, i) => this.files.set(`layer-${i + 1}`, { layer }));
        return { user: c.User || "", layers: layers.length, bytes: this.total };
    }

    // A reader of the layer's tar stream (decompressed), fetched now.
    async openLayer(layer) {
        const response = await this.request(layer.ref, `blobs/${layer.digest}`, null);
        const counting = new TransformStream({
            transform: (chunk, controller) => {
                this.loaded += chunk.length;
                this.progress(this.loaded, this.total);
                controller.enqueue(chunk);
            },
        });
        let stream = response.body.pipeThrough(counting);
        if (layer.gzip) stream = stream.pipeThrough(new DecompressionStream("gzip"));
        return stream.getReader();
    }

    // The WASI functions for `.skiff-image` and its files; each returns undefined for a
    // descriptor that is not theirs. fd_read returns a promise (it waits for the network).
    functions(memory, iovecs) {
        const view = () => new DataView(memory().buffer);
        const bytes = () => new Uint8Array(memory().buffer);
        const name = new TextEncoder().encode(PULL_PREOPEN);
        const mine = (fd) => this.active && (fd === this.preopen || this.open.has(fd));
        return {
            fd_prestat_get: (fd, at) => {
                if (!this.active || fd !== this.preopen) return undefined;
                view().setUint8(at, 0);
                view().setUint32(at + 4, name.length, true);
                return PULL_ERRNO.SUCCESS;
            },
            fd_prestat_dir_name: (fd, at, length) => {
                if (!this.active || fd !== this.preopen) return undefined;
                bytes().set(name.subarray(0, length), at);
                return PULL_ERRNO.SUCCESS;
            },
            fd_fdstat_get: (fd, at) => {
                if (!mine(fd)) return undefined;
                const dv = view();
                dv.setUint8(at, fd === this.preopen ? 3 : 4);   // directory, regular file
                dv.setUint16(at + 2, 0, true);
                dv.setBigUint64(at + 8, fd === this.preopen ? 0x2000n : 0x2n, true);   // path_open; fd_read
                dv.setBigUint64(at + 16, 0x2n, true);
                return PULL_ERRNO.SUCCESS;
            },
            path_open: (fd, dirflags, pathAt, pathLength, oflags, rightsBase, rightsInheriting, fdflags, openedAt) => {
                if (!this.active || fd !== this.preopen) return undefined;
                const path = new TextDecoder().decode(bytes().slice(pathAt, pathAt + pathLength));
                const file = this.files.get(path);
                if (!file) return PULL_ERRNO.NOENT;
                if (oflags !== 0 || (rightsBase & 0x40n)) return PULL_ERRNO.NOTCAPABLE;   // no creating, no fd_write
                const opened = this.allocate();
                this.open.set(opened, { file, position: 0, reader: null, pending: null });
                view().setUint32(openedAt, opened, true);
                return PULL_ERRNO.SUCCESS;
            },
            fd_close: (fd) => {
                if (!this.active || !this.open.has(fd)) return undefined;
                this.open.get(fd).reader?.cancel().catch(() => {});
                this.open.delete(fd);
                return PULL_ERRNO.SUCCESS;
            },
            fd_read: (fd, iovs, count, readAt) => {
                if (!mine(fd)) return undefined;
                if (fd === this.preopen) return PULL_ERRNO.ISDIR;
                return this.read(this.open.get(fd), () => iovecs(iovs, count)).then((n) => {
                    if (n >= 0) view().setUint32(readAt, n, true);
                    return n >= 0 ? PULL_ERRNO.SUCCESS : PULL_ERRNO.IO;
                });
            },
        };
    }

    // Fills the buffers `parts()` names (looked up after every wait: memory may have grown).
    async read(entry, parts) {
        if (entry.file.bytes) {
            let done = 0;
            for (const part of parts()) {
                const n = Math.max(0, Math.min(part.length, entry.file.bytes.length - entry.position));
                part.set(entry.file.bytes.subarray(entry.position, entry.position + n));
                entry.position += n;
                done += n;
                if (n < part.length) break;
            }
            return done;
        }
        try {
            if (!entry.reader) entry.reader = await this.openLayer(entry.file.layer);
            while (!entry.pending || entry.pending.length === 0) {
                const { value, done } = await entry.reader.read();
                if (done) return 0;
                entry.pending = value;
            }
        } catch (e) {
            this.failure = e instanceof PullError ? e.message : `layer ${entry.file.layer.digest}: ${e.message}`;
            return -1;
        }
        let done = 0;
        for (const part of parts()) {
            const n = Math.min(part.length, entry.pending.length);
            part.set(entry.pending.subarray(0, n));
            entry.pending = entry.pending.subarray(n);
            done += n;
            if (entry.pending.length === 0) break;
        }
        return done;
    }
}

// BundleConfiguration's encoding (Sources/ModuleBundle/ModuleBundle.swift): little-endian u32s
// and length-prefixed UTF-8 strings. The user is resolved by the module (`-u`), in the image's
// own /etc/passwd, so uid, gid and groups are root's here.
function encodeConfiguration(c) {
    const out = [];
    const u32 = (v) => out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
    const string = (s) => { const b = new TextEncoder().encode(s); u32(b.length); out.push(...b); };
    const strings = (list) => { u32(list.length); list.forEach(string); };
    u32(0); u32(0); u32(1); u32(0);
    strings(c.entrypoint);
    strings(c.command);
    strings(c.environment);
    string(c.workingDirectory);
    string(c.platform);
    string(c.imageName);
    return new Uint8Array(out);
}
