# One read/write of a regular file moves every byte asked for, also past 1 MiB, as Linux does
# (up to MAX_RW_COUNT): read, pread, readv, preadv, write, pwrite, writev, pwritev. The JVM loads
# its CDS heap region, 1.1 MB, with one read and fails on a short one; a program that writes a
# buffer with one write and does not check the count would lose the rest.
import hashlib, os
MiB = 1024 * 1024
data = bytes((i * 7 + i // 4096) & 0xff for i in range(3 * MiB + 123))
fd = os.open("big.bin", os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
print("write", os.write(fd, data), os.lseek(fd, 0, os.SEEK_CUR))
print("pwrite", os.pwrite(fd, data[:2 * MiB], 5), os.lseek(fd, 0, os.SEEK_CUR))
print("writev", os.writev(fd, [data[:MiB + 7], data[MiB + 7:]]), os.lseek(fd, 0, os.SEEK_CUR))
print("pwritev", os.pwritev(fd, [data[: MiB // 2], data[MiB // 2 :]], 0), os.lseek(fd, 0, os.SEEK_CUR))
os.ftruncate(fd, len(data))
os.lseek(fd, 0, os.SEEK_SET)
whole = os.read(fd, 4 * MiB)
print("read", len(whole), whole == data, hashlib.sha256(whole).hexdigest()[:16])
os.lseek(fd, 0, os.SEEK_SET)
first = os.read(fd, MiB + 1)
rest = os.read(fd, 4 * MiB)
print("two reads", len(first), len(rest), first + rest == data, os.lseek(fd, 0, os.SEEK_CUR))
middle = os.pread(fd, 2 * MiB + 5, 1000)
print("pread", len(middle), middle == data[1000:1000 + 2 * MiB + 5], os.lseek(fd, 0, os.SEEK_CUR))
os.lseek(fd, 0, os.SEEK_SET)
a, b = bytearray(MiB + 3), bytearray(3 * MiB)
print("readv", os.readv(fd, [a, b]), bytes(a) + bytes(b[: len(data) - len(a)]) == data, os.lseek(fd, 0, os.SEEK_CUR))
c, e = bytearray(2 * MiB), bytearray(MiB)
print("preadv", os.preadv(fd, [c, e], 17), bytes(c) + bytes(e) == data[17:17 + 3 * MiB], os.lseek(fd, 0, os.SEEK_CUR))
os.close(fd)
