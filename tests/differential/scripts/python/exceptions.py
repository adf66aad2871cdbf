# status: 1
# An uncaught exception: traceback on stderr, exit status 1.
import sys
print("before", flush=True)
print("to stderr", file=sys.stderr)
def inner(x):
    return {"a": 1}[x]
def outer():
    try:
        inner("b")
    except KeyError as e:
        raise ValueError("wrapped") from e
outer()
