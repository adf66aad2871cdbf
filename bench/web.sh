#!/usr/bin/env bash
# The browser page's benchmark (issue 11), in headless Chromium (Debian's chromium + chromium-driver,
# Selenium from PyPI; scripts/setup.sh installs them):
#   - page load to the first shell prompt, cold (fresh browser profile) and warm (reload), for
#     the busybox fixture image and the Debian fixture image (compressed);
#   - pulling in the page: the Debian image pushed to a local docker-registry that sends CORS
#     headers, opened as ?image=... running python3 (fresh profile: nothing cached);
#   - CPU-bound guest speed: CoreMark (bench/coremark-image.sh) run in the page, as Iterations/Sec
#     and as a fraction of native `skiff run` (native tier and SKIFF_JIT=0) and of the host CPU.
#
#   bench/web.sh [RUNS]        (default 5)
#
# Environment: SKIFF (default: the release build), SKIFF_FIXTURES, SKIFF_BENCH_DIR (scratch,
# default ~/.cache/skiff-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
. bench/fixture-images.sh web
bench/coremark-image.sh "$SCRATCH" "$FIXTURES"
"$SKIFF" import "$SCRATCH/cm.tar.gz" bench/coremark:1 >/dev/null
"$SKIFF" convert -q --web "$SCRATCH/busybox" bench/busybox:1 >/dev/null
"$SKIFF" convert -q --compress --web "$SCRATCH/debian" bench/debian:1 >/dev/null
"$SKIFF" convert -q --web "$SCRATCH/coremark" bench/coremark:1 >/dev/null

servers=()
trap 'kill "${servers[@]}" 2>/dev/null || true' EXIT
serve() {   # serve DIR: starts `skiff serve DIR` (stopped at exit) and sets URL to its address
  "$SKIFF" serve "$1" --port 0 > "$1.url" 2>/dev/null &
  servers+=($!)
  while ! grep -q http "$1.url" 2>/dev/null; do sleep 0.05; done
  URL=$(grep -o 'http://[^ ]*' "$1.url")
}

echo "machine: $(nproc) cores, $(uname -m), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%F), $(chromium --version 2>/dev/null)"
for site in busybox debian; do
  echo
  echo "== page load to the first prompt: $site ($(du -m "$SCRATCH/$site/container.wasm" | cut -f1) MB module)"
  serve "$SCRATCH/$site"
  python3 bench/web-page.py page-load "$URL" "$RUNS"
done

echo
echo "== pulling in the page: the Debian image ($(du -m "$DEBIAN_TAR" | cut -f1) MB of gzip layers) from a local registry, python3 -c"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$SCRATCH/registry"
cat > "$SCRATCH/registry/config.yml" <<YAML
version: 0.1
log: {level: warn}
storage: {filesystem: {rootdirectory: $SCRATCH/registry/data}}
http:
  addr: 127.0.0.1:$port
  headers:
    Access-Control-Allow-Origin: ["*"]
    Access-Control-Allow-Headers: ["Accept, Authorization"]
    Access-Control-Expose-Headers: ["Docker-Content-Digest, WWW-Authenticate, Content-Type"]
YAML
docker-registry serve "$SCRATCH/registry/config.yml" > "$SCRATCH/registry/log" 2>&1 &
servers+=($!)
until (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; do sleep 0.1; done
"$SKIFF" push -q bench/debian:1 "localhost:$port/bench/debian:1" >/dev/null
serve "$SCRATCH/busybox"
python3 bench/web-page.py pull "$URL" "localhost:$port/bench/debian:1" "$RUNS"

echo
echo "== CoreMark (Iterations/Sec)"
ips() { grep -a "Iterations/Sec" | awk '{print $NF}'; }
host=$("$SCRATCH/coremark-x86" | ips)
native=$("$SKIFF" run --rm bench/coremark:1 coremark | ips)
interpreter=$(SKIFF_JIT=0 "$SKIFF" run --rm bench/coremark:1 coremark | ips)
serve "$SCRATCH/coremark"
page=$(python3 bench/web-page.py coremark "$URL")
report() { printf '%-30s %10s it/s  %5.1f%% of the host CPU  %5.1f%% of skiff run\n' "$1" "$2" \
  "$(echo "100 * $2 / $host" | bc -l)" "$(echo "100 * $2 / $native" | bc -l)"; }
report "host CPU (x86-64 build)" "$host"
report "skiff run (native tier)" "$native"
report "skiff run, SKIFF_JIT=0" "$interpreter"
report "the page in Chromium" "$page"
rm -rf "$SCRATCH/store"
