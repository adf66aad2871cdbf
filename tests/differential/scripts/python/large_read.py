# One read(2)/pread(2) of a regular file returns every byte asked for, also past 1 MiB (the
# JVM loads its CDS heap region, 1.1 MB, with one read and fails on a short one).
import hashlib, os
data = bytes((i * 7 + i // 4096) & 0xff for i in range(3 * 1024 * 1024 + 123))
with open("big.bin", "wb") as f:
    f.write(data)
fd = os.open("big.bin", os.O_RDONLY)
whole = os.read(fd, 4 * 1024 * 1024)
print("read", len(whole), whole == data, hashlib.sha256(whole).hexdigest()[:16])
os.lseek(fd, 0, os.SEEK_SET)
first = os.read(fd, 1024 * 1024 + 1)
rest = os.read(fd, 4 * 1024 * 1024)
print("two reads", len(first), len(rest), first + rest == data, os.lseek(fd, 0, os.SEEK_CUR))
middle = os.pread(fd, 2 * 1024 * 1024 + 5, 1000)
print("pread", len(middle), middle == data[1000:1000 + 2 * 1024 * 1024 + 5], os.lseek(fd, 0, os.SEEK_CUR))
os.close(fd)
