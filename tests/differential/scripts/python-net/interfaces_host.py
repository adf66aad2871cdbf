# network: host (the reference sees the host's interfaces; --network none shows lo only: test_network.py)
# Every interface of the host as a guest with the host's network sees it, as under qemu:
# if_nameindex, the SIOCGIF* ioctls, and the NETLINK_ROUTE link and address dumps.
import fcntl, socket, struct

print(socket.if_nameindex())
with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
    for index, name in socket.if_nameindex():
        request = struct.pack("16s24x", name.encode())
        flags = struct.unpack_from("H", fcntl.ioctl(s, 0x8913, request), 16)[0]
        mtu = struct.unpack_from("i", fcntl.ioctl(s, 0x8921, request), 16)[0]
        kind, hw = struct.unpack_from("H6s", fcntl.ioctl(s, 0x8927, request), 16)
        print(index, name, socket.if_nametoindex(name), socket.if_indextoname(index), hex(flags), mtu, kind, hw.hex())


def attributes(data, at):
    found = {}
    while at + 4 <= len(data):
        length, kind = struct.unpack_from("HH", data, at)
        found.setdefault(kind, data[at + 4:at + length])
        at += (length + 3) & ~3
    return found


def dump(n, kind, seq):
    n.send(struct.pack("IHHIIB3x", 20, kind, 0x301, seq, 0, 0))
    bodies = []
    while True:
        data = n.recv(32768)
        at = 0
        while at < len(data):
            length, mtype = struct.unpack_from("IH", data, at)
            if mtype == 3:
                return bodies
            bodies.append(data[at + 16:at + length])
            at += (length + 3) & ~3


n = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
for body in dump(n, 18, 1):
    _, kind, index, flags = struct.unpack_from("BxHiI", body)
    a = attributes(body, 16)
    print("link", index, a[3], kind, hex(flags), struct.unpack("I", a[4])[0], a.get(1, b"").hex(), a.get(2, b"").hex(), a[16][0])
for body in dump(n, 22, 2):
    family, prefix, _, scope, index = struct.unpack_from("BBBBi", body)
    a = attributes(body, 8)
    print("address", family, prefix, scope, index, a[1].hex(), a.get(2, b"").hex(), a.get(4, b"").hex(), a.get(3))
