#!/usr/bin/env bash
# `skiff convert` benchmark (issue 10), side by side in one run:
#   - convert time and module size: the busybox fixture tree and the Debian fixture image
#     (python3, bash), each imported as an image into a scratch store;
#   - start-up, `echo hi`, on the wasmtime CLI (its compiled-module cache warm), node's WASI and
#     WasmKit 0.4.2, against native `skiff run --rm` of the same image;
#   - python3 one-liners and `echo hi` from the Debian image on the wasmtime CLI (the default
#     module, compressed; the same stored; precompiled) against native `SKIFF_JIT=0 skiff run --rm`
#     (the interpreter both times: the module cannot generate code at run time), as ratios;
#   - CPU-bound guest speed: CoreMark (../shared/coremark, riscv64 -O2 -static, 2000 iterations) in
#     an image, converted, as Iterations/Sec on each runtime and natively (with and without the
#     native tier), and the x86-64 build on the host CPU as the 100% mark.
#
#   bench/convert.sh [RUNS]        (default 10)
#
# Environment: SKIFF (default: the release build), SKIFF_FIXTURES, SKIFF_BENCH_DIR (scratch,
# default ~/.cache/skiff-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-10}
command -v hyperfine >/dev/null || { echo "convert bench: hyperfine missing (scripts/setup.sh installs it)" >&2; exit 1; }
WASMTIME=$(wasm/wasmtime-cli.sh)
WASMKIT=$(wasm/build-wasmkit.sh)
. bench/fixture-images.sh convert
for i in busybox debian; do "$SKIFF" run --rm bench/$i:1 true >/dev/null; done  # filesystem images built

echo "machine: $(nproc) cores, $(uname -m), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%F)"
echo
echo "== convert time and module size"
for i in busybox debian; do
  start=$(date +%s.%N)
  line=$("$SKIFF" convert bench/$i:1 "$SCRATCH/$i.wasm" | head -1)
  end=$(date +%s.%N)
  printf '%-8s %.2f s wall: %s\n' "$i" "$(echo "$end - $start" | bc)" "$line"
done

echo
echo "== start-up: echo hi (wasmtime's compiled-module cache warmed by the first run)"
for i in busybox debian; do
  "$WASMTIME" run "$SCRATCH/$i.wasm" echo warm >/dev/null
  hyperfine -N --warmup 2 --runs "$RUNS" --export-markdown "$SCRATCH/startup-$i.md" \
    -n "native skiff run ($i)" "$SKIFF run --rm bench/$i:1 echo hi" \
    -n "wasmtime ($i)" "$WASMTIME run $SCRATCH/$i.wasm echo hi" \
    -n "node ($i)" "node --experimental-wasi-unstable-preview1 --no-warnings wasm/run-node.mjs $SCRATCH/$i.wasm echo hi" \
    -n "wasmkit 0.4.2 ($i)" "$WASMKIT run $SCRATCH/$i.wasm -- echo hi" >/dev/null
  cat "$SCRATCH/startup-$i.md"
done

echo
echo "== python3 one-liners (the interpreter on both sides: the module cannot generate code at run time)"
echo "   the default module (compressed: the Debian filesystem is over 32 MiB), the same stored"
echo "   (--no-compress), and precompiled (wasmtime compile; run --allow-precompiled maps it)"
"$SKIFF" convert -q --no-compress bench/debian:1 "$SCRATCH/debian-stored.wasm" >/dev/null
echo "stored module: $(stat -c %s "$SCRATCH/debian-stored.wasm") bytes, default: $(stat -c %s "$SCRATCH/debian.wasm") bytes"
"$WASMTIME" run "$SCRATCH/debian-stored.wasm" true
"$WASMTIME" compile "$SCRATCH/debian.wasm" -o "$SCRATCH/debian.cwasm"
SUM="python3 -c 'print(sum(i*i for i in range(10**5)))'"
PASS="python3 -c pass"
runs=()
for p in "SUM:$SUM" "PASS:$PASS" "ECHO:echo hi"; do
  n=${p%%:*} c=${p#*:}
  runs+=(-n "$n native skiff run, SKIFF_JIT=0" "env SKIFF_JIT=0 $SKIFF run --rm bench/debian:1 $c"
         -n "$n wasmtime" "$WASMTIME run $SCRATCH/debian.wasm $c"
         -n "$n wasmtime, --no-compress module" "$WASMTIME run $SCRATCH/debian-stored.wasm $c"
         -n "$n wasmtime, precompiled (.cwasm)" "$WASMTIME run --allow-precompiled $SCRATCH/debian.cwasm $c")
done
hyperfine -N --warmup 1 --runs "$RUNS" --export-json "$SCRATCH/python.json" "${runs[@]}" >/dev/null
python3 - "$SCRATCH/python.json" "$SUM" "$PASS" <<'PY'
import json, statistics, sys
results = json.load(open(sys.argv[1]))["results"]
names = {"SUM": sys.argv[2], "PASS": sys.argv[3], "ECHO": "echo hi"}
print("| command | where | min | median | median / native | CPU (user + sys, mean) / native |\n|---|---|---|---|---|---|")
for r in results:
    which, where = r["command"].split(" ", 1)
    native = next(x for x in results if x["command"] == which + " native skiff run, SKIFF_JIT=0")
    median, reference = statistics.median(r["times"]), statistics.median(native["times"])
    cpu = lambda x: x["user"] + x["system"]  # wall times are noise when other work shares the cores
    print(f"| `{names[which]}` | {where} | {min(r['times']) * 1000:.0f} ms | {median * 1000:.0f} ms | {median / reference:.2f}x "
          f"| {cpu(r) * 1000:.0f} ms, {cpu(r) / cpu(native):.2f}x |")
PY

echo
echo "== CoreMark (Iterations/Sec; % of the host CPU running the x86-64 build)"
bench/coremark-image.sh "$SCRATCH" "$FIXTURES"
"$SKIFF" import "$SCRATCH/cm.tar.gz" bench/coremark:1 >/dev/null
"$SKIFF" convert -q bench/coremark:1 "$SCRATCH/coremark.wasm" >/dev/null
"$WASMTIME" run "$SCRATCH/coremark.wasm" true
ips() { grep -a "Iterations/Sec" | awk '{print $NF}'; }
host=$("$SCRATCH/coremark-x86" | ips)
report() { printf '%-28s %10s it/s  %5.1f%%\n' "$1" "$2" "$(echo "100 * $2 / $host" | bc -l)"; }
report "host CPU (x86-64 build)" "$host"
report "skiff run (native tier)" "$("$SKIFF" run --rm bench/coremark:1 coremark | ips)"
report "skiff run, SKIFF_JIT=0" "$(SKIFF_JIT=0 "$SKIFF" run --rm bench/coremark:1 coremark | ips)"
report "module on wasmtime" "$("$WASMTIME" run "$SCRATCH/coremark.wasm" coremark | ips)"
report "module on node" "$(node --experimental-wasi-unstable-preview1 --no-warnings wasm/run-node.mjs "$SCRATCH/coremark.wasm" coremark | ips)"
report "module on WasmKit 0.4.2" "$("$WASMKIT" run "$SCRATCH/coremark.wasm" -- coremark | ips)"
rm -rf "$SCRATCH/store"
