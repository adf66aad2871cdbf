import json
doc = {"name": "skiff", "nums": [1, 2.5, -0.0, 1e300, 3.141592653589793, 10**20], "nested": {"b": [True, False, None], "a": "é€😀\u0000"},
       "empty": {}, "esc": "quote\" back\\ tab\t nl\n"}
s = json.dumps(doc, sort_keys=True)
print(s)
print(json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False))
back = json.loads(s)
print(back == doc, back["nums"][2], repr(back["nums"][3]))
print(json.loads('[1e400, -1e400, 123456789012345678901234567890, 0.1]'))
for bad in ['{"a": }', '[1, 2', '"\\x"', 'nul']:
    try:
        json.loads(bad)
    except json.JSONDecodeError as e:
        print("error:", e)
big = [{"id": i, "v": i * 0.5, "s": str(i) * 3} for i in range(2000)]
enc = json.dumps(big, separators=(",", ":"))
print(len(enc), hash(enc) if False else sum(map(ord, enc)))
print(json.loads(enc) == big)
