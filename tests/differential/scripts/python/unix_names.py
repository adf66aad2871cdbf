# The names AF_UNIX sockets report (asyncio's test_create_ssl_unix_connection checks a client's
# peername): a connected client's peer is the listener's name, an accepted socket's own name is
# the listener's, accept returns the client's name (unnamed unless it bound one). Abstract names,
# so nothing is left in the file system.
import socket

srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(b"\0skiff-diff-unix-names")
srv.listen()
c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
c.connect(b"\0skiff-diff-unix-names")
a, address = srv.accept()
print("unnamed client", c.getpeername(), c.getsockname(), a.getsockname(), a.getpeername(), address)
c2 = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
c2.bind(b"\0skiff-diff-unix-names-client")
c2.connect(b"\0skiff-diff-unix-names")
a2, address2 = srv.accept()
print("named client", c2.getpeername(), a2.getpeername(), a2.getsockname(), address2)
d = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
d.bind(b"\0skiff-diff-unix-names-dgram")
e = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
e.connect(b"\0skiff-diff-unix-names-dgram")
print("datagram", e.getpeername(), e.getsockname())
# Autobind: binding to "" gives an unused abstract name of five hex digits.
import re
a1 = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
a1.bind("")
a2 = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
a2.bind("")
print("autobind", [bool(re.fullmatch(rb"\0[0-9a-f]{5}", s.getsockname())) for s in (a1, a2)], a1.getsockname() != a2.getsockname())
try:
    a1.bind("")
except OSError as error:
    print("bound again:", error)
# Names bound by a relative path show as given (b"sock", b"./sock2"), not as absolute paths: the
# bound socket, the accepted one, the connected client's peer and a datagram peer.
import os
r = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
r.bind("sock")
r.listen()
rc = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
rc.connect(os.path.abspath("sock"))
ra, raddress = r.accept()
print("relative", r.getsockname(), rc.getpeername(), ra.getsockname(), ra.getpeername(), raddress)
rd = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
rd.bind("./sock2")
re_ = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
re_.bind("sock3")
re_.connect("sock2")
ra2 = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
ra2.connect("sock")
rb, rbaddress = r.accept()
print("relative datagram", rd.getsockname(), re_.getpeername(), re_.getsockname(), rbaddress, rb.getsockname())
# A bound socket holds its node: one bound at the same path after an unlink gets another inode
# (asyncio's unix server cleanup compares inode numbers before it unlinks its path).
inode = os.stat("sock").st_ino
os.unlink("sock")
r2 = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
r2.bind("sock")
print("rebound", os.stat("sock").st_ino != inode)
for name in ("sock", "sock2", "sock3"):
    os.unlink(name)
