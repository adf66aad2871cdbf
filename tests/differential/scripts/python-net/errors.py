# Error cases: ECONNREFUSED, EADDRINUSE, EINVAL (bind twice), ENOTCONN,
# ENOPROTOOPT for an unknown option, EPIPE after the peer closed (SIGPIPE is ignored by python),
# EISCONN, and what getsockname says of an unbound socket.
import errno, socket
def attempt(label, f):
    try:
        f()
        print(label, "ok")
    except OSError as e:
        print(label, errno.errorcode[e.errno])
l = socket.socket()
l.bind(("127.0.0.1", 0))
port = l.getsockname()[1]
attempt("connect to a bound, non-listening port:", lambda: socket.socket().connect(("127.0.0.1", port)))
l.listen()
attempt("second bind of the same socket:", lambda: l.bind(("127.0.0.1", 0)))
attempt("another socket on the port:", lambda: socket.socket().bind(("127.0.0.1", port)))
attempt("getpeername unconnected:", lambda: socket.socket().getpeername())
attempt("unknown option:", lambda: l.getsockopt(socket.SOL_SOCKET, 4242))
attempt("unknown level:", lambda: l.setsockopt(250, 1, 1))
attempt("recv unconnected:", lambda: socket.socket().recv(1))
print("unbound name:", socket.socket().getsockname())
c = socket.create_connection(("127.0.0.1", port))
s, _ = l.accept()
attempt("connect again:", lambda: c.connect(("127.0.0.1", port)))
s.close()
c.send(b"x")
import time; time.sleep(0.2)
attempt("send after the peer closed:", lambda: [c.send(b"y" * 1000) for _ in range(20)])
attempt("shutdown bad how:", lambda: c.shutdown(7))
l.close()
attempt("connect after the listener closed:", lambda: socket.socket().connect(("127.0.0.1", port)))
