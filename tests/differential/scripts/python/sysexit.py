# status: 42
import sys, atexit
atexit.register(lambda: print("atexit ran"))
print("exiting with 42")
sys.exit(42)
