#!/usr/bin/env bash
# Skiff's benchmark (not a test): CPU workloads (a C benchmark of our own, python3, lua, sqlite3,
# gzip, sha256sum, threaded python) under qemu-riscv64-static and skiff, and process workloads
# (fork, exec, pipelines) under proot + qemu and skiff, side by side in one run. Prints the median
# time of each, the ratio skiff/reference, the geometric mean of the ratios, peak RSS, and the
# startup time of `busybox echo`.
#
#   bench/run.sh [--amd64] [--runs N] [--only NAME...] [--kernels]   (SKIFF=path to use a given skiff binary)
#   --amd64 runs the same workloads on the amd64 Debian tree (scripts/fixtures.sh --amd64) against
#   qemu-x86_64-static, the C benchmark built with the host's gcc (issue 12).
#   --kernels adds one line per C benchmark kernel (hash, sort, nbody, mandel, matf, mixf, memcpy, strings).
#
# Builds skiff in release mode if SKIFF is not set, the C benchmark into ~/.cache/skiff-bench, and
# test data under the fixture root's /tmp/skiff-bench.
set -euo pipefail
cd "$(dirname "$0")/.."
arch=riscv64 qemu=qemu-riscv64-static cc=riscv64-linux-gnu-gcc
if [ "${1:-}" = --amd64 ]; then
  shift
  arch=amd64 qemu=qemu-x86_64-static cc=gcc
fi
for tool in $qemu proot $cc; do
  command -v "$tool" >/dev/null || { echo "bench: $tool missing (run scripts/setup.sh)" >&2; exit 1; }
done
if [ $arch = amd64 ]; then
  root=$(scripts/fixtures.sh --amd64 | tail -1)/rootfs/debian-amd64
else
  root=$(scripts/fixtures.sh | tail -1)/rootfs/debian
fi
if [ -z "${SKIFF:-}" ]; then
  echo "bench: swift build -c release --product skiff" >&2
  swift build -c release --product skiff >&2
  SKIFF=$PWD/.build/release/skiff
fi
broot=${SKIFF_BENCH_CACHE:-$HOME/.cache/skiff-bench}/root
[ $arch = amd64 ] && broot=$broot-amd64
mkdir -p "$broot"
if [ ! -x "$broot/cbench" ] || [ bench/cbench.c -nt "$broot/cbench" ]; then
  $cc -O2 -static -o "$broot/cbench.tmp" bench/cbench.c -lm
  mv "$broot/cbench.tmp" "$broot/cbench"
fi
echo "skiff: $SKIFF"
echo "qemu:  $($qemu --version | head -1)"
echo "host:  $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo
exec python3 bench/bench.py --skiff "$SKIFF" --root "$root" --bench-root "$broot" --arch $arch "$@"
