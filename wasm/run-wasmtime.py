#!/usr/bin/env python3
"""Runs a WASI command module on wasmtime (PyPI package `wasmtime`), like `wasmtime run`:

    python3 wasm/run-wasmtime.py [--dir HOST::GUEST]... [--env K=V]... MODULE.wasm [ARG...]

Standard streams are the runner's own; the exit status is the module's, all of 0-255 (wasmtime's
own WASI refuses proc_exit statuses of 126 and above, which Skiff needs for 126/127 and 128+N on
signal N, so this runner serves proc_exit itself). The compiled module is
cached under ~/.cache/skiff-wasmtime (keyed by the module's SHA-256 and wasmtime's version), so
only the first run of a build pays for Cranelift.
"""
import hashlib
import os
import sys

import wasmtime


def usage(message):
    sys.stderr.write(f"run-wasmtime: {message}\n")
    sys.stderr.write(__doc__)
    sys.exit(2)


def parse(argv):
    dirs, env, i = [], [], 0
    while i < len(argv) and argv[i].startswith("--"):
        option = argv[i]
        if option == "--":
            i += 1
            break
        if option not in ("--dir", "--env") or i + 1 >= len(argv):
            usage(f"bad option {option}")
        value = argv[i + 1]
        if option == "--dir":
            host, sep, guest = value.partition("::")
            dirs.append((host, guest if sep else host))
        else:
            key, sep, val = value.partition("=")
            if not sep:
                usage(f"--env needs K=V, got {value}")
            env.append((key, val))
        i += 2
    if i >= len(argv):
        usage("no module given")
    return dirs, env, argv[i], argv[i + 1:]


def load(engine, path):
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    cache = os.path.join(os.path.expanduser("~/.cache/skiff-wasmtime"), digest + ".cwasm")
    if os.path.exists(cache):
        try:
            return wasmtime.Module.deserialize_file(engine, cache)
        except wasmtime.WasmtimeError:
            pass  # made by another wasmtime version: compile afresh
    module = wasmtime.Module.from_file(engine, path)
    os.makedirs(os.path.dirname(cache), exist_ok=True)
    partial = f"{cache}.{os.getpid()}.tmp"
    with open(partial, "wb") as f:
        f.write(module.serialize())
    os.replace(partial, cache)
    return module


def main():
    dirs, env, path, args = parse(sys.argv[1:])
    engine = wasmtime.Engine()
    module = load(engine, path)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    exit_status = []

    def proc_exit(status):
        exit_status.append(status & 0xFF)
        raise RuntimeError("proc_exit")  # unwinds the module; the status is taken below

    linker.allow_shadowing = True
    linker.define_func("wasi_snapshot_preview1", "proc_exit",
                       wasmtime.FuncType([wasmtime.ValType.i32()], []), proc_exit)
    store = wasmtime.Store(engine)
    wasi = wasmtime.WasiConfig()
    wasi.argv = [path] + args
    wasi.env = env
    for host, guest in dirs:
        wasi.preopen_dir(host, guest)
    wasi.inherit_stdin()
    wasi.inherit_stdout()
    wasi.inherit_stderr()
    store.set_wasi(wasi)
    instance = linker.instantiate(store, module)
    try:
        instance.exports(store)["_start"](store)
    except (wasmtime.Trap, wasmtime.WasmtimeError, RuntimeError) as e:
        if not exit_status:
            sys.stderr.write(f"run-wasmtime: the module trapped: {e}\n")
            sys.exit(134)
    sys.stdout.flush()
    sys.exit(exit_status[0] if exit_status else 0)


if __name__ == "__main__":
    main()
