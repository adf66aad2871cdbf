-- Strings, tables, closures, metatables, integer/float semantics, string.format.
local t = {}
for i = 1, 200 do t[#t + 1] = (i * 7919) % 211 end
table.sort(t, function(a, b) return a > b end)
print(table.concat(t, ",", 1, 20))
print(#t, select("#", 1, nil, 3), math.maxinteger, math.mininteger, math.maxinteger + 1 == math.mininteger)
print(7 // 2, -7 // 2, 7 % -3, -7 % 3, 7 / 2, 2^53, 1 // 0.0, -1 // 0.0, 0/0 ~= 0/0, 3 | 5, 6 & 3, 5 ~ 1, ~0, 1 << 63, 256 >> 4)
print(math.type(1), math.type(1.0), math.type("1"), 10 == 10.0, math.tointeger(3.0), 3 // 1.0, "10" + 5, "3" * "4")
print(string.format("%5d|%-5s|%05.1f|%x|%X|%o|%e|%g|%q|%s|%c%c", 42, "ab", 3.14159, 255, 255, 8, 12345.678, 1e20, "a\nb\0", nil, 72, 105))
print(string.format("%.14g %.17g %a", 0.1, 1/3, 1.0), 1e15, 1e16, 2^63, -0.0, 100 // 1e300)
local s = "The quick brown fox jumps over the lazy dog"
print(s:upper(), s:len(), s:rep(2, "|"):sub(40, 60), s:reverse():sub(1, 10), s:byte(1, 3))
print(s:find("brown"), s:find("o", 20, true), s:match("(%a+) fox"), s:gsub("%w+", function(w) return w:sub(1, 1) end))
for k, v in string.gmatch("a=1, b=2, c=3", "(%w+)=(%w+)") do io.write(k, v, ";") end print()
local mt = {__add = function(a, b) return setmetatable({v = a.v + b.v}, getmetatable(a)) end, __tostring = function(a) return "V(" .. a.v .. ")" end,
            __index = function(_, k) return k .. "!" end, __lt = function(a, b) return a.v < b.v end, __len = function() return 99 end}
local a, b = setmetatable({v = 1}, mt), setmetatable({v = 2}, mt)
print(tostring(a + b), a.missing, a < b, #a, rawlen(a), rawequal(a, a))
local function counter() local n = 0 return function() n = n + 1 return n end end
local c1, c2 = counter(), counter()
print(c1(), c1(), c1(), c2())
print(pcall(error, {code = 1}), pcall(error, "msg", 0), select(2, pcall(function() local x = nil; return x.y end)))
print(string.pack("<i4d", -2, 1.5):byte(1, -1))
print(string.unpack("<i4", string.pack("<i4", -123456)), utf8.char(72, 228, 8364, 128512), utf8.len("häé€"), #"😀")
for p, c in utf8.codes("aé€") do io.write(p, ":", c, " ") end print()
print(os.time({year = 2000, month = 1, day = 1, hour = 12}) ~= nil, os.date("!%Y-%m-%d %H:%M:%S %A %j", 0), os.date("!*t", 86400).yday)
goto skip
print("not printed")
::skip::
print(next({}), type(print), tostring(nil), tonumber("0x1p4"), tonumber("z", 36), tonumber("  12  "), tonumber("1e1"), tonumber("abc"))
