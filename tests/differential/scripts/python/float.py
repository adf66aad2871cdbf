import math, struct, sys
vals = [0.0, -0.0, 0.1, 1/3, 2/3, 1e16, 1e22, 1e23, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, math.pi, math.e,
        float("inf"), float("-inf"), 123456789.123456789, float(9007199254740993), 0.1 + 0.2, 1 - 1e-16, 100.0, 1e-7, 12345678901234567890.0]
for v in vals:
    print(repr(v), str(v), f"{v:.17g}", f"{v:e}", f"{v:.3f}", f"{v:g}", f"{v:%}" if abs(v) < 1e10 else "", v.hex() if math.isfinite(v) else "")
print(float("nan"), math.isnan(float("nan")), float("-nan"), float("1e400"), float("0x1.8p1".replace("0x", "")) if False else float.fromhex("0x1.8p1"))
print([round(x, 2) for x in (2.675, 1.005, 0.125, 0.375, -2.5)], round(2.5), round(3.5), round(-0.5))
print(math.fsum([0.1] * 10), sum([0.1] * 10), 0.1 * 3, 1e308 * 10, -1e308 * 10)
print(int(1e20), int(-2.9), float(2**1023 * 2 - 1) if False else float(2**1023), 2**0.5, (-8) ** (1/3))
print(divmod(-7.5, 2), -7.5 // 2, -7.5 % 2, math.fmod(-7.5, 2), math.remainder(7.5, 2))
print(sys.float_info.max, sys.float_info.epsilon, sys.float_info.dig, sys.float_info.rounds)
print(f"{1234567.891:,.2f}", f"{0.000012345:.3e}", f"{255:#x}", f"{3.0:08.3f}", format(1e-5, ".10f"))
print(1e100 == 10**100, 2**53 + 1 == float(2**53 + 1), float(10**400 // 10**390))
print([struct.unpack("<f", struct.pack("<f", x))[0] for x in (0.1, 1/3, 1e39 if False else 3.4e38, 1e-45)])
