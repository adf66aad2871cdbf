import re
text = "The year 1999 and 2024; emails: a.b@example.org, x_y@test.co.uk; phone +1-555-0100. Ünïcödé words here."
print(re.findall(r"\d{4}", text))
print(re.findall(r"[\w.]+@[\w.]+\w", text))
print(re.sub(r"(\w+)@(\w+)", r"\2 at \1", text))
print(re.split(r"[;,.]\s*", text))
m = re.search(r"(?P<y>\d{4}) and (?P<z>\d+)", text)
print(m.group("y"), m.group("z"), m.span(), m.groupdict())
print(re.findall(r"\b\w+\b", "Ünïcödé naïve café"), re.findall(r"(?i)THE|here", text))
print([m.start() for m in re.finditer(r"e", text)])
p = re.compile(r"^(a+)+$")
print(bool(p.match("a" * 25)), bool(p.match("a" * 20 + "b")))
print(re.sub(r"x*", "-", "abxd"), re.escape("a.b*c?"), re.fullmatch(r"[0-9a-f]+", "deadbeef") is not None)
print(re.sub(r"(?m)^\s+", "", "  a\n   b\n c"), re.findall(r"(?s)a.b", "a\nb"))
try:
    re.compile("(unclosed")
except re.error as e:
    print("re.error:", e)
