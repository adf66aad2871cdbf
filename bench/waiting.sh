#!/usr/bin/env bash
# Waiting benchmark (issue 18: "waiting costs nothing"): CPython's own test modules for select,
# poll, epoll, selectors and signal (libpython3.13-testsuite, laid out by
# `scripts/fixtures.sh --python-tests`) under skiff and under the reference, side by side in one
# run. They are mostly timed waits, timers and signals, interrupted waits and subprocesses, so
# the time is what the waits cost, not CPU. The reference is qemu-riscv64-static for the
# modules that stay in one program and proot + qemu for test_signal (it starts subprocesses,
# which qemu alone cannot follow). Prints per module the wall time of each (median of RUNS), the
# ratio skiff/reference and each side's test result, then the total. The modules run as
# `python3.13 -m test -v MODULE`: verbose regrtest prints its header, whose platform query runs
# `uname` in a subprocess first (as many programs start a helper before they wait).
#
#   bench/waiting.sh [RUNS] [MODULE...]      (default 1 run of the five modules)
#
# Environment: SKIFF (skiff binary, default: release build), SKIFF_FIXTURES, SKIFF_BENCH_TIMEOUT
# (seconds a run may take, default 600).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-1}
shift || true
MODULES=${*:-test_select test_poll test_epoll test_selectors test_signal}
for tool in proot qemu-riscv64-static; do
  command -v $tool >/dev/null || { echo "waiting: $tool missing (scripts/setup.sh installs it)" >&2; exit 1; }
done
ROOT=$(scripts/fixtures.sh --python-tests | tail -1)/rootfs/python-tests
if [ -z "${SKIFF:-}" ]; then
  echo "waiting: swift build -c release --product skiff" >&2
  swift build -c release --product skiff >&2
  SKIFF=$PWD/.build/release/skiff
fi
limit=${SKIFF_BENCH_TIMEOUT:-600}   # seconds per run; a run that takes longer is reported as TIMEOUT
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Runs one side once: prints "SECONDS RESULT" (RESULT: regrtest's verdict, or the exit status).
run() { # side module
  local side=$1 module=$2 log="$out/$1-$2.log" start end status=0
  start=$(date +%s.%N)
  case $side in
    skiff) timeout -k 10 "$limit" "$SKIFF" run --rootfs "$ROOT" /usr/bin/python3.13 -m test -v "$module" >"$log" 2>&1 || status=$? ;;
    qemu)  timeout -k 10 "$limit" qemu-riscv64-static -L "$ROOT" "$ROOT/usr/bin/python3.13" -m test -v "$module" >"$log" 2>&1 || status=$? ;;
    proot) timeout -k 10 "$limit" proot -q qemu-riscv64-static -r "$ROOT" -w / /usr/bin/python3.13 -m test -v "$module" >"$log" 2>&1 || status=$? ;;
  esac
  end=$(date +%s.%N)
  local verdict
  verdict=$(sed -n 's/^Result: //p' "$log" | tail -1)
  if [ $status = 124 ] || [ $status = 137 ]; then verdict="TIMEOUT"; fi
  echo "$(echo "$end - $start" | bc) ${verdict:-exit-$status}"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Debian's packages ship no bytecode (their postinst makes it): compile the standard library and
# the tests once, so no run pays for writing __pycache__ (minutes the first time, seconds after).
"$SKIFF" run --rootfs "$ROOT" /usr/bin/python3.13 -m compileall -q /usr/lib/python3.13 >/dev/null 2>&1 || true

echo "skiff: $SKIFF"
echo "qemu:  $(qemu-riscv64-static --version | head -1)"
echo "host:  $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
printf '%-16s %-9s %10s %10s %7s   %s\n' module reference reference skiff ratio "results (reference / skiff)"
total_ref=0 total_skiff=0
for m in $MODULES; do
  ref=qemu
  [ "$m" = test_signal ] && ref=proot
  rt=() st=() rv="" sv=""
  for _ in $(seq "$RUNS"); do
    read -r t v < <(run $ref "$m"); rt+=("$t"); rv=$v
    read -r t v < <(run skiff "$m"); st+=("$t"); sv=$v
  done
  r=$(printf '%s\n' "${rt[@]}" | median)
  s=$(printf '%s\n' "${st[@]}" | median)
  total_ref=$(echo "$total_ref + $r" | bc); total_skiff=$(echo "$total_skiff + $s" | bc)
  printf '%-16s %-9s %9.1fs %9.1fs %6.2fx   %s / %s\n' "$m" "$ref" "$r" "$s" "$(echo "$s / $r" | bc -l)" "$rv" "$sv"
done
printf '%-16s %-9s %9.1fs %9.1fs %6.2fx\n' total "" "$total_ref" "$total_skiff" "$(echo "$total_skiff / $total_ref" | bc -l)"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
