#!/usr/bin/env bash
# Builds the WASI test programs into $1 (default: a cache folder) and prints that folder: programs/*.c
# with clang --target=wasm32-wasi against Debian's wasi-libc, programs/*.wat (modules that call WASI
# directly) with Debian's wabt (wat2wasm). Rebuilds only what changed.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-${SKIFF_FIXTURES:-$HOME/.cache/skiff-fixtures}/wasi-programs}
mkdir -p "$OUT"
CLANG=${CLANG:-$(dirname "$(command -v swiftc)")/clang}
[ -x "$CLANG" ] || CLANG=$(command -v clang)
LLVM_RT=$(ls -d /usr/lib/llvm-*/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a 2>/dev/null | head -1)
[ -n "$LLVM_RT" ] || { echo "build-programs: libclang_rt.builtins-wasm32.a not found (apt-get install libclang-rt-14-dev-wasm32)" >&2; exit 1; }
[ -f /usr/lib/wasm32-wasi/libc.a ] || { echo "build-programs: wasi-libc not found (apt-get install wasi-libc)" >&2; exit 1; }
for c in "$HERE"/programs/*.c; do
  name=$(basename "${c%.c}")
  if [ ! -f "$OUT/$name.wasm" ] || [ "$c" -nt "$OUT/$name.wasm" ]; then
    "$CLANG" --target=wasm32-wasi --sysroot=/usr -isystem /usr/include/wasm32-wasi -O2 -c "$c" -o "$OUT/$name.o"
    wasm-ld /usr/lib/wasm32-wasi/crt1-command.o "$OUT/$name.o" /usr/lib/wasm32-wasi/libc.a "$LLVM_RT" \
      --strip-debug -o "$OUT/$name.wasm"
  fi
done
command -v wat2wasm >/dev/null || { echo "build-programs: wat2wasm not found (apt-get install wabt)" >&2; exit 1; }
for w in "$HERE"/programs/*.wat; do
  name=$(basename "${w%.wat}")
  if [ ! -f "$OUT/$name.wasm" ] || [ "$w" -nt "$OUT/$name.wasm" ]; then wat2wasm "$w" -o "$OUT/$name.wasm"; fi
done
# A module that is not valid WebAssembly past its header, for the bad-input tests.
printf '\0asm\001\0\0\0\377\377' > "$OUT/invalid.wasm"
echo "$OUT"
