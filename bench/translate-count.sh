#!/usr/bin/env bash
# The native tier's cost of compiling: valgrind's count of host instructions for a short,
# translation-bound run (python3 importing json and re with SKIFF_JIT_THRESHOLD=8: ~9,000 blocks
# compiled, three quarters of the run in the translator), per skiff binary. The count is
# deterministic, so it holds on a loaded machine; the first run after a fresh fixture also
# writes python's .pyc files, so a warm-up run goes first. Not a test: a measurement.
#   bench/translate-count.sh [SKIFF...]     (default: the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
F=${SKIFF_FIXTURES:-$HOME/.cache/skiff-fixtures}
ROOT=$F/rootfs/debian
[ -d "$ROOT" ] || { echo "translate-count: no Debian root at $ROOT (run scripts/fixtures.sh)" >&2; exit 1; }
OUT=${TMPDIR:-/tmp}/skiff-translate-count
mkdir -p "$OUT"
ARGS=(run --rootfs "$ROOT" /usr/bin/python3 -c 'import json, re')
for skiff in "${@:-$PWD/.build/release/skiff}"; do
  # valgrind cannot read the release binary's debug info: a copy without it is counted.
  strip -g -o "$OUT/skiff" "$skiff"
  SKIFF_JIT_THRESHOLD=8 "$OUT/skiff" "${ARGS[@]}"
  n=$(SKIFF_JIT_THRESHOLD=8 valgrind --tool=callgrind --callgrind-out-file=/dev/null "$OUT/skiff" "${ARGS[@]}" 2>&1 |
      awk '/Collected/ {print $4}')
  echo "$skiff: $(awk -v n="$n" 'BEGIN { printf "%.3f G", n / 1e9 }') host instructions"
done
