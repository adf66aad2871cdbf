#!/usr/bin/env bash
# CoreMark for amd64 guests (issue 12), side by side in one run: the host CPU, qemu-x86_64-static
# and `skiff run` (the x86-64 interpreter), CoreMark's own iterations per second (it calibrates
# itself to run about 10 s). Not a test: a measurement.
#   bench/amd64-coremark.sh [RUNS]      (SKIFF=path to use a given skiff binary)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-2}
SKIFF=${SKIFF:-$PWD/.build/release/skiff}
CM=${COREMARK_DIR:-$PWD/../shared/coremark}
OUT=${TMPDIR:-/tmp}/skiff-amd64-coremark
mkdir -p "$OUT/root"
gcc -O2 -static -I"$CM" -I"$CM/posix" -DPERFORMANCE_RUN=1 -DITERATIONS=300 -DFLAGS_STR='"-O2 -static"' \
  "$CM"/core_list_join.c "$CM"/core_main.c "$CM"/core_matrix.c "$CM"/core_state.c "$CM"/core_util.c \
  "$CM"/posix/core_portme.c -o "$OUT/root/coremark"
rate() { grep 'Iterations/Sec' | awk '{print $3}'; }
echo "host: $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
for i in $(seq "$RUNS"); do
  h=$("$OUT/root/coremark" | rate)
  q=$(qemu-x86_64-static "$OUT/root/coremark" | rate)
  s=$("$SKIFF" run --rootfs "$OUT/root" /coremark | rate)
  echo "run $i: host $h  qemu-x86_64 $q  skiff $s  (skiff/qemu $(echo "$s $q" | awk '{printf "%.3f", $1/$2}'))"
done
