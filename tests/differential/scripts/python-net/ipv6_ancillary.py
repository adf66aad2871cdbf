# network: host (ancillary data on inet sockets comes from the host's sockets; --network none has none)
# Ancillary data on UDP sockets (CPython's RFC3542AncillaryTest, the IP_RECVTOS tests): the
# receiver asks for hop limit, traffic class, TTL, TOS and packet info; the sender sets them with
# control messages; small control buffers are cut (MSG_CTRUNC); SCM_RIGHTS on inet is EINVAL.
import array, errno, socket

MSG = b"ancillary"


def show(label, got):
    data, ancdata, flags, _ = got
    print(label, data, sorted((level, kind, d.hex()) for level, kind, d in ancdata), hex(flags))


def pair(family, host):
    r = socket.socket(family, socket.SOCK_DGRAM)
    r.bind((host, 0))
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.connect(r.getsockname())
    return r, s


r, s = pair(socket.AF_INET6, "::1")
r.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)
r.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVTCLASS, 1)
print("options", r.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT), r.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVTCLASS))
s.send(MSG)
show("plain", r.recvmsg(64, 10240))
print("sent", s.sendmsg([MSG], [(socket.IPPROTO_IPV6, socket.IPV6_HOPLIMIT, array.array("i", [7])),
                                (socket.IPPROTO_IPV6, socket.IPV6_TCLASS, array.array("i", [0x20]))]))
show("set", r.recvmsg(64, socket.CMSG_SPACE(4) * 2))
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS, 0x40)
print("tclass", s.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS))
s.send(MSG)
show("cut", r.recvmsg(64, socket.CMSG_LEN(0)))
s.send(MSG)
show("no room", r.recvmsg(64))
r.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVPKTINFO, 1)
s.send(MSG)
data, ancdata, flags, _ = r.recvmsg(64, 10240)
print("pktinfo", sorted((level, kind, len(d)) for level, kind, d in ancdata), hex(flags))
try:
    s.sendmsg([MSG], [(socket.IPPROTO_IPV6, socket.IPV6_HOPLIMIT, b"\x01")])
except OSError as e:
    print("short hop limit", errno.errorcode[e.errno])
try:
    s.sendmsg([MSG], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [0]))])
except OSError as e:
    print("rights", errno.errorcode[e.errno])
r.close(); s.close()

r, s = pair(socket.AF_INET, "127.0.0.1")
r.setsockopt(socket.IPPROTO_IP, socket.IP_RECVTOS, 1)
r.setsockopt(socket.IPPROTO_IP, 12, 1)   # IP_RECVTTL (not in Python's socket module)
s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 9)
s.send(MSG)
show("v4", r.recvmsg(64, 10240))
s.sendmsg([MSG], [(socket.IPPROTO_IP, socket.IP_TOS, bytes([0x10]))])
show("v4 tos", r.recvmsg(64, 10240))
r.setsockopt(socket.IPPROTO_IP, socket.IP_PKTINFO, 1)
s.send(MSG)
data, ancdata, flags, _ = r.recvmsg(64, 10240)
print("v4 pktinfo", sorted((level, kind, d.hex()) for level, kind, d in ancdata if kind != socket.IP_PKTINFO),
      [len(d) for level, kind, d in ancdata if kind == socket.IP_PKTINFO])
