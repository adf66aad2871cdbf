#!/usr/bin/env bash
# Regenerates Sources/ContainerdShim/Generated/*.pb.swift from Sources/ContainerdShim/Proto/*.proto
# with Debian's protoc and swift-protobuf's protoc-gen-swift (built once into a cache folder: it
# takes minutes, which is why the generated code is committed and CI never runs this).
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=1.39.0
command -v protoc >/dev/null && [ -f /usr/include/google/protobuf/any.proto ] || { echo "generate-shim-protos: needs protoc and the well-known types (apt-get install protobuf-compiler libprotobuf-dev)" >&2; exit 1; }
DIR=$HOME/.cache/skiff-protoc-gen-swift/$VERSION
PLUGIN=$DIR/.build/debug/protoc-gen-swift
if [ ! -x "$PLUGIN" ]; then
  mkdir -p "$DIR"
  cat > "$DIR/Package.swift" <<SWIFT
// swift-tools-version:5.9
import PackageDescription
let package = Package(name: "skiff-protoc-gen-swift",
    dependencies: [.package(url: "https://github.com/apple/swift-protobuf", exact: "$VERSION")], targets: [])
SWIFT
  (cd "$DIR" && swift build --product protoc-gen-swift >&2)
fi
PROTO=Sources/ContainerdShim/Proto
OUT=Sources/ContainerdShim/Generated
rm -f "$OUT"/*.pb.swift
protoc --plugin=protoc-gen-swift="$PLUGIN" -I "$PROTO" -I /usr/include \
  --swift_opt=Visibility=Public --swift_out="$OUT" "$PROTO"/*.proto
ls "$OUT"
