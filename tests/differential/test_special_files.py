"""FIFOs and device nodes where qemu/proot cannot be the reference: the container's device
policy (docker's default: root may mknod any device, only the standard character devices open)
and FIFOs on Skiff's own tmpfs (/dev/shm). The FIFO semantics themselves are compared with
proot + qemu in scripts/python-proc/fifo.py and scripts/busybox-sh/{fifo,mknod}.sh; mknod as a
non-root user, --tmpfs, bind mounts and the overlay's writable layer are container tests
(tests/containers/test_special_files.py): `--rootfs` has no -u, -v or --tmpfs."""
import os
import stat

import pytest

import harness

PY = "/usr/bin/python3.13"

# Under proot the runner's real root would open /dev/mem (1:1) and a disk; docker's device
# cgroup refuses both with EPERM, and so does Skiff. 5:0 is /dev/tty: without a controlling
# terminal ENXIO, as /dev/tty itself.
DEVICE_POLICY = r'''
import errno, os, stat
def attempt(name, kind, major, minor):
    try:
        os.mknod(name, 0o600 | kind, os.makedev(major, minor))
    except OSError as e:
        print(name, "mknod", errno.errorcode[e.errno]); return
    st = os.stat(name)
    print(name, "char" if stat.S_ISCHR(st.st_mode) else "block", os.major(st.st_rdev), os.minor(st.st_rdev), oct(st.st_mode & 0o777))
    try:
        fd = os.open(name, os.O_RDWR)
        print(name, "open ok", os.read(fd, 4))
        os.close(fd)
    except OSError as e:
        print(name, "open", errno.errorcode[e.errno])
    os.unlink(name)
# --rootfs: the root is a host directory, where a device node is a real host node (the test
# runner is root; an unprivileged Skiff gets EPERM from the host, as rootless docker does).
os.makedirs("/tmp/skiff-special-devices", exist_ok=True)
os.chdir("/tmp/skiff-special-devices")
attempt("null", stat.S_IFCHR, 1, 3)
attempt("zero", stat.S_IFCHR, 1, 5)
attempt("urandom", stat.S_IFCHR, 1, 9)
attempt("mem", stat.S_IFCHR, 1, 1)
attempt("disk", stat.S_IFBLK, 8, 0)
attempt("tty", stat.S_IFCHR, 5, 0)
try:
    os.mknod("sock", 0o600 | stat.S_IFSOCK)
except OSError as e:
    print("sock mknod", errno.errorcode[e.errno])
os.chdir("/")
os.rmdir("/tmp/skiff-special-devices")
'''

DEVICE_POLICY_OUT = b"""null char 1 3 0o600
null open ok b''
zero char 1 5 0o600
zero open ok b'\\x00\\x00\\x00\\x00'
urandom char 1 9 0o600
urandom open ok b'????'
mem char 1 1 0o600
mem open EPERM
disk block 8 0 0o600
disk open EPERM
tty char 5 0 0o600
tty open ENXIO
sock mknod EPERM
"""

# A FIFO on a tmpfs (/dev/shm): made, opened from two processes, listed.
TMPFS_FIFO = r'''
import os, stat
for d in ["/dev/shm"]:
    p = d + "/f"
    os.mkfifo(p)
    print(d, stat.S_ISFIFO(os.stat(p).st_mode), [e.name for e in os.scandir(d)])
    if os.fork() == 0:
        fd = os.open(p, os.O_WRONLY)
        os.write(fd, b"via " + d.encode())
        os._exit(0)
    fd = os.open(p, os.O_RDONLY)
    print(os.read(fd, 100), os.read(fd, 100))
    os.close(fd)
    os.wait()
    os.unlink(p)
'''


@pytest.mark.skiff_contract
@pytest.mark.skipif(os.geteuid() != 0, reason="device nodes in a --rootfs directory are real host nodes: needs host root")
def test_device_policy(debian_root):
    got = harness.skiff(debian_root, [PY, "-c", DEVICE_POLICY])
    out = got.stdout
    if b"urandom open ok " in out:
        out = out.replace(out.split(b"urandom open ok ")[1].split(b"\n")[0], b"b'????'")
    assert (got.status, out) == (0, DEVICE_POLICY_OUT), got.describe()


@pytest.mark.skiff_contract
def test_fifo_on_tmpfs(debian_root):
    got = harness.skiff(debian_root, [PY, "-c", TMPFS_FIFO])
    assert (got.status, got.stdout) == (0, b"/dev/shm True ['f']\nb'via /dev/shm' b''\n"), got.describe()
