# epoll: level-triggered against edge-triggered (EPOLLET) and one-shot (EPOLLONESHOT) on pipes,
# a socketpair and an eventfd-like pipe pair: when each is reported again.
import os
import select
import socket

ep = select.epoll()
r, w = os.pipe()
os.set_blocking(r, False)


def poll(tag):
    print(tag, sorted((fd == r and "pipe" or fd == a.fileno() and "sock" or fd, ev) for fd, ev in ep.poll(0)))


a, b = socket.socketpair()
a.setblocking(False)

ep.register(r, select.EPOLLIN)
os.write(w, b"x")
poll("level 1")
poll("level 2 (still ready)")
os.read(r, 10)
poll("level drained")

ep.modify(r, select.EPOLLIN | select.EPOLLET)
poll("edge, nothing")
os.write(w, b"ab")
poll("edge 1")
poll("edge 2 (no new event)")
os.write(w, b"c")
poll("edge after more data")
poll("edge again nothing")
os.read(r, 1)
poll("edge after partial read")
print("drain", os.read(r, 10))
poll("edge drained")
os.write(w, b"d")
poll("edge refilled")

ep.modify(r, select.EPOLLIN | select.EPOLLONESHOT)
poll("oneshot 1")
os.write(w, b"e")
poll("oneshot disabled")
ep.modify(r, select.EPOLLIN | select.EPOLLONESHOT)
poll("oneshot re-armed")
os.read(r, 10)

ep.register(a.fileno(), select.EPOLLIN | select.EPOLLET)
poll("sock edge nothing")
b.send(b"hello")
poll("sock edge 1")
poll("sock edge 2")
b.send(b"more")
poll("sock edge more")
print("sock drain", a.recv(100))
poll("sock drained")

# A blocking wait on an edge-triggered descriptor wakes for new data.
ep.modify(r, select.EPOLLIN | select.EPOLLET)
print("re-registered", [(fd == r, ev) for fd, ev in ep.poll(0)])
os.write(w, b"f")
print("wait with data", [(fd == r, ev) for fd, ev in ep.poll(1)])
print("wait times out", ep.poll(0.1))
ep.close()
