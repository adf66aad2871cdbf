# A MAP_SHARED mapping of a file and read/write of that file see the same bytes, as with Linux's
# one page cache: a write shows through the mapping at once, a store through the mapping is what
# read, pread, readv and copy_file_range return before any msync, and unmapping a page the
# mapping only read does not put its old bytes back over a later write (that lost data).
import mmap, os

P = mmap.PAGESIZE
fd = os.open("coherent", os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
os.write(fd, b"a" * P + b"b" * P + b"c" * P)

m = mmap.mmap(fd, 3 * P)
print("first read", m[0:4], m[P:P + 4], m[2 * P:2 * P + 4])          # every page touched
os.pwrite(fd, b"PWRITE", 10)
os.lseek(fd, 2 * P + 5, os.SEEK_SET)
os.write(fd, b"WRITE")
os.writev(fd, [b"-vec", b"tor-"])
print("writes through the file", m[10:16], m[2 * P + 5:2 * P + 18])

m[P:P + 8] = b"MAPSTORE"
print("pread", os.pread(fd, 8, P))
os.lseek(fd, P, os.SEEK_SET)
print("read", os.read(fd, 8))
os.lseek(fd, P, os.SEEK_SET)
a, b = bytearray(3), bytearray(5)
os.readv(fd, [a, b])
print("readv", bytes(a), bytes(b))
out = os.open("copy", os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
print("copy_file_range", os.copy_file_range(fd, out, 8, P, 0), os.pread(out, 8, 0))

# A second mapping of the file (another object's view would be stale) and a read-only one.
m2 = mmap.mmap(fd, 3 * P, access=mmap.ACCESS_READ)
print("second mapping", m2[10:16], m2[P:P + 8])
m2.close()

m.close()   # write-back of every touched page
with open("coherent", "rb") as f:
    data = f.read()
print("after munmap", data[10:16], data[P:P + 8], data[2 * P + 5:2 * P + 18], len(data))
os.close(fd)
os.close(out)
os.unlink("coherent")
os.unlink("copy")

# Truncated and grown again while mapped: the bytes past the cut read as zeros through the
# mapping and the file, and the write-back does not bring the old ones back.
fd = os.open("coherent", os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
os.write(fd, b"x" * (2 * P))
m = mmap.mmap(fd, 2 * P)
print("before truncate", m[P - 2:P + 2])
os.ftruncate(fd, P // 2)
os.ftruncate(fd, 2 * P)
print("after truncate", m[P // 2 - 2:P // 2 + 2], m[P:P + 2], os.pread(fd, 4, P // 2 - 2))
m.close()
with open("coherent", "rb") as f:
    data = f.read()
print("after munmap", data[P // 2 - 2:P // 2 + 2], data[P:P + 2], len(data))
os.close(fd)
os.unlink("coherent")

# A shared mapping through a descriptor opened read-only sees later writes through another
# descriptor, and may not be made writable (EACCES), as on Linux. Its first descriptor closed
# and its first mapping gone, the file's other mappings still read the pages nobody touched.
import ctypes, errno as errnos
with open("coherent", "wb") as f:
    f.write(b"r" * (3 * P))
ro = os.open("coherent", os.O_RDONLY)
rw = os.open("coherent", os.O_RDWR)
first = mmap.mmap(ro, 3 * P, access=mmap.ACCESS_READ)
view = mmap.mmap(rw, 3 * P)
print("read-only view", first[0:2])
os.pwrite(rw, b"NEWER", 0)
print("after pwrite", first[0:5], view[0:5])
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
raw = libc.mmap(None, P, mmap.PROT_READ, mmap.MAP_SHARED, ro, 0)
print("mprotect writable", libc.mprotect(raw, P, mmap.PROT_READ | mmap.PROT_WRITE),
      errnos.errorcode[ctypes.get_errno()], "read-only again", libc.mprotect(raw, P, mmap.PROT_READ))
print("raw mapping", ctypes.string_at(raw, 5))
libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
libc.munmap(raw, P)
first.close()
os.close(ro)
print("untouched page after the first descriptor closed", view[2 * P:2 * P + 3])
view.close()
os.close(rw)
os.unlink("coherent")
