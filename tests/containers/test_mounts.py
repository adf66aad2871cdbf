"""Bind mounts (-v, --mount): the guest works inside HOSTDIR and can never reach outside it."""
import os


def make_dirs(tmp_path):
    inside = tmp_path / "inside"
    outside = tmp_path / "outside"
    inside.mkdir()
    outside.mkdir()
    (outside / "secret").write_text("host secret\n")
    (inside / "file").write_text("shared\n")
    # Links placed by the host that point out of HOSTDIR: the guest resolves them in its own tree.
    os.symlink(str(outside / "secret"), inside / "abs-link")
    os.symlink("../outside/secret", inside / "rel-link")
    os.symlink("../..", inside / "up-link")
    return inside, outside


def test_volume_read_write_and_ownership(skiff, base, tmp_path):
    inside, _ = make_dirs(tmp_path)
    r = skiff("run", "--rm", "-u", "app", "-v", f"{inside}:/mnt", base, "sh", "-c",
              "cat /mnt/file; echo new > /mnt/created; mkdir /mnt/d; stat -c '%u' /mnt/created")
    assert r.status == 0, r
    assert r.out.splitlines()[0] == "shared", r
    assert (inside / "created").read_text() == "new\n"
    # Files the guest creates belong to the host user running skiff, whoever the guest is.
    assert os.stat(inside / "created").st_uid == os.getuid()
    assert os.stat(inside / "d").st_uid == os.getuid()


def test_volume_read_only_and_mount_syntax(skiff, base, tmp_path):
    inside, _ = make_dirs(tmp_path)
    r = skiff("run", "--rm", "-v", f"{inside}:/mnt:ro", base, "sh", "-c", "cat /mnt/file; echo x > /mnt/new")
    assert r.status != 0 and "Read-only file system" in r.err and r.out == "shared\n", r
    r = skiff("run", "--rm", "--mount", f"type=bind,source={inside},target=/m,readonly", base, "sh", "-c",
              "cat /m/file; touch /m/t")
    assert r.status != 0 and r.out == "shared\n" and "Read-only file system" in r.err, r
    r = skiff("run", "--rm", "--mount", f"type=bind,src={inside}/file,dst=/etc/single", base, "cat", "/etc/single")
    assert (r.status, r.out) == (0, "shared\n"), r


def test_escapes_fail(skiff, base, tmp_path):
    inside, outside = make_dirs(tmp_path)
    script = "; ".join([
        "cat /mnt/abs-link",                 # absolute symlink: resolved in the container
        "cat /mnt/rel-link",                 # relative symlink out of HOSTDIR
        "ls /mnt/up-link/ | grep -c outside",  # ../.. from the mount is the container's /
        "cat /mnt/../outside/secret",
        "cat /mnt/../../outside/secret",
        "ln /etc/passwd /mnt/pw",            # hard link across mounts
        "cat /proc/self/root/mnt/../outside/secret",
        f"cat {outside}/secret",
        "echo done",
    ])
    r = skiff("run", "--rm", "-v", f"{inside}:/mnt", base, "sh", "-c", script)
    assert "host secret" not in r.out, r
    assert r.out.splitlines()[-1] == "done", r
    assert "Invalid cross-device link" in r.err or "Operation not permitted" in r.err, r
    assert not (inside / "pw").exists()
    # Nothing was written outside HOSTDIR.
    assert sorted(os.listdir(outside)) == ["secret"]


def test_escape_by_rename_of_open_directory(skiff, base, tmp_path):
    """A directory the guest holds open (its cwd) is moved out of HOSTDIR by the host: '..' from
    it must not lead into the host."""
    inside, outside = make_dirs(tmp_path)
    (inside / "sub").mkdir()
    mover = tmp_path / "mover.sh"
    # The guest waits for the host to move /mnt/sub away, then walks up from it.
    script = ("cd /mnt/sub && touch /mnt/ready && while [ ! -e /mnt/moved ]; do sleep 0.1; done; "
              "cat ../secret ../../outside/secret ../outside/secret 2>/dev/null; ls ../ ; echo end")
    import subprocess
    import threading
    import time

    def move():
        for _ in range(600):
            if (inside / "ready").exists():
                break
            time.sleep(0.05)
        os.rename(inside / "sub", outside / "sub")
        (inside / "moved").write_text("")
    t = threading.Thread(target=move)
    t.start()
    r = skiff("run", "--rm", "-v", f"{inside}:/mnt", base, "sh", "-c", script)
    t.join()
    assert "host secret" not in r.out, r
    assert r.out.splitlines()[-1] == "end", r


def test_bad_volume_specs(skiff, base, tmp_path):
    for spec, words in [("nocolon", "invalid volume specification"),
                        ("named:/x", "named volume"),
                        (f"{tmp_path}:relative", "must be absolute"),
                        (f"{tmp_path}:/x:bogus", "unknown option")]:
        r = skiff("run", "--rm", "-v", spec, base, "true")
        assert r.status == 125 and words in r.err, r
    r = skiff("run", "--rm", "--mount", "type=volume,source=x,target=/y", base, "true")
    assert r.status == 125 and "only type=bind" in r.err, r
    r = skiff("run", "--rm", "--mount", f"type=bind,source={tmp_path}/missing,target=/y", base, "true")
    assert r.status == 125 and "does not exist" in r.err, r
