"""Crash safety of the store (issue 15): `skiff` is killed with SIGKILL at random moments of
pull, import, commit, rm, rmi, prune and a container's writes. After every kill `skiff check`
finds no damage (blobs match their digests, every image's blobs are there, every container record
reads), `images` and `ps -a` work, and the command, run again, completes. An interrupted pull
resumes with the layers it had.

SKIFF_CRASH_KILLS sets the kills per command (default 6 in CI; the issue's loop is
SKIFF_CRASH_KILLS=50). Each test uses a store of its own."""
import os
import random
import signal
import subprocess
import tempfile
import time

import pytest

from conftest import Skiff, skiff_binary

KILLS = int(os.environ.get("SKIFF_CRASH_KILLS", "6"))
SEED = int(os.environ.get("SKIFF_CRASH_SEED", str(int(time.time()))))


@pytest.fixture
def store(work):
    return Skiff(skiff_binary(), tempfile.mkdtemp(dir=work, prefix="crash-home-"))


@pytest.fixture
def rng():
    print(f"SKIFF_CRASH_SEED={SEED}")
    return random.Random(SEED)


def ok(result):
    assert result.status == 0, result
    return result


def duration(skiff, *args):
    """Seconds an uninterrupted run takes (the window kills are drawn from)."""
    began = time.monotonic()
    ok(skiff(*args))
    return time.monotonic() - began


def kill_during(skiff, args, window, rng):
    """Starts `skiff ARGS`, kills it with SIGKILL after a random part of `window` seconds;
    returns True if it was killed (False if it had already finished)."""
    p = subprocess.Popen([skiff.binary, *args], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, env=skiff.env(), start_new_session=True)
    time.sleep(rng.uniform(0, window))
    finished = p.poll() is not None
    if not finished:
        os.killpg(p.pid, signal.SIGKILL)  # the command and anything it started (a detached container)
    p.wait()
    return not finished


def assert_sound(skiff):
    """What must hold after any kill."""
    check = skiff("check")
    assert check.status == 0 and "no damage" in check.out, check
    ok(skiff("images"))
    for name in ok(skiff("ps", "-a", "-q", "--no-trunc")).out.split():
        ok(skiff("inspect", name))
    return check


def remove_image(skiff, ref):
    """Removes `ref` if the store has it, then everything no image uses."""
    if skiff("inspect", ref).status == 0:
        ok(skiff("rmi", ref))
    ok(skiff("prune"))


def blob_files(skiff):
    d = os.path.join(skiff.home, "blobs", "sha256")
    return {n: os.stat(os.path.join(d, n)).st_ino for n in os.listdir(d)} if os.path.isdir(d) else {}


def test_pull_killed_resumes(store, images, rng):
    ref = images["base"]
    window = duration(store, "pull", "-q", ref) * 1.3
    remove_image(store, ref)
    kills = 0
    for _ in range(KILLS):
        if store("inspect", ref).status == 0:
            remove_image(store, ref)  # the last pull completed: the next one starts afresh
        kills += kill_during(store, ["pull", "-q", ref], window, rng)
        assert_sound(store)
    # Resuming: a pull killed once its first layer is in the store keeps that layer, and the
    # next pull completes with it (the same file: not downloaded again).
    remove_image(store, ref)
    for _ in range(40):
        p = subprocess.Popen([store.binary, "pull", "-q", ref], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env=store.env())
        while p.poll() is None and len(blob_files(store)) == 0:
            time.sleep(0.001)
        p.kill()
        p.wait()
        had = blob_files(store)
        if had and store("inspect", ref).status != 0:
            break
        remove_image(store, ref)
    else:
        pytest.skip("no kill landed between the first layer and the tag in 40 tries")
    assert_sound(store)
    ok(store("pull", ref))
    after = blob_files(store)
    for name, inode in had.items():
        assert after.get(name) == inode, f"blob {name} was downloaded again"
    assert ok(store("run", "--rm", ref)).out == "cmd-default\n"
    print(f"pull: {kills} of {KILLS} runs killed, then resumed with {len(had)} blob(s)")


def test_import_rmi_prune_killed(store, images, rng, tmp_path):
    ref = images["base"]
    ok(store("pull", "-q", ref))
    archive = str(tmp_path / "image.tar")
    ok(store("save", "-o", archive, ref))
    ok(store("rmi", ref))
    windows = {"import": duration(store, "import", archive, "crash/imported:1") * 1.3}
    windows["rmi"] = duration(store, "rmi", "crash/imported:1") * 1.3
    ok(store("import", archive, "crash/imported:1"))
    ok(store("tag", "crash/imported:1", "crash/other:1"))
    ok(store("rmi", "crash/other:1"))
    windows["prune"] = duration(store, "prune") * 1.3
    kills = {"import": 0, "rmi": 0, "prune": 0}
    for _ in range(KILLS):
        if store("inspect", "crash/imported:1").status == 0:
            kills["rmi"] += kill_during(store, ["rmi", "crash/imported:1"], windows["rmi"], rng)
            assert_sound(store)
        kills["prune"] += kill_during(store, ["prune"], windows["prune"], rng)
        assert_sound(store)
        if store("inspect", "crash/imported:1").status != 0:
            kills["import"] += kill_during(store, ["import", archive, "crash/imported:1"], windows["import"], rng)
            assert_sound(store)
    if store("inspect", "crash/imported:1").status != 0:
        ok(store("import", archive, "crash/imported:1"))
    assert ok(store("run", "--rm", "crash/imported:1")).out == "cmd-default\n"
    ok(store("prune"))
    assert "leftover" not in assert_sound(store).out
    print(f"killed: {kills}")


def test_container_writes_commit_rm_killed(store, images, rng):
    ref = images["base"]
    ok(store("pull", "-q", ref))
    writer = ["sh", "-c", "i=0; while [ $i -lt 200 ]; do echo line $i >> /data/log; i=$((i+1)); done; "
                          "dd if=/dev/zero of=/data/big bs=4096 count=256 2>/dev/null"]
    run_window = duration(store, "run", "--name", "probe", ref, *writer) * 1.3
    commit_window = duration(store, "commit", "probe", "crash/committed:1") * 1.3
    ok(store("run", "--name", "measure-rm", ref, *writer))
    rm_window = duration(store, "rm", "measure-rm") * 1.3
    kills = {"run": 0, "commit": 0, "rm": 0}
    for i in range(KILLS):
        name = f"w{i}"
        kills["run"] += kill_during(store, ["run", "--name", name, ref, *writer], run_window, rng)
        assert_sound(store)
        if store("inspect", name).status != 0:
            continue  # killed before its record was written: nothing to commit
        ok(store("start", "-a", name))  # the same writable layer runs again
        kills["commit"] += kill_during(store, ["commit", name, f"crash/committed:{i}"], commit_window, rng)
        assert_sound(store)
        kills["rm"] += kill_during(store, ["rm", "-f", name], rm_window, rng)
        assert_sound(store)
    ok(store("commit", "probe", "crash/committed:final"))
    r = ok(store("run", "--rm", "crash/committed:final", "sh", "-c", "wc -l < /data/log; wc -c < /data/big"))
    assert r.out.split() == ["200", "1048576"], r
    for name in ok(store("ps", "-a", "-q")).out.split():
        ok(store("rm", "-f", name))
    print(f"killed: {kills}")


def test_check_reports_damage(store, images):
    """`skiff check` is the oracle above: it must see a corrupt blob and a missing layer."""
    ref = images["base"]
    ok(store("pull", "-q", ref))
    blobs = os.path.join(store.home, "blobs", "sha256")
    layer = max(os.listdir(blobs), key=lambda b: os.path.getsize(os.path.join(blobs, b)))
    with open(os.path.join(blobs, layer), "r+b") as f:
        f.seek(100)
        byte = f.read(1)
        f.seek(100)
        f.write(bytes([byte[0] ^ 0xFF]))
    r = store("check")
    assert r.status == 1 and f"damaged: blob sha256:{layer} is corrupt" in r.out, r
    os.remove(os.path.join(blobs, layer))
    r = store("check")
    assert r.status == 1 and f"layer sha256:{layer} is missing" in r.out, r
