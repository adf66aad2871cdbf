# Timeouts (python's settimeout and SO_RCVTIMEO), MSG_WAITALL gathering several sends, and a
# signal handler's exception interrupting a blocked recv.
import errno, signal, socket, struct, threading, time
l = socket.socket()
l.bind(("127.0.0.1", 0))
l.listen()
c = socket.create_connection(l.getsockname())
s, _ = l.accept()
c.settimeout(0.2)
try:
    c.recv(1)
except socket.timeout:
    print("settimeout: timed out")
c.settimeout(None)
c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("qq", 0, 200000))
try:
    c.recv(1)
except OSError as e:
    print("SO_RCVTIMEO:", errno.errorcode[e.errno])
c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("qq", 0, 0))
def trickle():
    for part in (b"abc", b"defg", b"hij"):
        time.sleep(0.05)
        s.sendall(part)
threading.Thread(target=trickle).start()
print("MSG_WAITALL:", c.recv(10, socket.MSG_WAITALL))
class Alarm(Exception):
    pass
def on_alarm(signo, frame):
    raise Alarm()
signal.signal(signal.SIGALRM, on_alarm)
signal.setitimer(signal.ITIMER_REAL, 0.2)
try:
    c.recv(1)
except Alarm:
    print("signal interrupted recv")
