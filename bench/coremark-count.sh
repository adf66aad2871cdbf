#!/usr/bin/env bash
# Host instructions per riscv64 CoreMark iteration on the RISC-V interpreter: valgrind's count of
# a run with 60 iterations minus that with 20, over 40 (start-up cancels out). The count is
# deterministic, so unlike CPU time it holds on a loaded machine; compare builds with it, then
# confirm with CPU time of alternating runs. Not a test: a measurement.
#
#   bench/coremark-count.sh [SKIFF...]          `skiff run --rootfs` (default: the release build)
#   bench/coremark-count.sh --wasm CORE.wasm...  the wasm core (scripts/build-wasm.sh) on the
#                                                wasmtime CLI, precompiled (`wasmtime compile`
#                                                under valgrind, for valgrind's CPU features),
#                                                CoreMark from a `--dir ROOT::/` root
#
# Natively it counts the interpreter (SKIFF_JIT=0) unless SKIFF_JIT is set (SKIFF_JIT=1: the
# native tier). valgrind cannot read the release binary's debug info, so a copy without it is
# counted. ITERATIONS="A B" changes the two runs (default "20 60").
set -euo pipefail
cd "$(dirname "$0")/.."
CM=${COREMARK_DIR:-$PWD/../shared/coremark}
OUT=${TMPDIR:-/tmp}/skiff-coremark-count
read -r lo hi <<< "${ITERATIONS:-20 60}"
mkdir -p "$OUT/root"
[ -x "$OUT/root/coremark" ] || riscv64-linux-gnu-gcc -O2 -static -I"$CM" -I"$CM/posix" -DPERFORMANCE_RUN=1 \
  -DFLAGS_STR='"-O2 -static"' "$CM"/core_list_join.c "$CM"/core_main.c "$CM"/core_matrix.c "$CM"/core_state.c \
  "$CM"/core_util.c "$CM"/posix/core_portme.c -o "$OUT/root/coremark"
collected() { awk '/Collected/ {print $4}'; }
per() { awk -v a="$1" -v b="$2" -v n=$((hi - lo)) 'BEGIN { printf "%.3f M", (b - a) / n / 1e6 }'; }

if [ "${1:-}" = "--wasm" ]; then
  shift
  WASMTIME=$(wasm/wasmtime-cli.sh)
  for core in "$@"; do
    # Compiled under valgrind too: Cranelift then targets the CPU features valgrind reports
    # (no AVX-512), which the run under valgrind accepts.
    valgrind --tool=none -q "$WASMTIME" compile "$core" -o "$OUT/core.cwasm"
    count() {
      valgrind --tool=callgrind --callgrind-out-file=/dev/null "$WASMTIME" run --allow-precompiled \
        --dir "$OUT/root::/" "$OUT/core.cwasm" /coremark 0x0 0x0 0x66 "$1" 2>&1 | collected
    }
    a=$(count "$lo"); b=$(count "$hi")
    echo "$core (wasmtime): $(per "$a" "$b") host instructions per iteration"
  done
  exit 0
fi

for skiff in "${@:-$PWD/.build/release/skiff}"; do
  strip -g -o "$OUT/skiff" "$skiff"
  count() {
    SKIFF_JIT=${SKIFF_JIT:-0} valgrind --tool=callgrind --callgrind-out-file=/dev/null "$OUT/skiff" run \
      --rootfs "$OUT/root" /coremark 0x0 0x0 0x66 "$1" 2>&1 | collected
  }
  a=$(count "$lo"); b=$(count "$hi")
  echo "$skiff: $(per "$a" "$b") host instructions per iteration"
done
