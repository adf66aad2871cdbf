#!/usr/bin/env bash
# Builds the portable guest core (RISCV, X86, FSImage, LinuxKernel, ModuleBundle, ImageLayers) with Embedded Swift for wasm32 as
# one module, plus the WASI host and entry point under wasm/, into .build-wasm/skiff-core.wasm.
#
#   scripts/build-wasm.sh            build
#   scripts/build-wasm.sh --check    build, then run guests from a WASI preopened directory under
#                                    wasmkit, wasmtime and node and check their output and status
#                                    (`busybox echo hi` -> `hi`, ...)
#   scripts/build-wasm.sh --pack-layer   build only the WASI pack layer (seconds): what `skiff convert`
#                                    merges into a WASI image's module (wasm/pack/, docs/convert.md)
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

# The WASI pack layer: freestanding C for plain wasm32 (MVP instructions only: the converter
# relocates its loads and stores into a region of the app's memory), no libc, its imports the
# real WASI functions and the skiff_pack functions the converter writes.
"$CLANG" --target=wasm32 -mcpu=mvp -O2 -ffreestanding -nostdlib -fno-builtin -Wall -Wextra -Wno-unused-parameter \
  -c wasm/pack/wasi_pack.c -o "$OUT/wasi_pack.o"
wasm-ld --no-entry -z stack-size=65536 --strip-debug "$OUT/wasi_pack.o" -o "$OUT/skiff-wasi-pack.wasm"
echo "build-wasm: $OUT/skiff-wasi-pack.wasm ($(stat -c %s "$OUT/skiff-wasi-pack.wasm") bytes)" >&2
[ "${1:-}" = "--pack-layer" ] && exit 0

sources=$(find Sources/RISCV Sources/X86 Sources/FSImage Sources/LinuxKernel Sources/ModuleBundle Sources/ImageLayers -name '*.swift' | sort)
entry=""
[ -d wasm ] && entry=$(find wasm -name '*.swift' | sort)
cobjs=""
for c in $( [ -d wasm ] && find wasm -maxdepth 1 -name '*.c' | sort ); do  # wasm/bench holds guest programs
  o="$OUT/$(basename "${c%.c}").o"
  "$CLANG" --target=wasm32-wasi --sysroot=/usr -isystem /usr/include/wasm32-wasi -O2 -c "$c" -o "$o"
  cobjs="$cobjs $o"
done

# The Swift compile is one single-threaded module of several minutes: skipped when the module is
# newer than every input (scripts/test.sh starts it beside the native build, then --check reuses it).
# shellcheck disable=SC2086
if [ -f "$OUT/skiff-core.wasm" ] && [ -n "$entry" ] \
   && [ -z "$(find $sources $entry $(find wasm -maxdepth 1 -name '*.c') "$0" -newer "$OUT/skiff-core.wasm" | head -1)" ]; then
  echo "build-wasm: $OUT/skiff-core.wasm is up to date" >&2
else
  # -O, not -Osize: on a CPU-bound guest -Osize ran 1.4x slower for 6% less code; -Ounchecked was
  # no faster and 18% larger. The link drops wasi-libc's DWARF (--strip-debug) but keeps the name
  # section, so a trap still shows Swift function names.
  echo "build-wasm: compiling $(echo $sources $entry | wc -w) Swift files as Embedded Swift (wasm32)" >&2
  "$SWIFTC" -target wasm32-unknown-none-wasm -enable-experimental-feature Embedded \
    -enable-experimental-feature Extern -wmo -O -parse-as-library -module-name SkiffCore -package-name skiff \
    -D SKIFF_SINGLE_MODULE -D SKIFF_WASI -Xfrontend -disable-stack-protector \
    $sources $entry -c -o "$OUT/core.o"

  if [ -z "$entry" ]; then
    echo "build-wasm: no WASI entry point under wasm/ yet: compiled the core only" >&2
    [ "${1:-}" = "--check" ] && { echo "build-wasm: --check needs the WASI entry point (wasm/)" >&2; exit 1; }
    exit 0
  fi

  wasm-ld /usr/lib/wasm32-wasi/crt1-command.o "$OUT/core.o" $cobjs \
    "$TOOLCHAIN/lib/swift/embedded/wasm32-unknown-none-wasm/libswiftUnicodeDataTables.a" \
    /usr/lib/wasm32-wasi/libc.a "$LLVM_RT" -z stack-size=1048576 --strip-debug -o "$OUT/skiff-core.wasm"
  echo "build-wasm: $OUT/skiff-core.wasm ($(stat -c %s "$OUT/skiff-core.wasm") bytes)" >&2
fi

[ "${1:-}" = "--check" ] || exit 0

# --check: run guests from a preopened root directory on every WASI runtime at hand and compare
# stdout and exit status: wasmtime (PyPI `wasmtime`, through wasm/run-wasmtime.py), node's WASI
# (wasm/run-node.mjs) and WasmKit (wasm/run-wasmkit.sh) preopen it as `/`. The toolchain's WasmKit 0.1.6
# cannot rename a preopen (it names it by its host path: the module then takes the only
# preopened directory as its root) and lacks path_readlink and poll_oneoff, so it runs the
# checks that need neither. WASMKIT=path picks another WasmKit (wasm/build-wasmkit.sh builds 0.4.2).
ROOT=$(scripts/fixtures.sh | tail -1)/rootfs/busybox
WASM="$OUT/skiff-core.wasm"
failures=0
expect() {  # expect RUNTIME WANT_STATUS WANT_STDOUT -- GUEST_COMMAND...   (fails if it differs)
  local runtime=$1 want_status=$2 want_out=$3; shift 4
  local got status=0 err="$OUT/check.stderr"
  case $runtime in
    wasmkit) got=$(wasm/run-wasmkit.sh --dir "$ROOT::/" "$WASM" "$@" 2>"$err") || status=$? ;;
    wasmtime) got=$(python3 wasm/run-wasmtime.py --dir "$ROOT::/" "$WASM" "$@" 2>"$err") || status=$? ;;
    node) got=$(node --experimental-wasi-unstable-preview1 --no-warnings wasm/run-node.mjs --dir "$ROOT::/" "$WASM" "$@" 2>"$err") || status=$? ;;
  esac
  if [ "$got" = "$want_out" ] && [ "$status" = "$want_status" ]; then
    echo "build-wasm: ok   [$runtime] $* -> '$got' (exit $status)" >&2
  else
    echo "build-wasm: FAIL [$runtime] $*: expected '$want_out' (exit $want_status), got '$got' (exit $status); stderr:" >&2
    sed 's/^/    /' "$err" >&2
    return 1
  fi
}

export WASMKIT=${WASMKIT:-wasmkit}
WASMKIT_LEGACY=0
case $("$WASMKIT" --version) in 0.1.*) WASMKIT_LEGACY=1 ;; esac
runtimes="wasmkit"
if python3 -c 'import wasmtime' 2>/dev/null || python3 -m pip install -q wasmtime >/dev/null 2>&1; then
  runtimes="$runtimes wasmtime"
else
  echo "build-wasm: FAIL: the PyPI package wasmtime cannot be installed" >&2; failures=$((failures + 1))
fi
if command -v node >/dev/null; then runtimes="$runtimes node"; else echo "build-wasm: node not installed: skipping it" >&2; fi

for rt in $runtimes; do
  expect "$rt" 0 hi -- /usr/bin/busybox echo hi </dev/null || failures=$((failures + 1))
  expect "$rt" 7 "" -- /usr/bin/busybox sh -c 'exit 7' </dev/null || failures=$((failures + 1))
  expect "$rt" 127 "" -- /usr/bin/no-such-program </dev/null || failures=$((failures + 1))
  # WasmKit 0.1.6 has neither path_readlink (ENOTSUP: symlinks cannot be followed) nor
  # poll_oneoff (it prints '"poll_oneoff" not implemented yet' to stdout): the rest needs them.
  [ "$rt" = wasmkit ] && [ "$WASMKIT_LEGACY" = 1 ] && continue
  # Input that arrives late: the guest must wait for it through the runtime's poll_oneoff.
  (sleep 0.3; echo late) | expect "$rt" 0 "got late" -- /usr/bin/busybox sh -c 'read x; echo got $x' || failures=$((failures + 1))
  # Symlinks (/bin/sh -> busybox), PATH lookup, fork, exec and a pipe.
  expect "$rt" 0 3 -- sh -c 'seq 3 | wc -l' </dev/null || failures=$((failures + 1))
  # TCP on the container's own loopback network (WASI has no sockets: --network none semantics).
  expect "$rt" 0 net -- /usr/bin/busybox sh -c '/usr/bin/busybox nc -l -p 5000 & until echo net | /usr/bin/busybox nc 127.0.0.1 5000; do sleep 0.1; done; wait' </dev/null || failures=$((failures + 1))
done
if [ "$failures" -ne 0 ]; then echo "build-wasm: check FAILED ($failures)" >&2; exit 1; fi
echo "build-wasm: check passed on: $runtimes (WasmKit $("$WASMKIT" --version))" >&2
