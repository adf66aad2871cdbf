# A megabyte each way between threads: one blocking send() of it all (Linux queues everything
# before returning, however small the socket buffers), an echo with sendall, a draining reader.
import hashlib, socket, threading
payload = bytes(range(256)) * 2048 + bytes(range(255, -1, -1)) * 2048
l = socket.socket()
l.bind(("127.0.0.1", 0))
l.listen()
c = socket.create_connection(l.getsockname())
s, _ = l.accept()
def echo():
    got = 0
    while got < len(payload):
        d = s.recv(65536)
        if not d:
            break
        got += len(d)
        s.sendall(d)
t = threading.Thread(target=echo)
t.start()
h = hashlib.sha256()
result = {}
def send():
    result["sent"] = c.send(payload)
w = threading.Thread(target=send)
w.start()
received = 0
while received < len(payload):
    d = c.recv(100000)
    if not d:
        break
    received += len(d)
    h.update(d)
w.join(); t.join()
print("one send:", result["sent"])
print(received, h.hexdigest() == hashlib.sha256(payload).hexdigest())
