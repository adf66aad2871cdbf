# reference: proot
# LuaJIT 2.1 with its JIT compiler on riscv64: hot loops that are traced and compiled (machine
# code written and run: mprotect and icache flushes), the FFI calling libc and C structs,
# coroutines, and the same numbers with the JIT off.
cat > j.lua <<'EOF'
local ffi = require("ffi")
ffi.cdef[[ size_t strlen(const char *); int snprintf(char *, size_t, const char *, ...); typedef struct { int x, y; double w; } pt; ]]
local function work()
  local s, t = 0, {}
  for i = 1, 3000000 do s = (s + i * i) % 1000003 end
  for i = 1, 100000 do t[i] = i % 13 end
  local acc = 0
  for i = 1, #t do acc = acc + t[i] end
  local pts = ffi.new("pt[?]", 1000)
  for i = 0, 999 do pts[i].x = i; pts[i].y = 2 * i; pts[i].w = i / 4 end
  local sx = 0
  for i = 0, 999 do sx = sx + pts[i].x * pts[i].y + pts[i].w end
  return s, acc, sx
end
print("jit", jit.status())
print(work())
local buf = ffi.new("char[64]")
ffi.C.snprintf(buf, 64, "%s-%05d-%.2f", "ffi", 42, 2.5)
print(ffi.string(buf), ffi.C.strlen(buf))
local co = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i * 10) end end)
print(co(), co(), co())
print(string.format("%q %s", "a\nb", table.concat({1, 2, 3}, ",")), bit.bxor(0xff, 0x0f), math.floor(2^40 / 3))
jit.off()
print("interpreted", work())
EOF
luajit j.lua
luajit -jv -e 'local s=0 for i=1,1000 do s=s+i end' 2>&1 | grep -c 'TRACE.*loop'
