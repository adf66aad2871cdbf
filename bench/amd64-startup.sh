#!/usr/bin/env bash
# Start-up and a short script of dynamic amd64 programs (issue 12), side by side in one run:
# the host CPU (proot of the tree, no -q), qemu-x86_64-static -L ROOT, and `skiff run --rootfs`
# (the x86-64 interpreter), on rootfs/debian-amd64 (scripts/fixtures.sh --amd64). Mean wall time
# per run and skiff's time as a multiple of qemu's. Not a test: a measurement.
#   bench/amd64-startup.sh [RUNS]      (SKIFF=path to use a given skiff binary)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
SKIFF=${SKIFF:-$PWD/.build/release/skiff}
ROOT=$(scripts/fixtures.sh --amd64 | tail -1)/rootfs/debian-amd64
mean() { # seconds per run of "$@", RUNS times
  local start end
  start=$(date +%s.%N)
  for _ in $(seq "$RUNS"); do "$@" >/dev/null; done
  end=$(date +%s.%N)
  echo "$start $end $RUNS" | awk '{printf "%.3f", ($2 - $1) / $3}'
}
echo "host: $(uname -m), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $RUNS runs each"
case_() { # name, then the guest command line
  local name=$1; shift
  local n q s
  n=$(mean proot -r "$ROOT" -w / "$@")
  q=$(mean qemu-x86_64-static -L "$ROOT" "$ROOT$1" "${@:2}")
  s=$(mean "$SKIFF" run --rootfs "$ROOT" "$@")
  echo "$name: host $n s  qemu-x86_64 $q s  skiff $s s  (skiff/qemu $(echo "$s $q" | awk '{printf "%.2f", $1/$2}'))"
}
case_ "echo (dynamic)" /usr/bin/echo hi
case_ "bash -c" /usr/bin/bash -c 'for i in 1 2 3; do echo $i; done'
case_ "python3 -c" /usr/bin/python3.13 -c 'print(sum(i * i for i in range(100000)))'
