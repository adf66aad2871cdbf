# File I/O in the (empty) working directory: create, read, seek, truncate, rename, links, listing.
import os, stat, shutil, pathlib, errno
os.makedirs("a/b/c")
with open("a/f.txt", "w") as f:
    for i in range(1000):
        f.write(f"line {i}\n")
with open("a/f.txt", "r+b") as f:
    f.seek(100); print(f.read(20)); f.seek(-10, 2); print(f.read()); print(f.tell())
    f.seek(5); f.write(b"XXXX"); f.truncate(2000)
st = os.stat("a/f.txt")
print(st.st_size, stat.S_ISREG(st.st_mode), oct(st.st_mode & 0o777 & ~0o022))
os.chmod("a/f.txt", 0o640); print(oct(os.stat("a/f.txt").st_mode & 0o777))
os.rename("a/f.txt", "a/b/g.txt")
os.symlink("b/g.txt", "a/link"); print(os.readlink("a/link"), os.path.islink("a/link"), open("a/link").read(12))
os.link("a/b/g.txt", "a/hard"); print(os.stat("a/hard").st_nlink)
shutil.copy("a/b/g.txt", "a/b/c/copy.txt")
print(sorted(os.listdir("a")), sorted(os.listdir("a/b")))
print(sorted((e.name, e.is_dir(), e.is_symlink()) for e in os.scandir("a")))
print(sorted(str(p) for p in pathlib.Path("a").rglob("*")))
for bad in (lambda: open("missing/x"), lambda: os.mkdir("a"), lambda: os.rmdir("a"), lambda: os.unlink("a/b")):
    try:
        bad()
    except OSError as e:
        print(type(e).__name__, errno.errorcode[e.errno])
with open("a/bin", "wb") as f:
    f.write(bytes(range(256)) * 1000)
with open("a/bin", "rb") as f:
    print(len(f.read()), f.seek(0, os.SEEK_END))
os.unlink("a/hard"); shutil.rmtree("a/b")
print(sorted(os.listdir("a")), os.path.exists("a/link"), os.path.lexists("a/link"))
fd = os.open("a/raw", os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
print(os.write(fd, b"hello"), os.lseek(fd, 0, os.SEEK_CUR)); os.close(fd)
try:
    os.open("a/raw", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
except FileExistsError:
    print("EEXIST")
print(os.pread(os.open("a/raw", os.O_RDONLY), 3, 1))
