"""FIFOs and device nodes in a container (issue 17): made in the writable layer (mkfifo, mknod as
root), kept across `start`, archived by `export` (tar FIFO and character-device entries) and
`commit` (the committed image's layer carries them and they work in a new container); mknod of
a device as a non-root user is EPERM while a FIFO is fine; FIFOs on --tmpfs and bind mounts."""
import os
import stat
import tarfile

MAKE = ("mkfifo /data/pipe && mknod /data/null c 1 3 && mknod /data/mem c 1 1 && mknod -m 640 /data/disk b 8 0"
        " && stat -c '%F %a' /data/pipe /data/null /data/disk")

USE = ("stat -c '%F %t:%T' /data/pipe /data/null /data/mem;"
       " (echo through the fifo > /data/pipe &); cat /data/pipe; /usr/local/bin/probe truncate /data/pipe;"
       " echo gone > /data/null; cat /data/null; echo null-ok;"
       " cat /data/mem 2>&1; head -c1 /data/disk 2>&1; true")

USE_OUT = ("fifo 0:0\ncharacter special file 1:3\ncharacter special file 1:1\n"
           "through the fifo\nEINVAL\nnull-ok\n"
           "cat: can't open '/data/mem': Operation not permitted\n"
           "head: /data/disk: Operation not permitted\n")


def test_special_files_persist(skiff, base, tmp_path):
    r = skiff("run", "--name", "nodes", base, "sh", "-c", MAKE)
    assert (r.status, r.out) == (0, "fifo 644\ncharacter special file 644\nblock special file 640\n"), r
    r = skiff("start", "-a", "nodes")  # MAKE again: the nodes are still there
    assert r.status == 1 and "File exists" in r.err, r
    # A second container of the same image knows nothing of them.
    r = skiff("run", "--rm", base, "sh", "-c", "ls /data")
    assert r.out == "hello.txt\n", r

    out = tmp_path / "nodes.tar"
    r = skiff("export", "nodes", "-o", str(out))
    assert r.status == 0, r
    with tarfile.open(out) as t:
        pipe, null, disk = t.getmember("data/pipe"), t.getmember("data/null"), t.getmember("data/disk")
        assert pipe.isfifo() and pipe.mode == 0o644, pipe
        assert null.ischr() and (null.devmajor, null.devminor) == (1, 3), null
        assert disk.isblk() and (disk.devmajor, disk.devminor, disk.mode) == (8, 0, 0o640), disk

    r = skiff("commit", "nodes", "committed/nodes:1")
    assert r.status == 0, r
    # In the new image they come from a layer (the image file system), and work the same.
    r = skiff("run", "--rm", "committed/nodes:1", "sh", "-c", USE)
    assert (r.status, r.out) == (0, USE_OUT), r
    # chmod copies them up into the writable layer; still a FIFO and a device.
    r = skiff("run", "--rm", "committed/nodes:1", "sh", "-c",
              "chmod 600 /data/pipe /data/null && stat -c '%F %a' /data/pipe /data/null && " + USE)
    assert (r.status, r.out) == (0, "fifo 600\ncharacter special file 600\n" + USE_OUT), r
    assert skiff("rm", "nodes").status == 0


def test_mknod_needs_root_but_fifos_do_not(skiff, base):
    r = skiff("run", "--rm", "-u", "1000:1000", base, "sh", "-c",
              "cd /tmp && mkfifo f && stat -c '%F %u' f; mknod n c 1 3; echo $?")
    assert r.out == "fifo 1000\n1\n" and "Operation not permitted" in r.err, r


def test_fifo_on_tmpfs_and_bind_mount(skiff, base, tmp_path):
    script = ("for d in /scratch /mnt; do mkfifo $d/f; (echo via $d > $d/f &); cat $d/f; stat -c %F $d/f; done;"
              " rm /scratch/f")
    r = skiff("run", "--rm", "--tmpfs", "/scratch", "-v", f"{tmp_path}:/mnt", base, "sh", "-c", script)
    assert (r.status, r.out) == (0, "via /scratch\nfifo\nvia /mnt\nfifo\n"), r
    assert stat.S_ISFIFO(os.lstat(tmp_path / "f").st_mode), "a FIFO on a bind mount is a host FIFO"



def test_truncate_of_a_fifo_is_einval_without_waiting(skiff, base, tmp_path):
    # truncate(2) of a FIFO or a device is EINVAL; the kernel must not open a FIFO to truncate
    # it (an open for writing waits for a reader: it stopped every task, found by the syscall
    # fuzzer). The writable layer, --tmpfs, a bind mount and a device here; a FIFO from an
    # image layer, and copied up from one, in USE above.
    script = ("mkfifo /tmp/f /scratch/f /mnt/f && for f in /tmp/f /scratch/f /mnt/f /dev/null /tmp; do"
              " /usr/local/bin/probe truncate $f; done; echo > /tmp/r; /usr/local/bin/probe truncate /tmp/r")
    r = skiff("run", "--rm", "--tmpfs", "/scratch", "-v", f"{tmp_path}:/mnt", base, "sh", "-c", script, timeout=60)
    assert (r.status, r.out) == (0, "EINVAL\n" * 4 + "EISDIR\nok\n"), r

# The converted module's writable root is in memory (MemoryDirectoryHost under the overlay):
# FIFOs and device records live there; a WASI directory mapping cannot hold a FIFO (no mknod).
from test_convert import modules, run_module, runtime  # noqa: E402,F401  (fixtures)

MODULE_SCRIPT = ("mkfifo /data/f && (echo through > /data/f &) && cat /data/f && stat -c %F /data/f;"
                 " mknod /data/n c 1 3 && echo x > /data/n && cat /data/n && stat -c '%F %t:%T' /data/n;"
                 " mkfifo /mnt/x/f")


def test_special_files_in_a_converted_module(modules, runtime, tmp_path):
    status, out, err = run_module(runtime, modules["base"], ["sh", "-c", MODULE_SCRIPT], dirs=[f"{tmp_path}::/mnt/x"])
    assert (status, out) == (1, "through\nfifo\ncharacter special file 1:3\n"), err
    assert "mkfifo: /mnt/x/f: Operation not permitted" in err, err
    assert os.listdir(tmp_path) == []
