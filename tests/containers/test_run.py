"""skiff run IMAGE: the process comes from the image config and the options, as docker documents."""
import io
import os
import re
import tarfile


def test_first_run_pulls_then_runs_cmd(skiff, images):
    # The session's `base` fixture may have pulled it already; pull from a fresh store instead.
    fresh = type(skiff)(skiff.binary, skiff.home + "-fresh")
    r = fresh("run", "--rm", images["base"])
    assert r.status == 0, r
    assert r.out == "cmd-default\n", r
    assert "Unable to find image" in r.err, r
    again = fresh("run", "--rm", images["base"])
    assert again.status == 0 and "Unable to find image" not in again.err, again


def test_command_replaces_cmd_and_workdir_from_image(skiff, base):
    r = skiff("run", "--rm", base, "pwd")
    assert (r.status, r.out) == (0, "/data\n"), r
    r = skiff("run", "--rm", "-w", "/tmp/new/dir", base, "pwd")
    assert (r.status, r.out) == (0, "/tmp/new/dir\n"), r


def test_entrypoint_and_cmd(skiff, entry):
    assert skiff("run", "--rm", entry).out == "entry default-arg\n"
    assert skiff("run", "--rm", entry, "x", "y").out == "entry x y\n"
    r = skiff("run", "--rm", "--entrypoint", "/bin/sh", entry, "-c", "echo replaced $0")
    assert (r.status, r.out) == (0, "replaced /bin/sh\n"), r


def test_environment(skiff, base, tmp_path):
    env_file = tmp_path / "env"
    env_file.write_text("# comment\n\nFROM_FILE=file value\nGREETING=from-file\n")
    r = skiff("run", "--rm", "--env-file", str(env_file), "-e", "FOO=bar", "-e", "HOSTVAR", "-e", "UNSET_ON_HOST",
              base, "sh", "-c", 'echo "$GREETING|$FOO|$FROM_FILE|$HOSTVAR|${UNSET_ON_HOST-unset}|$HOME|$PATH"',
              env={"HOSTVAR": "from-host"})
    assert r.status == 0, r
    assert r.out == "from-file|bar|file value|from-host|unset|/root|/usr/local/bin:/usr/bin:/bin\n", r
    r = skiff("run", "--rm", base, "sh", "-c", 'echo "$GREETING $HOSTNAME"', env={})
    greeting, hostname = r.out.split()
    assert greeting == "hello" and re.fullmatch(r"[0-9a-f]{12}", hostname), r


def test_user_from_image_and_option(skiff, entry, base):
    r = skiff("run", "--rm", "--entrypoint", "id", entry)
    assert (r.status, r.out) == (0, "uid=1000(app) gid=1000(app) groups=1000(app),2000(staff)\n"), r
    r = skiff("run", "--rm", "--entrypoint", "sh", entry, "-c", 'pwd; echo $HOME; touch mine && stat -c "%u:%g" mine')
    assert (r.status, r.out) == (0, "/home/app\n/home/app\n1000:1000\n"), r
    assert skiff("run", "--rm", "-u", "app:staff", base, "id").out == "uid=1000(app) gid=2000(staff) groups=2000(staff)\n"
    assert skiff("run", "--rm", "-u", "4242:77", base, "id", "-u").out == "4242\n"
    assert skiff("run", "--rm", "-u", "root", entry).out == "entry default-arg\n"
    r = skiff("run", "--rm", "-u", "nosuchuser", base, "true")
    assert r.status == 125 and "unable to find user nosuchuser" in r.err, r
    r = skiff("run", "--rm", "-u", "app:nosuchgroup", base, "true")
    assert r.status == 125 and "unable to find group nosuchgroup" in r.err, r


def test_hostname_and_etc_files(skiff, base):
    r = skiff("run", "--rm", "--hostname", "box1", base, "sh", "-c",
              "hostname; cat /etc/hostname; grep box1 /etc/hosts; grep -c nameserver /etc/resolv.conf; grep localhost /etc/hosts | head -1")
    assert r.status == 0, r
    lines = r.out.splitlines()
    assert lines[0:2] == ["box1", "box1"], r
    assert lines[2].split() == ["127.0.1.1", "box1"], r
    assert int(lines[3]) >= 1, r
    assert lines[4].split() == ["127.0.0.1", "localhost"], r


def test_dev_shm_and_proc(skiff, base):
    r = skiff("run", "--rm", base, "sh", "-c", "echo x > /dev/shm/f && cat /dev/shm/f && ls /proc/self/ > /dev/null && echo ok")
    assert (r.status, r.out) == (0, "x\nok\n"), r


def test_deleted_file_of_lower_layer_is_absent(skiff, base):
    r = skiff("run", "--rm", base, "sh", "-c", "ls /etc; test -e /etc/deleteme; echo $?")
    assert r.status == 0, r
    names = r.out.split()
    assert "deleteme" not in names and "motd" in names and names[-1] == "1", r


def test_socket_node_held_in_overlay(skiff, base):
    # A bound AF_UNIX socket holds its node in the container's writable layer: one bound at the
    # same path after an unlink is another inode (the host could otherwise reuse the number).
    r = skiff("run", "--rm", base, "probe", "rebind", "0")
    assert (r.status, r.out) == (0, "rebound: another inode\n"), r


def test_exit_statuses(skiff, base):
    assert skiff("run", "--rm", base, "sh", "-c", "exit 3").status == 3
    # A fault kills the container's first process: 128 + SIGSEGV.
    assert skiff("run", "--rm", base, "probe", "segv", "0").status == 139
    # As in a PID namespace, the first process ignores signals it has no handler for, even
    # SIGKILL, when they come from inside the container; its children die of them.
    assert skiff("run", "--rm", base, "sh", "-c", "kill -9 $$; echo alive").out == "alive\n"
    assert skiff("run", "--rm", base, "sh", "-c", 'sh -c "kill -TERM \\$\\$"; echo $?').out == "143\n"
    r = skiff("run", "--rm", base, "no-such-command")
    assert r.status == 127 and "no-such-command" in r.err, r
    r = skiff("run", "--rm", base, "/etc/motd")
    assert r.status == 126, r
    r = skiff("run", "--rm", "localhost:1/nothing/here:1", "true")
    assert r.status == 125, r
    r = skiff("run", "-d", "--rootfs", "/nonexistent", "true")
    assert r.status == 125 and "-d is not supported with --rootfs" in r.err, r
    r = skiff("run", "--rm", "--pull", "never", "never-pulled:1", "true")
    assert r.status == 125 and "never-pulled" in r.err, r


def test_stdin_only_with_i(skiff, base):
    assert skiff("run", "--rm", "-i", base, "cat", stdin=b"typed\n").out == "typed\n"
    assert skiff("run", "--rm", base, "cat", stdin=b"typed\n").out == ""


def test_read_only_and_tmpfs(skiff, base):
    r = skiff("run", "--rm", "--read-only", "--tmpfs", "/scratch", base, "sh", "-c",
              "touch /data/x 2>&1; echo y > /scratch/y && cat /scratch/y")
    assert r.status == 0, r
    assert "Read-only file system" in r.out and r.out.endswith("y\n"), r


def test_labels_in_record(skiff, base):
    r = skiff("run", "--name", "labelled", "-l", "tier=test", base, "true")
    assert r.status == 0, r
    with open(os.path.join(skiff.home, "containers", _container_id(skiff, "labelled"), "config.json")) as f:
        import json
        labels = json.load(f)["labels"]
    assert labels == {"org.skiff.test": "base", "tier": "test"}
    assert skiff("rm", "labelled").status == 0


def _container_id(skiff, name):
    r = skiff("ps", "-a", "--no-trunc")
    for line in r.out.splitlines()[1:]:
        if line.split()[-1] == name:
            return line.split()[0]
    raise AssertionError(f"{name} not in ps -a: {r}")


def test_image_for_another_platform_is_refused(skiff, tmp_path):
    # A root filesystem tar imported as an arm64 image: skiff runs amd64, riscv64 and WASI images
    # only, and says so.
    tar = tmp_path / "arm64-root.tar"
    with tarfile.open(tar, "w") as t:
        info = tarfile.TarInfo("etc/os-release")
        data = b"ID=other\n"
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    r = skiff("import", str(tar), "other-arch:1", "--platform", "linux/arm64")
    assert r.status == 0, r
    r = skiff("run", "--rm", "other-arch:1", "true")
    assert r.status == 125 and "linux/arm64" in r.err and "linux/amd64, linux/riscv64" in r.err, r
    assert "other-arch" not in skiff("ps", "-a").out
