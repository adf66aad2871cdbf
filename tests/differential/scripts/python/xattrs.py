# Extended attributes: the checks made before the file system is asked (the name, the value's
# size, the flags, the file itself), which both sides share. Whether the file system stores
# attributes is left out: the reference's files are the host's (ext4 with user xattrs), while
# none of Skiff's file systems has them and answers EOPNOTSUPP as Linux does for such a file
# system (docs/compatibility.md). Listing an existing file's attributes gives none on both.
import errno, os

open("f", "w").close()
os.symlink("f", "link")

def attempt(tag, fn, *args, **kw):
    try:
        r = fn(*args, **kw)
        print(tag, "->", r)
    except OSError as e:
        print(tag, "->", errno.errorcode[e.errno])

attempt("get, empty name", os.getxattr, "f", "")
attempt("get, 256-byte name", os.getxattr, "f", "user." + "x" * 251)
attempt("get, missing file", os.getxattr, "missing", "user.a")
attempt("get, missing directory", os.getxattr, "missing/f", "user.a")
attempt("get, bad descriptor", os.getxattr, 99, "user.a")
attempt("set, missing file", os.setxattr, "missing", "user.a", b"v")
attempt("set, bad flags", os.setxattr, "f", "user.a", b"v", 4)
attempt("set, value over 64 KiB", os.setxattr, "f", "user.a", b"v" * 65537)
attempt("set, empty name", os.setxattr, "f", "", b"v")
attempt("remove, missing file", os.removexattr, "missing", "user.a")
attempt("remove, bad descriptor", os.removexattr, 99, "user.a")
attempt("list, missing file", os.listxattr, "missing")
attempt("list, bad descriptor", os.listxattr, 99)
attempt("list", os.listxattr, "f")
attempt("list, symlink itself", os.listxattr, "link", follow_symlinks=False)
fd = os.open("f", os.O_RDONLY)
attempt("list, descriptor", os.listxattr, fd)
