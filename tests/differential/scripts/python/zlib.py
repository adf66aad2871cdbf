import zlib, gzip, bz2, lzma, io
data = b"".join(b"line %d: %s\n" % (i, b"abc" * (i % 17)) for i in range(20000))
for level in (0, 1, 6, 9):
    c = zlib.compress(data, level)
    print("zlib", level, len(c), zlib.crc32(c), zlib.decompress(c) == data)
print("crc32", zlib.crc32(data), "adler32", zlib.adler32(data))
d = zlib.decompressobj()
out = b"".join(d.decompress(c[i:i + 1000]) for i in range(0, len(c), 1000)) + d.flush()
print("streamed", out == data)
co = zlib.compressobj(9, zlib.DEFLATED, -15)
raw = co.compress(data) + co.flush()
print("raw deflate", len(raw), zlib.decompress(raw, -15) == data)
buf = io.BytesIO()
with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as f:
    f.write(data)
print("gzip", len(buf.getvalue()), zlib.crc32(buf.getvalue()), gzip.decompress(buf.getvalue()) == data)
b = bz2.compress(data)
print("bz2", len(b), bz2.decompress(b) == data)
x = lzma.compress(data, preset=1)
print("lzma", lzma.decompress(x) == data)
try:
    zlib.decompress(b"not zlib data")
except zlib.error as e:
    print("zlib.error", e)
