#!/usr/bin/env bash
# Times the WebAssembly build of Skiff (.build-wasm/skiff-core.wasm, from scripts/build-wasm.sh)
# on WasmKit, wasmtime and node against native `skiff run --rootfs` and qemu-riscv64-static:
# `busybox echo hi` (start-up) and wasm/bench/cpu.c (CPU-bound), with hyperfine.
#
#   wasm/bench.sh [ROUNDS]        ROUNDS of cpu.c (default 10); SKIFF=path/to/skiff for native,
#                                 WASMKIT=path for another WasmKit, RUNS=n runs per command
#
# Prints hyperfine's tables; user+system CPU time is the steadier figure on a shared machine.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-10}
WASM=$PWD/.build-wasm/skiff-core.wasm
[ -f "$WASM" ] || { echo "bench: build the module first (scripts/build-wasm.sh)" >&2; exit 1; }
SKIFF=${SKIFF:-$PWD/.build/release/skiff}
FIXTURE=$(scripts/fixtures.sh | tail -1)/rootfs/busybox

# A root: the busybox fixture plus the benchmark program, cross-compiled for riscv64.
ROOT=$(mktemp -d /tmp/skiff-wasm-bench.XXXXXX)
trap 'rm -rf "$ROOT"' EXIT
cp -a "$FIXTURE/." "$ROOT/"
riscv64-linux-gnu-gcc -static -O2 -o "$ROOT/usr/bin/cpu" wasm/bench/cpu.c

RUN_WASMKIT="wasm/run-wasmkit.sh --dir $ROOT::/ $WASM"   # WASMKIT=path picks the WasmKit
RUN_WASMTIME="python3 wasm/run-wasmtime.py --dir $ROOT::/ $WASM"
RUN_NODE="node --experimental-wasi-unstable-preview1 --no-warnings wasm/run-node.mjs --dir $ROOT::/ $WASM"
$RUN_WASMTIME /usr/bin/busybox true   # compile once into wasmtime's cache, outside the timings

echo "module: $(stat -c %s "$WASM") bytes"
run() {  # run TITLE GUEST_COMMAND...
  local title=$1; shift
  local names=() commands=()
  if [ -x "$SKIFF" ]; then names+=(-n native-skiff); commands+=("$SKIFF run --rootfs $ROOT $*"); fi
  names+=(-n wasmtime -n node -n wasmkit -n qemu-riscv64)
  commands+=("$RUN_WASMTIME $*" "$RUN_NODE $*" "$RUN_WASMKIT $*" "qemu-riscv64-static $ROOT$*")
  echo; echo "## $title"
  hyperfine -N --warmup 1 --runs "${RUNS:-5}" --style basic "${names[@]}" "${commands[@]}" 2>&1 | grep -vE '^\s*$'
}
[ -x "$SKIFF" ] || echo "bench: no native skiff at $SKIFF (set SKIFF=...): leaving it out" >&2
run "busybox echo hi" /usr/bin/busybox echo hi
run "cpu.c, $ROUNDS rounds" /usr/bin/cpu "$ROUNDS"
