# reference: proot
# Ruby 3.3 (YARV): blocks, hashes, string formatting, exceptions, threads with a queue, fork
# and Process.wait, pipes, spawn of another program, Fiber and a bigger computation.
cat > r.rb <<'EOF'
def fib(n) = n < 2 ? n : fib(n - 1) + fib(n - 2)
puts "fib(22) = #{fib(22)}"
h = Hash.new(0)
%w[apple banana apple cherry banana apple].each { |w| h[w] += 1 }
puts h.sort_by { |k, v| [-v, k] }.map { |k, v| "#{k}=#{v}" }.join(" ")
puts format("%08.3f|%-6s|%x", Math::PI, "ab", 48879)
begin
  Integer("xyz")
rescue ArgumentError => e
  puts "rescued: #{e.message}"
end
q = Queue.new
workers = 4.times.map { |i| Thread.new { q << (1..10_000).sum * (i + 1) } }
workers.each(&:join)
puts "threads: #{4.times.map { q.pop }.sum}"
r, w = IO.pipe
pid = fork { r.close; w.write("child #{Process.pid != Process.ppid}"); exit!(4) }
w.close
puts "#{r.read}, status #{Process.wait2(pid)[1].exitstatus}"
out = IO.popen(["sh", "-c", "echo spawned; exit 2"], &:read)
puts "#{out.strip} #{$?.exitstatus}"
f = Fiber.new { x = Fiber.yield 1; Fiber.yield x + 1; :done }
puts [f.resume, f.resume(41), f.resume].inspect
puts (1..200_000).reduce(0) { |a, i| (a + i * i) % 1_000_003 }
File.write("r.txt", (1..50).map(&:to_s).join("\n"))
puts File.readlines("r.txt").map(&:to_i).select(&:even?).sum
puts Time.at(86400).utc.strftime("%Y-%m-%d")
EOF
ruby r.rb
