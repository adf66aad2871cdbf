# A loop-heavy Python workload: integer arithmetic, dicts, strings, lists, a small class.
def primes(n):
    sieve = bytearray([1]) * (n + 1)
    sieve[0:2] = b"\0\0"
    for i in range(2, int(n ** 0.5) + 1):
        if sieve[i]:
            sieve[i * i::i] = bytearray(len(range(i * i, n + 1, i)))
    return sum(1 for x in sieve if x)

class Point:
    __slots__ = ("x", "y")
    def __init__(self, x, y):
        self.x, self.y = x, y
    def norm2(self):
        return self.x * self.x + self.y * self.y

counts = {}
for i in range(150000):
    key = "k" + str(i % 1000)
    counts[key] = counts.get(key, 0) + i % 7
total = sum(Point(i, -i).norm2() for i in range(100000))
words = " ".join(str(i * 7919 % 10007) for i in range(100000)).split()
print(primes(1000000), len(counts), total, len(sorted(set(words))), sum(map(len, words)))
