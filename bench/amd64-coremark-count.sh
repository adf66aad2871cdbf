#!/usr/bin/env bash
# Host instructions per amd64 CoreMark iteration on the x86-64 interpreter: valgrind's count of
# `skiff run` with 60 iterations minus that with 20, over 40 (start-up cancels out). The count
# is deterministic, so unlike CPU time it holds on a loaded machine; compare binaries with it,
# then confirm with CPU time of alternating runs. Not a test: a measurement.
#   bench/amd64-coremark-count.sh [SKIFF...]     (default: the release build)
# It counts the interpreter (SKIFF_JIT=0) unless SKIFF_JIT is set: SKIFF_JIT=1 counts the native
# tier for x86-64 guests.
# valgrind cannot read the release binary's debug info, so a copy without it is counted.
set -euo pipefail
cd "$(dirname "$0")/.."
CM=${COREMARK_DIR:-$PWD/../shared/coremark}
OUT=${TMPDIR:-/tmp}/skiff-amd64-coremark-count
mkdir -p "$OUT/root"
gcc -O2 -static -I"$CM" -I"$CM/posix" -DPERFORMANCE_RUN=1 -DFLAGS_STR='"-O2 -static"' \
  "$CM"/core_list_join.c "$CM"/core_main.c "$CM"/core_matrix.c "$CM"/core_state.c "$CM"/core_util.c \
  "$CM"/posix/core_portme.c -o "$OUT/root/coremark"
count() {   # count BINARY ITERATIONS
  SKIFF_JIT=${SKIFF_JIT:-0} valgrind --tool=callgrind --callgrind-out-file=/dev/null "$1" run --rootfs "$OUT/root" /coremark \
    0x0 0x0 0x66 "$2" 2>&1 | awk '/Collected/ {print $4}'
}
# Each binary's run loop is checked first for guest accesses left out of line (a regression that
# cost 15% and went unseen once: scripts/check-x86-run-loop.sh); the count is still given, and the
# script's status is then 1.
status=0
for skiff in "${@:-$PWD/.build/release/skiff}"; do
  scripts/check-x86-run-loop.sh "$skiff" || status=1
  strip -g -o "$OUT/skiff" "$skiff"
  a=$(count "$OUT/skiff" 20); b=$(count "$OUT/skiff" 60)
  echo "$skiff: $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f M", (b - a) / 40 / 1e6 }') host instructions per iteration"
done
exit $status
