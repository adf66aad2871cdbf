import socket, os, struct
a, b = socket.socketpair()
a.sendall(b"ping"); print(b.recv(10))
b.sendall(b"x" * 200000)
got = 0
a.setblocking(True)
pid = os.fork()
if pid == 0:
    a.close()
    b.sendall(b"from child")
    b.shutdown(socket.SHUT_WR)
    os._exit(0)
b.close()
buf = b""
while True:
    d = a.recv(65536)
    if not d: break
    buf += d
os.waitpid(pid, 0)
print(len(buf), buf[-10:])
d1, d2 = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
for m in (b"one", b"two", b"three"): d1.send(m)
print([d2.recv(100) for _ in range(3)])
print(d1.family, d1.type, d2.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE))
s1, s2 = socket.socketpair()
r, w = os.pipe()
s1.sendmsg([b"fd"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack("i", w))])
msg, anc, flags, _ = s2.recvmsg(10, socket.CMSG_SPACE(4))
fd = struct.unpack("i", anc[0][2][:4])[0]
os.write(fd, b"through passed fd"); print(msg, os.read(r, 100))
s1.settimeout(0.2)
try:
    s1.recv(1)
except socket.timeout:
    print("recv timeout")
s2.close(); print("after peer close", s1.recv(1))
