# A mixed workload for the amd64 differential suite (test_amd64.py: test_workload): Debian's
# python3 on floats and their formatting, libm, big integers, decimal, re on Unicode text, zlib,
# bz2, lzma, hashlib, json, struct, sorting, datetime and difflib. Every line is a digest or a
# value; the host CPU (proot) is the reference, for the native tier and the interpreter.
import math, cmath, decimal, fractions, random, re, json, zlib, hashlib, struct, statistics, unicodedata, datetime, difflib, textwrap, bisect, heapq, itertools, collections, base64, binascii, array, bz2, lzma
import sys; sys.set_int_max_str_digits(0)
random.seed(12345)
out = []
xs = [random.random() * 10 ** random.randint(-30, 30) * random.choice((1, -1)) for _ in range(2000)]
out.append(hashlib.sha256(repr(xs).encode()).hexdigest())
out.append(hashlib.sha256(" ".join("%.17g %a %e %.3f" % (x, x, x, x) for x in xs).encode()).hexdigest())
fs = [f(abs(x) % 700 + 1e-9) for x in xs[:300] for f in (math.sin, math.cos, math.tan, math.exp, math.log, math.sqrt, math.atan, math.lgamma, math.erf, math.log1p, math.expm1, math.cbrt)]
out.append(hashlib.sha256(repr(fs).encode()).hexdigest())
out.append(repr(sum(xs)) + " " + repr(math.fsum(xs)) + " " + repr(statistics.pstdev(xs[:500])))
out.append(repr([cmath.sqrt(complex(x, xs[i - 1])) for i, x in enumerate(xs[:5])]))
decimal.getcontext().prec = 80
out.append(str(decimal.Decimal(2).sqrt()) + " " + str(decimal.Decimal(1) / decimal.Decimal(7)) + " " + str(decimal.Decimal(10).ln()))
out.append(str(fractions.Fraction(355, 113) ** 7 - fractions.Fraction(22, 7) ** 5))
big = 1
for i in range(1, 2000): big = big * i + (i ^ 0x5a5a)
out.append(hashlib.sha1(str(big).encode()).hexdigest() + " " + str(big % (2 ** 127 - 1)) + " " + str(pow(3, 10 ** 5, 2 ** 521 - 1) % 10 ** 20))
out.append(str(math.isqrt(big)) [:40] + " " + str(math.gcd(big, 2 ** 4000 * 3 ** 100)))
text = " ".join("".join(random.choice("abcdefghij klmnopqrstuvwxyzÄÖÜßéè€漢字") for _ in range(random.randint(1, 12))) for _ in range(20000))
out.append(str(len(re.findall(r"\b[a-e]+\w*\b", text))) + " " + str(len(re.sub(r"(a|b)+c", lambda m: m.group(0).upper(), text))))
out.append(hashlib.md5(unicodedata.normalize("NFKD", text).encode()).hexdigest() + " " + text.upper()[:50] + " " + str(text.casefold().count("ss")))
data = text.encode() * 3
for mod, c in ((zlib, zlib.compress(data, 9)), (bz2, bz2.compress(data)), (lzma, lzma.compress(data))):
    assert mod.decompress(c) == data
    out.append(mod.__name__ + " " + str(len(c)) + " " + hashlib.sha512(c).hexdigest()[:32])
out.append(hashlib.blake2b(data).hexdigest()[:40] + " " + hashlib.sha3_256(data).hexdigest()[:40] + " " + str(zlib.crc32(data)) + " " + str(zlib.adler32(data)))
d = {"k%d" % i: [i, i * 0.5, str(i), None, {"x": [True, False]}] for i in range(3000)}
js = json.dumps(d, sort_keys=True)
out.append(hashlib.sha256(js.encode()).hexdigest() + " " + str(json.loads(js) == d))
arr = array.array("d", xs)
out.append(hashlib.sha256(arr.tobytes()).hexdigest() + " " + hashlib.sha256(struct.pack("<2000q", *[int(x) & 0x7fffffffffffffff for x in xs])).hexdigest())
ints = [random.randint(-10 ** 9, 10 ** 9) for _ in range(50000)]
s = sorted(ints); heapq.heapify(ints)
out.append(str(s[::5000]) + " " + str([heapq.heappop(ints) for _ in range(5)]) + " " + str(bisect.bisect(s, 12345)))
c = collections.Counter(text.split())
out.append(str(c.most_common(3)))
out.append(str(datetime.datetime(2024, 2, 29, 13, 37) + datetime.timedelta(days=1000, seconds=12345)) + " " + datetime.date(1999, 12, 31).strftime("%A %j %U"))
out.append(hashlib.sha256("".join(difflib.unified_diff(text[:3000].split(), text[100:3100].split(), lineterm="")).encode()).hexdigest())
out.append(textwrap.fill(text[:400], 50).splitlines()[2])
out.append(base64.b85encode(data[:64]).decode() + " " + binascii.hexlify(data[:16]).decode())
out.append(repr([round(x, 3) for x in xs[:8]]) + " " + repr(float.fromhex("0x1.fffffffffffffp+1023")) + " " + repr(2.0 ** -1074))
out.append(str(sum(1 for p in itertools.permutations(range(8)) if p[0] < p[-1])))
print("\n".join(out))
