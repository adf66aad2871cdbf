# SO_PEERCRED on AF_UNIX sockets (PostgreSQL's peer authentication, D-Bus, systemd): a socketpair's
# ends name their creator, a connecting socket names the listener's caller of listen, an accepted
# one names the connecting process; an unconnected socket says pid 0 and ids -1.
# socket(fileno=) of an AF_UNIX socket asks SO_PROTOCOL (CPython's test_socket_fileno).
import os, socket, struct, tempfile


def cred(s, me_pid, other_pid=None):
    pid, uid, gid = struct.unpack("3i", s.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
    who = "me" if pid == me_pid else "other" if pid == other_pid else pid
    ids = "my ids" if (uid, gid) == (os.geteuid(), os.getegid()) else (uid, gid)
    return who, ids


me = os.getpid()
a, b = socket.socketpair()
print("socketpair", cred(a, me), cred(b, me))
d1, d2 = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
print("datagram socketpair", cred(d1, me))
print("unconnected", cred(socket.socket(socket.AF_UNIX), me))
print("short buffer", len(a.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 8)))

path = os.path.join(tempfile.mkdtemp(), "sock")
listener = socket.socket(socket.AF_UNIX)
listener.bind(path)
listener.listen(1)
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    c = socket.socket(socket.AF_UNIX)
    c.connect(path)
    os.write(w, repr(cred(c, os.getpid(), me)).encode())
    c.recv(1)
    os._exit(0)
conn, _ = listener.accept()
print("connecting side", os.read(r, 100).decode())
print("accepted side", cred(conn, me, pid))
conn.send(b"x")
os.waitpid(pid, 0)

again = socket.socket(fileno=os.dup(conn.fileno()))
print("socket(fileno=)", again.family.name, again.type.name, again.proto)
os.unlink(path)
