#!/usr/bin/env bash
# Pull benchmark: the Debian fixture root as a three-layer gzip image (~50 MB compressed) in a
# local docker-registry on 127.0.0.1, pulled by `skiff pull` into an empty store. Prints the
# transfer rate skiff reports (download, sha256 verification, fsync and rename into the store;
# three layers at once) and the wall time of the whole command, which also flattens the layers
# into the root filesystem image; `skopeo copy docker://… dir:` of the same image is the
# reference client on the same machine.
#
#   bench/pull.sh [RUNS]           (default 5)
#
# Environment: SKIFF (skiff binary, default: release build), SKIFF_FIXTURES, SKIFF_BENCH_DIR
# (scratch, default ~/.cache/skiff-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
FIXTURES=$(scripts/fixtures.sh | tail -1)
ROOT=$FIXTURES/rootfs/debian
WORK=${SKIFF_BENCH_DIR:-$HOME/.cache/skiff-bench}
LAYOUT=$WORK/pull-layout
mkdir -p "$WORK"
for tool in docker-registry skopeo hyperfine python3; do
  command -v $tool >/dev/null || { echo "pull: $tool missing (scripts/setup.sh installs it)" >&2; exit 1; }
done

if [ ! -f "$LAYOUT/index.json" ] || [ "$ROOT/.complete" -nt "$LAYOUT/index.json" ]; then
  echo "pull: making a three-layer image of $ROOT in $LAYOUT" >&2
  rm -rf "$LAYOUT" "$LAYOUT.tmp"; mkdir -p "$LAYOUT.tmp"
  t="tar --format=pax --sort=name --owner=0 --group=0 --numeric-owner -C $ROOT"
  $t -czf "$LAYOUT.tmp/l1.tar.gz" ./usr/lib
  $t -czf "$LAYOUT.tmp/l2.tar.gz" ./usr/share
  $t -czf "$LAYOUT.tmp/l3.tar.gz" --exclude=./usr/lib --exclude=./usr/share .
  python3 - "$LAYOUT.tmp" <<'PY'
import gzip, hashlib, json, os, sys
d = sys.argv[1]; os.makedirs(d + "/blobs/sha256")
def put(b):
    h = hashlib.sha256(b).hexdigest(); open(f"{d}/blobs/sha256/{h}", "wb").write(b)
    return {"digest": "sha256:" + h, "size": len(b)}
layers, diffs = [], []
for n in ("l1", "l2", "l3"):
    raw = open(f"{d}/{n}.tar.gz", "rb").read(); os.remove(f"{d}/{n}.tar.gz")
    layers.append(dict(put(raw), mediaType="application/vnd.oci.image.layer.v1.tar+gzip"))
    diffs.append("sha256:" + hashlib.sha256(gzip.decompress(raw)).hexdigest())
cfg = {"architecture": "riscv64", "os": "linux", "config": {"Cmd": ["/bin/bash"]}, "rootfs": {"type": "layers", "diff_ids": diffs}}
c = dict(put(json.dumps(cfg).encode()), mediaType="application/vnd.oci.image.config.v1+json")
m = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": c, "layers": layers}
md = dict(put(json.dumps(m).encode()), mediaType=m["mediaType"], annotations={"org.opencontainers.image.ref.name": "bench"})
json.dump({"schemaVersion": 2, "manifests": [md]}, open(d + "/index.json", "w"))
json.dump({"imageLayoutVersion": "1.0.0"}, open(d + "/oci-layout", "w"))
PY
  mv "$LAYOUT.tmp" "$LAYOUT"
fi

if [ -z "${SKIFF:-}" ]; then
  swift build -c release --product skiff >&2
  SKIFF=$(swift build -c release --show-bin-path)/skiff
fi

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
REG=$(mktemp -d "$WORK/registry.XXXXXX")
cleanup() { [ -n "${REGPID:-}" ] && kill "$REGPID" 2>/dev/null; rm -rf "$REG" "$WORK/pull-home" "$WORK/pull-skopeo"; }
trap cleanup EXIT
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s/data\nhttp:\n  addr: 127.0.0.1:%s\n' "$REG" "$PORT" > "$REG/config.yml"
docker-registry serve "$REG/config.yml" > "$REG/log" 2>&1 &
REGPID=$!
for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done
REF=127.0.0.1:$PORT/bench/debian:1
skopeo copy -q --dest-tls-verify=false "oci:$LAYOUT:bench" "docker://$REF" >&2
BYTES=$(python3 -c "import json,sys; m=json.load(open('$LAYOUT/blobs/sha256/'+json.load(open('$LAYOUT/index.json'))['manifests'][0]['digest'][7:])); print(sum(l['size'] for l in m['layers']))")
echo "pull: $REF, 3 layers, $BYTES bytes compressed; $RUNS runs" >&2

# skiff's own transfer figure, one fresh store per run.
rates=()
for i in $(seq "$RUNS"); do
  rm -rf "$WORK/pull-home"; sync
  out=$(SKIFF_HOME=$WORK/pull-home "$SKIFF" pull "$REF")
  secs=$(echo "$out" | sed -n 's/.* in \([0-9.]*\) s .*/\1/p')
  rates+=("$(python3 -c "print(f'{$BYTES / $secs / 1e6:.1f}')")")
done
JSON=$WORK/pull.json
hyperfine --runs "$RUNS" --export-json "$JSON" \
  --prepare "rm -rf '$WORK/pull-home' '$WORK/pull-skopeo' && sync" \
  -n "skiff pull (with flattening)" "SKIFF_HOME='$WORK/pull-home' '$SKIFF' pull -q '$REF'" \
  -n "skopeo copy to dir:" "skopeo copy -q --src-tls-verify=false 'docker://$REF' 'dir:$WORK/pull-skopeo'" >&2

python3 - "$JSON" "$BYTES" "${rates[*]}" <<'PY'
import json, statistics, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
mb = int(sys.argv[2]) / 1e6
rates = sorted(float(x) for x in sys.argv[3].split())
s, k = r["skiff pull (with flattening)"], r["skopeo copy to dir:"]
print(f"skiff pull transfer          {statistics.median(rates):.1f} MB/s median ({rates[0]:.1f}-{rates[-1]:.1f}), {mb:.1f} MB, 3 layers at once")
print(f"skiff pull whole command     {s['mean']:.3f} s (± {s['stddev']:.3f})  {mb / s['mean']:.1f} MB/s incl. flattening")
print(f"skopeo copy docker:// dir:   {k['mean']:.3f} s (± {k['stddev']:.3f})  {mb / k['mean']:.1f} MB/s")
PY
