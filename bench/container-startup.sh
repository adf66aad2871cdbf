#!/usr/bin/env bash
# Container start-up benchmark (issue 5: `skiff run IMAGE echo hi` from a stored image in
# <= 15 ms): the Debian fixture root imported as an image (as scripts/demo.sh does) into a
# scratch store, then hyperfine of
#   skiff run --rm IMAGE echo hi       (glibc's echo: the guest's dynamic loader runs too)
#   skiff run IMAGE echo hi            (kept containers: they pile up during the runs)
#   skiff run --rootfs ROOT echo hi    (the same tree without image or container)
#   proot -q qemu-riscv64-static -r ROOT /usr/bin/echo hi   (the reference on the same tree)
# and the load average before and after (compare only figures taken in the same run).
#
#   bench/container-startup.sh [RUNS]      (default 40)
#
# Environment: SKIFF (skiff binary, default: release build), SKIFF_FIXTURES, SKIFF_BENCH_DIR
# (scratch, default ~/.cache/skiff-bench; the store goes there, so on its filesystem).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-40}
for tool in hyperfine proot qemu-riscv64-static; do
  command -v $tool >/dev/null || { echo "container-startup: $tool missing (scripts/setup.sh installs it)" >&2; exit 1; }
done
FIXTURES=$(scripts/fixtures.sh | tail -1)
ROOT=$FIXTURES/rootfs/debian
TAR=$FIXTURES/debian-riscv64-rootfs.tar.gz
[ -f "$TAR" ] || tar -C "$ROOT" --exclude="./tmp/*" -czf "$TAR" .
if [ -z "${SKIFF:-}" ]; then
  echo "container-startup: swift build -c release --product skiff" >&2
  swift build -c release --product skiff >&2
  SKIFF=$PWD/.build/release/skiff
fi
export SKIFF_HOME=${SKIFF_BENCH_DIR:-$HOME/.cache/skiff-bench}/startup-store
rm -rf "$SKIFF_HOME"
"$SKIFF" import "$TAR" skiff-bench/debian:startup >/dev/null
"$SKIFF" run --rm skiff-bench/debian:startup echo hi >/dev/null   # the root filesystem image is built
IMAGE=skiff-bench/debian:startup

echo "skiff: $SKIFF"
echo "store: $SKIFF_HOME ($(df -T "$SKIFF_HOME" | awk 'NR==2 {print $2}'))"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine -N --warmup 5 --runs "$RUNS" \
  "$SKIFF run --rm $IMAGE echo hi" \
  "$SKIFF run $IMAGE echo hi" \
  "$SKIFF run --rootfs $ROOT echo hi" \
  "proot -q qemu-riscv64-static -r $ROOT -b /dev -b /proc -w / /usr/bin/echo hi"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$SKIFF_HOME"
