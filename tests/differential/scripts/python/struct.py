import struct, array, sys
print(struct.pack("<i", -2), struct.pack(">Q", 2**64 - 1), struct.pack("<hHbBxq?", -1, 65535, -128, 255, -2**63, True))
print(struct.pack("<d", 1.5).hex(), struct.pack("<f", -0.0).hex(), struct.pack(">e", 65504.0).hex())
print(struct.unpack("<3sIh", b"abc\x01\x02\x03\x04\xff\xff"), struct.calcsize("@iqc"), struct.calcsize("<iqc"), struct.calcsize("P"))
print(struct.unpack("<dd", struct.pack("<dd", float("inf"), float("nan")))[0])
try:
    struct.pack("<h", 40000)
except struct.error as e:
    print("struct.error", e)
a = array.array("d", (i / 7 for i in range(10)))
print(a.tobytes().hex()[:64], a.itemsize, array.array("i", [1, -2, 3]).tobytes())
print((1234567890123).to_bytes(8, "little"), int.from_bytes(b"\xff\xfe", "big", signed=True), (-5).to_bytes(4, "big", signed=True))
print(sys.byteorder, sys.maxsize, (2**100).bit_length(), (-(2**70)) >> 3, 7 ** 77 % 1000000007, pow(3, -1, 11))
m = memoryview(bytearray(range(16)))
print(m[2:6].tolist(), m.cast("I")[1], bytes(m[::-3]))
