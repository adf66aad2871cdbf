# network: host (UDP-Lite sockets are the host's; the loopback network of --network none has none)
# UDP-Lite (IPPROTO_UDPLITE) datagrams over IPv4 and IPv6 loopback, as CPython's *UDPLITE* tests use them.
import socket

for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
    r = socket.socket(family, socket.SOCK_DGRAM, socket.IPPROTO_UDPLITE)
    r.bind((host, 0))
    s = socket.socket(family, socket.SOCK_DGRAM, socket.IPPROTO_UDPLITE)
    print(family, r.proto, s.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL), s.type)
    s.sendto(b"lite", r.getsockname())
    data, source = r.recvfrom(100)
    print(data, source[1] == s.getsockname()[1])
    s.sendmsg([b"lite ", b"message"], [], 0, r.getsockname())
    print(r.recvmsg(100)[0])
    r.close(); s.close()
