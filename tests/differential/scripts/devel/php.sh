# reference: proot
# PHP 8.4 CLI (with opcache): arrays, closures, classes, json, preg, sprintf, exceptions,
# generators, files, proc_open of another program.
cat > p.php <<'EOF'
<?php
function fib($n) { return $n < 2 ? $n : fib($n - 1) + fib($n - 2); }
echo "fib(20) = ", fib(20), "\n";
$words = explode(" ", "apple banana apple cherry banana apple");
$counts = array_count_values($words); arsort($counts);
echo json_encode($counts), "\n";
echo json_encode(["a" => [1, 2.5, null, true], "b" => "é\"x"], JSON_UNESCAPED_UNICODE), "\n";
var_dump(json_decode('{"x":{"y":[1,2,3]}}', true)["x"]["y"][2]);
preg_match_all('/(\w+)@(\w+)\.org/', "ada@example.org bob@test.org", $m);
echo implode(",", $m[1]), " ", sprintf("%08.3f|%-5s|%x", M_PI, "ab", 48879), "\n";
class Point { public function __construct(public int $x, public int $y) {} public function norm2(): int { return $this->x ** 2 + $this->y ** 2; } }
echo (new Point(3, 4))->norm2(), "\n";
try { intdiv(1, 0); } catch (DivisionByZeroError $e) { echo "caught: ", $e->getMessage(), "\n"; }
function gen() { for ($i = 1; $i <= 3; $i++) yield $i => $i * $i; }
foreach (gen() as $k => $v) echo "$k:$v ";
echo "\n", array_sum(array_map(fn($x) => $x % 7, range(1, 100000))), "\n";
file_put_contents("p.txt", implode("\n", range(1, 50)));
echo array_sum(array_filter(file("p.txt", FILE_IGNORE_NEW_LINES), fn($x) => $x % 2 == 0)), "\n";
$p = proc_open(["sh", "-c", "read x; echo got \$x; exit 3"], [0 => ["pipe", "r"], 1 => ["pipe", "w"]], $pipes);
fwrite($pipes[0], "hello\n"); fclose($pipes[0]);
echo trim(stream_get_contents($pipes[1])), " status ", proc_close($p), "\n";
echo gmdate("Y-m-d", 86400), " ", str_pad(decbin(10), 8, "0", STR_PAD_LEFT), "\n";
EOF
php p.php
