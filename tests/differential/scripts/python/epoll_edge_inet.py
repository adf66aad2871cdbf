# epoll's EPOLLET on TCP sockets, which `--network host` serves from the host (CPython's
# test_epoll.test_control_and_wait does the first half): a socket that stays ready is not reported
# again until something new happens, a wait with nothing new times out, and data, a drained and
# refilled socket, a full send buffer that drains and the peer's close are new events.
import errno, select, socket, time

listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(1)
client = socket.socket()
client.setblocking(False)
try:
    client.connect(listener.getsockname())
except BlockingIOError:
    pass
server, _ = listener.accept()
server.setblocking(False)
names = {client.fileno(): "client", server.fileno(): "server"}
flag_names = [(select.EPOLLIN, "IN"), (select.EPOLLOUT, "OUT"), (select.EPOLLHUP, "HUP"),
              (select.EPOLLRDHUP, "RDHUP"), (select.EPOLLERR, "ERR")]


def show(events):
    return sorted((names[fd], "|".join(n for f, n in flag_names if ev & f)) for fd, ev in events)


def poll(tag, timeout=0.0, want=None):
    """Polls; with `want`, polls again (up to 5 s) until that many events came, one at a time."""
    start = time.monotonic()
    events = ep.poll(timeout, 4)
    while want is not None and len(events) < want and time.monotonic() - start < 5:
        events += ep.poll(0.5, 4)
    took = time.monotonic() - start
    print(f"{tag:38} {show(events)}", "(waited its timeout)" if timeout and not events and took >= timeout * 0.9 else "")


ep = select.epoll()
both = select.EPOLLIN | select.EPOLLOUT | select.EPOLLET
ep.register(server.fileno(), both)
ep.register(client.fileno(), both)
poll("writable", 1, want=2)
poll("nothing new (0.3 s)", 0.3)
client.sendall(b"Hello!")
server.sendall(b"world!!!")
poll("data both ways", 1, want=2)
poll("still ready, nothing new (0.3 s)", 0.3)

print("client reads", client.recv(100), "server reads", server.recv(100))
try:
    client.recv(100)
except BlockingIOError:
    print("client drained: EAGAIN")
poll("after draining")
server.sendall(b"again")
poll("refilled", 1, want=1)
print("client reads", client.recv(100))

# Fill the client's send buffer: writable goes away, and comes back as a new event.
ep.modify(client.fileno(), select.EPOLLOUT | select.EPOLLET)
ep.unregister(server.fileno())
client.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
sent = 0
try:
    while True:
        sent += client.send(b"x" * 4096)
except BlockingIOError:
    print("client's send buffer full")
poll("full: nothing")
received = 0
while received < sent:
    try:
        received += len(server.recv(1 << 16))
    except BlockingIOError:
        select.select([server], [], [], 1)
print("server read all of it", received == sent)
poll("room again", 2, want=1)
poll("nothing new (0.3 s)", 0.3)

# The peer's close.
ep.modify(client.fileno(), select.EPOLLIN | select.EPOLLRDHUP | select.EPOLLET)
poll("modified, nothing to read")
server.close()
poll("peer closed", 2, want=1)
poll("nothing new after the close (0.3 s)", 0.3)
ep.close()
