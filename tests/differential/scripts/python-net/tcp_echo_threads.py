# TCP over loopback in one process: a server thread echoes upper-cased lines to a client;
# addresses seen from both ends agree; shutdown(SHUT_WR) gives the server end of file.
import socket, threading
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen(5)
host, port = srv.getsockname()
print("listening on", host, port > 0)
seen = {}
def serve():
    c, peer = srv.accept()
    seen["peer"] = peer
    seen["local"] = c.getsockname()
    total = 0
    while True:
        d = c.recv(7)
        if not d:
            break
        total += len(d)
        c.sendall(d.upper())
    seen["total"] = total
    c.close()
t = threading.Thread(target=serve)
t.start()
cl = socket.create_connection(("127.0.0.1", port))
f = cl.makefile("rwb")
for line in [b"hello\n", b"over tcp loopback\n", b"x" * 5000 + b"\n"]:
    f.write(line); f.flush()
    back = f.readline()
    print(len(back), back[:20])
print("client peer is the listener:", cl.getpeername() == (host, port))
cl.shutdown(socket.SHUT_WR)
print("client reads end of file:", cl.recv(10))
t.join()
print("server saw client address:", seen["peer"] == cl.getsockname())
print("server local is the listener's:", seen["local"] == (host, port))
print("bytes through:", seen["total"])
f.close(); cl.close(); srv.close()
