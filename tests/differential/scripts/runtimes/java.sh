# reference: proot
# OpenJDK 21 (HotSpot: JIT tiers, safepoints and null checks through SIGSEGV, many threads):
# java running a source file (compiled in memory by javac), threads, collections, streams,
# a hot loop the C2 compiler takes, exceptions and a process builder.
cat > Hello.java <<'EOF'
import java.util.*;
import java.util.concurrent.*;
import java.util.stream.*;

public class Hello {
    static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
    public static void main(String[] args) throws Exception {
        System.out.println("java " + (6 * 7) + " fib " + fib(25));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Long>> parts = new ArrayList<>();
        for (int t = 0; t < 4; t++) { final int k = t; parts.add(pool.submit(() -> LongStream.rangeClosed(1, 100000).map(x -> x * (k + 1)).sum())); }
        long sum = 0; for (Future<Long> f : parts) sum += f.get();
        pool.shutdown();
        System.out.println("threads " + sum);
        Map<String, Long> counts = Stream.of("apple banana apple cherry banana apple".split(" "))
            .collect(Collectors.groupingBy(w -> w, TreeMap::new, Collectors.counting()));
        System.out.println(counts);
        long acc = 0; for (int i = 0; i < 50_000_000; i++) acc = (acc + (long) i * i) % 1000003;
        System.out.println("loop " + acc);
        try { Object o = null; o.hashCode(); } catch (NullPointerException e) { System.out.println("caught NPE"); }
        Process p = new ProcessBuilder("sh", "-c", "echo from sh").start();
        System.out.println(new String(p.getInputStream().readAllBytes()).trim() + " " + p.waitFor());
        System.out.println(String.format("%08.3f|%-5s|%x", Math.PI, "ab", 48879));
    }
}
EOF
java -Xshare:auto Hello.java
