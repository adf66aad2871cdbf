# The loopback interface as glibc and programs find it (CPython's testInterfaceNameIndex and the
# *_ipv6_scopeid_symbolic tests): if_nametoindex/if_indextoname (SIOCGIFINDEX/SIOCGIFNAME on an
# AF_UNIX socket), the SIOCGIF* ioctls on AF_UNIX and AF_INET sockets, scope ids by name, and
# NETLINK_ROUTE dumps (RTM_GETLINK, RTM_GETADDR) read by hand. Only `lo` is printed, so the case
# holds with the host's network and with --network none.
import errno, fcntl, socket, struct

lo = socket.if_nametoindex("lo")
print("lo", lo, socket.if_indextoname(lo), (lo, "lo") in socket.if_nameindex())
names = socket.if_nameindex()
print("consistent", all(socket.if_nametoindex(n) == i and socket.if_indextoname(i) == n for i, n in names))
for index in (0, 2**31 - 1):
    try:
        socket.if_indextoname(index)
    except OSError as e:
        print("indextoname", index, errno.errorcode[e.errno])
try:
    socket.if_nametoindex("nosuchif0")
except OSError as e:
    print("nametoindex:", e)
print(socket.getaddrinfo("ff02::1de:c0:face:8D%lo", 1234, socket.AF_INET6, socket.SOCK_DGRAM, socket.IPPROTO_UDP)[0][4])
print(socket.getnameinfo(("ff02::1de:c0:face:8D", 1234, 0, lo), socket.NI_NUMERICHOST | socket.NI_NUMERICSERV))

for family in (socket.AF_UNIX, socket.AF_INET):
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        request = struct.pack("16s24x", b"lo")
        index = struct.unpack_from("i", fcntl.ioctl(s, 0x8933, request), 16)[0]           # SIOCGIFINDEX
        flags = struct.unpack_from("H", fcntl.ioctl(s, 0x8913, request), 16)[0]           # SIOCGIFFLAGS
        mtu = struct.unpack_from("i", fcntl.ioctl(s, 0x8921, request), 16)[0]             # SIOCGIFMTU
        kind, hw = struct.unpack_from("H6s", fcntl.ioctl(s, 0x8927, request), 16)         # SIOCGIFHWADDR
        name = fcntl.ioctl(s, 0x8910, struct.pack("16si20x", b"", index))[:16].rstrip(b"\0")   # SIOCGIFNAME
        print("ioctl", family, index, hex(flags), mtu, kind, hw.hex(), name)
        for request, what in ((struct.pack("16s24x", b"nosuchif0"), 0x8933), (struct.pack("16si20x", b"", 2**31 - 1), 0x8910)):
            try:
                fcntl.ioctl(s, what, request)
            except OSError as e:
                print("ioctl", hex(what), errno.errorcode[e.errno])


def attributes(data, at, end):
    found = {}
    while at + 4 <= end:
        length, kind = struct.unpack_from("HH", data, at)
        found.setdefault(kind, data[at + 4:at + length])
        at += (length + 3) & ~3
    return found


def exchange(n, kind, flags, body, seq):
    n.send(struct.pack("IHHII", 16 + len(body), kind, flags, seq, 0) + body)
    messages = []
    while True:
        peeked = n.recv(16, socket.MSG_PEEK)
        data, _, msg_flags, address = n.recvmsg(32768)
        assert data.startswith(peeked) and address == (0, 0) and msg_flags == 0, (len(data), address, msg_flags)
        at = 0
        while at < len(data):
            length, mtype, mflags, mseq, mpid = struct.unpack_from("IHHII", data, at)
            assert mseq == seq and mpid == n.getsockname()[0], (mseq, mpid)
            messages.append((mtype, mflags, data[at + 16:at + length]))
            at += (length + 3) & ~3
            if mtype in (2, 3) or not mflags & 2:   # NLMSG_ERROR, NLMSG_DONE, or not part of a dump
                return messages


n = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW | socket.SOCK_CLOEXEC, socket.NETLINK_ROUTE)
n.bind((0, 0))
print("port", n.getsockname()[0] != 0, n.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE), n.getsockopt(socket.SOL_SOCKET, socket.SO_DOMAIN))
links = exchange(n, 18, 0x301, struct.pack("B3x", socket.AF_PACKET), 1)          # RTM_GETLINK dump
print("links end", links[-1][0], links[-1][1], struct.unpack_from("i", links[-1][2])[0], all(t == 16 for t, _, _ in links[:-1]))
for mtype, mflags, body in links[:-1]:
    family, kind, index, flags, change = struct.unpack_from("BxHiII", body)
    a = attributes(body, 16, len(body))
    if a[3] == b"lo\0":
        print("link", mflags, family, kind, index, hex(flags), struct.unpack("I", a[4])[0], a[1].hex(), a[2].hex(), a[16][0])
addresses = exchange(n, 22, 0x301, struct.pack("B3x", 0), 2)                       # RTM_GETADDR dump
for mtype, mflags, body in addresses[:-1]:
    family, prefix, flags, scope, index = struct.unpack_from("BBBBi", body)
    if index == lo:
        a = attributes(body, 8, len(body))
        print("address", mtype, mflags, family, prefix, flags & 0x80, scope, a[1].hex(), a.get(2, b"").hex(), a.get(3), struct.unpack("I", a[8])[0] & 0x80)
only6 = exchange(n, 22, 0x301, struct.pack("B3x", socket.AF_INET6), 3)
print("inet6 only", all(body[0] == socket.AF_INET6 for _, _, body in only6[:-1]))
one = exchange(n, 18, 0x5, struct.pack("BxHiII", 0, 0, lo, 0, 0), 4)            # RTM_GETLINK of one, NLM_F_ACK
print("one", [(t, f) for t, f, _ in one[:1]], attributes(one[0][2], 16, len(one[0][2]))[3])
print("ack", n.recvmsg(4096)[0][16:20] == b"\0\0\0\0")
missing = exchange(n, 18, 0x1, struct.pack("BxHiII", 0, 0, 2**31 - 1, 0, 0), 5)
print("missing", missing[0][0], errno.errorcode[-struct.unpack_from("i", missing[0][2])[0]], len(missing[0][2]))
unknown = exchange(n, 200, 0x1, b"", 6)
print("unknown type", errno.errorcode[-struct.unpack_from("i", unknown[0][2])[0]])
n.setblocking(False)
try:
    n.recv(100)
except BlockingIOError:
    print("nothing left")
