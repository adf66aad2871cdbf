#!/usr/bin/env bash
# Layer extraction benchmark: the Debian fixture root as one gzip layer (~50 MB compressed,
# ~150 MB unpacked), flattened into a Skiff filesystem image versus `tar -xzf` of the same layer
# into an empty directory on the same filesystem. Prints both times and the ratio. Each run starts
# after `sync`, so neither pays for writing back the previous run's data.
#
#   bench/extract.sh [RUNS]        (default 5 runs each, via hyperfine)
#
# Environment: SKIFF_FIXTURES (fixture dir), SKIFF_BENCH_DIR (scratch, default ~/.cache/skiff-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
FIXTURES=$(scripts/fixtures.sh | tail -1)
ROOT=$FIXTURES/rootfs/debian
WORK=${SKIFF_BENCH_DIR:-$HOME/.cache/skiff-bench}
mkdir -p "$WORK"
LAYER=$WORK/debian-rootfs.tar.gz
if [ ! -f "$LAYER" ] || [ "$ROOT/.complete" -nt "$LAYER" ]; then
  echo "extract: making the layer $LAYER from $ROOT" >&2
  tar --format=pax -C "$ROOT" -czf "$LAYER.tmp" . && mv "$LAYER.tmp" "$LAYER"
fi
command -v hyperfine >/dev/null || { echo "extract: hyperfine missing (apt-get install hyperfine)" >&2; exit 1; }

swift build -c release --product skiff-extract-bench >&2
BENCH=$(swift build -c release --show-bin-path)/skiff-extract-bench

OUT=$WORK/extract-out
JSON=$WORK/extract.json
rm -rf "$OUT"
echo "extract: layer $(du -h "$LAYER" | cut -f1) gzip, $(du -sh "$ROOT" | cut -f1) unpacked; $RUNS runs each" >&2
hyperfine --runs "$RUNS" --warmup 1 --export-json "$JSON" \
  --prepare "rm -rf '$OUT' && mkdir -p '$OUT' && sync" \
  -n "tar -xzf" "tar -C '$OUT' -xzf '$LAYER'" \
  -n "skiff filesystem image" "'$BENCH' '$LAYER' '$OUT/rootfs.img'" >&2
rm -rf "$OUT"

python3 - "$JSON" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
tar, skiff = r["tar -xzf"], r["skiff filesystem image"]
print(f"tar -xzf               {tar['mean']:.3f} s  (± {tar['stddev']:.3f})")
print(f"skiff filesystem image {skiff['mean']:.3f} s  (± {skiff['stddev']:.3f})")
print(f"ratio (tar / skiff)    {tar['mean'] / skiff['mean']:.2f}x  (above 1 = skiff faster)")
PY
