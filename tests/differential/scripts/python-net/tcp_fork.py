# TCP between a parent and a forked child; the child's exit closes its end (EOF for the parent).
import os, socket
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(1)
port = srv.getsockname()[1]
pid = os.fork()
if pid == 0:
    srv.close()
    c = socket.create_connection(("127.0.0.1", port))
    c.sendall(b"from the child " * 1000)
    data = c.recv(100)
    c.sendall(b"child got " + data)
    os._exit(0)
conn, _ = srv.accept()
got = b""
while len(got) < 15000:
    got += conn.recv(65536)
print("parent received", len(got), got[:15])
conn.sendall(b"hi child")
rest = b""
while True:
    d = conn.recv(100)
    if not d:
        break
    rest += d
print(rest)
_, status = os.waitpid(pid, 0)
print("child status", status)
