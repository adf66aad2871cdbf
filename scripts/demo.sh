#!/usr/bin/env bash
# The demo: on a fresh Debian machine, build Skiff, make a riscv64 Debian image from Debian's own
# packages (no Docker needed), import it into Skiff's store, and run programs from it on Skiff's
# RISC-V emulator.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
F=$(scripts/fixtures.sh | tail -1)
echo "==> building skiff (release)"
swift build -c release --product skiff 2>&1 | tail -1
SKIFF=$PWD/.build/release/skiff
ROOT=$F/rootfs/debian
TAR=$F/debian-riscv64-rootfs.tar.gz
[ -f "$TAR" ] || tar -C "$ROOT" --exclude="./tmp/*" -czf "$TAR" .

echo "==> skiff import (a root filesystem tar becomes a one-layer linux/riscv64 image)"
"$SKIFF" import "$TAR" debian-riscv64:demo
"$SKIFF" images

echo "==> skiff run: riscv64 programs on Skiff's emulator"
RUNROOT=$(mktemp -d); trap 'rm -rf "$RUNROOT"' EXIT
cp -a "$ROOT/." "$RUNROOT/"
set -x
"$SKIFF" run --rootfs "$RUNROOT" /usr/bin/busybox uname -m
"$SKIFF" run --rootfs "$RUNROOT" /usr/bin/python3.13 -c 'import platform, hashlib; print("hello from", platform.machine(), "python", platform.python_version(), hashlib.sha256(b"skiff").hexdigest()[:16])'
"$SKIFF" run --rootfs "$RUNROOT" /usr/bin/lua5.4 -e 'print("lua says", 6*7)'
