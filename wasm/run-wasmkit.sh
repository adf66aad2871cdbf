#!/usr/bin/env bash
# Runs a WASI command module on WasmKit ($WASMKIT, else the toolchain's `wasmkit`), with the same
# interface as run-wasmtime.py and run-node.mjs:
#
#   wasm/run-wasmkit.sh [--dir HOST::GUEST]... MODULE.wasm [ARG...]
#
# WasmKit before 0.2 (the toolchain's 0.1.6) cannot rename a preopen: there HOST is preopened under
# its own path, and skiff-core.wasm takes a lone preopened directory as its root anyway.
set -euo pipefail
wasmkit=${WASMKIT:-wasmkit}
legacy=0
case $("$wasmkit" --version) in 0.1.*) legacy=1 ;; esac
options=()
while [ $# -gt 0 ] && [ "$1" = --dir ]; do
  [ $# -ge 2 ] || { echo "run-wasmkit: --dir needs HOST[::GUEST]" >&2; exit 2; }
  if [ "$legacy" = 1 ]; then options+=(--dir "${2%%::*}"); else options+=(--dir "$2"); fi
  shift 2
done
[ $# -ge 1 ] || { echo "usage: run-wasmkit.sh [--dir HOST::GUEST]... MODULE.wasm [ARG...]" >&2; exit 2; }
module=$1
shift
exec "$wasmkit" run "${options[@]}" "$module" -- "$@"
