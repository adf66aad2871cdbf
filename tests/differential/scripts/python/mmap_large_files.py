# CPython's test_mmap large-file tests (test_around_2GB, test_around_4GB, test_large_offset): a
# sparse file of 2-5 GiB mapped shared whole or at a large offset, a few bytes read and written
# through the mapping, msync, the file read back. Only the touched pages may cost anything: the
# file stays sparse (its write-back writes the pages written, not gigabytes of zeros).
import mmap, os

G = 1 << 30
tail = b"  DEARdear  "


def make(size_before, data):
    f = open("big", "w+b")
    f.seek(size_before)
    f.write(data)
    f.flush()
    return f


def sparse():
    return os.stat("big").st_blocks * 512 < 16 << 20


for boundary in (2 * G, 4 * G):
    start = boundary - len(tail) // 2
    with make(start, tail) as f:
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
            print(hex(boundary), hex(len(m)), m[start:start + len(tail)], m[:4], m[G:G + 4])
        # A write through the file to a page nobody touched yet shows in the mapping.
        os.pwrite(f.fileno(), b"pw", G + 8)
        with mmap.mmap(f.fileno(), 0) as m:
            print(m[G + 8:G + 10])
            m[start:start + 4] = b"WXYZ"
            m[100:103] = b"abc"
            m.flush()
            print(m[start:start + len(tail)])
        f.seek(start)
        print(f.read(len(tail)), os.pread(f.fileno(), 8, 98), os.pread(f.fileno(), 4, G + 6), sparse())

with make(0x14FFFFFFF, b" ") as f:
    with mmap.mmap(f.fileno(), 0, offset=0x140000000, access=mmap.ACCESS_READ) as m:
        print("large offset", hex(len(m)), m[0xFFFFFFF], m[:2])
    with mmap.mmap(f.fileno(), 0x10000, offset=0x140000000) as m:
        m[0x1000:0x1003] = b"off"
        m.flush()
    print(os.pread(f.fileno(), 3, 0x140001000), os.path.getsize("big") == 0x150000000, sparse())
    # The mapping of a file's first 64 KiB still reports the whole file's size.
    with mmap.mmap(f.fileno(), 0x10000, access=mmap.ACCESS_READ) as m:
        print("size", hex(m.size()))
os.unlink("big")
