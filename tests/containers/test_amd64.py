"""amd64 images end to end (issue 12): an image of Debian's busybox-static for amd64 (from
`scripts/fixtures.sh --amd64`) pushed with skopeo to the local registry, pulled and run by
`skiff run` with no --platform (the default takes any platform Skiff runs, linux/amd64 first),
refused with a clear error for another --platform, and converted to a WASI module that runs
under wasmtime with the same output. The guest CPU is Skiff's own, so no x86-64 host is needed."""
import os
import subprocess

import pytest

from conftest import REPO, Layout, _add_dir, _add_file, _add_symlink, _tar_bytes
from test_convert import run_module

APPLETS = ["sh", "echo", "cat", "ls", "uname", "sort", "wc", "seq", "sha256sum"]


@pytest.fixture(scope="session")
def amd64_image(work, registry):
    out = subprocess.run([os.path.join(REPO, "scripts", "fixtures.sh"), "--amd64"], stdout=subprocess.PIPE,
                         text=True, check=True)
    busybox = os.path.join(out.stdout.strip().splitlines()[-1], "rootfs", "debian-amd64", "usr", "bin", "busybox")

    def layer(t):
        _add_dir(t, "./bin")
        with open(busybox, "rb") as f:
            _add_file(t, "./bin/busybox", f.read(), mode=0o755)
        for applet in APPLETS:
            _add_symlink(t, "./bin/" + applet, "busybox")
        _add_dir(t, "./etc")
        _add_file(t, "./etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n")
        _add_dir(t, "./tmp", mode=0o1777)

    layout = Layout(os.path.join(work, "layout-amd64"))
    layout.image("bb", [_tar_bytes(layer)], {"Env": ["PATH=/bin"], "Cmd": ["/bin/sh", "-c", "echo amd64 $(uname -m)"]},
                 architecture="amd64")
    registry.push(layout.path, "bb", "test/amd64:1")
    return f"{registry.host}/test/amd64:1"


def test_amd64_image_runs_by_default(skiff, amd64_image):
    r = skiff("run", "--rm", amd64_image)
    assert (r.status, r.out) == (0, "amd64 x86_64\n"), r
    r = skiff("run", "--rm", amd64_image, "sh", "-c", "seq 1 100 | sort -rn | head -2; echo x | sha256sum; exit 7")
    assert r.status == 7 and r.out.startswith("100\n99\n"), r
    r = skiff("images")
    assert "linux/amd64" in r.out, r


def test_other_platform_is_refused_with_what_the_image_is(skiff, amd64_image):
    r = skiff("run", "--rm", "--platform", "linux/riscv64", amd64_image, "true")
    assert r.status == 125 and "linux/amd64" in r.err and "linux/riscv64" in r.err, r
    r = skiff("pull", "--platform", "linux/amd64", amd64_image)
    assert r.status == 0, r


def test_amd64_image_converts_and_runs_under_wasmtime(skiff, amd64_image, work):
    module = os.path.join(work, "amd64.wasm")
    r = skiff("convert", amd64_image, module)
    assert r.status == 0 and "linux/amd64" in r.out, r
    status, out, err = run_module("wasmtime", module, [])
    assert (status, out) == (0, "amd64 x86_64\n"), err
    status, out, err = run_module("wasmtime", module, ["sh", "-c", "seq 1 100 | wc -l; echo $((6 * 7))"])
    assert (status, out) == (0, "100\n42\n"), err
