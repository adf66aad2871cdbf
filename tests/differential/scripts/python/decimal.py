from decimal import Decimal, getcontext, localcontext, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_DOWN, ROUND_CEILING, InvalidOperation, DivisionByZero
from fractions import Fraction
getcontext().prec = 50
print(Decimal(1) / Decimal(7), Decimal(2).sqrt(), Decimal(10).ln(), Decimal(2) ** 100)
print(Decimal("0.1") + Decimal("0.2"), Decimal(0.1), Decimal("1.23E+5").normalize(), Decimal("-0"))
for mode in (ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_DOWN, ROUND_CEILING):
    print(mode, [str(Decimal(x).quantize(Decimal("1"), rounding=mode)) for x in ("2.5", "3.5", "-2.5", "-2.4", "2.6")])
with localcontext() as ctx:
    ctx.prec = 5
    print(Decimal(22) / Decimal(7), Decimal("123456789") + 0)
    ctx.traps[DivisionByZero] = False
    print(Decimal(1) / Decimal(0))
try:
    Decimal(1) / Decimal(0)
except DivisionByZero as e:
    print("DivisionByZero", type(e).__name__)
try:
    Decimal("abc")
except InvalidOperation:
    print("InvalidOperation")
print(Fraction(3, 4) + Fraction(5, 6), Fraction(0.1), Fraction("3.1415926535").limit_denominator(1000))
print(sum(Decimal(i) / 3 for i in range(100)), Decimal("1e-30").exp(), Decimal(3).log10())
