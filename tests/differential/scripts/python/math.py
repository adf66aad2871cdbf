import math, cmath, statistics, random, itertools, functools, operator
xs = [0.5, 1.0, 2.0, 10.0, 0.001, 123.456]
for x in xs:
    print(x, math.sqrt(x), math.exp(x), math.log(x), math.log2(x), math.log10(x), math.sin(x), math.cos(x), math.tan(x), math.atan(x), math.sinh(x), math.gamma(x), math.lgamma(x), math.erf(x), math.erfc(x), math.expm1(x), math.log1p(x), math.cbrt(x))
print(math.factorial(50), math.comb(60, 30), math.perm(20, 10), math.gcd(2**64, 6**30), math.lcm(12, 18, 30), math.isqrt(10**40 + 1))
print(math.hypot(3, 4, 12), math.dist((1, 2), (4, 6)), math.prod(range(1, 20)), math.copysign(0.0, -1), math.ldexp(1, -1074), math.frexp(1e-310))
print(math.nextafter(1.0, 2.0), math.ulp(1e300), math.atan2(-0.0, -1.0), math.floor(-2.5), math.ceil(-2.5), math.trunc(-2.5))
print(cmath.sqrt(-1), cmath.exp(1j * math.pi), cmath.phase(-1 + 0j), abs(3 + 4j), (1 + 2j) ** 10)
data = [random.Random(7).gauss(0, 1) for _ in range(3)]
r = random.Random(12345)
sample = [r.random() for _ in range(1000)]
print(r.randint(1, 10**12), r.choice("abcdef"), r.sample(range(100), 5), statistics.mean(sample), statistics.stdev(sample), statistics.median(sample))
lst = list(range(30)); r.shuffle(lst); print(lst, data)
print(list(itertools.permutations("abc", 2)), list(itertools.accumulate(range(10), operator.mul, initial=1))[:6], functools.reduce(operator.xor, range(1000)))
print(sorted(["banana", "Apple", "cherry", "apple"], key=str.lower), sorted([(2, "b"), (1, "z"), (2, "a")], reverse=True))
print(2 ** 1000 % 10**9, (10**50 + 7) // 13, -(10**30) // 7, divmod(-(2**65), 1000), int("z" * 20, 36), hex(3**100), str(7**500)[-20:])
