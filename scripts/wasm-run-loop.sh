#!/usr/bin/env bash
# What wasmtime's Cranelift makes of the RISC-V run loop (`Hart.run`), in about 30 seconds
# instead of a whole core build (scripts/build-wasm.sh, 15-20 minutes): compiles Sources/RISCV
# alone with the core's Embedded Swift flags, links it with every function exported, compiles it
# with the wasmtime CLI and disassembles `Hart.run`. The function's code comes out the same as in
# the whole core (checked on main: 6048 lines, 1529 stack references both ways), except for where
# the function starts. Prints the function's size, its stack references (spills: a value
# Cranelift keeps in a stack slot across the dispatch shows as hundreds of loads and stores of
# one slot) and the dispatch sequence with its offset in the function (docs/performance.md, "The
# interpreter": where the dispatch lands decides the speed).
#
#   scripts/wasm-run-loop.sh [SOURCES_DIR]     default Sources/RISCV; output in .build-wasm/run-loop/
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=${1:-Sources/RISCV}
OUT=.build-wasm/run-loop
mkdir -p "$OUT"
WASMTIME=$(wasm/wasmtime-cli.sh)
# shellcheck disable=SC2046
swiftc -target wasm32-unknown-none-wasm -enable-experimental-feature Embedded \
  -enable-experimental-feature Extern -wmo -O -parse-as-library -module-name SkiffCore -package-name skiff \
  -D SKIFF_SINGLE_MODULE -D SKIFF_WASI -Xfrontend -disable-stack-protector \
  $(find "$SRC" -name '*.swift' | sort) -c -o "$OUT/riscv.o"
wasm-ld --no-entry --export-all --allow-undefined "$OUT/riscv.o" -o "$OUT/riscv.wasm"
"$WASMTIME" compile "$OUT/riscv.wasm" -o "$OUT/riscv.cwasm"
# The function itself, not its closures; FUNCTION=runHot for the hot half (HotLoop.swift).
# Of several functions that match (a wrapper and its body), the largest.
case ${FUNCTION:-run} in
  run) symbol='HartC3run17instructionBudgetAA10StopReasonOSi_tF$' ;;
  runHot) symbol='HartC6runHot' ;;
  *) symbol=$FUNCTION ;;
esac
read -r start end < <(nm -n "$OUT/riscv.cwasm" | python3 -c '
import re, sys
rows = [l.split(" ", 2) for l in sys.stdin]
spans = [(int(rows[i + 1][0], 16) - int(r[0], 16), r[0], rows[i + 1][0])
         for i, r in enumerate(rows[:-1]) if re.search(sys.argv[1], r[2])]
_, s, e = max(spans)
print("0x" + s, "0x" + e)' "$symbol")
objdump -d --no-show-raw-insn "$OUT/riscv.cwasm" --start-address="$start" --stop-address="$end" > "$OUT/run.s"
python3 - "$OUT/run.s" "$start" "${FUNCTION:-run}" <<'PY'
import collections, re, sys
path, start = sys.argv[1], int(sys.argv[2], 16)
lines = [l for l in open(path) if re.match(r'\s+[0-9a-f]+:', l)]
addr = [int(l.split(':')[0], 16) for l in lines]
targets = collections.Counter(int(m.group(1), 16) for l in lines
                              for m in [re.search(r'\sj[a-z]+\s+([0-9a-f]+)', l)] if m)
spills = collections.Counter(m.group(0) for l in lines for m in [re.search(r'(0x[0-9a-f]+)?\(%rsp\)', l)] if m)
print(f"{sys.argv[3]}: {len(lines)} instructions, {sum(spills.values())} stack references;",
      "busiest slots:", ", ".join(f"{k} {v}" for k, v in spills.most_common(4)))
# The dispatch: the indirect jump with the most jumps into the 80 bytes before it.
best = max((i for i, l in enumerate(lines) if re.search(r'jmp\s+\*%r', l)),
           key=lambda i: sum(targets[a] for a in addr if addr[i] - 80 <= a <= addr[i]))
entry = max((j for j in range(best + 1) if addr[best] - 80 <= addr[j]), key=lambda j: targets[addr[j]])
print(f"dispatch: +{addr[entry] - start:#x}..+{addr[best] + 3 - start:#x} "
      f"({best - entry + 1} instructions, {targets[addr[entry]]} jumps back to it)")
for l in lines[entry:best + 1]:
    print("   ", l.split(':', 1)[1].strip())
PY
