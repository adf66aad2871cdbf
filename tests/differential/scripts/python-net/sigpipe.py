# Writing to a TCP connection the peer closed: the first write draws the reset, then EPIPE with
# MSG_NOSIGNAL, then SIGPIPE (default action restored) kills the writer. The writer is a forked
# child: the container's pid 1 ignores SIGPIPE it has no handler for, as Linux does for a
# namespace's init.
import os, signal, socket, time
l = socket.socket()
l.bind(("127.0.0.1", 0))
l.listen()
pid = os.fork()
if pid == 0:
    c = socket.create_connection(l.getsockname())
    time.sleep(0.4)
    c.send(b"x")
    time.sleep(0.2)
    try:
        c.send(b"y", socket.MSG_NOSIGNAL)
    except BrokenPipeError:
        print("MSG_NOSIGNAL: EPIPE", flush=True)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    c.send(b"z")
    print("not reached", flush=True)
    os._exit(0)
s, _ = l.accept()
s.close()
_, status = os.waitpid(pid, 0)
print("writer killed by signal", os.WTERMSIG(status) if os.WIFSIGNALED(status) else None)
