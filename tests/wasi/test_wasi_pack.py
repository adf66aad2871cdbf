"""`skiff convert` of a WASI image: the image's own module with the image's files packed into it
(docs/convert.md, "Packing a WASI image"). The packed modules run on the wasmtime CLI, node's
`wasi` and WasmKit 0.4.2 with no --dir and see the image's files at /, writable in memory; a
module written in WAT that calls WASI directly (no wasi-libc) sees them too. A WASI image also
goes through a real registry (push, skopeo inspect, pull into an empty store, run, convert)."""
import importlib.util
import json
import os
import subprocess

import pytest

from conftest import REPO, Skiff, containers_conftest, skiff_binary

_spec = importlib.util.spec_from_file_location("wasm_runtimes", os.path.join(REPO, "tests", "containers", "wasm_runtimes.py"))
wasm_runtimes = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(wasm_runtimes)


def run_module(runtime, module, args, dirs=(), env=()):
    """Runs a packed module (an app, not Skiff's core: no `--` before its arguments)."""
    return wasm_runtimes.run_module(runtime, module, args, dirs=dirs, env=env, separator=False)


@pytest.fixture(params=wasm_runtimes.RUNTIMES)
def runtime(request):
    return request.param


@pytest.fixture
def packed(skiff, image, tmp_path):
    """probe:1 (the probe with /data/greeting.txt) converted to a packed module."""
    out = str(tmp_path / "probe-packed.wasm")
    r = skiff("convert", image, out)
    assert r.status == 0, r
    assert "packed with the image's files" in r.out, r
    return out


@pytest.fixture
def direct(skiff, programs, tmp_path):
    """The WAT module (direct WASI calls) in an image with data/greeting.txt, converted."""
    data = tmp_path / "wat-data"
    data.mkdir()
    (data / "greeting.txt").write_text("hello from the image\n")
    r = skiff("build-wasm", "--add", f"{data}:/data", os.path.join(programs, "direct-wasi.wasm"), "direct:1")
    assert r.status == 0, r
    out = str(tmp_path / "direct-packed.wasm")
    r = skiff("convert", "direct:1", out)
    assert r.status == 0, r
    return out


def test_packed_files_without_dir(packed, runtime):
    status, out, err = run_module(runtime, packed, ["read", "/data/greeting.txt"])
    assert (status, out) == (0, "hello from the image\n"), err
    status, out, err = run_module(runtime, packed, ["ls", "/"])
    assert status == 0 and out.split() == ["data", "wasi-probe.wasm"], (out, err)
    status, out, err = run_module(runtime, packed, ["read", "/data/missing"])
    assert status == 1 and "No such file or directory" in out, (out, err)


def test_packed_tree_is_writable_in_memory(packed, runtime):
    status, out, err = run_module(runtime, packed, ["roundtrip", "/data/new.txt", "written"])
    assert (status, out) == (0, "written+ (8 bytes)\n"), err
    # Overwriting a packed file; the probe grows its memory (malloc) between its writes. (node 20
    # itself crashes when a module allocates 32 MiB or more, packed or not: 24 here.)
    status, out, err = run_module(runtime, packed, ["roundtrip", "/data/greeting.txt", "x" * 3000])
    assert (status, out) == (0, "x" * 3000 + "+ (3001 bytes)\n"), err
    status, out, err = run_module(runtime, packed, ["alloc", "24"])
    assert (status, out) == (0, "alloc ok\n"), err
    # Writes live in the module's memory: the next run sees the image as it was.
    status, out, err = run_module(runtime, packed, ["read", "/data/greeting.txt"])
    assert (status, out) == (0, "hello from the image\n"), err


def test_mapped_directory_beside_the_packed_tree(packed, runtime, tmp_path):
    host = tmp_path / "host"
    host.mkdir()
    (host / "in.txt").write_text("from the host\n")
    dirs = [f"{host}::/mnt"]
    status, out, err = run_module(runtime, packed, ["read", "/mnt/in.txt"], dirs=dirs)
    assert (status, out) == (0, "from the host\n"), err
    status, out, err = run_module(runtime, packed, ["write", "/mnt/out.txt", "kept"], dirs=dirs)
    assert status == 0, (out, err)
    assert (host / "out.txt").read_text() == "kept"
    status, out, err = run_module(runtime, packed, ["read", "/data/greeting.txt"], dirs=dirs)
    assert (status, out) == (0, "hello from the image\n"), err


def test_exit_status_and_args(packed, runtime):
    status, out, err = run_module(runtime, packed, ["args", "a b"])
    assert status == 0 and out.splitlines()[0] == "argc=3" and out.splitlines()[2:] == ["argv[1]=args", "argv[2]=a b"], (out, err)
    status, _, err = run_module(runtime, packed, ["exit", "3"])
    assert status == 3, err


def test_image_defaults(packed, runtime):
    """The image's Cmd when the runtime gives no arguments; its Env under the runtime's."""
    status, out, err = run_module(runtime, packed, [])
    assert (status, out) == (0, "hello from wasi\n"), err
    status, out, err = run_module(runtime, packed, ["env", "IMAGE_VAR", "RUNTIME_VAR", "PATH"], env=["RUNTIME_VAR=x"])
    assert status == 0 and out.splitlines()[:2] == ["IMAGE_VAR=from-image", "RUNTIME_VAR=x"], (out, err)
    assert out.splitlines()[2].startswith("PATH=/"), out
    status, out, err = run_module(runtime, packed, ["env", "IMAGE_VAR"], env=["IMAGE_VAR=over"])
    assert (status, out) == (0, "IMAGE_VAR=over\n"), err


def test_working_dir_and_user(skiff, probe, tmp_path):
    """WorkingDir reaches the packed module as PWD (WASI has no working directory, as in
    `skiff run`); a user cannot be applied (WASI has no users) and convert says so."""
    r = skiff("build-wasm", "-w", "/work", "--cmd", "hello", probe, "wd:1")
    assert r.status == 0, r
    out = str(tmp_path / "wd.wasm")
    r = skiff("convert", "wd:1", out)
    assert r.status == 0 and "note:" not in r.err, r
    status, text, err = run_module("wasmtime", out, ["env", "PWD"])
    assert (status, text) == (0, "PWD=/work\n"), err
    status, text, err = run_module("wasmtime", out, ["env", "PWD"], env=["PWD=/elsewhere"])
    assert (status, text) == (0, "PWD=/elsewhere\n"), err
    r = skiff("convert", "-u", "1000:1000", "wd:1", out)
    assert r.status == 0 and "a WASI module has no users" in r.err and "uid 1000" in r.err, r


def test_trap_names_the_function(packed):
    """The app's function names survive packing (renumbered): wasmtime's backtrace names main."""
    status, out, err = run_module("wasmtime", packed, ["trap"])
    assert status != 0 and "!main" in err, (status, out, err)


def test_direct_wasi_module(direct, runtime):
    status, out, err = run_module(runtime, direct, [])
    assert status == 0, (out, err)
    assert out == "preopen: /\nhello from the image\nwritten by a direct WASI module\nwritten by a dir\n", err


def test_convert_refuses_a_bad_module(skiff, programs, tmp_path):
    r = skiff("build-wasm", os.path.join(programs, "invalid.wasm"), "bad:1")
    assert r.status == 0, r
    out = tmp_path / "bad.wasm"
    r = skiff("convert", "bad:1", str(out))
    assert r.status != 0 and "invalid.wasm is not a valid WebAssembly module" in r.err, r
    assert not out.exists()
    r = skiff("convert", "--web", str(tmp_path / "site"), "bad:1")
    assert r.status != 0 and "WASI image" in r.err, r


def test_registry_round_trip_then_pack(skiff, image, tmp_path):
    """A WASI image pushed to a real registry (Debian's docker-registry), checked with skopeo,
    pulled into an empty store, run, and converted from what was pulled."""
    registry = containers_conftest.Registry(str(tmp_path / "registry"))
    try:
        ref = f"{registry.host}/wasi/probe:1"
        r = skiff("push", "-q", image, ref)
        assert r.status == 0, r
        inspect = subprocess.run(["skopeo", "inspect", "--tls-verify=false", "--config", f"docker://{ref}"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
        assert inspect.returncode == 0, inspect.stderr
        config = json.loads(inspect.stdout)
        assert (config["os"], config["architecture"]) == ("wasip1", "wasm"), config
        home = tmp_path / "fresh"
        home.mkdir()
        fresh = Skiff(skiff_binary(), str(home))
        r = fresh("pull", "-q", ref)
        assert r.status == 0, r
        r = fresh("run", "--rm", ref, "read", "/data/greeting.txt")
        assert (r.status, r.out) == (0, "hello from the image\n"), r
        out = str(tmp_path / "pulled-packed.wasm")
        r = fresh("convert", "--pull", "never", ref, out)
        assert r.status == 0, r
        status, text, err = run_module("wasmtime", out, ["read", "/data/greeting.txt"])
        assert (status, text) == (0, "hello from the image\n"), err
    finally:
        registry.stop()
