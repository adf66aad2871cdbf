#!/usr/bin/env bash
# Builds the CoreMark benchmark images the bench scripts share (../shared/coremark, -O2 -static):
#   OUT/cm.tar.gz       the busybox fixture tree + /usr/bin/coremark (riscv64, 2000 iterations),
#                       a root filesystem tarball for `skiff import`;
#   OUT/coremark-x86    the x86-64 build (100000 iterations), the host CPU's 100% mark.
#
#   bench/coremark-image.sh OUT FIXTURES
set -euo pipefail
OUT=$1
FIXTURES=$2
CM=${COREMARK_DIR:-$(cd "$(dirname "$0")/.." && pwd)/../shared/coremark}
CMSRC="$CM/core_list_join.c $CM/core_main.c $CM/core_matrix.c $CM/core_state.c $CM/core_util.c $CM/posix/core_portme.c"
rm -rf "$OUT/cm"
mkdir -p "$OUT/cm/usr/bin"
tar -C "$FIXTURES/rootfs/busybox" -cf - . | tar -C "$OUT/cm" -xf -
riscv64-linux-gnu-gcc -O2 -static -I"$CM" -I"$CM/posix" -DPERFORMANCE_RUN=1 -DITERATIONS=2000 -DFLAGS_STR='"-O2 -static"' $CMSRC -o "$OUT/cm/usr/bin/coremark"
gcc -O2 -static -I"$CM" -I"$CM/posix" -DPERFORMANCE_RUN=1 -DITERATIONS=100000 -DFLAGS_STR='"-O2 -static"' $CMSRC -o "$OUT/coremark-x86"
tar -C "$OUT/cm" -czf "$OUT/cm.tar.gz" .
