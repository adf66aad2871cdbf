# Sourced by the bench scripts: `. bench/fixture-images.sh NAME` sets FIXTURES, SKIFF (default: the
# release build) and SCRATCH (a fresh ${SKIFF_BENCH_DIR:-~/.cache/skiff-bench}/NAME), points
# SKIFF_HOME at a store inside it, and imports the fixture images there as bench/busybox:1 (the
# busybox tree) and bench/debian:1 (the Debian tree with python3 and bash).
FIXTURES=$(scripts/fixtures.sh | tail -1)
SKIFF=${SKIFF:-$PWD/.build/release/skiff}
SCRATCH=${SKIFF_BENCH_DIR:-$HOME/.cache/skiff-bench}/$1
rm -rf "$SCRATCH"
mkdir -p "$SCRATCH"
export SKIFF_HOME=$SCRATCH/store
DEBIAN_TAR=$FIXTURES/debian-riscv64-rootfs.tar.gz
[ -f "$DEBIAN_TAR" ] || tar -C "$FIXTURES/rootfs/debian" --exclude="./tmp/*" -czf "$DEBIAN_TAR" .
tar -C "$FIXTURES/rootfs/busybox" -czf "$SCRATCH/busybox.tar.gz" .
"$SKIFF" import "$SCRATCH/busybox.tar.gz" bench/busybox:1 >/dev/null
"$SKIFF" import "$DEBIAN_TAR" bench/debian:1 >/dev/null
