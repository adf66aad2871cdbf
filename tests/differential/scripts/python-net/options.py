# Socket options round-trip as Linux reports them.
import socket, struct
s = socket.socket()
def show(name, level, opt, size=None):
    v = s.getsockopt(level, opt) if size is None else s.getsockopt(level, opt, size)
    print(name, v)
show("SO_TYPE", socket.SOL_SOCKET, socket.SO_TYPE)
show("SO_DOMAIN", socket.SOL_SOCKET, socket.SO_DOMAIN)
show("SO_PROTOCOL", socket.SOL_SOCKET, socket.SO_PROTOCOL)
show("SO_ERROR", socket.SOL_SOCKET, socket.SO_ERROR)
show("SO_ACCEPTCONN", socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
for name, level, opt in [("SO_REUSEADDR", socket.SOL_SOCKET, socket.SO_REUSEADDR),
                         ("SO_KEEPALIVE", socket.SOL_SOCKET, socket.SO_KEEPALIVE),
                         ("TCP_NODELAY", socket.IPPROTO_TCP, socket.TCP_NODELAY)]:
    before = s.getsockopt(level, opt)
    s.setsockopt(level, opt, 1)
    print(name, before, "->", s.getsockopt(level, opt) != 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
print("SO_RCVBUF doubled:", s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF) == 131072)
print("SO_LINGER", struct.unpack("ii", s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8)))
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 3))
print("SO_LINGER", struct.unpack("ii", s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8)))
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("qq", 2, 500000))
print("SO_RCVTIMEO", struct.unpack("qq", s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, 16)))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 30)
print("TCP_KEEPIDLE", s.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE))
s6 = socket.socket(socket.AF_INET6)
s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
print("IPV6_V6ONLY", s6.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
print("SO_BROADCAST", u.getsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST))
