# Non-blocking sockets: connect (0 or EINPROGRESS, then writable and SO_ERROR 0), accept and recv
# with nothing pending (EAGAIN), select/poll/epoll readiness, MSG_DONTWAIT, sockets made
# non-blocking with SOCK_NONBLOCK and with fcntl(O_NONBLOCK).
import errno, fcntl, os, select, socket
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_NONBLOCK)
srv.bind(("127.0.0.1", 0))
srv.listen(4)
try:
    srv.accept()
except BlockingIOError as e:
    print("accept with nobody:", errno.errorcode[e.errno])
c = socket.socket()
fcntl.fcntl(c, fcntl.F_SETFL, fcntl.fcntl(c, fcntl.F_GETFL) | os.O_NONBLOCK)
r = c.connect_ex(srv.getsockname())
print("connect:", r in (0, errno.EINPROGRESS))
_, w, _ = select.select([], [c], [], 10)
print("select writable:", w == [c], "SO_ERROR", c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
r, _, _ = select.select([srv], [], [], 10)
print("listener readable:", r == [srv])
s, _ = srv.accept()
print("accepted socket blocking:", s.getblocking())
s.setblocking(False)
try:
    s.recv(10)
except BlockingIOError as e:
    print("recv with nothing:", errno.errorcode[e.errno])
s.setblocking(True)
try:
    s.recv(10, socket.MSG_DONTWAIT)
except BlockingIOError as e:
    print("MSG_DONTWAIT:", errno.errorcode[e.errno])
p = select.poll()
p.register(s, select.POLLIN)
print("poll before:", p.poll(0))
c.send(b"ping")
print("poll after:", [(fd == s.fileno(), ev & select.POLLIN != 0) for fd, ev in p.poll(5000)])
ep = select.epoll()
ep.register(s.fileno(), select.EPOLLIN)
ep.register(c.fileno(), select.EPOLLOUT)
print("epoll:", sorted((fd == s.fileno(), ev) for fd, ev in ep.poll(5)))
print(s.recv(10))
c.shutdown(socket.SHUT_WR)
ep2 = select.epoll()
ep2.register(s.fileno(), select.EPOLLIN | select.EPOLLRDHUP)
print("peer shut down writing:", [ev & (select.EPOLLIN | select.EPOLLRDHUP) for _, ev in ep2.poll(5)])
c.close()
print("after close:", select.select([s], [], [], 5)[0] == [s], s.recv(10))
