import unicodedata, textwrap, collections, string, sys, locale, codecs
s = "Ünïcödé — naïve café, 日本語テキスト, emoji 😀👍🏽, straße, ǅ"
print(s.upper(), s.lower(), s.casefold(), s.title(), len(s), len(s.encode()), s.encode("utf-16-le")[:20])
print([unicodedata.name(c, "?") for c in "é😀ǅ"], unicodedata.normalize("NFD", "é") == "e\u0301", unicodedata.category("日"))
print(textwrap.fill("The quick brown fox jumps over the lazy dog. " * 5, width=33))
c = collections.Counter("mississippi banana".replace(" ", ""))
print(c.most_common(4), sorted(c.elements())[:6])
od = collections.OrderedDict.fromkeys("hello world"); print("".join(od))
dq = collections.deque(range(10), maxlen=5); dq.rotate(2); print(dq)
print("{:>10}|{:^10}|{:<10}|".format("r", "c", "l"), "%5.2f %s %r %c" % (2.345, None, "q", 65), string.capwords("hello  big world"))
print(sys.getdefaultencoding(), sys.stdout.encoding, sys.flags.utf8_mode, locale.getpreferredencoding(False))
print(codecs.encode("hello", "rot13"), "abc".encode("idna"), b"caf\xc3\xa9".decode("latin-1"), "x".join(map(str, range(5))))
print(sys.version_info[:2], sys.platform, sys.implementation.name, sys.maxunicode)
