# AF_UNIX datagrams sent to an address (sendto, sendmsg with a name) without connecting, as
# syslog-style servers and their clients do, and the sender's address that recvfrom and recvmsg
# report: the name the sender bound (a path as given, or an abstract name), nothing for an
# unnamed sender. Errors as Linux: a name nobody bound, a socket of another type, an address on a
# stream socket.
import errno, os, socket

server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
server.bind(b"\0skiff-diff-dgram-server")
unnamed = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
print("sendto", unnamed.sendto(b"from unnamed", b"\0skiff-diff-dgram-server"))
print("recvfrom", server.recvfrom(100))

named = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
named.bind("dgram-client")   # relative path: reported as given
named.sendto(b"from a path", b"\0skiff-diff-dgram-server")
data, sender = server.recvfrom(100)
print("recvfrom", data, sender)
server.sendto(b"reply", sender)   # the server answers at the address it got
print("reply", named.recvfrom(100))

abstract = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
abstract.bind(b"\0skiff-diff-dgram-abstract")
abstract.sendmsg([b"by ", b"sendmsg"], [], 0, b"\0skiff-diff-dgram-server")
print("recvmsg", server.recvmsg(100, 0)[0::3])
abstract.sendto(b"peeked", b"\0skiff-diff-dgram-server")
print("peek", server.recvfrom(100, socket.MSG_PEEK), server.recvfrom(100))

# A connected datagram socket still reports its own name to the receiver.
named.connect(b"\0skiff-diff-dgram-server")
named.send(b"connected")
print("connected", server.recvfrom(100))

for label, address, kind in (("nobody bound", b"\0skiff-diff-dgram-nobody", socket.SOCK_DGRAM),
                             ("no such path", "no-such-socket", socket.SOCK_DGRAM)):
    s = socket.socket(socket.AF_UNIX, kind)
    try:
        s.sendto(b"x", address)
    except OSError as e:
        print(label, errno.errorcode[e.errno])
stream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
stream.bind(b"\0skiff-diff-dgram-stream")
stream.listen()
try:
    unnamed.sendto(b"x", b"\0skiff-diff-dgram-stream")
except OSError as e:
    print("stream target", errno.errorcode[e.errno])
path_stream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
path_stream.bind("stream-server")
for label, address, kind in (("stream at a path", "stream-server", socket.SOCK_DGRAM),
                             ("datagram at a path, connect", "dgram-client", socket.SOCK_STREAM)):
    s = socket.socket(socket.AF_UNIX, kind)
    try:
        s.sendto(b"x", address) if kind == socket.SOCK_DGRAM else s.connect(address)
    except OSError as e:
        print(label, errno.errorcode[e.errno])
try:
    socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).sendto(b"x", b"\0skiff-diff-dgram-server")
except OSError as e:
    print("stream sender", errno.errorcode[e.errno])

# Stream sockets: recvfrom gives the sending end's name (the listener's on the client side).
c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
c.connect(b"\0skiff-diff-dgram-stream")
a, _ = stream.accept()
a.send(b"to client")
c.send(b"to server")
print("stream recvfrom", c.recvfrom(100), a.recvfrom(100))
os.unlink("dgram-client")
os.unlink("stream-server")
