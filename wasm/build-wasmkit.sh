#!/usr/bin/env bash
# Builds WasmKit 0.4.2's command-line runner (SwiftPM package swiftwasm/WasmKit) into
# ~/.cache/skiff-wasmkit and prints its path. The toolchain's own `wasmkit` (0.1.6) can neither
# map a preopen (`--dir HOST::/`) nor read symlinks or wait in poll_oneoff; 0.4.2 does all three.
#
#   WASMKIT=$(wasm/build-wasmkit.sh) scripts/build-wasm.sh --check
set -euo pipefail
VERSION=0.4.2
DIR=$HOME/.cache/skiff-wasmkit/$VERSION
BIN=$DIR/.build/release/wasmkit-cli
if [ ! -x "$BIN" ]; then
  mkdir -p "$DIR"
  cat > "$DIR/Package.swift" <<SWIFT
// swift-tools-version:5.9
import PackageDescription
let package = Package(
    name: "skiff-wasmkit",
    dependencies: [.package(url: "https://github.com/swiftwasm/WasmKit", exact: "$VERSION")],
    targets: []
)
SWIFT
  (cd "$DIR" && swift build -c release --product wasmkit-cli >&2)
fi
echo "$BIN"
