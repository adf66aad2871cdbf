#!/usr/bin/env bash
# Skiff's benchmark (not a test): CPU workloads (a C benchmark of our own, python3, lua, sqlite3,
# gzip, sha256sum, threaded python) under qemu-riscv64-static and skiff, and process workloads
# (fork, exec, pipelines) under proot + qemu and skiff, side by side in one run. Prints the median
# time of each, the ratio skiff/reference, the geometric mean of the ratios, peak RSS, and the
# startup time of `busybox echo`.
#
#   bench/run.sh [--runs N] [--only NAME...] [--kernels]   (SKIFF=path to use a given skiff binary)
#   --kernels adds one line per C benchmark kernel (hash, sort, nbody, mandel, matf, mixf, memcpy, strings).
#
# Builds skiff in release mode if SKIFF is not set, the C benchmark into ~/.cache/skiff-bench, and
# test data under the fixture root's /tmp/skiff-bench.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in qemu-riscv64-static proot riscv64-linux-gnu-gcc; do
  command -v "$tool" >/dev/null || { echo "bench: $tool missing (run scripts/setup.sh)" >&2; exit 1; }
done
root=$(scripts/fixtures.sh | tail -1)/rootfs/debian
if [ -z "${SKIFF:-}" ]; then
  echo "bench: swift build -c release --product skiff" >&2
  swift build -c release --product skiff >&2
  SKIFF=$PWD/.build/release/skiff
fi
broot=${SKIFF_BENCH_CACHE:-$HOME/.cache/skiff-bench}/root
mkdir -p "$broot"
if [ ! -x "$broot/cbench" ] || [ bench/cbench.c -nt "$broot/cbench" ]; then
  riscv64-linux-gnu-gcc -O2 -static -o "$broot/cbench.tmp" bench/cbench.c -lm
  mv "$broot/cbench.tmp" "$broot/cbench"
fi
echo "skiff: $SKIFF"
echo "qemu:  $(qemu-riscv64-static --version | head -1)"
echo "host:  $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo
exec python3 bench/bench.py --skiff "$SKIFF" --root "$root" --bench-root "$broot" "$@"
