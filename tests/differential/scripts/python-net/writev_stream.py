# writev of large iovecs on a TCP socket (issue 9): a blocking writev takes every byte, ending in
# the middle of no iovec; a non-blocking one takes part and the peer gets exactly the bytes counted.
import hashlib, os, socket, threading, time
parts = [bytes(range(256)) * 1000, b"!", bytes(range(255, -1, -1)) * 2000, b"", b"tail" * 10000]
payload = b"".join(parts)
l = socket.socket()
l.bind(("127.0.0.1", 0))
l.listen()
c = socket.create_connection(l.getsockname())
s, _ = l.accept()
got = bytearray()
def drain(sock, until):
    time.sleep(0.2)   # the writer finds the socket buffers full first
    while len(got) < until:
        d = sock.recv(7000)
        if not d:
            break
        got.extend(d)
t = threading.Thread(target=drain, args=(s, len(payload)))
t.start()
print("writev", os.writev(c.fileno(), parts), "of", len(payload))
t.join()
print("received", len(got), hashlib.sha256(got).hexdigest() == hashlib.sha256(payload).hexdigest())
c.setblocking(False)
n = 0
try:
    while True:
        n += os.writev(c.fileno(), parts)
except BlockingIOError:
    pass
print("non-blocking writev took some", n > 0)
c.close()
got = bytearray()
s.settimeout(10)
while True:
    d = s.recv(65536)
    if not d:
        break
    got.extend(d)
whole, rest = divmod(n, len(payload))
print("peer got exactly the counted bytes", len(got) == n, bytes(got) == payload * whole + payload[:rest])
