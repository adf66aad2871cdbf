"""`skiff run` of WASI images: the module on WasmKit with docker run's interface."""
import json
import os
import shutil
import signal
import subprocess
import tarfile
import time


def test_default_command_and_platform(skiff, image):
    r = skiff("run", "--rm", image)
    assert (r.status, r.out) == (0, "hello from wasi\n"), r
    r = skiff("images")
    assert "wasip1/wasm" in r.out, r


def test_arguments_replace_cmd(skiff, image):
    r = skiff("run", "--rm", image, "args", "a b", "c")
    assert r.status == 0, r
    assert r.out.splitlines() == ["argc=4", "argv[0]=/wasi-probe.wasm", "argv[1]=args", "argv[2]=a b", "argv[3]=c"], r


def test_environment(skiff, image):
    r = skiff("run", "--rm", "-e", "FOO=bar", "-w", "/data", image, "env", "FOO", "IMAGE_VAR", "PATH", "PWD", "NOPE")
    assert r.status == 0, r
    lines = r.out.splitlines()
    assert "FOO=bar" in lines and "IMAGE_VAR=from-image" in lines and "PWD=/data" in lines and "NOPE unset" in lines, r
    assert any(l.startswith("PATH=/usr/local/sbin") for l in lines), r


def test_stdin_with_i(skiff, image):
    r = skiff("run", "--rm", "-i", image, "cat", stdin=b"line one\nline two\n")
    assert (r.status, r.out) == (0, "line one\nline two\n"), r
    r = skiff("run", "--rm", image, "cat", stdin=b"ignored\n")
    assert (r.status, r.out) == (0, ""), r  # without -i: /dev/null, as docker


def test_exit_status(skiff, image):
    assert skiff("run", "--rm", image, "exit", "7").status == 7
    assert skiff("run", "--rm", image, "exit", "0").status == 0


def test_image_root_is_slash_and_writable_per_container(skiff, image):
    r = skiff("run", "--rm", image, "ls", "/")
    assert r.out.split() == ["data", "wasi-probe.wasm"], r
    r = skiff("run", "--rm", image, "read", "/data/greeting.txt")
    assert r.out == "hello from the image\n", r
    r = skiff("run", "--name", "w1", image, "write", "/data/new.txt", "kept")
    assert r.status == 0, r
    # The same container again sees its own change; a new container does not.
    r = skiff("start", "-a", "w1")
    assert r.status == 0, r
    r = skiff("run", "--rm", image, "read", "/data/new.txt")
    assert r.status == 1 and "No such file" in r.out, r


def test_volumes_are_preopens(skiff, image, tmp_path):
    host = tmp_path / "shared"
    host.mkdir()
    (host / "in.txt").write_text("from the host\n")
    r = skiff("run", "--rm", "-v", f"{host}:/mnt", image, "read", "/mnt/in.txt")
    assert (r.status, r.out) == (0, "from the host\n"), r
    r = skiff("run", "--rm", "-v", f"{host}:/mnt", image, "write", "/mnt/out.txt", "from wasm")
    assert r.status == 0, r
    assert (host / "out.txt").read_text() == "from wasm"


def test_read_only_volume(skiff, image, tmp_path):
    host = tmp_path / "ro"
    host.mkdir()
    (host / "keep.txt").write_text("unchanged")
    r = skiff("run", "--rm", "-v", f"{host}:/ro:ro", image, "read", "/ro/keep.txt")
    assert (r.status, r.out) == (0, "unchanged"), r
    for args in (["write", "/ro/keep.txt", "changed"], ["write", "/ro/new.txt", "x"], ["rm", "/ro/keep.txt"],
                 ["mkdir", "/ro/sub"]):
        r = skiff("run", "--rm", "-v", f"{host}:/ro:ro", image, *args)
        assert r.status == 1 and "Read-only file system" in r.out, r
    assert sorted(os.listdir(host)) == ["keep.txt"] and (host / "keep.txt").read_text() == "unchanged"


def test_read_only_root(skiff, image):
    r = skiff("run", "--rm", "--read-only", image, "write", "/data/x", "y")
    assert r.status == 1 and "Read-only file system" in r.out, r


def test_tmpfs(skiff, image):
    r = skiff("run", "--rm", "--tmpfs", "/scratch", image, "write", "/scratch/f", "x")
    assert r.status == 0, r


def test_name_ps_logs_rm(skiff, image):
    r = skiff("run", "--name", "named", image, "exit", "3")
    assert r.status == 3, r
    r = skiff("ps", "-a")
    assert "named" in r.out and "Exited (3)" in r.out, r
    r = skiff("run", "--name", "talker", image)
    r = skiff("logs", "talker")
    assert r.out == "hello from wasi\n", r
    assert skiff("rm", "named", "talker").status == 0
    assert "named" not in skiff("ps", "-a").out


def test_memory_limit(skiff, image):
    r = skiff("run", "--rm", image, "alloc", "64")
    assert (r.status, r.out) == (0, "alloc ok\n"), r
    # Over the cap memory.grow fails: malloc returns NULL.
    r = skiff("run", "--rm", "-m", "16m", image, "alloc", "64")
    assert (r.status, r.out) == (1, "alloc failed\n"), r
    # An initial memory over the cap (docker's smallest, 6m, is more than this module's): none here.
    assert skiff("run", "--rm", "-m", "6m", image, "hello").out == "hello from wasi\n"


def test_trap(skiff, image):
    r = skiff("run", "--rm", image, "trap")
    assert r.status == 134 and "wasm trap" in r.err, r


def test_invalid_module(skiff, programs):
    r = skiff("build-wasm", os.path.join(programs, "invalid.wasm"), "bad:1")
    assert r.status == 0, r
    r = skiff("run", "--rm", "bad:1")
    assert r.status == 126 and "invalid WebAssembly module" in r.err, r
    assert skiff("ps", "-aq").out == ""
    r = skiff("build-wasm", __file__, "notwasm:1")  # a Python file: no \\0asm
    assert r.status != 0 and "not a WebAssembly module" in r.err, r


def test_missing_entrypoint(skiff, image):
    r = skiff("run", "--rm", "--entrypoint", "/missing.wasm", image)
    assert r.status == 127 and "not found" in r.err, r


def test_sigterm_ends_the_container(skiff, image):
    p = subprocess.Popen([skiff.binary, "run", "--name", "sleeper", image, "sleep", "30"], env=skiff.env(),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 20
    while time.time() < deadline and "Up" not in skiff("ps").out:
        time.sleep(0.1)
    p.send_signal(signal.SIGTERM)
    assert p.wait(timeout=20) == 143
    assert "Exited (143)" in skiff("ps", "-a").out


def test_save_import_and_build_wasm_output(skiff, image, probe, tmp_path):
    archive = tmp_path / "probe.tar"
    r = skiff("save", "-o", str(archive), image)
    assert r.status == 0, r
    with tarfile.open(archive) as t:
        index = json.load(t.extractfile("index.json"))
    assert index["manifests"][0]["platform"]["os"] == "wasip1", index
    other = skiff.__class__(skiff.binary, str(tmp_path / "other-home"))
    os.mkdir(other.home)
    r = other("import", str(archive))
    assert r.status == 0, r
    r = other("run", "--rm", image, "args", "x")
    assert r.status == 0 and "argv[1]=args" in r.out, r
    # build-wasm -o writes the same kind of tar directly, with runwasi's platform name if asked.
    out = tmp_path / "direct.tar"
    r = skiff("build-wasm", "--platform", "wasi/wasm", "-o", str(out), probe, "direct:1")
    assert r.status == 0 and "wasi/wasm" in r.out, r
    r = other("import", str(out))
    assert r.status == 0, r
    assert other("run", "--rm", "direct:1", "hello").out == "hello from wasi\n"


def _layout_with(tmp_path, skiff, image, extra_entries):
    """The image saved as an OCI layout directory whose index also lists `extra_entries`."""
    archive = tmp_path / "img.tar"
    assert skiff("save", "-o", str(archive), image).status == 0
    layout = tmp_path / "layout"
    with tarfile.open(archive) as t:
        t.extractall(layout)
    index = json.loads((layout / "index.json").read_text())
    index["manifests"] = extra_entries + index["manifests"]
    (layout / "index.json").write_text(json.dumps(index))
    return layout


def test_index_platform_selection(skiff, image, tmp_path):
    # An index with a linux/amd64 image (never read) and the WASI one: the default platform takes WASI.
    amd64 = {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + "0" * 64, "size": 10,
             "platform": {"os": "linux", "architecture": "amd64"},
             "annotations": {"io.containerd.image.name": "docker.io/library/probe:1", "org.opencontainers.image.ref.name": "1"}}
    layout = _layout_with(tmp_path, skiff, image, [amd64])
    other = skiff.__class__(skiff.binary, str(tmp_path / "other-home"))
    os.mkdir(other.home)
    r = other("import", str(layout))
    assert r.status == 0 and "wasip1/wasm" in r.out, r
    assert other("run", "--rm", image).out == "hello from wasi\n"
    # Asking for linux/amd64 explicitly does not get the WASI image.
    third = skiff.__class__(skiff.binary, str(tmp_path / "third-home"))
    os.mkdir(third.home)
    r = third("import", "--platform", "linux/amd64", str(layout))
    assert r.status != 0, r


def test_module_entrypoint_in_a_linux_image(skiff, probe, tmp_path):
    # A plain rootfs tar (platform linux/riscv64) whose command is a module: detected by \0asm.
    archive = tmp_path / "rootfs.tar"
    with tarfile.open(archive, "w") as t:
        t.add(probe, arcname="app/probe.wasm")
    assert skiff("import", str(archive), "plain:1").status == 0
    r = skiff("run", "--rm", "plain:1", "/app/probe.wasm", "hello")
    assert (r.status, r.out) == (0, "hello from wasi\n"), r


def test_rootfs_directory(skiff, probe, tmp_path):
    root = tmp_path / "root"
    (root / "bin").mkdir(parents=True)
    shutil.copy(probe, root / "bin" / "probe.wasm")
    (root / "etc").mkdir()
    (root / "etc" / "motd").write_text("motd\n")
    r = skiff("run", "--rootfs", str(root), "probe.wasm", "read", "/etc/motd")
    assert (r.status, r.out) == (0, "motd\n"), r
    r = skiff("run", "--rootfs", str(root), "-e", "K=V", "/bin/probe.wasm", "env", "K")
    assert r.out == "K=V\n", r
