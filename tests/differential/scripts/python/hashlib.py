import hashlib, hmac, binascii
data = bytes((i * 131 + 7) % 256 for i in range(200000))
for name in ["md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sha3_256", "sha3_512", "blake2b", "blake2s", "shake_128"]:
    h = hashlib.new(name, data)
    print(name, h.hexdigest(16) if name.startswith("shake") else h.hexdigest())
h = hashlib.sha256()
for i in range(0, len(data), 777):
    h.update(data[i:i + 777])
print("incremental", h.hexdigest())
print("hmac", hmac.new(b"key", data, "sha256").hexdigest())
print("pbkdf2", hashlib.pbkdf2_hmac("sha256", b"password", b"salt", 2000).hex())
print("crc32", binascii.crc32(data), "hexlify", binascii.hexlify(data[:16]))
