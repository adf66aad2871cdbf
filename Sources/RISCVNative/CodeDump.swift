#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// `SKIFF_JIT_DUMP=PREFIX`: every tier (riscv64 and x86-64 guests alike) writes its compiled code for inspection, as
// PREFIX.PID.N.map (one line per block: host address, guest entry pc, guest end, code bytes) and,
// when it goes away or flushes, PREFIX.PID.N.bin (the code buffer from its start, the trampolines
// included). Disassemble with
//   objdump -D -b binary -m i386:x86-64 --adjust-vma=BASE PREFIX.PID.N.bin
// (BASE: the map's `base` line, where the buffer starts).
// A profile's anonymous-memory addresses (perf's [JIT] samples) fall in the same range.

package struct CodeDump {
    static let prefix: String? = getenv("SKIFF_JIT_DUMP").map { String(cString: $0) }
    private static var tiers = 0

    private let path: String
    private var map: UnsafeMutablePointer<FILE>?
    private var dumps = 0

    /// nil unless `SKIFF_JIT_DUMP` is set.
    package init?() {
        guard let prefix = Self.prefix else { return nil }
        Self.tiers += 1
        path = "\(prefix).\(getpid()).\(Self.tiers)"
        map = fopen(path + ".map", "w")
    }

    package func started(base: UInt) {
        if let map { fputs("base 0x\(String(base, radix: 16))\n", map) }
    }

    package func compiled(pc: UInt64, end: UInt64, address: UInt, size: Int) {
        guard let map else { return }
        fputs("0x\(String(address, radix: 16)) pc 0x\(String(pc, radix: 16)) end 0x\(String(end, radix: 16)) \(size) bytes\n", map)
    }

    /// Writes the code buffer's first `used` bytes (before a flush, and at the end).
    package mutating func write(_ base: UnsafeRawPointer, used: Int) {
        if let map { fflush(map) }
        dumps += 1
        guard let f = fopen(path + (dumps == 1 ? "" : ".\(dumps)") + ".bin", "w") else { return }
        fwrite(base, 1, used, f)
        fclose(f)
    }

    package func close() {
        if let map { fclose(map) }
    }
}
