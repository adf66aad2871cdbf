-- status: 3
-- io on stdin/stdout and files in the working directory.
local n, bytes = 0, 0
for line in io.lines() do n = n + 1; bytes = bytes + #line end
print("stdin lines", n, bytes)
local f = assert(io.open("out.txt", "w"))
for i = 1, 1000 do f:write(string.format("%04d %s\n", i, string.rep("x", i % 13))) end
f:close()
f = assert(io.open("out.txt", "r"))
print(f:read("l"), f:read("n"), f:read(5), f:seek("cur"), f:seek("end"))
f:seek("set", 100); print(f:read("a"):len())
f:close()
print(io.open("missing.txt"))
print(os.rename("out.txt", "moved.txt"), os.remove("moved.txt"), os.remove("moved.txt"))
print(io.type(io.stdout), io.type(f), os.getenv("HOME"), os.getenv("NOPE"))
io.stderr:write("to stderr\n")
os.exit(3)
