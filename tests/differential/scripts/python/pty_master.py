# A pseudo-terminal the program opens itself (/dev/ptmx through os.openpty and pty.fork): the line
# discipline between master and slave (echo, ONLCR, ICRNL, ^C to the slave's foreground group,
# raw mode), the window size, and end of file / EIO when either side closes.
import os
import pty
import sys
import termios
import time
import tty

sys.stdout.reconfigure(line_buffering=True)   # the pty.fork child prints to the terminal line by line


def read_until(fd, marker, limit=5.0):
    data = b""
    deadline = time.monotonic() + limit
    while marker not in data and time.monotonic() < deadline:
        try:
            chunk = os.read(fd, 1024)
        except OSError as e:
            data += f"<errno {e.errno}>".encode()
            break
        if not chunk:
            break
        data += chunk
    return data


master, slave = os.openpty()
name = os.ttyname(slave)
print("slave is a pts", name.startswith("/dev/pts/"), os.isatty(slave), os.isatty(master))
attrs = termios.tcgetattr(slave)
print("default lflag echo icanon isig", bool(attrs[3] & termios.ECHO), bool(attrs[3] & termios.ICANON), bool(attrs[3] & termios.ISIG))
print("default oflag onlcr", bool(attrs[1] & termios.ONLCR), "iflag icrnl", bool(attrs[0] & termios.ICRNL))

os.write(master, b"hello\r")
print("slave reads", os.read(slave, 100))
print("master sees echo", read_until(master, b"\n"))
os.write(slave, b"out\n")
print("master sees output", read_until(master, b"\n"))

os.write(master, b"abc\x7fd\n")
print("erase", os.read(slave, 100), read_until(master, b"\n"))

tty.setraw(slave)
os.write(master, b"x\r\x03")
time.sleep(0.05)
print("raw", os.read(slave, 100))
termios.tcsetattr(slave, termios.TCSANOW, attrs)

termios.tcsetwinsize(master, (33, 111))
print("winsize from slave", termios.tcgetwinsize(slave))
os.close(slave)
try:
    os.read(master, 10)
except OSError as e:
    print("master read after slave closed: errno", e.errno)
os.close(master)

# pty.fork: the child gets the slave as its controlling terminal in a new session.
pid, fd = pty.fork()
if pid == 0:
    print("child tty", os.isatty(0), os.getsid(0) == os.getpid(), os.tcgetpgrp(0) == os.getpgrp())
    line = input("prompt> ")
    print("child got", repr(line))
    try:
        time.sleep(10)
    except KeyboardInterrupt:
        print("child interrupted")
    os._exit(3)
print("parent sees", read_until(fd, b"prompt> "))
os.write(fd, b"typed text\r")
print("parent sees", read_until(fd, b"'typed text'\r\n"))
time.sleep(0.3)
os.write(fd, b"\x03")
print("parent sees", read_until(fd, b"interrupted\r\n"))
_, status = os.waitpid(pid, 0)
print("child status", os.waitstatus_to_exitcode(status))
print("after child exit", read_until(fd, b"never"))
os.close(fd)
