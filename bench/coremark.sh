#!/usr/bin/env bash
# CoreMark for riscv64 guests (issue 14), side by side in one run: the host CPU running the
# x86-64 build (the 100% mark), qemu-riscv64-static, `skiff run --rootfs` with the native tier and
# with the interpreter only (SKIFF_JIT=0), and the same program converted into one WASI module on
# the wasmtime CLI (what `skiff convert` users get; the module can only interpret). Each figure is
# CoreMark's own Iterations/Sec and its share of the host's. A measurement, not a test.
#
#   bench/coremark.sh [RUNS]     (default 1; RUNS rounds, each runs every side once)
#
# Environment: SKIFF (default: the release build), SKIFF_FIXTURES (scripts/fixtures.sh),
# NO_WASM=1 to skip the wasm module.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-1}
SKIFF=${SKIFF:-$PWD/.build/release/skiff}
FIXTURES=${SKIFF_FIXTURES:-$(scripts/fixtures.sh | tail -1)}
OUT=${TMPDIR:-/tmp}/skiff-coremark
mkdir -p "$OUT"
bench/coremark-image.sh "$OUT" "$FIXTURES"
ips() { grep -a "Iterations/Sec" | awk '{print $NF}'; }
share() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%5.1f%%", 100 * a / b }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }

wasm=""
if [ -z "${NO_WASM:-}" ]; then
  WASMTIME=$(wasm/wasmtime-cli.sh)
  export SKIFF_HOME="$OUT/store"
  rm -rf "$SKIFF_HOME"
  "$SKIFF" import "$OUT/cm.tar.gz" bench/coremark:1 >/dev/null
  "$SKIFF" convert -q bench/coremark:1 "$OUT/coremark.wasm" >/dev/null
  "$WASMTIME" run "$OUT/coremark.wasm" true   # compiled once into wasmtime's cache
  wasm=1
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%F)"
printf '%-6s %-30s %12s %8s %10s\n' round side "it/s" "of host" "speed/qemu"
for round in $(seq "$RUNS"); do
  host=$("$OUT/coremark-x86" | ips)
  qemu=$(qemu-riscv64-static "$OUT/cm/usr/bin/coremark" | ips)
  line() { printf '%-6s %-30s %12s %8s %10s\n' "$round" "$1" "$2" "$(share "$2" "$host")" "$(ratio "$2" "$qemu")"; }
  line "host CPU (x86-64 build)" "$host"
  line "qemu-riscv64-static" "$qemu"
  line "skiff, native tier" "$("$SKIFF" run --rootfs "$OUT/cm" /usr/bin/coremark | ips)"
  line "skiff, interpreter (JIT=0)" "$(SKIFF_JIT=0 "$SKIFF" run --rootfs "$OUT/cm" /usr/bin/coremark | ips)"
  if [ -n "$wasm" ]; then
    line "converted module, wasmtime" "$("$WASMTIME" run "$OUT/coremark.wasm" coremark | ips)"
  fi
done
