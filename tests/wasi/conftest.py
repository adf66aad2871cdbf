"""WASI workloads end to end: WASI test programs compiled here (clang --target=wasm32-wasi with
Debian's wasi-libc, build-programs.sh), made into images with `skiff build-wasm`, and run by the
`skiff` binary ($SKIFF, else .build/release/skiff) with a private $SKIFF_HOME. See docs/wasi-workloads.md."""
import importlib.util
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
# The container tests' runner, loaded under its own name (every test folder has a conftest).
_spec = importlib.util.spec_from_file_location("containers_conftest", os.path.join(REPO, "tests", "containers", "conftest.py"))
containers_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(containers_conftest)
Skiff = containers_conftest.Skiff
skiff_binary = containers_conftest.skiff_binary


@pytest.fixture(scope="session")
def programs(tmp_path_factory):
    out = subprocess.run([os.path.join(HERE, "build-programs.sh"), str(tmp_path_factory.mktemp("wasi-programs"))],
                         stdout=subprocess.PIPE, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def probe(programs):
    return os.path.join(programs, "wasi-probe.wasm")


@pytest.fixture
def skiff(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    return Skiff(skiff_binary(), str(home))


@pytest.fixture
def image(skiff, probe, tmp_path):
    """`probe`: the test program as a WASI image with a data directory, Env and a Cmd."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "greeting.txt").write_text("hello from the image\n")
    r = skiff("build-wasm", "--add", f"{data}:/data", "-e", "IMAGE_VAR=from-image", "--cmd", "hello", probe, "probe:1")
    assert r.status == 0, r
    return "probe:1"
