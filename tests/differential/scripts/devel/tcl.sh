# reference: proot
# Tcl 8.6: procs, lists, dicts, regexps, string formatting, file I/O, exec of a subprocess,
# pipes (open |), events (after, vwait), coroutines and a bigger computation.
cat > t.tcl <<'EOF'
proc fib {n} { if {$n < 2} { return $n }; expr {[fib [expr {$n-1}]] + [fib [expr {$n-2}]]} }
puts "fib(20) = [fib 20]"
set d [dict create a 1 b 2]
dict incr d a 10
puts "dict: $d, sorted: [lsort -decreasing {3 1 4 1 5 9 2 6}]"
regexp {(\w+)@(\w+)\.org} "mail ada@example.org now" -> user host
puts "user=$user host=$host [format %08.3f 3.14159] [string toupper hello] [string repeat ab 3]"
set f [open data.txt w]; for {set i 0} {$i < 100} {incr i} { puts $f "line $i" }; close $f
set f [open data.txt]; set lines [split [string trim [read $f]] \n]; close $f
puts "[llength $lines] lines, last: [lindex $lines end], size [file size data.txt]"
puts "exec: [exec sh -c {echo from sh; exit 0}]"
set p [open "|wc -l data.txt"]; puts "pipe: [string trim [read $p]]"; close $p
if {[catch {exec sh -c {exit 3}} msg opts]} { puts "exit code: [lindex [dict get $opts -errorcode] 2]" }
after 50 {set done timer}; vwait done; puts "event loop: $done"
coroutine gen apply {{} { yield; for {set i 1} {$i <= 3} {incr i} { yield [expr {$i * $i}] } }}
puts "coroutine: [gen] [gen] [gen]"
set s 0; for {set i 0} {$i < 200000} {incr i} { incr s [expr {$i % 7}] }; puts "loop sum $s"
puts "clock: [clock format 86400 -gmt 1 -format %Y-%m-%d]"
EOF
tclsh t.tcl
