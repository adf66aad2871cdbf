# UDP over loopback: sendto/recvfrom with the sender's address, connected sockets, MSG_PEEK,
# truncation (MSG_TRUNC in recvmsg flags), and ECONNREFUSED for a connected socket with no peer.
import errno, socket
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
a.bind(("127.0.0.1", 0))
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
b.bind(("127.0.0.1", 0))
b.sendto(b"first", a.getsockname())
b.sendto(b"second datagram", a.getsockname())
print(a.recv(100, socket.MSG_PEEK))
data, src = a.recvfrom(100)
print(data, src == b.getsockname())
data, _, flags, src = a.recvmsg(6)
print(data, flags & socket.MSG_TRUNC != 0, src == b.getsockname())
a.connect(b.getsockname())
a.send(b"reply")
print(b.recvfrom(100)[0])
print("peer", a.getpeername() == b.getsockname())
empty = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
empty.bind(("127.0.0.1", 0))
port = empty.getsockname()[1]
empty.close()
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
c.connect(("127.0.0.1", port))
c.send(b"anyone?")
try:
    c.recv(10)
except OSError as e:
    print("connected to nobody:", errno.errorcode[e.errno])
c.setblocking(False)
try:
    c.recv(10)
except OSError as e:
    print("then:", errno.errorcode[e.errno])
print("SO_TYPE", a.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE) == socket.SOCK_DGRAM)
