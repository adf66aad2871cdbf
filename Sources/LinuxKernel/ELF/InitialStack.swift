#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

/// Auxiliary vector keys (AT_*).
enum AuxVector {
    static let null: UInt64 = 0
    static let programHeaders: UInt64 = 3
    static let programHeaderEntrySize: UInt64 = 4
    static let programHeaderCount: UInt64 = 5
    static let pageSize: UInt64 = 6
    static let base: UInt64 = 7
    static let flags: UInt64 = 8
    static let entry: UInt64 = 9
    static let uid: UInt64 = 11
    static let euid: UInt64 = 12
    static let gid: UInt64 = 13
    static let egid: UInt64 = 14
    static let hwcap: UInt64 = 16
    static let clockTick: UInt64 = 17
    static let platform: UInt64 = 15
    static let hwcap2: UInt64 = 26
    static let secure: UInt64 = 23
    static let random: UInt64 = 25
    static let executableName: UInt64 = 31

    /// One bit per single-letter extension ('a' = bit 0): I M A F D C.
    static let hwcapRV64GC: UInt64 = {
        var v: UInt64 = 0
        for c in "imafdc".utf8 { v |= 1 << UInt64(c - 0x61) }
        return v
    }()
}

/// The stack a new program starts with, laid out exactly as Linux's create_elf_tables does:
/// from the top, a NULL word, the executable's name, the environment strings, the argument
/// strings, 16 random bytes (AT_RANDOM), then (16-byte aligned) argc, argv[], NULL, envp[],
/// NULL and the auxiliary vector ending in AT_NULL.
struct InitialStack {
    var stackPointer: UInt64
    var argumentAddresses: [UInt64]
    var environmentAddresses: [UInt64]
    var randomAddress: UInt64
    var executableNameAddress: UInt64

    static func build(in space: AddressSpace, arguments: [[UInt8]], environment: [[UInt8]], executableName: [UInt8],
                      auxiliary: [(UInt64, UInt64)], random: [UInt8], executable: Bool,
                      platform: [UInt8]? = nil) throws(Errno) -> InitialStack {
        let top = AddressLayout.stackTop
        let bottom = top - AddressLayout.stackSize
        // Linux limits the strings to a quarter of the stack rlimit.
        var stringBytes = executableName.count + 1
        for s in arguments { stringBytes += s.count + 1 }
        for s in environment { stringBytes += s.count + 1 }
        let pointerBytes = (arguments.count + environment.count + 3 + (auxiliary.count + 3) * 2) * 8
        if stringBytes + pointerBytes + 64 > Int(AddressLayout.stackSize / 4) { throw .E2BIG }

        var protection: MemoryProtection = [.read, .write]
        if executable { protection.insert(.execute) }
        space.insert(MemoryRegion(start: bottom, end: top, protection: protection, label: Array("[stack]".utf8)))
        let memory = space.memory

        var p = top - 8
        func push(_ s: [UInt8]) throws(Errno) -> UInt64 {
            p -= UInt64(s.count + 1)
            var bytes = s
            bytes.append(0)
            let ok = bytes.withUnsafeBytes { b in (try? memory.write(at: p, from: b, force: true)) != nil }
            if !ok { throw .EFAULT }
            return p
        }
        let nameAddress = try push(executableName)
        var envAddresses = [UInt64](repeating: 0, count: environment.count)
        for i in stride(from: environment.count - 1, through: 0, by: -1) { envAddresses[i] = try push(environment[i]) }
        var argAddresses = [UInt64](repeating: 0, count: arguments.count)
        for i in stride(from: arguments.count - 1, through: 0, by: -1) { argAddresses[i] = try push(arguments[i]) }
        // AT_PLATFORM's string, as create_elf_tables places it.
        let platformAddress = try platform.map { (s) throws(Errno) -> UInt64 in try push(s) }
        p &= ~15
        p -= 16
        let randomAddress = p
        let ok = random.withUnsafeBytes { b in (try? memory.write(at: randomAddress, from: b, force: true)) != nil }
        if !ok { throw .EFAULT }

        var vector = auxiliary
        if let p = platformAddress { vector.append((AuxVector.platform, p)) }
        vector.append((AuxVector.random, randomAddress))
        vector.append((AuxVector.executableName, nameAddress))
        vector.append((AuxVector.null, 0))
        var words: [UInt64] = [UInt64(arguments.count)]
        words.append(contentsOf: argAddresses)
        words.append(0)
        words.append(contentsOf: envAddresses)
        words.append(0)
        for (k, v) in vector { words.append(k); words.append(v) }
        let sp = (p - UInt64(words.count * 8)) & ~15
        var w = ByteWriter(capacity: words.count * 8)
        for x in words { w.u64(x) }
        let ok2 = w.bytes.withUnsafeBytes { b in (try? memory.write(at: sp, from: b, force: true)) != nil }
        if !ok2 { throw .EFAULT }
        return InitialStack(stackPointer: sp, argumentAddresses: argAddresses, environmentAddresses: envAddresses,
                            randomAddress: randomAddress, executableNameAddress: nameAddress)
    }
}
