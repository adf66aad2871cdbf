"""End-to-end container tests: images built here from the fixture riscv64 trees (Debian's
busybox-static plus a static test program), pushed with skopeo to a real registry (Debian's
docker-registry), then pulled and run by `$SKIFF run localhost:PORT/...` with its own
$SKIFF_HOME. See tests/containers/README.md."""
import gzip
import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import tarfile
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TIMEOUT = float(os.environ.get("SKIFF_TEST_TIMEOUT", "180"))


def skiff_binary():
    return os.environ.get("SKIFF") or os.path.join(REPO, ".build", "release", "skiff")


def fixtures_dir():
    out = subprocess.run([os.path.join(REPO, "scripts", "fixtures.sh")], stdout=subprocess.PIPE, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Skiff:
    """Runs the skiff binary with a private store."""

    def __init__(self, binary, home):
        self.binary = binary
        self.home = home

    def env(self, extra=None):
        env = dict(os.environ)
        env["SKIFF_HOME"] = self.home
        env.pop("SKIFF_LOG", None)
        env.update(extra or {})
        return env

    def __call__(self, *args, stdin=None, env=None, cwd=None, timeout=TIMEOUT):
        p = subprocess.run([self.binary, *args], input=stdin,
                           stdin=None if stdin is not None else subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env(env), cwd=cwd,
                           timeout=timeout)
        return Result(args, p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace"))


class Result:
    def __init__(self, args, status, out, err):
        self.args, self.status, self.out, self.err = args, status, out, err

    def __repr__(self):
        return f"$ skiff {' '.join(self.args)}\nstatus {self.status}\nstdout: {self.out[:2000]!r}\nstderr: {self.err[:2000]!r}"


# MARK: Building images


def _tar_bytes(add):
    """An uncompressed tar made by `add(tarfile)`; owners root, sorted as added."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        add(t)
    return buf.getvalue()


def _add_tree(t, root, exclude=(), arcbase="."):
    def owned_by_root(info):
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        return info
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel = os.path.relpath(dirpath, root)
        arcdir = arcbase if rel == "." else os.path.join(arcbase, rel)
        t.add(dirpath, arcname=arcdir, recursive=False, filter=owned_by_root)
        for name in sorted(filenames):
            if os.path.normpath(os.path.join(rel, name)) in exclude:
                continue
            t.add(os.path.join(dirpath, name), arcname=os.path.join(arcdir, name), recursive=False, filter=owned_by_root)


def _add_file(t, name, data, mode=0o644, uid=0, gid=0):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    info.uid, info.gid = uid, gid
    info.mtime = 1_700_000_000
    t.addfile(info, io.BytesIO(data))


def _add_symlink(t, name, target):
    info = tarfile.TarInfo(name)
    info.type = tarfile.SYMTYPE
    info.linkname = target
    info.mtime = 1_700_000_000
    t.addfile(info)


def _add_dir(t, name, mode=0o755, uid=0, gid=0):
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    info.mode = mode
    info.uid, info.gid = uid, gid
    info.mtime = 1_700_000_000
    t.addfile(info)


class Layout:
    """An OCI image layout directory (what skopeo copies from with oci:DIR:TAG)."""

    def __init__(self, path):
        self.path = path
        os.makedirs(os.path.join(path, "blobs", "sha256"), exist_ok=True)
        with open(os.path.join(path, "oci-layout"), "w") as f:
            json.dump({"imageLayoutVersion": "1.0.0"}, f)
        self.manifests = []

    def blob(self, data, media_type):
        digest = hashlib.sha256(data).hexdigest()
        with open(os.path.join(self.path, "blobs", "sha256", digest), "wb") as f:
            f.write(data)
        return {"mediaType": media_type, "digest": "sha256:" + digest, "size": len(data)}

    def image(self, tag, layers, config, architecture="riscv64"):
        """`layers`: uncompressed tars, lowest first; `config`: the runtime config (Cmd, Env...)."""
        descriptors, diff_ids = [], []
        for raw in layers:
            diff_ids.append("sha256:" + hashlib.sha256(raw).hexdigest())
            descriptors.append(self.blob(gzip.compress(raw, mtime=0), "application/vnd.oci.image.layer.v1.tar+gzip"))
        cfg = {"architecture": architecture, "os": "linux", "config": config,
               "rootfs": {"type": "layers", "diff_ids": diff_ids}, "created": "2026-01-01T00:00:00Z"}
        cfg_d = self.blob(json.dumps(cfg).encode(), "application/vnd.oci.image.config.v1+json")
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": cfg_d, "layers": descriptors}
        m = self.blob(json.dumps(manifest).encode(), "application/vnd.oci.image.manifest.v1+json")
        m["annotations"] = {"org.opencontainers.image.ref.name": tag}
        self.manifests.append(m)
        with open(os.path.join(self.path, "index.json"), "w") as f:
            json.dump({"schemaVersion": 2, "manifests": self.manifests}, f)


# Links to busybox the fixture tree lacks (it has sh, cat, ls, echo... in /bin).
APPLETS = ["id", "hostname", "touch", "kill", "pwd", "grep", "stat", "whoami", "chmod", "dd", "readlink",
           "sed", "ps", "uname", "mount", "df", "find", "wget"]

PASSWD = b"""root:x:0:0:root:/root:/bin/sh
app:x:1000:1000:App User:/home/app:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
"""
GROUP = b"""root:x:0:
app:x:1000:
staff:x:2000:app
nogroup:x:65534:
"""


def build_images(layout_dir, busybox_root, probe):
    """Two images sharing a base layer:
    - test/base: busybox + users + /data, and an upper layer that deletes /etc/deleteme and adds
      /etc/motd; Cmd prints a marker; Env, WorkingDir /data.
    - test/entry: the same layers; Entrypoint echo, Cmd an argument, User app, WorkingDir /home/app.
    """
    def base(t):
        _add_tree(t, busybox_root, exclude={".complete", "etc/passwd", "etc/group"})
        for applet in APPLETS:
            if not os.path.lexists(os.path.join(busybox_root, "bin", applet)):
                _add_symlink(t, "./bin/" + applet, "busybox")
        _add_file(t, "./etc/passwd", PASSWD)
        _add_file(t, "./etc/group", GROUP)
        _add_file(t, "./etc/deleteme", b"this file is deleted by the upper layer\n")
        _add_dir(t, "./home")
        _add_dir(t, "./home/app", uid=1000, gid=1000)
        _add_dir(t, "./data", mode=0o777)
        _add_file(t, "./data/hello.txt", b"hello from the image\n")
        _add_dir(t, "./usr/local")
        _add_dir(t, "./usr/local/bin")
        with open(probe, "rb") as f:
            _add_file(t, "./usr/local/bin/probe", f.read(), mode=0o755)

    def upper(t):
        _add_dir(t, "./etc")
        _add_file(t, "./etc/.wh.deleteme", b"")
        _add_file(t, "./etc/motd", b"motd from the upper layer\n")

    layers = [_tar_bytes(base), _tar_bytes(upper)]
    layout = Layout(layout_dir)
    layout.image("base", layers, {
        "Env": ["PATH=/usr/local/bin:/usr/bin:/bin", "GREETING=hello"],
        "Cmd": ["/bin/sh", "-c", "echo cmd-default"],
        "WorkingDir": "/data",
        "Labels": {"org.skiff.test": "base"},
    })
    layout.image("entry", layers, {
        "Env": ["PATH=/usr/local/bin:/usr/bin:/bin"],
        "Entrypoint": ["/bin/echo", "entry"],
        "Cmd": ["default-arg"],
        "User": "app",
        "WorkingDir": "/home/app",
    })
    return layout


class Registry:
    """Debian's docker-registry on 127.0.0.1 with a filesystem root."""

    def __init__(self, directory, headers=None):
        """`headers`: extra response headers, {name: value} (e.g. CORS for the web page's pulls)."""
        exe = shutil.which("docker-registry")
        if not exe:
            pytest.fail("docker-registry is not installed (Debian package docker-registry; scripts/setup.sh installs it)")
        self.port = free_port()
        os.makedirs(directory, exist_ok=True)
        config = os.path.join(directory, "config.yml")
        with open(config, "w") as f:
            f.write(f"version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {directory}/data\n"
                    f"http:\n  addr: 127.0.0.1:{self.port}\n")
            if headers:
                f.write("  headers:\n" + "".join(f"    {k}: [{json.dumps(v)}]\n" for k, v in headers.items()))
        self.log = open(os.path.join(directory, "log"), "w")
        self.process = subprocess.Popen([exe, "serve", config], stdout=self.log, stderr=self.log)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.1)
        self.stop()
        pytest.fail(f"docker-registry did not start (see {directory}/log)")

    @property
    def host(self):
        return f"localhost:{self.port}"

    def push(self, layout, tag, repository):
        subprocess.run(["skopeo", "copy", "--quiet", "--dest-tls-verify=false", f"oci:{layout}:{tag}",
                        f"docker://127.0.0.1:{self.port}/{repository}"], check=True, timeout=120)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest.fixture(scope="session")
def work(tmp_path_factory):
    return str(tmp_path_factory.mktemp("containers"))


@pytest.fixture(scope="session")
def registry(work):
    r = Registry(os.path.join(work, "registry"))
    yield r
    r.stop()


@pytest.fixture(scope="session")
def images(work, registry):
    """Pushes test/base:1 and test/entry:1; returns their references on the registry."""
    root = os.path.join(fixtures_dir(), "rootfs", "busybox")
    probe = os.path.join(work, "probe")
    subprocess.run(["riscv64-linux-gnu-gcc", "-static", "-O2", "-o", probe, os.path.join(HERE, "programs", "probe.c")],
                   check=True)
    layout = os.path.join(work, "layout")
    build_images(layout, root, probe)
    registry.push(layout, "base", "test/base:1")
    registry.push(layout, "entry", "test/entry:1")
    return {"base": f"{registry.host}/test/base:1", "entry": f"{registry.host}/test/entry:1"}


@pytest.fixture(scope="session")
def skiff(work):
    home = os.path.join(work, "skiff-home")
    os.makedirs(home, exist_ok=True)
    return Skiff(skiff_binary(), home)


@pytest.fixture(scope="session")
def base(skiff, images):
    """The base image, pulled once (the first run pulls it; later ones find it in the store)."""
    r = skiff("run", "--rm", images["base"])
    assert r.status == 0, r
    return images["base"]


@pytest.fixture(scope="session")
def entry(skiff, images):
    return images["entry"]
