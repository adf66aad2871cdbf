-- Coroutines, varargs, tail calls, deep recursion, garbage collection, string building.
local function gen(n)
  return coroutine.wrap(function() for i = 1, n do coroutine.yield(i * i) end return "done" end)
end
local g = gen(5)
print(g(), g(), g(), g(), g(), g())
local co = coroutine.create(function(a, b)
  local c = coroutine.yield(a + b)
  local d, e = coroutine.yield(c * 2)
  return d + e
end)
print(coroutine.resume(co, 1, 2)); print(coroutine.resume(co, 10)); print(coroutine.resume(co, 3, 4)); print(coroutine.resume(co))
print(coroutine.status(co), coroutine.isyieldable())
local function sum(...) local s = 0 for _, v in ipairs({...}) do s = s + v end return s, select("#", ...) end
print(sum(1, 2, 3, 4, 5), table.unpack({1, 2, 3}, 2))
local function loop(n, acc) if n == 0 then return acc end return loop(n - 1, acc + n) end
print(loop(1000000, 0))
local function depth(n) if n == 0 then return 0 end return 1 + depth(n - 1) end
print(depth(150000))
print(pcall(function() local function inf(n) return 1 + inf(n) end return inf(1) end))
local parts = {}
for i = 1, 100000 do parts[i] = tostring(i % 97) end
local big = table.concat(parts)
print(#big, big:sub(-20))
local weak = setmetatable({}, {__mode = "k"})
weak[{}] = 1
collectgarbage(); collectgarbage()
local n = 0 for _ in pairs(weak) do n = n + 1 end
print("weak entries after gc", n, collectgarbage("count") > 0)
local m = {}
for i = 1, 50000 do m["k" .. i] = i end
local total = 0 for k, v in pairs(m) do total = total + v end
print(total)
math.randomseed(42)
local r = {} for i = 1, 5 do r[i] = math.random(1, 1000) end
print(table.concat(r, " "), math.random() < 1, math.floor(-3.5), math.ceil(-3.5), math.abs(math.mininteger), math.fmod(-7, 3), math.ult(1, -1))
