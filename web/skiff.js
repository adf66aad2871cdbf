// The page of a site made by `skiff convert --web DIR IMAGE`: an xterm.js terminal sized to the
// window, and the container running in a worker (skiff-worker.js) on a terminal of that size.
//
// URL parameters (docs/web.md):
//   ?cmd=/bin/sh&cmd=-c&cmd=ls /   the command and its arguments, in order (default: the image's)
//   &env=K=V                       an environment variable (repeatable)
//   &image=REF                     pull REF (linux/riscv64) from its registry and run it instead
//                                  of the site's image (skiff-pull.js; the registry must allow CORS)
// `window.term` is the xterm.js Terminal; `window.skiff` holds the state line's data
// ({state: "loading"|"running"|"exited"|"failed", status, message}) for tests and automation.
// Files in and out of the container's /files: skiff-page-files.js.
"use strict";

(async function () {
    // The worker was started by index.html (it fetches the module meanwhile); the handlers are
    // set before the first wait, so skiff-page-files.js finds them.
    const worker = window.skiffWorker || (window.skiffWorker = new Worker("skiff-worker.js"));
    const messageHandlers = window.skiffMessageHandlers = {};   // more message types (skiff-page-files.js)
    const stateLine = document.getElementById("state");
    const skiff = window.skiff = { state: "loading", status: null, message: "" };
    function show(text, className) {
        stateLine.textContent = text;
        stateLine.className = className || "";
    }

    const term = window.term = new Terminal({ convertEol: false, cursorBlink: true, scrollback: 5000,
                                              fontFamily: "monospace", fontSize: 14 });
    const fit = new FitAddon.FitAddon();
    term.loadAddon(fit);
    term.open(document.getElementById("terminal"));
    fit.fit();
    term.focus();
    window.addEventListener("resize", () => fit.fit());

    let site = { module: "container.wasm", image: "" };
    try {
        const response = await fetch("site.json");
        if (response.ok) site = Object.assign(site, await response.json());
    } catch (e) { /* the defaults */ }
    if (site.image) {
        document.getElementById("image").textContent = site.image;
        document.title = site.image + " — Skiff";
    }

    const parameters = new URLSearchParams(location.search);
    const command = parameters.getAll("cmd");
    const env = parameters.getAll("env");
    const image = parameters.get("image") || "";
    if (image) {
        document.getElementById("image").textContent = image;
        document.title = image + " — Skiff";
    }
    const pullField = document.getElementById("pull-reference");
    if (pullField) pullField.value = image;

    const encoder = new TextEncoder();
    let running = false;
    let runningText = "";
    term.onData((data) => { if (running) worker.postMessage({ type: "input", bytes: encoder.encode(data) }); });
    // onBinary (mouse reports in non-UTF-8 modes) is in xterm.js 4.5 and later.
    if (term.onBinary) term.onBinary((data) => {
        if (!running) return;
        const bytes = new Uint8Array(data.length);
        for (let i = 0; i < data.length; i++) bytes[i] = data.charCodeAt(i) & 0xff;
        worker.postMessage({ type: "input", bytes });
    });
    term.onResize(({ rows, cols }) => worker.postMessage({ type: "resize", rows, columns: cols }));

    worker.onmessage = (event) => {
        const m = event.data;
        switch (m.type) {
        case "progress": {
            // A pulled image's layers arrive while the guest already runs (it reads them).
            const what = m.what || "loading";
            if (running && m.total && m.loaded >= m.total) { show(runningText); break; }
            show(m.total ? `${what} ${(m.loaded / 1048576).toFixed(1)} of ${(m.total / 1048576).toFixed(1)} MB`
                         : m.loaded ? `${what} ${(m.loaded / 1048576).toFixed(1)} MB` : `${what}…`);
            break;
        }
        case "started":
            running = true;
            skiff.state = "running";
            runningText = `running ${command.length ? command.join(" ") : "the image's command"} (loaded in ${m.seconds.toFixed(2)} s)`;
            show(runningText);
            break;
        case "output":
            term.write(m.bytes);
            break;
        default:
            messageHandlers[m.type]?.(m);
            break;
        case "exit":
            running = false;
            skiff.status = m.status;
            if (m.status === null) {
                skiff.state = "failed";
                skiff.message = m.message;
                show(`failed: ${m.message.split("\n")[0]}`, "failed");
                console.error(m.message);
            } else {
                skiff.state = "exited";
                show(`exited with status ${m.status}` + (m.status > 128 && m.status < 160 ? ` (signal ${m.status - 128})` : ""), "exited");
            }
            break;
        }
    };
    worker.onerror = (e) => {
        skiff.state = "failed";
        skiff.message = e.message;
        show(`failed: ${e.message}`, "failed");
    };
    show("loading…");
    worker.postMessage({ type: "start", url: site.module, command, env, image, rows: term.rows, columns: term.cols });
})();
