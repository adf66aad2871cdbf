#!/usr/bin/env bash
# Builds the portable guest core (RISCV, FSImage, LinuxKernel) with Embedded Swift for wasm32 as
# one module, plus the WASI host and entry point under wasm/, into .build-wasm/skiff-core.wasm.
#
#   scripts/build-wasm.sh            build
#   scripts/build-wasm.sh --check    build, then run a guest from a WASI preopened directory under
#                                    wasmkit and check its output (`busybox echo hi` -> `hi`)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=.build-wasm
mkdir -p "$OUT"
SWIFTC=$(command -v swiftc)
TOOLCHAIN=$(dirname "$SWIFTC")/..
CLANG=$(dirname "$SWIFTC")/clang
LLVM_RT=$(ls -d /usr/lib/llvm-*/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a 2>/dev/null | head -1)
[ -n "$LLVM_RT" ] || { echo "build-wasm: libclang_rt.builtins-wasm32.a not found (apt-get install libclang-rt-14-dev-wasm32)" >&2; exit 1; }
[ -f /usr/lib/wasm32-wasi/libc.a ] || { echo "build-wasm: wasi-libc not found (apt-get install wasi-libc)" >&2; exit 1; }

sources=$(find Sources/RISCV Sources/FSImage Sources/LinuxKernel -name '*.swift' | sort)
entry=""
[ -d wasm ] && entry=$(find wasm -name '*.swift' | sort)
cobjs=""
for c in $( [ -d wasm ] && find wasm -name '*.c' | sort ); do
  o="$OUT/$(basename "${c%.c}").o"
  "$CLANG" --target=wasm32-wasi --sysroot=/usr -isystem /usr/include/wasm32-wasi -O2 -c "$c" -o "$o"
  cobjs="$cobjs $o"
done

echo "build-wasm: compiling $(echo $sources $entry | wc -w) Swift files as Embedded Swift (wasm32)" >&2
"$SWIFTC" -target wasm32-unknown-none-wasm -enable-experimental-feature Embedded \
  -enable-experimental-feature Extern -wmo -Osize -parse-as-library -module-name SkiffCore \
  -D SKIFF_SINGLE_MODULE -D SKIFF_WASI -Xfrontend -disable-stack-protector \
  $sources $entry -c -o "$OUT/core.o"

if [ -z "$entry" ]; then
  echo "build-wasm: no WASI entry point under wasm/ yet: compiled the core only" >&2
  [ "${1:-}" = "--check" ] && { echo "build-wasm: --check needs the WASI entry point (wasm/)" >&2; exit 1; }
  exit 0
fi

wasm-ld /usr/lib/wasm32-wasi/crt1-command.o "$OUT/core.o" $cobjs \
  "$TOOLCHAIN/lib/swift/embedded/wasm32-unknown-none-wasm/libswiftUnicodeDataTables.a" \
  /usr/lib/wasm32-wasi/libc.a "$LLVM_RT" -z stack-size=1048576 -o "$OUT/skiff-core.wasm"
echo "build-wasm: $OUT/skiff-core.wasm ($(stat -c %s "$OUT/skiff-core.wasm") bytes)" >&2

if [ "${1:-}" = "--check" ]; then
  ROOT=$(scripts/fixtures.sh | tail -1)/rootfs/busybox
  got=$(wasmkit run --dir "$ROOT::/" "$OUT/skiff-core.wasm" -- /usr/bin/busybox echo hi)
  if [ "$got" != "hi" ]; then
    echo "build-wasm: check FAILED: expected 'hi', got '$got'" >&2; exit 1
  fi
  echo "build-wasm: check passed: busybox echo hi under wasmkit printed 'hi'" >&2
fi
