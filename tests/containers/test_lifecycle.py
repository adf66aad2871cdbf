"""Kept containers: ps, start -a (same writable layer), logs, export, commit, rm."""
import io
import json
import os
import tarfile

SCRIPT = "cat /data/state 2>/dev/null; echo run >> /data/state; rm -f /data/hello.txt; echo err >&2"


def ps_rows(skiff, *args):
    r = skiff("ps", *args)
    assert r.status == 0, r
    lines = r.out.splitlines()
    assert lines[0].split() == ["CONTAINER", "ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"], r
    return lines[1:]


def test_lifecycle(skiff, base, tmp_path):
    r = skiff("run", "--name", "keeper", base, "sh", "-c", SCRIPT)
    assert (r.status, r.out, r.err) == (0, "", "err\n"), r
    rows = [l for l in ps_rows(skiff, "-a") if l.endswith(" keeper")]
    assert len(rows) == 1 and "Exited (0)" in rows[0] and base in rows[0], rows
    assert not [l for l in ps_rows(skiff) if l.endswith(" keeper")], "ps without -a lists only running containers"

    # The same writable layer again.
    r = skiff("start", "-a", "keeper")
    assert (r.status, r.out) == (0, "run\n"), r
    r = skiff("logs", "keeper")
    assert (r.status, r.out, r.err) == (0, "run\n", "err\nerr\n"), r
    r = skiff("run", "--name", "keeper", base, "true")
    assert r.status == 125 and "already in use" in r.err, r

    # export: the image merged with the changes, whiteouts applied.
    out = tmp_path / "rootfs.tar"
    r = skiff("export", "keeper", "-o", str(out))
    assert r.status == 0, r
    with tarfile.open(out) as t:
        names = {m.name.rstrip("/") for m in t.getmembers()}
        assert t.extractfile("data/state").read() == b"run\nrun\n"
        assert t.getmember("usr/bin/busybox").size > 100_000
        assert t.getmember("bin/sh").issym()
        assert t.getmember("home/app").uid == 1000
        assert t.extractfile("etc/motd").read() == b"motd from the upper layer\n"
    assert "etc/deleteme" not in names and "data/hello.txt" not in names
    assert not [n for n in names if ".wh." in n], names

    # commit: the writable layer becomes a layer of a new image that runs.
    r = skiff("commit", "keeper", "committed/keeper:1")
    assert r.status == 0 and r.out.startswith("sha256:"), r
    r = skiff("run", "--rm", "committed/keeper:1", "sh", "-c", "cat /data/state; ls /data; ls /etc")
    assert r.status == 0, r
    assert r.out.startswith("run\nrun\nstate\n"), r
    assert "deleteme" not in r.out.split() and "motd" in r.out.split(), r
    # The image's config is kept (Cmd, WorkingDir, Env).
    r = skiff("run", "--rm", "committed/keeper:1")
    assert r.out == "cmd-default\n", r
    r = skiff("inspect", "committed/keeper:1")
    assert r.status == 0 and "GREETING=hello" in r.out, r

    r = skiff("rm", "keeper")
    assert (r.status, r.out) == (0, "keeper\n"), r
    assert not [l for l in ps_rows(skiff, "-a") if l.endswith(" keeper")]
    r = skiff("rm", "keeper")
    assert r.status == 1 and "no such container: keeper" in r.err, r


def test_commit_layer_is_an_oci_changeset(skiff, base, tmp_path):
    r = skiff("run", "--name", "changes", base, "sh", "-c", "rm /etc/motd; mkdir -p /new/dir; echo n > /new/dir/f; chmod 600 /new/dir/f")
    assert r.status == 0, r
    assert skiff("commit", "changes", "committed/changes:1").status == 0
    out = tmp_path / "saved.tar"
    assert skiff("save", "-o", str(out), "committed/changes:1").status == 0, "skiff save"
    with tarfile.open(out) as t:
        index = json.load(t.extractfile("index.json"))
        manifest = json.load(t.extractfile("blobs/sha256/" + index["manifests"][0]["digest"].split(":")[1]))
        top = manifest["layers"][-1]
        assert top["mediaType"] == "application/vnd.oci.image.layer.v1.tar+gzip"
        layer = tarfile.open(fileobj=io.BytesIO(t.extractfile("blobs/sha256/" + top["digest"].split(":")[1]).read()))
        members = {m.name.rstrip("/"): m for m in layer.getmembers()}
    assert "etc/.wh.motd" in members, sorted(members)
    assert members["new/dir/f"].mode & 0o777 == 0o600
    assert "usr/bin/busybox" not in members and "etc/hosts" not in members and "etc/hostname" not in members, sorted(members)
    assert skiff("rm", "changes").status == 0


def test_rm_auto_and_errors(skiff, base):
    r = skiff("run", "--rm", "--name", "gone", base, "true")
    assert r.status == 0, r
    assert not [l for l in ps_rows(skiff, "-a") if l.endswith(" gone")]
    r = skiff("start", "nosuch")
    assert r.status == 1 and "no such container" in r.err, r
    r = skiff("start", "-a", "nosuch")
    assert r.status == 125 and "no such container" in r.err, r
    r = skiff("run", "--name", "bad/name", base, "true")
    assert r.status == 125 and "invalid container name" in r.err, r


def test_rmi_keeps_an_image_a_container_uses(skiff, base):
    r = skiff("run", "--name", "user-of-image", base, "true")
    assert r.status == 0, r
    assert skiff("tag", base, "extra/name:1").status == 0
    # Another name remains: removing this one is fine.
    assert skiff("rmi", "extra/name:1").status == 0
    r = skiff("rmi", base)
    assert r.status == 1 and "container user-of-image" in r.err, r
    assert skiff("start", "-a", "user-of-image").status == 0
    assert skiff("rm", "user-of-image").status == 0


def test_network_settings_are_kept_across_start(skiff, base):
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"from-the-host\n")

        def log_message(self, *args):
            pass
    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        script = f"wget -q -O - {url} || echo unreachable"
        r = skiff("run", "--rm", base, "sh", "-c", script)
        assert r.out == "from-the-host\n", r
        r = skiff("run", "--name", "isolated", "--network", "none", base, "sh", "-c", script)
        assert r.out.endswith("unreachable\n") and "from-the-host" not in r.out, r
        r = skiff("start", "-a", "isolated")
        assert r.out.endswith("unreachable\n") and "from-the-host" not in r.out, r
        assert skiff("rm", "isolated").status == 0
    finally:
        server.shutdown()
