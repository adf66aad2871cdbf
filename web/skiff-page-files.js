// Files in and out of the page's container: /files in the container is a directory kept in the
// worker (skiff-files.js). Dropping files on the page or choosing them with "upload" puts them
// there; every regular file in it is listed in the bar as a download link.
// `window.skiffFiles` = {list, upload(name, bytes), download(path) → Promise<Uint8Array|null>}
// for tests and automation.
"use strict";

(function () {
    const worker = window.skiffWorker;
    const listing = document.getElementById("file-list");
    const api = window.skiffFiles = { list: [] };
    const waiting = new Map();   // path -> resolvers of download()

    api.upload = (name, bytes) => worker.postMessage({ type: "upload", name, bytes }, [bytes.buffer]);
    api.download = (path) => new Promise((resolve) => {
        if (!waiting.has(path)) waiting.set(path, []);
        waiting.get(path).push(resolve);
        worker.postMessage({ type: "download", path });
    });

    function size(n) {
        return n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1048576).toFixed(1)} MB`;
    }

    window.skiffMessageHandlers.files = (m) => {
        api.list = m.list;
        listing.replaceChildren(...m.list.map((f) => {
            const link = document.createElement("a");
            link.href = "#";
            link.textContent = `${f.path} (${size(f.size)})`;
            link.title = `download /files/${f.path}`;
            link.onclick = async (event) => {
                event.preventDefault();
                const bytes = await api.download(f.path);
                if (!bytes) return;
                const url = URL.createObjectURL(new Blob([bytes]));
                const a = document.createElement("a");
                a.href = url;
                a.download = f.path.split("/").pop();
                a.click();
                setTimeout(() => URL.revokeObjectURL(url), 10000);
            };
            return link;
        }));
    };
    window.skiffMessageHandlers.file = (m) => {
        const resolvers = waiting.get(m.path) || [];
        waiting.delete(m.path);
        for (const r of resolvers) r(m.bytes);
    };

    async function uploadAll(list) {
        for (const file of list) api.upload(file.name, new Uint8Array(await file.arrayBuffer()));
    }
    document.getElementById("upload-input").onchange = (event) => { uploadAll(event.target.files); event.target.value = ""; };
    document.addEventListener("dragover", (event) => { event.preventDefault(); document.body.classList.add("dragging"); });
    document.addEventListener("dragleave", () => document.body.classList.remove("dragging"));
    document.addEventListener("drop", (event) => {
        event.preventDefault();
        document.body.classList.remove("dragging");
        uploadAll(event.dataTransfer.files);
    });
})();
