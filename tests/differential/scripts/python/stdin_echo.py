import sys, os
data = sys.stdin.buffer.read()
print(len(data), sum(data) % 65521, data[:20])
print(os.isatty(0), os.isatty(1))
sys.stdout.buffer.write(data[::-1][:50] + b"\n")
