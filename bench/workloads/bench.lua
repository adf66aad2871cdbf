-- A Lua workload: recursion, tables, strings, closures.
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
local t = {}
for i = 1, 150000 do t[i] = (i * 7919) % 100003 end
table.sort(t)
local parts = {}
for i = 1, 100000 do parts[#parts + 1] = string.format("%d:%x", i, i * 31) end
local s = table.concat(parts, ",")
local count = 0
for _ in s:gmatch("%d+:") do count = count + 1 end
local m = {}
for i = 1, 200000 do m["k" .. (i % 5000)] = (m["k" .. (i % 5000)] or 0) + i end
print(fib(25), t[1], t[#t], #s, count)
