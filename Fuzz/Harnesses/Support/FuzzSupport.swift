// What every harness shares: the input as bytes, invariant checks that stop the run (libFuzzer
// then keeps the input as a finding), and the seed mode (SKIFF_FUZZ_SEEDS=DIR: write the
// harness's seed corpus, made with Skiff's own code, into DIR and exit; scripts/fuzz.sh --seeds).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The fuzzer's input as an array.
func fuzzBytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}

/// Stops with `message` unless `condition` holds: a broken invariant is a finding like a crash.
func invariant(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() {
        fputs("fuzz: invariant broken: \(message())\n", stderr)
        abort()
    }
}

/// libFuzzer calls this first: in seed mode it writes the harness's `fuzzSeeds()` and exits.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<Int32>,
                           _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    writeSeedsIfAsked(fuzzSeeds)
    return 0
}

/// In seed mode, calls `make` and writes each seed it returns into $SKIFF_FUZZ_SEEDS, then exits.
func writeSeedsIfAsked(_ make: () -> [(name: String, bytes: [UInt8])]) {
    guard let dir = getenv("SKIFF_FUZZ_SEEDS").map({ String(cString: $0) }) else { return }
    for seed in make() {
        let path = dir + "/" + seed.name
        guard let f = fopen(path, "wb") else { fputs("fuzz: cannot write \(path)\n", stderr); exit(1) }
        _ = seed.bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
        fclose(f)
    }
    exit(0)
}

/// Little-endian byte assembly for seeds (ELF headers, instruction words).
struct ByteWriter {
    var bytes: [UInt8] = []
    mutating func append(_ b: [UInt8]) { bytes += b }
    mutating func zeros(_ n: Int) { bytes += [UInt8](repeating: 0, count: n) }
    mutating func u16(_ v: UInt16) { for i in 0..<2 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt16(i)))) } }
    mutating func u32(_ v: UInt32) { for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) } }
    mutating func u64(_ v: UInt64) { for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
}

/// SplitMix64: the register values the CPU harnesses draw from their input's seed.
struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
